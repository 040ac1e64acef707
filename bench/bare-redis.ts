/**
 * The bare engine's oidc-provider adapter: the plain Redis adapter of oidc-provider's own example, on ioredis.
 * Payloads are JSON strings; consumable models are hashes so `consume` is one HSET; tokens of a grant are listed
 * under `grant:<id>` so revoking a grant deletes them all.
 */
import type { Redis } from 'ioredis';
import type { Adapter, AdapterPayload } from 'oidc-provider';

const GRANTABLE = new Set(['AccessToken', 'AuthorizationCode', 'RefreshToken', 'DeviceCode', 'BackchannelAuthenticationRequest']);
const CONSUMABLE = new Set(['AuthorizationCode', 'RefreshToken', 'DeviceCode', 'BackchannelAuthenticationRequest']);
const grantKey = (id: string) => `grant:${id}`;
const uidKey = (uid: string) => `uid:${uid}`;

export const redisAdapter = (client: Redis) =>
  class RedisAdapter implements Adapter {
    constructor(readonly name: string) {}

    key(id: string) {
      return `${this.name}:${id}`;
    }

    async upsert(id: string, payload: AdapterPayload, expiresIn: number) {
      const key = this.key(id);
      const multi = client.multi();
      if (CONSUMABLE.has(this.name)) multi.hset(key, { payload: JSON.stringify(payload) });
      else multi.set(key, JSON.stringify(payload));
      if (expiresIn) multi.expire(key, expiresIn);
      if (GRANTABLE.has(this.name) && payload.grantId) {
        const grant = grantKey(payload.grantId);
        multi.rpush(grant, key);
        // The grant's list must live as long as its longest token.
        if (expiresIn > (await client.ttl(grant))) multi.expire(grant, expiresIn);
      }
      if (payload.uid) {
        multi.set(uidKey(payload.uid), id);
        if (expiresIn) multi.expire(uidKey(payload.uid), expiresIn);
      }
      await multi.exec();
    }

    async find(id: string): Promise<AdapterPayload | undefined> {
      if (CONSUMABLE.has(this.name)) {
        const { payload, consumed } = await client.hgetall(this.key(id));
        return payload ? { ...(JSON.parse(payload) as AdapterPayload), ...(consumed ? { consumed: Number(consumed) } : {}) } : undefined;
      }
      const data = await client.get(this.key(id));
      return data ? (JSON.parse(data) as AdapterPayload) : undefined;
    }

    async findByUid(uid: string) {
      const id = await client.get(uidKey(uid));
      return id ? this.find(id) : undefined;
    }

    async findByUserCode(): Promise<undefined> {
      return undefined; // no device flow here
    }

    async consume(id: string) {
      await client.hset(this.key(id), 'consumed', Math.floor(Date.now() / 1000));
    }

    async destroy(id: string) {
      await client.del(this.key(id));
    }

    async revokeByGrantId(grantId: string) {
      const tokens = await client.lrange(grantKey(grantId), 0, -1);
      await client.del(...tokens, grantKey(grantId));
    }
  };
