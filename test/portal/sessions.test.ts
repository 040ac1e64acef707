import { expect } from 'chai';
import type { HTMLElement } from 'node-html-parser';
import * as oidc from 'openid-client';
import { backchannelApp, backchannelRp, startLogoutReceiver, BACKCHANNEL_APP, type LogoutReceiver } from '../support/backchannel.ts';
import type { Browser, Page } from '../support/browser.ts';
import { newBrowser, signIn, stepOf, submitLogin } from '../support/flow.ts';
import { createPhone, steppingClock } from '../support/phone.ts';
import { testClients, type TestProvider } from '../support/provider.ts';
import { STORES, startProviderOn } from '../support/stores.ts';

const CHROME_WINDOWS = 'Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/120.0.0.0 Safari/537.36';
const FIREFOX_ANDROID = 'Mozilla/5.0 (Android 14; Mobile; rv:125.0) Gecko/125.0 Firefox/125.0';
const REASON = 'Ponsel dilaporkan hilang oleh pemiliknya (tiket 2026-117)';

const errorText = (page: Page) => /role="alert"[^>]*>([^<]*)</.exec(page.html)?.[1]?.trim();
const csrfOf = (page: Page) => page.doc.querySelector('input[name=_csrf]')!.getAttribute('value')!;
const textOf = (root: Page | HTMLElement, selector: string) => ('doc' in root ? root.doc : root).querySelector(selector)?.text.replace(/\s+/g, ' ').trim();

/** One listed session as a person reads it: the browser named in words, the badge, the facts, whether it can be ended. */
const sessionsOn = (page: Page) =>
  page.doc.querySelectorAll('li.session').map((li) => {
    const facts = Object.fromEntries(li.querySelectorAll('dt').map((dt) => [dt.text.trim(), dt.nextElementSibling?.text.trim()]));
    return {
      uid: li.id.replace(/^session-/, ''),
      current: li.classList.contains('current'),
      device: textOf(li, 'h3'),
      badge: textOf(li, '.badge') ?? null,
      address: facts['Alamat IP'],
      apps: facts['Aplikasi'],
      endable: !!li.querySelector('form'),
    };
  });

/** Submits one particular form (the first `form` inside `root`), with its own hidden fields and `fields`. */
const submitIn = (browser: Browser, page: Page, root: HTMLElement, fields: Record<string, string>) => {
  const form = root.querySelector('form')!;
  const values = Object.fromEntries(form.querySelectorAll('input').flatMap((i) => (i.getAttribute('name') ? [[i.getAttribute('name')!, i.getAttribute('value') ?? '']] : [])));
  return browser.open(new URL(form.getAttribute('action')!, page.url).href, { method: 'POST', form: { ...values, ...fields } });
};

for (const store of [STORES.SQLite, STORES['PostgreSQL + Redis']]) {
  describe(`my sessions (/akun/sesi) and a person's sessions in the admin console on ${store.name}`, () => {
    const time = steppingClock();
    const phone = createPhone(time);
    let op: TestProvider;
    let app: oidc.Configuration;
    let receiver: LogoutReceiver;

    before(async function () {
      this.timeout(60_000);
      receiver = await startLogoutReceiver();
      op = await startProviderOn(this, store, {}, { clock: time.clock, clients: [...testClients(), backchannelApp(receiver.url)] });
      app = await backchannelRp(op.issuer);
    });
    after(async () => {
      await op?.stop();
      await receiver?.close();
    });

    const url = (path: string) => `${op.local}${path}`;
    /** Signs `username` in to My account in `browser` (the password asked for unless the browser has a session). */
    const toAccount = async (browser: Browser, username: string) => {
      let page = await browser.open(url('/akun'));
      if (stepOf(page) === 'login') page = await submitLogin(browser, page, username);
      expect(page.url, `My account, got ${page.status}: ${page.html.slice(0, 200)}`).to.equal(url('/akun'));
      return page;
    };
    /** Signs `username` in to the back-channel app in `browser`, as the app does (openid-client). */
    const toApp = (browser: Browser, username?: string) => signIn(app, browser, username, { scope: 'openid profile' });
    const sessionCount = async (username: string) => {
      const account = (await op.satu.knex('accounts').where({ username }).first()) as { sub: string };
      return op.satu.sessions.count(account.sub);
    };
    const ended = async (sub: string) => (await op.satu.audit.list({ event: 'session.ended' })).filter((r) => r.subject === sub);
    const refreshError = async (refreshToken: string) => {
      const err = await oidc.refreshTokenGrant(app, refreshToken).then(() => undefined, (e: unknown) => e);
      expect(err, 'the refresh was refused').to.be.instanceOf(oidc.ResponseBodyError);
      return (err as oidc.ResponseBodyError).error;
    };

    it('lists my two browsers in words, marks this one, and ends the other: it is signed out of Satu Akun and its app', async () => {
      const person = 'rudi.hartono';
      const a = newBrowser({ 'user-agent': CHROME_WINDOWS });
      const b = newBrowser({ 'user-agent': FIREFOX_ANDROID });
      await toAccount(a, person);
      const inB = await toApp(b, person);
      const sub = inB.tokens.claims()!.sub;
      const sidB = inB.tokens.claims()!.sid;
      await toAccount(b, person);
      // B's app holds a working refresh token before.
      const rotated = await oidc.refreshTokenGrant(app, inB.tokens.refresh_token!);

      const page = await a.open(url('/akun/sesi'));
      expect(page.status).to.equal(200);
      expect(textOf(page, 'h1')).to.equal('Sesi masuk');
      expect(textOf(page, '#count')).to.equal('2 sesi aktif');
      const listed = sessionsOn(page);
      expect(listed.map(({ uid: _uid, ...s }) => s)).to.deep.equal([
        // The most recently active first: B signed in last.
        { current: false, device: 'Firefox 125 · Android 14 (ponsel)', badge: null, address: '127.0.0.1', apps: 'Aplikasi Sekolah, Satu Akun: Akun saya', endable: true },
        { current: true, device: 'Chrome 120 · Windows 10 (komputer)', badge: 'Peramban ini', address: '127.0.0.1', apps: 'Satu Akun: Akun saya', endable: false },
      ]);
      expect(page.doc.querySelector('#end-others'), 'end all others is offered').to.exist;

      const delivered = receiver.received.length;
      const other = page.doc.querySelector(`#session-${listed[0]!.uid}`)!;
      const done = await submitIn(a, page, other, {});
      expect(done.url).to.equal(url('/akun/sesi?done=one'));
      expect(textOf(done, '#done')).to.equal('Sesi telah diakhiri. Peramban itu harus masuk lagi.');
      expect(textOf(done, '#count')).to.equal('1 sesi aktif');
      expect(sessionsOn(done).map((s) => [s.device, s.current])).to.deep.equal([['Chrome 120 · Windows 10 (komputer)', true]]);

      // B is asked to sign in again, its app's refresh token is dead, and the app was told.
      expect(stepOf(await b.open(url('/akun')))).to.equal('login');
      expect(await refreshError(rotated.refresh_token!)).to.equal('invalid_grant');
      const told = receiver.received.slice(delivered);
      expect(told).to.have.length(1);
      const claims = JSON.parse(Buffer.from(told[0]!.logoutToken!.split('.')[1]!, 'base64url').toString()) as Record<string, unknown>;
      expect(claims).to.include({ sub, sid: sidB, aud: BACKCHANNEL_APP.clientId });
      // A is still signed in.
      expect((await a.open(url('/akun'))).url).to.equal(url('/akun'));
      expect((await ended(sub)).map((r) => ({ actor: r.actor, client_id: r.client_id, details: r.details }))).to.deep.equal([
        { actor: sub, client_id: 'satu-akun-portal', details: { by: 'user', sessions: 1 } },
      ]);
    });

    it('"Akhiri semua sesi lain" ends every session but this browser', async () => {
      const person = 'dewi.lestari';
      const [a, b, c] = [newBrowser({ 'user-agent': CHROME_WINDOWS }), newBrowser({ 'user-agent': FIREFOX_ANDROID }), newBrowser()];
      for (const browser of [a, b, c]) await toAccount(browser, person);
      const inC = await toApp(c);
      const sub = inC.tokens.claims()!.sub;
      expect(await op.satu.sessions.count(sub)).to.equal(3);

      const page = await a.open(url('/akun/sesi'));
      expect(textOf(page, '#count')).to.equal('3 sesi aktif');
      const done = await a.submit(page, {}, '/akun/sesi/akhiri-lainnya');
      expect(done.url).to.equal(url('/akun/sesi?done=others'));
      expect(textOf(done, '#done')).to.equal('Semua sesi lain telah diakhiri. Hanya peramban ini yang masih masuk.');
      expect(sessionsOn(done).map((s) => [s.device, s.badge])).to.deep.equal([['Chrome 120 · Windows 10 (komputer)', 'Peramban ini']]);
      expect(done.doc.querySelector('#end-others'), 'nothing else to end').to.equal(null);
      for (const browser of [b, c]) expect(stepOf(await browser.open(url('/akun')))).to.equal('login');
      expect(await refreshError(inC.tokens.refresh_token!)).to.equal('invalid_grant');
      expect((await a.open(url('/akun'))).url).to.equal(url('/akun'));
      expect((await ended(sub)).map((r) => r.details)).to.deep.equal([{ by: 'user', sessions: 2 }]);
    });

    it("ends nothing when the uid posted is another person's session, and refuses a form without its CSRF token (403)", async () => {
      const a = newBrowser();
      const own = await toAccount(a, 'siti.rahmawati');
      const victim = newBrowser();
      await toAccount(victim, 'bambang.susilo');
      const [victimSession] = sessionsOn(await victim.open(url('/akun/sesi')));
      expect(victimSession!.current).to.equal(true);
      const victimSub = ((await op.satu.knex('accounts').where({ username: 'bambang.susilo' }).first()) as { sub: string }).sub;

      const forged = await a.open(url('/akun/sesi/akhiri'), { method: 'POST', form: { _csrf: csrfOf(own), uid: victimSession!.uid } });
      expect(forged.status).to.equal(200);
      expect(await sessionCount('bambang.susilo')).to.equal(1);
      expect((await victim.open(url('/akun'))).url, 'still signed in').to.equal(url('/akun'));
      expect(await ended(victimSub)).to.deep.equal([]);

      // Without the token, neither form does anything.
      const b = newBrowser();
      await toAccount(b, 'siti.rahmawati');
      const [other] = sessionsOn(await a.open(url('/akun/sesi'))).filter((s) => !s.current);
      for (const [path, form] of [['/akun/sesi/akhiri', { uid: other!.uid }], ['/akun/sesi/akhiri-lainnya', {}]] as const) {
        const refused = await a.open(url(path), { method: 'POST', form });
        expect(refused.status, path).to.equal(403);
        expect(errorText(refused), path).to.equal('Formulir ini sudah kedaluwarsa. Muat ulang halaman lalu coba lagi.');
      }
      expect(await sessionCount('siti.rahmawati')).to.equal(2);
      expect((await b.open(url('/akun'))).url).to.equal(url('/akun'));
    });

    it("the admin console lists a person's sessions and ends one with a reason, audited as by an administrator", async () => {
      const person = 'yanti.pakpahan';
      const a = newBrowser({ 'user-agent': CHROME_WINDOWS });
      const b = newBrowser({ 'user-agent': FIREFOX_ANDROID });
      await toAccount(a, person);
      const inB = await toApp(b, person);
      const sub = inB.tokens.claims()!.sub;

      const admin = newBrowser();
      const personPage = await phone.through(admin, await admin.open(url(`/admin/orang?login=${person}`)), 'andi.wijaya');
      expect(textOf(personPage, '#sessions-count')).to.equal('2 sesi aktif');
      let page = await admin.open(new URL(personPage.doc.querySelector('#see-sessions')!.getAttribute('href')!, personPage.url).href);
      expect(page.url).to.equal(url(`/admin/orang/sesi?login=${person}`));
      expect(textOf(page, 'h1')).to.equal('Sesi masuk Yanti Pakpahan');
      expect(textOf(page, '#count')).to.equal('2 sesi aktif');
      const listed = sessionsOn(page);
      expect(listed.map((s) => [s.device, s.current, s.endable])).to.deep.equal([
        ['Firefox 125 · Android 14 (ponsel)', false, true],
        ['Chrome 120 · Windows 10 (komputer)', false, true],
      ]);

      const item = page.doc.querySelector(`#session-${listed[0]!.uid}`)!;
      const short = await submitIn(admin, page, item, { reason: 'hilang' });
      expect(short.status).to.equal(400);
      expect(textOf(short, '#reason-error')).to.equal('Tuliskan alasan minimal 10 karakter.');
      expect(await op.satu.sessions.count(sub)).to.equal(2);

      page = await submitIn(admin, page, item, { reason: REASON });
      expect(page.url).to.equal(url(`/admin/orang/sesi?login=${person}&done=ended`));
      expect(textOf(page, '#done')).to.equal('Sesi telah diakhiri.');
      expect(textOf(page, '#count')).to.equal('1 sesi aktif');
      expect(sessionsOn(page).map((s) => s.device)).to.deep.equal(['Chrome 120 · Windows 10 (komputer)']);
      expect(stepOf(await b.open(url('/akun')))).to.equal('login');
      expect(await refreshError(inB.tokens.refresh_token!)).to.equal('invalid_grant');
      expect((await a.open(url('/akun'))).url, 'the other browser stays signed in').to.equal(url('/akun'));

      const andi = ((await op.satu.knex('accounts').where({ username: 'andi.wijaya' }).first()) as { sub: string }).sub;
      expect((await ended(sub)).map((r) => ({ actor: r.actor, client_id: r.client_id, details: r.details }))).to.deep.equal([
        { actor: andi, client_id: 'satu-akun-admin', details: { by: 'admin', sessions: 1, reason: REASON } },
      ]);
      expect((await op.satu.audit.verify()).ok).to.equal(true);
    });
  });
}
