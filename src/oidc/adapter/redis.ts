import type { ChainableCommander, Redis } from 'ioredis';
import type { Adapter, AdapterPayload } from 'oidc-provider';
import { systemClock, type Clock } from '../../shared/clock.ts';
import { GRANT_MODEL, GRANTABLE_MODELS, reuseDetected, type OidcAdapterClass } from './contract.ts';

/** Options for the Redis adapter. */
export interface RedisAdapterOptions {
  /** Prepended to every key so oidc state can share a Redis with rate limits. */
  prefix?: string;
  /** Source of the `consumed` timestamp. */
  clock?: Clock;
}

// Adds a member to a grant's list and keeps the list alive as long as its longest-lived member, in the same round
// trip as the upsert. TTL -2 = list is new, -1 = a member never expires (leave it persistent).
// KEYS[1] grant list, ARGV[1] member key, ARGV[2] member TTL in seconds or '' for none.
const INDEX_GRANT = `
local current = redis.call('ttl', KEYS[1])
redis.call('rpush', KEYS[1], ARGV[1])
if ARGV[2] == '' then
  redis.call('persist', KEYS[1])
elseif current == -2 or (current >= 0 and tonumber(ARGV[2]) > current) then
  redis.call('expire', KEYS[1], ARGV[2])
end
return 1`;

// Check-and-mark in one script, so of N concurrent redemptions exactly one wins. HSET on a missing key would create a
// payload-less hash that never expires; only mark entries that exist. HSET keeps the key's TTL.
// KEYS[1] entry, ARGV[1] epoch seconds. Returns 1 when this call consumed it, the payload when it was consumed
// already, nil when it is gone.
const CONSUME = `
local payload = redis.call('hget', KEYS[1], 'payload')
if not payload then return nil end
if redis.call('hexists', KEYS[1], 'consumed') == 1 then return payload end
redis.call('hset', KEYS[1], 'consumed', ARGV[1])
return 1`;

/** MULTI reports per-command failures in its result instead of rejecting. */
const execAll = async (multi: ChainableCommander): Promise<void> => {
  const results = await multi.exec();
  if (!results) throw new Error('Redis transaction was discarded');
  for (const [error] of results) if (error) throw error;
};

/**
 * oidc-provider `adapter` on Redis, after the provider's example Redis adapter: every entry is a hash
 * `{ payload, consumed? }` with the entry's TTL; grantable entries are listed under `grant:<id>`; `uid:` and
 * `userCode:` keys point to the entry id. The connection is the caller's; nothing is opened here.
 */
export const createRedisAdapter = (redis: Redis, options: RedisAdapterOptions = {}): OidcAdapterClass => {
  const prefix = options.prefix ?? 'satu-akun:oidc:';
  const clock = options.clock ?? systemClock;
  const grantKey = (grantId: string) => `${prefix}grant:${grantId}`;

  return class RedisAdapter implements Adapter {
    readonly model: string;

    constructor(model: string) {
      this.model = model;
    }

    /** Redis expires entries by itself. */
    static async prune(): Promise<number> {
      return 0;
    }

    private key(id: string): string {
      return `${prefix}${this.model}:${id}`;
    }

    // Scoped by model so two models can never overwrite each other's index.
    private indexKey(kind: 'uid' | 'userCode', value: string): string {
      return `${prefix}${kind}:${this.model}:${value}`;
    }

    async upsert(id: string, payload: AdapterPayload, expiresIn?: number): Promise<void> {
      // EXPIRE/SET EX reject a non-positive TTL; such an entry is already expired, so it is simply absent.
      if (typeof expiresIn === 'number' && expiresIn <= 0) return this.destroy(id);
      const ttl = typeof expiresIn === 'number' ? Math.ceil(expiresIn) : undefined;
      const key = this.key(id);
      // DEL first: a rewritten entry starts unconsumed and without a previous TTL.
      const multi = redis.multi().del(key).hset(key, 'payload', JSON.stringify(payload));
      if (ttl) multi.expire(key, ttl);
      if (GRANTABLE_MODELS.has(this.model) && payload.grantId) {
        multi.eval(INDEX_GRANT, 1, grantKey(payload.grantId), key, ttl ?? '');
      }
      for (const [kind, value] of [['uid', payload.uid], ['userCode', payload.userCode]] as const) {
        if (!value) continue;
        if (ttl) multi.set(this.indexKey(kind, value), id, 'EX', ttl);
        else multi.set(this.indexKey(kind, value), id);
      }
      await execAll(multi);
    }

    async find(id: string): Promise<AdapterPayload | undefined> {
      const data = await redis.hgetall(this.key(id));
      if (!data.payload) return undefined;
      const payload = JSON.parse(data.payload) as AdapterPayload;
      // Hash fields come back as strings; the provider compares `consumed` as epoch seconds.
      return data.consumed ? { ...payload, consumed: Number(data.consumed) } : payload;
    }

    async findByUid(uid: string): Promise<AdapterPayload | undefined> {
      const id = await redis.get(this.indexKey('uid', uid));
      return id ? this.find(id) : undefined;
    }

    async findByUserCode(userCode: string): Promise<AdapterPayload | undefined> {
      const id = await redis.get(this.indexKey('userCode', userCode));
      return id ? this.find(id) : undefined;
    }

    /** Atomic: a lost race revokes the whole grant (the grant record too) and throws `invalid_grant`. */
    async consume(id: string): Promise<void> {
      const result = (await redis.eval(CONSUME, 1, this.key(id), Math.floor(clock.now().getTime() / 1000))) as number | string | null;
      if (result === 1) return;
      const grantId = typeof result === 'string' ? (JSON.parse(result) as AdapterPayload).grantId : undefined;
      if (grantId) await Promise.all([this.revokeByGrantId(grantId), redis.del(`${prefix}${GRANT_MODEL}:${grantId}`)]);
      throw reuseDetected(this.model);
    }

    async destroy(id: string): Promise<void> {
      await redis.del(this.key(id));
    }

    async revokeByGrantId(grantId: string): Promise<void> {
      const list = grantKey(grantId);
      const members = await redis.lrange(list, 0, -1);
      if (members.length === 0) return;
      // LTRIM drops only the members read above: one pushed meanwhile stays listed and revocable.
      await execAll(redis.multi().del(...members).ltrim(list, members.length, -1));
    }
  };
};
