import { generateKeyPairSync, randomUUID } from 'node:crypto';
import { expect } from 'chai';
import type { Knex } from 'knex';
import Provider, { errors, type AdapterPayload } from 'oidc-provider';
import type { OidcAdapterClass } from '../../src/oidc/adapter/contract.ts';
import { PRUNE_BATCH } from '../../src/oidc/adapter/sql-store.ts';

/** How a test lets time pass for the store under test. */
export interface TimeControl {
  /** The time the adapter sees now. */
  now(): Date;
  /** Lets at least `seconds` pass for the store: advance an injected clock, or really wait for Redis TTLs. */
  pass(seconds: number): Promise<void>;
}

const epoch = (date: Date) => Math.floor(date.getTime() / 1000);

/**
 * The behaviour oidc-provider relies on from its `adapter` (docs: "adapter"; lib/adapters/memory_adapter.js), run
 * against every store. `makeAdapter` is called before each test, after the caller's `before` hooks have connected.
 */
export const adapterContract = (name: string, makeAdapter: () => OidcAdapterClass, time: TimeControl): void => {
  describe(`${name}: oidc-provider adapter contract`, () => {
    let Adapter: OidcAdapterClass;
    beforeEach(() => {
      Adapter = makeAdapter();
    });
    // Fresh ids per test: stores are shared across tests and files, nothing depends on cleaning them.
    const newId = () => randomUUID();

    it('finds what was upserted, nested values intact', async () => {
      const id = newId();
      const payload: AdapterPayload = { jti: id, kind: 'AccessToken', scope: 'openid profile', extra: { a: [1, 'b'] }, exp: 42 };
      await new Adapter('AccessToken').upsert(id, payload, 60);
      expect(await new Adapter('AccessToken').find(id)).to.deep.equal(payload);
    });

    it('returns undefined for an unknown id', async () => {
      expect(await new Adapter('AccessToken').find(newId())).to.equal(undefined);
    });

    it('replaces the whole payload on a second upsert', async () => {
      const id = newId();
      const adapter = new Adapter('Session');
      await adapter.upsert(id, { jti: id, accountId: 'first', loginTs: 1 }, 60);
      await adapter.upsert(id, { jti: id, accountId: 'second' }, 60);
      expect(await adapter.find(id)).to.deep.equal({ jti: id, accountId: 'second' });
    });

    it('treats an expired entry as absent, by id, uid and user code, even once consumed', async () => {
      const [short, long, forever, code] = [newId(), newId(), newId(), newId()];
      const uid = newId();
      await new Adapter('Session').upsert(short, { jti: short, uid }, 1);
      await new Adapter('DeviceCode').upsert(code, { jti: code, userCode: uid }, 1);
      await new Adapter('DeviceCode').consume(code); // consuming must keep the TTL
      await new Adapter('Session').upsert(long, { jti: long }, 3600);
      await new Adapter('Client').upsert(forever, { client_id: forever }); // no expiresIn: never expires
      expect(await new Adapter('Session').find(short)).to.deep.equal({ jti: short, uid });
      await time.pass(1);
      expect(await new Adapter('Session').find(short)).to.equal(undefined);
      expect(await new Adapter('Session').findByUid(uid)).to.equal(undefined);
      expect(await new Adapter('DeviceCode').find(code)).to.equal(undefined);
      expect(await new Adapter('DeviceCode').findByUserCode(uid)).to.equal(undefined);
      expect(await new Adapter('Session').find(long)).to.deep.equal({ jti: long });
      expect(await new Adapter('Client').find(forever)).to.deep.equal({ client_id: forever });
    });

    it('marks a consumed entry with `consumed` in epoch seconds and keeps the rest', async () => {
      const id = newId();
      const adapter = new Adapter('AuthorizationCode');
      await adapter.upsert(id, { jti: id, grantId: 'g', accountId: 'a' }, 60);
      expect(await adapter.find(id)).not.to.have.property('consumed');
      const before = epoch(time.now());
      await adapter.consume(id);
      const after = epoch(time.now());
      const found = await adapter.find(id);
      expect(found).to.include({ jti: id, grantId: 'g', accountId: 'a' });
      expect(found?.consumed).to.be.a('number').within(before, after);
    });

    it('starts a rewritten entry unconsumed', async () => {
      const id = newId();
      const adapter = new Adapter('RefreshToken');
      await adapter.upsert(id, { jti: id }, 60);
      await adapter.consume(id);
      await adapter.upsert(id, { jti: id, rotations: 1 }, 60);
      expect(await adapter.find(id)).to.deep.equal({ jti: id, rotations: 1 });
    });

    it('refuses to consume an unknown id, as a reuse, without creating an entry', async () => {
      const id = newId();
      const refused = await new Adapter('AuthorizationCode').consume(id).catch((err: unknown) => err);
      expect(refused).to.be.instanceOf(errors.InvalidGrant).and.include({ error: 'invalid_grant', error_detail: 'authorization code already consumed' });
      expect(await new Adapter('AuthorizationCode').find(id)).to.equal(undefined);
    });

    it('refuses a second consumption and revokes the grant with its record', async () => {
      const [code, token, grantId] = [newId(), newId(), newId()];
      await new Adapter('RefreshToken').upsert(code, { jti: code, grantId }, 60);
      await new Adapter('AccessToken').upsert(token, { jti: token, grantId }, 60);
      await new Adapter('Grant').upsert(grantId, { jti: grantId, accountId: 'a' }, 60);
      await new Adapter('RefreshToken').consume(code);
      const refused = await new Adapter('RefreshToken').consume(code).catch((err: unknown) => err);
      expect(refused).to.be.instanceOf(errors.InvalidGrant).and.include({ error: 'invalid_grant', error_detail: 'refresh token already used' });
      for (const [model, id] of [['RefreshToken', code], ['AccessToken', token], ['Grant', grantId]] as const) {
        expect(await new Adapter(model).find(id), model).to.equal(undefined);
      }
    });

    // Issue 8: oidc-provider checks `consumed` on the copy it read, so only the store can make redemption single-use.
    it('lets exactly one of 24 parallel consumptions win; every other one is a reuse that revokes the grant', async () => {
      const [code, grantId] = [newId(), newId()];
      await new Adapter('AuthorizationCode').upsert(code, { jti: code, grantId }, 60);
      await new Adapter('Grant').upsert(grantId, { jti: grantId, accountId: 'a' }, 60);
      const outcomes = await Promise.allSettled(Array.from({ length: 24 }, () => new Adapter('AuthorizationCode').consume(code)));
      expect(outcomes.filter((o) => o.status === 'fulfilled')).to.have.length(1);
      for (const o of outcomes.filter((o): o is PromiseRejectedResult => o.status === 'rejected')) {
        expect(o.reason).to.be.instanceOf(errors.InvalidGrant);
      }
      expect(await new Adapter('Grant').find(grantId)).to.equal(undefined);
    });

    it('refuses to consume an expired entry', async () => {
      const code = newId();
      await new Adapter('AuthorizationCode').upsert(code, { jti: code, grantId: newId() }, 1);
      await time.pass(1);
      const refused = await new Adapter('AuthorizationCode').consume(code).catch((err: unknown) => err);
      expect(refused).to.be.instanceOf(errors.InvalidGrant);
    });

    it('finds a session by uid', async () => {
      const [id, uid] = [newId(), newId()];
      await new Adapter('Session').upsert(id, { jti: id, uid, accountId: 'a' }, 60);
      expect(await new Adapter('Session').findByUid(uid)).to.deep.equal({ jti: id, uid, accountId: 'a' });
      expect(await new Adapter('Session').findByUid(newId())).to.equal(undefined);
    });

    it('finds a device code by user code', async () => {
      const [id, userCode] = [newId(), `UC-${newId()}`];
      await new Adapter('DeviceCode').upsert(id, { jti: id, userCode, grantId: 'g' }, 60);
      expect(await new Adapter('DeviceCode').findByUserCode(userCode)).to.deep.equal({ jti: id, userCode, grantId: 'g' });
      expect(await new Adapter('DeviceCode').findByUserCode(`UC-${newId()}`)).to.equal(undefined);
    });

    it('destroys an entry, and destroying an unknown id is harmless', async () => {
      const id = newId();
      const adapter = new Adapter('Interaction');
      await adapter.upsert(id, { jti: id }, 60);
      await adapter.destroy(id);
      expect(await adapter.find(id)).to.equal(undefined);
      await adapter.destroy(newId());
    });

    it('revokes every model of a grant, and nothing of another grant', async () => {
      const [grant, other] = [newId(), newId()];
      const models = ['AuthorizationCode', 'AccessToken', 'RefreshToken'];
      const ids = new Map(models.map((m) => [m, newId()]));
      for (const [model, id] of ids) await new Adapter(model).upsert(id, { jti: id, grantId: grant }, 60);
      const survivor = newId();
      await new Adapter('AccessToken').upsert(survivor, { jti: survivor, grantId: other }, 60);
      // An interaction names its grant but is not a grant artifact: oidc-provider's memory adapter keeps it too.
      const interaction = newId();
      await new Adapter('Interaction').upsert(interaction, { jti: interaction, grantId: grant }, 60);

      await new Adapter('RefreshToken').revokeByGrantId(grant);

      for (const [model, id] of ids) expect(await new Adapter(model).find(id), model).to.equal(undefined);
      expect(await new Adapter('AccessToken').find(survivor)).to.deep.equal({ jti: survivor, grantId: other });
      expect(await new Adapter('Interaction').find(interaction)).to.deep.equal({ jti: interaction, grantId: grant });
      await new Adapter('AccessToken').revokeByGrantId(newId()); // unknown grant: harmless
    });

    it('keeps models apart: the same id in two models is two entries', async () => {
      const id = newId();
      await new Adapter('AccessToken').upsert(id, { jti: id, kind: 'AccessToken' }, 60);
      await new Adapter('RefreshToken').upsert(id, { jti: id, kind: 'RefreshToken' }, 60);
      await new Adapter('RefreshToken').destroy(id);
      expect(await new Adapter('AccessToken').find(id)).to.deep.equal({ jti: id, kind: 'AccessToken' });
      expect(await new Adapter('RefreshToken').find(id)).to.equal(undefined);
    });

    it('serves oidc-provider itself: its models save and load through the adapter', async () => {
      const { privateKey } = generateKeyPairSync('ec', { namedCurve: 'P-256' });
      const jwk = { ...privateKey.export({ format: 'jwk' }), kid: 'test', alg: 'ES256', use: 'sig' };
      const provider = new Provider('http://localhost:3000', {
        adapter: Adapter,
        jwks: { keys: [jwk] },
        cookies: { keys: ['a-test-cookie-key-of-enough-length'] },
        ttl: { Grant: 60 },
        features: { devInteractions: { enabled: false } }, // silences its quick-start warning
      });
      const grant = new provider.Grant({ accountId: 'pegawai-1', clientId: 'app' });
      grant.addOIDCScope('openid profile');
      const grantId = await grant.save();
      const loaded = await provider.Grant.find(grantId);
      expect(loaded?.accountId).to.equal('pegawai-1');
      expect(loaded?.getOIDCScope()).to.equal('openid profile');
      await loaded?.destroy();
      expect(await provider.Grant.find(grantId)).to.equal(undefined);
    });

    // Not oidc-provider's contract but the app's: a person's SSO sessions and grants, listed without a scan.
    describe('byAccount', () => {
      const newAccount = () => `pegawai-${newId()}`;
      /** Saves a session of `accountId` for `ttl` seconds (none: never expires) and returns its id. */
      const saveSession = async (accountId: string, ttl?: number) => {
        const id = newId();
        await new Adapter('Session').upsert(id, { jti: id, accountId }, ttl);
        return id;
      };
      const ids = (page: { entries: { id: string }[] }) => page.entries.map((e) => e.id);
      const everything = { offset: 0, limit: 100 };

      it('lists the sessions of each account apart, with their payloads', async () => {
        const [alice, bob] = [newAccount(), newAccount()];
        const a1 = await saveSession(alice, 60);
        const a2 = await saveSession(alice, 120);
        const b1 = await saveSession(bob, 60);
        const page = await new Adapter('Session').byAccount(alice, everything);
        expect(page).to.deep.equal({ total: 2, entries: [{ id: a2, payload: { jti: a2, accountId: alice } }, { id: a1, payload: { jti: a1, accountId: alice } }] });
        expect(await new Adapter('Session').byAccount(bob, everything)).to.deep.equal({ total: 1, entries: [{ id: b1, payload: { jti: b1, accountId: bob } }] });
        expect(await new Adapter('Session').byAccount(newAccount(), everything)).to.deep.equal({ total: 0, entries: [] });
      });

      it('lists the latest expiry first, and entries that never expire before all others', async () => {
        const account = newAccount();
        const soon = await saveSession(account, 60);
        const never = await saveSession(account);
        const late = await saveSession(account, 3600);
        const middle = await saveSession(account, 600);
        expect(ids(await new Adapter('Session').byAccount(account, everything))).to.deep.equal([never, late, middle, soon]);
      });

      it('pages with offset and limit, and counts every live entry', async () => {
        const account = newAccount();
        const saved: string[] = [];
        for (const ttl of [100, 200, 300, 400, 500]) saved.unshift(await saveSession(account, ttl)); // latest expiry first
        const page = (offset: number, limit: number) => new Adapter('Session').byAccount(account, { offset, limit });
        expect(await page(0, 2).then(ids)).to.deep.equal(saved.slice(0, 2));
        expect(await page(1, 2)).to.include({ total: 5 });
        expect(await page(1, 2).then(ids)).to.deep.equal(saved.slice(1, 3));
        expect(await page(4, 2).then(ids)).to.deep.equal(saved.slice(4));
        expect(await page(10, 2)).to.deep.equal({ total: 5, entries: [] });
        expect(await page(0, 0)).to.deep.equal({ total: 5, entries: [] });
      });

      it('neither lists nor counts expired entries', async () => {
        const account = newAccount();
        await saveSession(account, 1);
        const live = await saveSession(account, 3600);
        expect(await new Adapter('Session').byAccount(account, everything)).to.include({ total: 2 });
        await time.pass(1);
        // A page of one holds only the live entry, so `total` must not count the expired one from the page alone.
        const page = await new Adapter('Session').byAccount(account, { offset: 0, limit: 1 });
        expect({ total: page.total, ids: ids(page) }).to.deep.equal({ total: 1, ids: [live] });
      });

      it('drops a destroyed session from the list and the count', async () => {
        const account = newAccount();
        const [ended, kept] = [await saveSession(account, 60), await saveSession(account, 120)];
        await new Adapter('Session').destroy(ended);
        const page = await new Adapter('Session').byAccount(account, everything);
        expect({ total: page.total, ids: ids(page) }).to.deep.equal({ total: 1, ids: [kept] });
      });

      it('lists a re-saved session once, with its latest payload', async () => {
        const account = newAccount();
        const id = await saveSession(account, 60);
        await new Adapter('Session').upsert(id, { jti: id, accountId: account, loginTs: 2 }, 600);
        expect(await new Adapter('Session').byAccount(account, everything)).to.deep.equal({ total: 1, entries: [{ id, payload: { jti: id, accountId: account, loginTs: 2 } }] });
      });

      it('lists a session re-saved for another account under that account only', async () => {
        const [before, after] = [newAccount(), newAccount()];
        const id = await saveSession(before, 60);
        await new Adapter('Session').upsert(id, { jti: id, accountId: after }, 60);
        expect(await new Adapter('Session').byAccount(before, everything)).to.deep.equal({ total: 0, entries: [] });
        expect(ids(await new Adapter('Session').byAccount(after, everything))).to.deep.equal([id]);
      });

      it('returns payloads as find does, `consumed` included', async () => {
        const account = newAccount();
        const id = await saveSession(account, 60);
        await new Adapter('Session').consume(id);
        const [entry] = (await new Adapter('Session').byAccount(account, everything)).entries;
        expect(entry?.payload.consumed).to.be.a('number').within(epoch(time.now()) - 1, epoch(time.now()));
        expect(entry?.payload).to.deep.equal(await new Adapter('Session').find(id));
      });

      it('lists grants for their account, apart from its sessions', async () => {
        const account = newAccount();
        const session = await saveSession(account, 60);
        const grant = newId();
        await new Adapter('Grant').upsert(grant, { jti: grant, accountId: account, clientId: 'app' }, 60);
        expect(await new Adapter('Grant').byAccount(account, everything)).to.deep.equal({ total: 1, entries: [{ id: grant, payload: { jti: grant, accountId: account, clientId: 'app' } }] });
        expect(ids(await new Adapter('Session').byAccount(account, everything))).to.deep.equal([session]);
        await new Adapter('Grant').destroy(grant);
        expect(await new Adapter('Grant').byAccount(account, everything)).to.deep.equal({ total: 0, entries: [] });
      });

      it('returns nothing for a model outside the set, though its payload names the account', async () => {
        const [account, id] = [newAccount(), newId()];
        await new Adapter('AccessToken').upsert(id, { jti: id, accountId: account, grantId: newId() }, 60);
        expect(await new Adapter('AccessToken').find(id)).to.include({ accountId: account }); // saved, so only the index is missing
        expect(await new Adapter('AccessToken').byAccount(account, everything)).to.deep.equal({ total: 0, entries: [] });
      });
    });
  });
};

/** What only the SQL store has: expired rows stay until `prune()` deletes them. */
export const sqlPruneContract = (name: string, knex: () => Knex, makeAdapter: () => OidcAdapterClass, time: TimeControl): void => {
  describe(`${name}: prune`, () => {
    it('deletes expired rows and keeps live and non-expiring ones', async () => {
      const Adapter = makeAdapter();
      const [expired, live, forever] = [randomUUID(), randomUUID(), randomUUID()];
      await new Adapter('AccessToken').upsert(expired, { jti: expired }, 1);
      await new Adapter('AccessToken').upsert(live, { jti: live }, 3600);
      await new Adapter('Client').upsert(forever, { client_id: forever });
      await time.pass(1);
      const ids = () => knex()('oidc_payloads').whereIn('id', [expired, live, forever]).pluck('id');
      expect(await ids()).to.have.members([expired, live, forever]);
      expect(await Adapter.prune()).to.be.at.least(1);
      expect(await ids()).to.have.members([live, forever]);
    });

    it('deletes many expired rows in batches, letting other work run between them', async () => {
      const Adapter = makeAdapter();
      const count = PRUNE_BATCH * 2 + 7;
      const expired = Array.from({ length: count }, () => randomUUID());
      const live = randomUUID();
      for (const id of expired) await new Adapter('AuthorizationCode').upsert(id, { jti: id }, 1);
      await new Adapter('AuthorizationCode').upsert(live, { jti: live }, 3600);
      await time.pass(1);
      let turns = 0;
      const tick = setInterval(() => turns++, 0);
      try {
        expect(await Adapter.prune()).to.be.at.least(count);
      } finally {
        clearInterval(tick);
      }
      expect(turns, 'the event loop turned between batches').to.be.at.least(1);
      expect(await knex()('oidc_payloads').whereIn('id', [...expired, live]).pluck('id')).to.deep.equal([live]);
    });
  });
};
