import type { Knex } from 'knex';
import { toDate } from '../db/knex.ts';

/** A credential as stored: what verification needs, and the name the person gave it. */
export interface PasskeyRow {
  id: string;
  sub: string;
  publicKey: string;
  counter: number;
  transports: string[];
  name: string;
}

/** A stored credential with its history, as a list shows it. */
export interface Passkey extends PasskeyRow {
  createdAt: Date;
  lastUsedAt: Date | null;
}

interface Row {
  id: string;
  sub: string;
  public_key: string;
  counter: number | string;
  transports: string;
  name: string;
  created_at: unknown;
  last_used_at: unknown;
}

const toPasskey = (r: Row): Passkey => ({
  id: r.id,
  sub: r.sub,
  publicKey: r.public_key,
  counter: Number(r.counter),
  transports: r.transports ? r.transports.split(' ') : [],
  name: r.name,
  createdAt: toDate(r.created_at)!,
  lastUsedAt: toDate(r.last_used_at),
});

/** SQL for WebAuthn credentials. Every query by id is also by `sub`, except `used` (the id came from a verified assertion). */
export const createWebauthnRepo = (knex: Knex) => ({
  async list(sub: string, db: Knex = knex): Promise<Passkey[]> {
    return ((await db('webauthn_credentials').where({ sub }).orderBy('created_at')) as Row[]).map(toPasskey);
  },

  /** One of `sub`'s credentials; undefined when the id is unknown or belongs to someone else. */
  async find(sub: string, id: string, db: Knex = knex): Promise<Passkey | undefined> {
    const row = (await db('webauthn_credentials').where({ sub, id }).first()) as Row | undefined;
    return row && toPasskey(row);
  },

  async count(sub: string, db: Knex = knex): Promise<number> {
    const row = (await db('webauthn_credentials').where({ sub }).count({ n: '*' }).first()) as { n: number | string } | undefined;
    return Number(row?.n ?? 0);
  },

  async insert(p: PasskeyRow, at: Date, db: Knex = knex): Promise<void> {
    await db('webauthn_credentials').insert({ id: p.id, sub: p.sub, public_key: p.publicKey, counter: p.counter, transports: p.transports.join(' '), name: p.name, created_at: at.toISOString() });
  },

  /** Renames one of `sub`'s credentials; returns rows changed. */
  async rename(sub: string, id: string, name: string, db: Knex = knex): Promise<number> {
    return db('webauthn_credentials').where({ sub, id }).update({ name });
  },

  /** Deletes one of `sub`'s credentials; returns rows deleted. */
  async remove(sub: string, id: string, db: Knex = knex): Promise<number> {
    return db('webauthn_credentials').where({ sub, id }).delete();
  },

  /** Deletes every credential of `sub`; returns how many there were. */
  async removeAll(sub: string, db: Knex = knex): Promise<number> {
    return db('webauthn_credentials').where({ sub }).delete();
  },

  /** Records a use; the counter only moves forward (a clone replaying an old counter loses the race). */
  async used(id: string, counter: number, at: Date, db: Knex = knex): Promise<boolean> {
    const changed = await db('webauthn_credentials')
      .where({ id })
      .andWhere((q) => q.where('counter', '<', counter).orWhere('counter', 0))
      .update({ counter, last_used_at: at.toISOString() });
    return changed === 1;
  },
});

/** The passkey repository's type, derived from its factory. */
export type WebauthnRepo = ReturnType<typeof createWebauthnRepo>;
