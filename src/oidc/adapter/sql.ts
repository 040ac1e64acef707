import type { Knex } from 'knex';
import type { Adapter, AdapterPayload } from 'oidc-provider';
import { toDate } from '../../db/knex.ts';
import type { Clock } from '../../shared/clock.ts';
import { ACCOUNT_INDEXED_MODELS, GRANT_MODEL, GRANTABLE_MODELS, reuseDetected, type AccountIndexed, type AccountPage, type OidcAdapterClass } from './contract.ts';
import { knexPayloadStore, sqlitePayloadStore, type PayloadStore, type StoredPayload } from './sql-store.ts';

/** Prepared statements on SQLite, knex's query builder elsewhere. */
const storeFor = (knex: Knex): PayloadStore => (knex.client.dialect === 'postgresql' ? knexPayloadStore(knex) : sqlitePayloadStore(knex));

const toPayload = (row: StoredPayload): AdapterPayload => {
  const payload = JSON.parse(row.payload) as AdapterPayload;
  const consumedAt = toDate(row.consumed_at);
  // oidc-provider expects `consumed` as epoch seconds, as its memory and Redis adapters store it.
  return consumedAt ? { ...payload, consumed: Math.floor(consumedAt.getTime() / 1000) } : payload;
};

/**
 * oidc-provider `adapter` backed by the `oidc_payloads` table (migration 002): the single-process default.
 * Returns a class the provider constructs once per model name; its static `prune()` deletes expired rows.
 */
export const createSqlAdapter = (knex: Knex, clock: Clock): OidcAdapterClass => {
  const store = storeFor(knex);
  const now = () => clock.now().getTime();
  return class SqlAdapter implements Adapter, AccountIndexed {
    readonly model: string;

    constructor(model: string) {
      this.model = model;
    }

    /** Deletes expired entries; reads already ignore them, this only reclaims space. Returns the number deleted. */
    static prune(): Promise<number> {
      return store.prune(now());
    }

    async upsert(id: string, payload: AdapterPayload, expiresIn?: number): Promise<void> {
      await store.upsert({
        model: this.model,
        id,
        payload: JSON.stringify(payload),
        grant_id: GRANTABLE_MODELS.has(this.model) ? (payload.grantId ?? null) : null,
        user_code: payload.userCode ?? null,
        uid: payload.uid ?? null,
        account_id: ACCOUNT_INDEXED_MODELS.has(this.model) ? (payload.accountId ?? null) : null,
        expires_at: typeof expiresIn === 'number' ? now() + expiresIn * 1000 : null,
      });
    }

    /** Expired rows are absent even before prune removes them. */
    async find(id: string): Promise<AdapterPayload | undefined> {
      const row = await store.find(this.model, 'id', id, now());
      return row && toPayload(row);
    }

    async findByUid(uid: string): Promise<AdapterPayload | undefined> {
      const row = await store.find(this.model, 'uid', uid, now());
      return row && toPayload(row);
    }

    async findByUserCode(userCode: string): Promise<AdapterPayload | undefined> {
      const row = await store.find(this.model, 'user_code', userCode, now());
      return row && toPayload(row);
    }

    /** Atomic: a lost race revokes the whole grant (the grant record too) and throws `invalid_grant`. */
    async consume(id: string): Promise<void> {
      if (await store.consume(this.model, id, now())) return;
      const grantId = await store.grantOf(this.model, id);
      if (grantId) await Promise.all([store.revokeGrant(grantId), store.destroy(GRANT_MODEL, grantId)]);
      throw reuseDetected(this.model);
    }

    async destroy(id: string): Promise<void> {
      await store.destroy(this.model, id);
    }

    /** Served by the `account_id` column (migration 009), which upsert fills for these models only. */
    async byAccount(accountId: string, page: { offset: number; limit: number }): Promise<AccountPage> {
      if (!ACCOUNT_INDEXED_MODELS.has(this.model)) return { total: 0, entries: [] };
      const { total, rows } = await store.byAccount(this.model, accountId, now(), page);
      return { total, entries: rows.map((row) => ({ id: row.id, payload: toPayload(row) })) };
    }

    /** Grant ids are shared across models (code, access and refresh token of one grant), so no model filter. */
    async revokeByGrantId(grantId: string): Promise<void> {
      await store.revokeGrant(grantId);
    }
  };
};
