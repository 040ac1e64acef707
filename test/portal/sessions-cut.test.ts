import { expect } from 'chai';
import * as oidc from 'openid-client';
import type { AdapterPayload } from 'oidc-provider';
import { authRequest, newBrowser, signIn, stepOf } from '../support/flow.ts';
import { rp, type TestProvider } from '../support/provider.ts';
import { STORES, startProviderOn } from '../support/stores.ts';

/** The Session store as the provider uses it: find and upsert by id. */
type SessionStore = { find(id: string): Promise<AdapterPayload | undefined>; upsert(id: string, payload: AdapterPayload, expiresIn: number): Promise<void> };

/**
 * A request that loaded a session before it was ended saves it back when it finishes (oidc-provider re-saves every
 * session it loaded). Ending every session of a person also records when, so such a session, and anything from it,
 * is refused. The write-back is done here by hand, as the running request would.
 */
for (const store of [STORES.SQLite, STORES['PostgreSQL + Redis']]) {
  describe(`ending every session of a person survives a session saved back by a request under way, on ${store.name}`, () => {
    let op: TestProvider;
    before(async function () {
      this.timeout(60_000);
      op = await startProviderOn(this, store);
    });
    after(() => op?.stop());

    it('the saved-back session signs nobody in: no silent code, no zone page, no refresh', async () => {
      const app = await rp(op.issuer, 'app-a');
      const browser = newBrowser();
      const { tokens } = await signIn(app, browser, 'rudi.hartono');
      const sub = tokens.claims()!.sub;
      const account = await browser.open(`${op.local}/akun`);
      expect(account.url, 'signed in to my account').to.equal(`${op.local}/akun`);

      const sessions = (op.satu.provider.Session as unknown as { adapter: SessionStore }).adapter;
      const [live] = (await op.satu.sessions.list(sub, { offset: 0, limit: 5 })).sessions;
      const stored = await op.satu.provider.Session.findByUid(live!.uid);
      const payload = await sessions.find(stored!.jti);
      expect(payload, 'the stored session').to.exist;

      expect(await op.satu.sessions.endAll(sub, { actor: 'admin', by: 'admin', reason: 'Cookie dicuri, dilaporkan', ip: '127.0.0.1' })).to.equal(1);
      await sessions.upsert(stored!.jti, payload!, 600); // the running request's save
      expect(await op.satu.provider.Session.findByUid(live!.uid), 'it is back in the store').to.exist;

      // The app asks silently: login_required, not a code.
      const silent = await authRequest(app, { prompt: 'none' });
      const answer = await browser.request(silent.url.href);
      const location = new URL(answer.headers.get('location')!);
      expect(location.searchParams.get('error')).to.equal('login_required');
      expect(location.searchParams.get('code')).to.equal(null);
      // An interactive request asks for the password.
      const interactive = await browser.open((await authRequest(app)).url.href);
      expect(stepOf(interactive)).to.equal('login');
      // My account sends the browser to sign in again.
      const zone = await browser.open(`${op.local}/akun`);
      expect(stepOf(zone)).to.equal('login');
      // The refresh token from before the cut is refused.
      const err = await oidc.refreshTokenGrant(app, tokens.refresh_token!).then(() => undefined, (e: unknown) => e);
      expect((err as oidc.ResponseBodyError).error).to.equal('invalid_grant');

      // Signing in again works at once.
      const again = await signIn(app, newBrowser(), 'rudi.hartono');
      expect(again.tokens.claims()!.sub).to.equal(sub);
      expect((await oidc.refreshTokenGrant(app, again.tokens.refresh_token!)).access_token).to.be.a('string');
    });
  });
}

for (const store of [STORES.SQLite, STORES['PostgreSQL + Redis']]) {
  describe(`ending one session survives it being saved back by a request under way, on ${store.name}`, () => {
    let op: TestProvider;
    before(async function () {
      this.timeout(60_000);
      op = await startProviderOn(this, store);
    });
    after(() => op?.stop());

    it("the ended session, saved back, signs nobody in; the person's other browser is untouched", async () => {
      const app = await rp(op.issuer, 'app-a');
      const stolen = newBrowser();
      const { tokens } = await signIn(app, stolen, 'rudi.hartono');
      const sub = tokens.claims()!.sub;
      const mine = newBrowser();
      const kept = await signIn(app, mine, 'rudi.hartono');

      const sessions = (op.satu.provider.Session as unknown as { adapter: SessionStore }).adapter;
      const uidOf = async (browser: ReturnType<typeof newBrowser>) => {
        const page = await browser.open(`${op.local}/akun/sesi`);
        return page.doc.querySelector('li.session.current')!.getAttribute('id')!.replace('session-', '');
      };
      const stolenUid = await uidOf(stolen);
      const stored = await op.satu.provider.Session.findByUid(stolenUid);
      const payload = await sessions.find(stored!.jti);

      expect(await op.satu.sessions.end(sub, stolenUid, { actor: sub, by: 'user', ip: '127.0.0.1' })).to.equal(true);
      await sessions.upsert(stored!.jti, payload!, 600);

      const silent = await authRequest(app, { prompt: 'none' });
      const location = new URL((await stolen.request(silent.url.href)).headers.get('location')!);
      expect(location.searchParams.get('error')).to.equal('login_required');
      expect(stepOf(await stolen.open(`${op.local}/akun`))).to.equal('login');
      const err = await oidc.refreshTokenGrant(app, tokens.refresh_token!).then(() => undefined, (e: unknown) => e);
      expect((err as oidc.ResponseBodyError).error).to.equal('invalid_grant');

      // The other browser goes on as before.
      expect((await mine.open(`${op.local}/akun`)).url).to.equal(`${op.local}/akun`);
      expect((await oidc.refreshTokenGrant(app, kept.tokens.refresh_token!)).access_token).to.be.a('string');
    });
  });
}
