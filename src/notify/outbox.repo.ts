import type { Knex } from 'knex';
import { toDate } from '../db/knex.ts';

/** A notification for one person. */
export interface Message {
  recipient: string;
  subject: string;
  body: string;
  /** Holds a secret for the recipient only (a set-up code): hidden on the outbox page, its body removed once sent. */
  sensitive?: boolean;
}

export interface OutboxRow extends Message {
  id: number;
  createdAt: Date;
  sentAt: Date | null;
  attempts: number;
  lastError: string | null;
}

const toRow = (r: Record<string, unknown>): OutboxRow => ({
  id: Number(r.id),
  recipient: String(r.recipient),
  subject: String(r.subject),
  body: String(r.body),
  sensitive: Boolean(r.sensitive),
  createdAt: toDate(r.created_at)!,
  sentAt: toDate(r.sent_at),
  attempts: Number(r.attempts),
  lastError: (r.last_error as string | null) ?? null,
});

/** SQL for the outbox: notifications are written in the transaction of what they tell, then sent (or read) later. */
export const createOutboxRepo = (knex: Knex) => ({
  async add(messages: Message[], at: Date, db: Knex = knex): Promise<void> {
    if (!messages.length) return;
    await db('outbox').insert(messages.map((m) => ({ ...m, sensitive: m.sensitive ?? false, created_at: at.toISOString(), attempts: 0 })));
  },

  /** Messages not sent yet, not claimed by a live sender, and tried fewer than `maxAttempts` times, oldest first. */
  async unsent(maxAttempts: number, limit: number, at: Date): Promise<OutboxRow[]> {
    const rows = await knex('outbox')
      .whereNull('sent_at')
      .where('attempts', '<', maxAttempts)
      .andWhere((q) => q.whereNull('claimed_until').orWhere('claimed_until', '<', at.getTime()))
      .orderBy('id')
      .limit(limit);
    return (rows as Record<string, unknown>[]).map(toRow);
  },

  /** Claims an unsent message for `leaseMs`; true for exactly one of several concurrent senders. */
  async claim(id: number, at: Date, leaseMs: number): Promise<boolean> {
    const changed = await knex('outbox')
      .where({ id })
      .whereNull('sent_at')
      .andWhere((q) => q.whereNull('claimed_until').orWhere('claimed_until', '<', at.getTime()))
      .update({ claimed_until: at.getTime() + leaseMs });
    return changed === 1;
  },

  async sent(id: number, at: Date): Promise<void> {
    await knex('outbox').where({ id }).update({ sent_at: at.toISOString(), last_error: null, claimed_until: null, attempts: knex.raw('attempts + 1') });
    // Once delivered, a secret has no reason to stay in the database.
    await knex('outbox').where({ id, sensitive: true }).update({ body: '' });
  },

  async failed(id: number, error: string): Promise<void> {
    await knex('outbox').where({ id }).update({ last_error: error.slice(0, 500), claimed_until: null, attempts: knex.raw('attempts + 1') });
  },

  /** The newest messages first, for the administrators' outbox page. */
  async latest(limit: number): Promise<OutboxRow[]> {
    return ((await knex('outbox').orderBy('id', 'desc').limit(limit)) as Record<string, unknown>[]).map(toRow);
  },
});

export type OutboxRepo = ReturnType<typeof createOutboxRepo>;
