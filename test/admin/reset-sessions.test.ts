import { expect } from 'chai';
import * as oidc from 'openid-client';
import { backchannelApp, backchannelRp, startLogoutReceiver, type LogoutReceiver } from '../support/backchannel.ts';
import type { Browser } from '../support/browser.ts';
import { newBrowser, signIn, stepOf } from '../support/flow.ts';
import { createPhone, steppingClock } from '../support/phone.ts';
import { rp, testClients, type TestProvider } from '../support/provider.ts';
import { STORES, startProviderOn } from '../support/stores.ts';

const REASON = 'Ponsel hilang, dilaporkan lewat atasan (tiket 2026-041)';

const refreshError = async (app: oidc.Configuration, refreshToken: string) => {
  const err = await oidc.refreshTokenGrant(app, refreshToken).then(() => undefined, (e: unknown) => e);
  expect(err, 'the refresh was refused').to.be.instanceOf(oidc.ResponseBodyError);
  return (err as oidc.ResponseBodyError).error;
};

// What was proven with the old factors no longer stands: a reset ends the person's sessions and revokes their grants.
for (const store of [STORES.SQLite, STORES['PostgreSQL + Redis']]) {
  describe(`admin console: a reset of second factors ends the person's sessions and tokens on ${store.name}`, () => {
    const time = steppingClock();
    const phone = createPhone(time);
    let op: TestProvider;
    let level2: oidc.Configuration;
    let offline: oidc.Configuration;
    let receiver: LogoutReceiver;

    before(async function () {
      this.timeout(60_000);
      receiver = await startLogoutReceiver();
      op = await startProviderOn(this, store, {}, { clock: time.clock, clients: [...testClients(), backchannelApp(receiver.url)] });
      level2 = await rp(op.issuer, 'app-l2');
      offline = await backchannelRp(op.issuer);
    });
    after(async () => {
      await op?.stop();
      await receiver?.close();
    });

    const url = (path: string) => `${op.local}${path}`;
    const answers = (username: string) => (browser: Browser, page: Parameters<typeof phone.answer>[1]) => phone.answer(browser, page, username);

    it('after the reset, every session of the person is gone and every refresh token is refused, offline ones included', async () => {
      const person = 'rudi.hartono';
      // Browser P: a level-2 app (enrolling an authenticator app on the way), the back-channel app and My account.
      const p = newBrowser();
      const atLevel2 = await signIn(level2, p, person, {}, answers(person));
      const sub = atLevel2.tokens.claims()!.sub;
      const inP = await signIn(offline, p, undefined, { scope: 'openid profile offline_access', prompt: 'consent' });
      expect(inP.sawLogin, 'single sign-on').to.equal(false);
      expect((await p.open(url('/akun'))).url).to.equal(url('/akun'));
      // Browser Q: offline access to the back-channel app, then signed out: the grant outlives the session.
      const q = newBrowser();
      const inQ = await signIn(offline, q, person, { scope: 'openid profile offline_access', prompt: 'consent' });
      await q.submit(await q.open(oidc.buildEndSessionUrl(offline, { id_token_hint: inQ.tokens.id_token! }).href), { logout: 'yes' });
      const qTokens = await oidc.refreshTokenGrant(offline, inQ.tokens.refresh_token!);
      expect(await op.satu.sessions.count(sub)).to.equal(1);
      const delivered = receiver.received.length;

      const admin = newBrowser();
      let page = await phone.through(admin, await admin.open(url(`/admin/orang/reset?login=${person}`)), 'andi.wijaya');
      expect(page.doc.querySelector('h1')!.text).to.equal('Atur ulang verifikasi dua langkah Rudi Hartono?');
      page = await admin.submit(page, { reason: REASON }, '/admin/orang/reset');
      expect(page.url).to.equal(url(`/admin/orang?login=${person}&done=reset`));
      expect(page.doc.querySelector('#done')!.text).to.equal('Verifikasi dua langkah Rudi Hartono telah diatur ulang, dan semua sesinya diakhiri.');
      expect(page.doc.querySelector('#sessions-count')!.text.trim()).to.equal('0 sesi aktif');

      expect(await op.satu.sessions.count(sub)).to.equal(0);
      expect(await refreshError(level2, atLevel2.tokens.refresh_token!)).to.equal('invalid_grant');
      expect(await refreshError(offline, inP.tokens.refresh_token!)).to.equal('invalid_grant');
      expect(await refreshError(offline, qTokens.refresh_token!)).to.equal('invalid_grant');
      for (const [app, token] of [[level2, atLevel2.tokens.access_token], [offline, qTokens.access_token]] as const) {
        expect((await oidc.tokenIntrospection(app, token)).active).to.equal(false);
      }
      expect(stepOf(await p.open(url('/akun'))), 'P is asked to sign in again').to.equal('login');
      // The back-channel app was told P's session ended.
      const told = receiver.received.slice(delivered).map((d) => JSON.parse(Buffer.from(d.logoutToken!.split('.')[1]!, 'base64url').toString()) as Record<string, unknown>);
      expect(told.map((t) => [t.sub, t.sid])).to.deep.equal([[sub, inP.tokens.claims()!.sid]]);

      const andi = ((await op.satu.knex('accounts').where({ username: 'andi.wijaya' }).first()) as { sub: string }).sub;
      const ended = (await op.satu.audit.list({ event: 'session.ended' })).filter((r) => r.subject === sub);
      expect(ended.map((r) => ({ actor: r.actor, client_id: r.client_id, details: r.details }))).to.deep.equal([
        { actor: andi, client_id: 'satu-akun-admin', details: { by: 'account', sessions: 1, grants: 1, reason: REASON } },
      ]);
    });
  });
}
