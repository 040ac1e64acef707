import type { Knex } from 'knex';
import { toDate } from '../db/knex.ts';

/** An initial access token as administrators see it (never the token itself, only its keyed hash is stored). */
export interface InitialToken {
  id: string;
  issuedTo: string;
  agency: string;
  expiresAt: Date;
  usesLeft: number;
  createdBy: string;
  createdAt: Date;
  revokedAt: Date | null;
}

const toToken = (r: Record<string, unknown>): InitialToken => ({
  id: String(r.id),
  issuedTo: String(r.issued_to),
  agency: String(r.agency),
  expiresAt: toDate(r.expires_at)!,
  usesLeft: Number(r.uses_left),
  createdBy: String(r.created_by),
  createdAt: toDate(r.created_at)!,
  revokedAt: toDate(r.revoked_at),
});

/** SQL for RFC 7591 initial access tokens. Writers take an optional transaction. */
export const createInitialTokensRepo = (knex: Knex) => {
  /** Tokens that may still register an app at `now`. */
  const usable = (db: Knex, now: Date) => db('initial_access_tokens').whereNull('revoked_at').where('expires_at', '>', now.toISOString()).where('uses_left', '>', 0);
  return {
    async insert(t: Omit<InitialToken, 'revokedAt'> & { tokenHash: string }, db: Knex = knex): Promise<void> {
      await db('initial_access_tokens').insert({
        id: t.id,
        token_hash: t.tokenHash,
        issued_to: t.issuedTo,
        agency: t.agency,
        expires_at: t.expiresAt.toISOString(),
        uses_left: t.usesLeft,
        created_by: t.createdBy,
        created_at: t.createdAt.toISOString(),
      });
    },

    /** Revokes a token not yet revoked; returns rows changed. */
    revoke: (id: string, at: Date, db: Knex = knex): Promise<number> => db('initial_access_tokens').where({ id }).whereNull('revoked_at').update({ revoked_at: at.toISOString() }),

    async list(): Promise<InitialToken[]> {
      return ((await knex('initial_access_tokens').orderBy('created_at', 'desc')) as Record<string, unknown>[]).map(toToken);
    },

    /** The usable token with this hash, if any. */
    async findUsable(tokenHash: string, now: Date): Promise<InitialToken | undefined> {
      const row = (await usable(knex, now).where({ token_hash: tokenHash }).first()) as Record<string, unknown> | undefined;
      return row && toToken(row);
    },

    /** Spends one use if the token is still usable; of concurrent uses of the last one, one wins. */
    spend: async (id: string, now: Date): Promise<boolean> => (await usable(knex, now).where({ id }).decrement('uses_left', 1)) === 1,
  };
};

/** The initial access tokens repository's type, derived from its factory. */
export type InitialTokensRepo = ReturnType<typeof createInitialTokensRepo>;
