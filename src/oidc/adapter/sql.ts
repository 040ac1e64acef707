import type { Knex } from 'knex';
import type { Adapter, AdapterPayload } from 'oidc-provider';
import { toDate } from '../../db/knex.ts';
import type { Clock } from '../../shared/clock.ts';
import type { OidcAdapterClass } from './index.ts';

/**
 * Models whose entries belong to a grant and are revoked with it. Same list as oidc-provider's own memory adapter:
 * an Interaction also carries a grantId, but revoking the grant must not delete an interaction in progress.
 */
export const GRANTABLE_MODELS: ReadonlySet<string> = new Set([
  'AccessToken',
  'AuthorizationCode',
  'RefreshToken',
  'DeviceCode',
  'BackchannelAuthenticationRequest',
  'PreAuthorizedCode',
]);

const TABLE = 'oidc_payloads';

interface Row {
  payload: string;
  consumed_at: unknown;
}

/** Deletes expired entries; reads already ignore them, this only reclaims space. Returns the number deleted. */
export const pruneOidcPayloads = async (knex: Knex, clock: Clock): Promise<number> =>
  knex(TABLE).where('expires_at', '<=', clock.now()).del();

const toPayload = (row: Row | undefined): AdapterPayload | undefined => {
  if (!row) return undefined;
  const payload = JSON.parse(row.payload) as AdapterPayload;
  const consumedAt = toDate(row.consumed_at);
  // oidc-provider expects `consumed` as epoch seconds, as its memory and Redis adapters store it.
  return consumedAt ? { ...payload, consumed: Math.floor(consumedAt.getTime() / 1000) } : payload;
};

/**
 * oidc-provider `adapter` backed by the `oidc_payloads` table (migration 002): the single-process default.
 * Returns a class the provider constructs once per model name; its static `prune()` deletes expired rows.
 */
export const createSqlAdapter = (knex: Knex, clock: Clock): OidcAdapterClass =>
  class SqlAdapter implements Adapter {
    readonly model: string;

    constructor(model: string) {
      this.model = model;
    }

    static prune(): Promise<number> {
      return pruneOidcPayloads(knex, clock);
    }

    /** Rows of this model that have not expired: an expired row is absent even before prune removes it. */
    private live(): Knex.QueryBuilder {
      const now = clock.now();
      return knex(TABLE)
        .select('payload', 'consumed_at')
        .where('model', this.model)
        .andWhere((q) => q.whereNull('expires_at').orWhere('expires_at', '>', now));
    }

    async upsert(id: string, payload: AdapterPayload, expiresIn?: number): Promise<void> {
      const expiresAt = typeof expiresIn === 'number' ? new Date(clock.now().getTime() + expiresIn * 1000) : null;
      await knex(TABLE)
        .insert({
          model: this.model,
          id,
          payload: JSON.stringify(payload),
          grant_id: GRANTABLE_MODELS.has(this.model) ? (payload.grantId ?? null) : null,
          user_code: payload.userCode ?? null,
          uid: payload.uid ?? null,
          expires_at: expiresAt,
          // A rewritten entry is a new entry: it starts unconsumed, as in the memory adapter.
          consumed_at: null,
        })
        .onConflict(['model', 'id'])
        .merge();
    }

    async find(id: string): Promise<AdapterPayload | undefined> {
      return toPayload(await this.live().andWhere('id', id).first());
    }

    async findByUid(uid: string): Promise<AdapterPayload | undefined> {
      return toPayload(await this.live().andWhere('uid', uid).first());
    }

    async findByUserCode(userCode: string): Promise<AdapterPayload | undefined> {
      return toPayload(await this.live().andWhere('user_code', userCode).first());
    }

    async consume(id: string): Promise<void> {
      await knex(TABLE).where({ model: this.model, id }).update({ consumed_at: clock.now() });
    }

    async destroy(id: string): Promise<void> {
      await knex(TABLE).where({ model: this.model, id }).del();
    }

    /** Grant ids are shared across models (code, access and refresh token of one grant), so no model filter. */
    async revokeByGrantId(grantId: string): Promise<void> {
      await knex(TABLE).where('grant_id', grantId).del();
    }
  };
