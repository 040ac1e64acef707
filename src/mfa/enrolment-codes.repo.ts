import type { Knex } from 'knex';

/** A stored set-up code (migration 008): only its keyed hash; times in epoch milliseconds. */
export interface EnrolmentCodeRow {
  directoryId: string;
  channel: 'email' | 'admin';
  codeHash: string;
  issuedBy: string | null;
  createdAt: number;
  expiresAt: number;
}

/** SQL for first-factor set-up codes: one live code per person and channel. */
export const createEnrolmentCodesRepo = (knex: Knex) => ({
  /** Stores a code, replacing the person's earlier one of the same channel. */
  async put(row: EnrolmentCodeRow, db: Knex = knex): Promise<void> {
    await db('enrolment_codes')
      .insert({ directory_id: row.directoryId, channel: row.channel, code_hash: row.codeHash, issued_by: row.issuedBy, created_at: row.createdAt, expires_at: row.expiresAt })
      .onConflict(['directory_id', 'channel'])
      .merge();
  },

  /** Whether a code of `channel` was stored for the person after `since`. */
  async sentSince(directoryId: string, channel: 'email' | 'admin', since: number): Promise<boolean> {
    return !!(await knex('enrolment_codes').where({ directory_id: directoryId, channel }).andWhere('created_at', '>', since).first('directory_id'));
  },

  /** The person's codes (at most one per channel). */
  async forPerson(directoryId: string): Promise<Pick<EnrolmentCodeRow, 'channel' | 'codeHash' | 'expiresAt'>[]> {
    const rows = (await knex('enrolment_codes').where({ directory_id: directoryId }).select('channel', 'code_hash', 'expires_at')) as { channel: 'email' | 'admin'; code_hash: string; expires_at: unknown }[];
    return rows.map((r) => ({ channel: r.channel, codeHash: r.code_hash, expiresAt: Number(r.expires_at) }));
  },

  /** Uses a code up: true for exactly one of concurrent callers with the same code. */
  async take(directoryId: string, channel: string, codeHash: string): Promise<boolean> {
    return (await knex('enrolment_codes').where({ directory_id: directoryId, channel, code_hash: codeHash }).del()) === 1;
  },
});

export type EnrolmentCodesRepo = ReturnType<typeof createEnrolmentCodesRepo>;
