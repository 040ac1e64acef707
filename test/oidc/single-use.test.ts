import { expect } from 'chai';
import * as oidc from 'openid-client';
import { exchangeCode, newBrowser, reachCallback, signIn } from '../support/flow.ts';
import { rp, type TestProvider } from '../support/provider.ts';
import { STORES, startProviderOn } from '../support/stores.ts';

const PARALLEL = 24;

/** What each of the parallel requests ended with: 'ok' or the protocol error code. */
const outcome = async (request: Promise<unknown>): Promise<string> => {
  try {
    await request;
    return 'ok';
  } catch (err) {
    if (err instanceof oidc.ResponseBodyError) return err.error;
    throw err;
  }
};

/** The tokens are dead: the refresh token is refused and the access token is inactive (its grant is gone). */
const expectRevoked = async (app: oidc.Configuration, tokens: { access_token: string; refresh_token?: string | undefined }) => {
  expect(await outcome(oidc.refreshTokenGrant(app, tokens.refresh_token!))).to.equal('invalid_grant');
  expect((await oidc.tokenIntrospection(app, tokens.access_token)).active).to.equal(false);
};

// Issue 8 §1: before the stores consumed atomically, PostgreSQL + Redis answered 12 of 12 parallel redemptions with 200.
for (const store of [STORES.SQLite, STORES.PostgreSQL, STORES['PostgreSQL + Redis']]) {
  describe(`single-use codes and refresh tokens under concurrency on ${store.name} (openid-client)`, () => {
    let op: TestProvider;
    let app: oidc.Configuration;

    before(async function () {
      this.timeout(60_000);
      op = await startProviderOn(this, store);
      app = await rp(op.issuer, 'app-a');
    });
    after(async () => {
      await op?.stop();
    });

    it(`redeems an authorization code once of ${PARALLEL} parallel tries; the others are invalid_grant and the grant is gone`, async () => {
      const { callback, start } = await reachCallback(app, newBrowser(), 'rudi.hartono');
      const tries = Array.from({ length: PARALLEL }, () => exchangeCode(app, callback, start));
      const settled = await Promise.allSettled(tries);
      const results = await Promise.all(settled.map((s) => outcome(s.status === 'fulfilled' ? Promise.resolve() : Promise.reject(s.reason))));
      expect(results.filter((r) => r === 'ok'), results.join(' ')).to.have.length(1);
      expect(results.filter((r) => r !== 'ok')).to.deep.equal(Array(PARALLEL - 1).fill('invalid_grant'));
      const winner = settled.find((s) => s.status === 'fulfilled')!.value;
      await expectRevoked(app, winner);
    });

    it(`rotates a refresh token once of ${PARALLEL} parallel tries; the others are invalid_grant and the whole grant is gone`, async () => {
      const { tokens } = await signIn(app, newBrowser(), 'yanti.pakpahan');
      const settled = await Promise.allSettled(Array.from({ length: PARALLEL }, () => oidc.refreshTokenGrant(app, tokens.refresh_token!)));
      const results = await Promise.all(settled.map((s) => outcome(s.status === 'fulfilled' ? Promise.resolve() : Promise.reject(s.reason))));
      expect(results.filter((r) => r === 'ok'), results.join(' ')).to.have.length(1);
      expect(results.filter((r) => r !== 'ok')).to.deep.equal(Array(PARALLEL - 1).fill('invalid_grant'));
      const winner = settled.find((s) => s.status === 'fulfilled')!.value;
      await expectRevoked(app, winner);
      await expectRevoked(app, tokens);
    });
  });
}
