import type { Knex } from 'knex';
import { toDate } from '../db/knex.ts';

/** A person's TOTP row: the confirmed secret (if any) and an enrolment in progress (if any), both sealed. */
export interface TotpRow {
  secretEnc: string | null;
  /** When the confirmed secret was confirmed (null while only an enrolment is in progress). */
  confirmedAt: Date | null;
  lastUsedStep: number | null;
  pendingSecretEnc: string | null;
}

// PostgreSQL returns bigint as a string: steps (~5.8e7 today) are far inside the safe integer range.
const step = (value: unknown): number | null => (value === null || value === undefined ? null : Number(value));

/** SQL for second factors: TOTP credentials and recovery code hashes. Writers take an optional transaction. */
export const createMfaRepo = (knex: Knex) => ({
  async findTotp(sub: string, db: Knex = knex): Promise<TotpRow | undefined> {
    const row = (await db('totp_credentials').where({ sub }).first('secret_enc', 'confirmed_at', 'last_used_step', 'pending_secret_enc')) as
      | { secret_enc: string | null; confirmed_at: unknown; last_used_step: unknown; pending_secret_enc: string | null }
      | undefined;
    return row && { secretEnc: row.secret_enc, confirmedAt: toDate(row.confirmed_at), lastUsedStep: step(row.last_used_step), pendingSecretEnc: row.pending_secret_enc };
  },

  /** The sealed secret of an enrolment in progress and the account's username (the label apps show), if any. */
  async findPending(sub: string, db: Knex = knex): Promise<{ sealed: string; username: string } | undefined> {
    const row = (await db('totp_credentials as t')
      .join('accounts as a', 'a.sub', 't.sub')
      .where('t.sub', sub)
      .whereNotNull('t.pending_secret_enc')
      .first('t.pending_secret_enc', 'a.username')) as { pending_secret_enc: string; username: string } | undefined;
    return row && { sealed: row.pending_secret_enc, username: row.username };
  },

  /** Stores a new enrolment in progress, replacing an earlier one; the confirmed secret is left alone. */
  async savePending(sub: string, sealed: string, at: Date, db: Knex = knex): Promise<void> {
    await db('totp_credentials')
      .insert({ sub, created_at: at.toISOString(), pending_secret_enc: sealed, pending_created_at: at.toISOString() })
      .onConflict('sub')
      .merge(['pending_secret_enc', 'pending_created_at']);
  },

  /**
   * Makes the pending secret the confirmed one, with `usedStep` as already used. Only if the pending secret is still
   * `sealed`: a restarted enrolment in between must not be confirmed by a code of the one it replaced. Returns rows changed.
   */
  async promotePending(sub: string, sealed: string, usedStep: number, at: Date, db: Knex = knex): Promise<number> {
    return db('totp_credentials')
      .where({ sub, pending_secret_enc: sealed })
      .update({ secret_enc: sealed, confirmed_at: at.toISOString(), last_used_step: usedStep, pending_secret_enc: null, pending_created_at: null });
  },

  /**
   * Records `usedStep` only if it is newer than the last one and `sealed` (the secret the code was checked against) is
   * still the confirmed one. The condition is evaluated under the row lock, so of two concurrent uses of one code
   * exactly one changes the row. Returns rows changed (0: replayed, or the secret was replaced meanwhile).
   */
  async useStep(sub: string, sealed: string, usedStep: number, db: Knex = knex): Promise<number> {
    return db('totp_credentials')
      .where({ sub, secret_enc: sealed })
      .andWhere((q) => void q.whereNull('last_used_step').orWhere('last_used_step', '<', usedStep))
      .update({ last_used_step: usedStep });
  },

  async countUnusedCodes(sub: string, db: Knex = knex): Promise<number> {
    const row = (await db('recovery_codes').where({ sub }).whereNull('used_at').count({ n: '*' }).first()) as { n: number | string } | undefined;
    return Number(row?.n ?? 0);
  },

  async unusedCodes(sub: string, db: Knex = knex): Promise<Array<{ id: number; hash: string }>> {
    const rows = (await db('recovery_codes').where({ sub }).whereNull('used_at').select('id', 'code_hash')) as Array<{ id: number; code_hash: string }>;
    return rows.map((r) => ({ id: Number(r.id), hash: r.code_hash }));
  },

  /** Marks a code used unless it already is; returns rows changed (0: someone used it first). */
  async markCodeUsed(id: number, at: Date, db: Knex = knex): Promise<number> {
    return db('recovery_codes').where({ id }).whereNull('used_at').update({ used_at: at.toISOString() });
  },

  /** Removes the TOTP credential of `sub`, the confirmed secret and any enrolment in progress; returns rows deleted. */
  async deleteTotp(sub: string, db: Knex = knex): Promise<number> {
    return db('totp_credentials').where({ sub }).delete();
  },

  /** Removes every recovery code of `sub`; returns how many of them were still unused. */
  async deleteCodes(sub: string, db: Knex = knex): Promise<number> {
    const row = (await db('recovery_codes').where({ sub }).whereNull('used_at').count({ n: '*' }).first()) as { n: number | string } | undefined;
    await db('recovery_codes').where({ sub }).delete();
    return Number(row?.n ?? 0);
  },

  /** Voids every earlier code of `sub` and stores the new hashes. */
  async replaceCodes(sub: string, hashes: string[], at: Date, db: Knex = knex): Promise<void> {
    await db('recovery_codes').where({ sub }).delete();
    await db('recovery_codes').insert(hashes.map((code_hash) => ({ sub, code_hash, created_at: at.toISOString() })));
  },
});

/** The repository's type, derived from its factory. */
export type MfaRepo = ReturnType<typeof createMfaRepo>;
