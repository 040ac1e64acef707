import type { ChainableCommander, Redis } from 'ioredis';
import type { Adapter, AdapterPayload } from 'oidc-provider';
import { systemClock, type Clock } from '../../shared/clock.ts';
import {
  ACCOUNT_INDEXED_MODELS,
  GRANT_MODEL,
  GRANTABLE_MODELS,
  reuseDetected,
  type AccountIndexed,
  type AccountPage,
  type OidcAdapterClass,
} from './contract.ts';

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

// An entry's id in its account's sorted set, scored by expiry (epoch ms), in the same round trip as the upsert. Drops
// members expired by now, so the set of an account that is never listed does not grow without end, and keeps the set
// alive as long as its longest-lived member (as INDEX_GRANT does).
// KEYS[1] account set, ARGV[1] entry id, ARGV[2] expiry in epoch ms, ARGV[3] entry TTL in seconds or '', ARGV[4] now.
const INDEX_ACCOUNT = `
local current = redis.call('ttl', KEYS[1])
redis.call('zremrangebyscore', KEYS[1], '-inf', ARGV[4])
redis.call('zadd', KEYS[1], ARGV[2], ARGV[1])
if ARGV[3] == '' then
  redis.call('persist', KEYS[1])
elseif current == -2 or (current >= 0 and tonumber(ARGV[3]) > current) then
  redis.call('expire', KEYS[1], ARGV[3])
end
return 1`;

// Deletes an entry and takes it out of the set of the account its stored payload names. The set's key comes from the
// payload, so it cannot be passed in KEYS (as Redis Cluster would want); this adapter runs on one Redis.
// KEYS[1] entry, ARGV[1] account set key prefix (ending in ':'), ARGV[2] entry id.
const UNINDEX_ACCOUNT = `
local payload = redis.call('hget', KEYS[1], 'payload')
if payload then
  local ok, decoded = pcall(cjson.decode, payload)
  if ok and type(decoded) == 'table' and type(decoded.accountId) == 'string' then
    redis.call('zrem', ARGV[1] .. decoded.accountId, ARGV[2])
  end
end
return redis.call('del', KEYS[1])`;

// Never-expiring entries sort before all others: the largest time a JavaScript Date can hold, in epoch ms.
const NEVER = 8.64e15;

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

/** MULTI reports per-command failures in its result instead of rejecting; returns each command's result. */
const execAll = async (multi: ChainableCommander): Promise<unknown[]> => {
  const results = await multi.exec();
  if (!results) throw new Error('Redis transaction was discarded');
  for (const [error] of results) if (error) throw error;
  return results.map(([, result]) => result);
};

/** An entry's hash as `find` returns it; undefined when the hash is gone. */
const fromHash = (data: Record<string, string>): AdapterPayload | undefined => {
  if (!data.payload) return undefined;
  const payload = JSON.parse(data.payload) as AdapterPayload;
  // Hash fields come back as strings; the provider compares `consumed` as epoch seconds.
  return data.consumed ? { ...payload, consumed: Number(data.consumed) } : payload;
};

/**
 * oidc-provider `adapter` on Redis, after the provider's example Redis adapter: every entry is a hash
 * `{ payload, consumed? }` with the entry's TTL; grantable entries are listed under `grant:<id>`, sessions and grants
 * in a sorted set `account:<model>:<accountId>` scored by expiry; `uid:` and `userCode:` keys point to the entry id.
 * The connection is the caller's; nothing is opened here.
 */
export const createRedisAdapter = (redis: Redis, options: RedisAdapterOptions = {}): OidcAdapterClass => {
  const prefix = options.prefix ?? 'satu-akun:oidc:';
  const clock = options.clock ?? systemClock;
  const grantKey = (grantId: string) => `${prefix}grant:${grantId}`;
  const accountKeyPrefix = (model: string) => `${prefix}account:${model}:`;
  const now = () => clock.now().getTime();

  /** Queues the DEL of an entry; for an account-indexed model, a script that also takes it out of its account's set. */
  const deleteEntry = (multi: ChainableCommander, model: string, id: string): ChainableCommander => {
    const key = `${prefix}${model}:${id}`;
    return ACCOUNT_INDEXED_MODELS.has(model) ? multi.eval(UNINDEX_ACCOUNT, 1, key, accountKeyPrefix(model), id) : multi.del(key);
  };

  return class RedisAdapter implements Adapter, AccountIndexed {
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
      // DEL first: a rewritten entry starts unconsumed, without a previous TTL, and out of a previous account's set.
      const multi = deleteEntry(redis.multi(), this.model, id).hset(key, 'payload', JSON.stringify(payload));
      if (ttl) multi.expire(key, ttl);
      if (GRANTABLE_MODELS.has(this.model) && payload.grantId) {
        multi.eval(INDEX_GRANT, 1, grantKey(payload.grantId), key, ttl ?? '');
      }
      if (ACCOUNT_INDEXED_MODELS.has(this.model) && payload.accountId) {
        const expiry = ttl ? now() + ttl * 1000 : NEVER;
        multi.eval(INDEX_ACCOUNT, 1, accountKeyPrefix(this.model) + payload.accountId, id, expiry, ttl ?? '', now());
      }
      for (const [kind, value] of [['uid', payload.uid], ['userCode', payload.userCode]] as const) {
        if (!value) continue;
        if (ttl) multi.set(this.indexKey(kind, value), id, 'EX', ttl);
        else multi.set(this.indexKey(kind, value), id);
      }
      await execAll(multi);
    }

    async find(id: string): Promise<AdapterPayload | undefined> {
      return fromHash(await redis.hgetall(this.key(id)));
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
      const result = (await redis.eval(CONSUME, 1, this.key(id), Math.floor(now() / 1000))) as number | string | null;
      if (result === 1) return;
      const grantId = typeof result === 'string' ? (JSON.parse(result) as AdapterPayload).grantId : undefined;
      if (grantId) await Promise.all([this.revokeByGrantId(grantId), execAll(deleteEntry(redis.pipeline(), GRANT_MODEL, grantId))]);
      throw reuseDetected(this.model);
    }

    async destroy(id: string): Promise<void> {
      await execAll(deleteEntry(redis.pipeline(), this.model, id));
    }

    /**
     * Reads the account's sorted set: expired members are dropped first, so `total` counts live entries only. A
     * member whose hash is gone anyway (Redis expired it a little before our clock says) is removed and skipped.
     */
    async byAccount(accountId: string, { offset, limit }: { offset: number; limit: number }): Promise<AccountPage> {
      if (!ACCOUNT_INDEXED_MODELS.has(this.model)) return { total: 0, entries: [] };
      const set = accountKeyPrefix(this.model) + accountId;
      // ZREVRANGE's stop is inclusive, and -1 would mean "to the end": an empty page must not ask for a range.
      const multi = redis.multi().zremrangebyscore(set, '-inf', now()).zcard(set);
      if (limit > 0) multi.zrevrange(set, offset, offset + limit - 1);
      const [, total, ids = []] = (await execAll(multi)) as [number, number, string[]?];
      if (ids.length === 0) return { total, entries: [] };
      const pipeline = redis.pipeline();
      for (const id of ids) pipeline.hgetall(this.key(id));
      const hashes = await execAll(pipeline);
      const entries: AccountPage['entries'] = [];
      const gone: string[] = [];
      ids.forEach((id, i) => {
        const payload = fromHash(hashes[i] as Record<string, string>);
        if (payload) entries.push({ id, payload });
        else gone.push(id);
      });
      if (gone.length) await redis.zrem(set, ...gone);
      return { total: total - gone.length, entries };
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
