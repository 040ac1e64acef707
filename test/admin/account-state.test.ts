import { expect } from 'chai';
import { createRemoteJWKSet, jwtVerify } from 'jose';
import * as oidc from 'openid-client';
import { backchannelApp, backchannelRp, startLogoutReceiver, BACKCHANNEL_APP, type LogoutReceiver } from '../support/backchannel.ts';
import type { Browser, Page } from '../support/browser.ts';
import { authRequest, newBrowser, signIn, stepOf, submitLogin } from '../support/flow.ts';
import { createPhone, steppingClock } from '../support/phone.ts';
import { rp, testClients, type TestProvider } from '../support/provider.ts';
import { STORES, startProviderOn, type StoreBackend } from '../support/stores.ts';

const BACKCHANNEL_EVENT = 'http://schemas.openid.net/event/backchannel-logout';
const REASON = 'Dalam pemeriksaan Inspektorat (surat 700/123/2026)';
const SUSPENDED = 'Akun Anda ditangguhkan sementara di Satu Akun. Hubungi admin OPD Anda atau helpdesk Diskominfo.';
const DISABLED = 'Akun Anda dinonaktifkan di Satu Akun. Hubungi admin OPD Anda atau helpdesk Diskominfo.';
const UNTIL_INVALID = 'Tanggal akhir penangguhan harus tanggal yang ada, paling cepat hari ini dan paling lama 366 hari lagi.';
const DAY = 24 * 60 * 60 * 1000;

const errorText = (page: Page) => /role="alert"[^>]*>([^<]*)</.exec(page.html)?.[1]?.trim();
const csrfOf = (page: Page) => page.doc.querySelector('input[name=_csrf]')!.getAttribute('value')!;
const textOf = (page: Page, selector: string) => page.doc.querySelector(selector)?.text.replace(/\s+/g, ' ').trim();
/** The new states the state form offers. */
const choicesOn = (page: Page) => page.doc.querySelectorAll('input[name=to]').map((i) => i.getAttribute('value'));

/** The protocol error of a refused token request. */
const grantError = async (request: Promise<unknown>) => {
  const err = await request.then(() => undefined, (e: unknown) => e);
  expect(err, 'the token request was refused').to.be.instanceOf(oidc.ResponseBodyError);
  return (err as oidc.ResponseBodyError).error;
};

/** The `error` of the Bearer challenge a refused userinfo request answered with. */
const userinfoError = async (request: Promise<unknown>) => {
  const err = await request.then(() => undefined, (e: unknown) => e);
  expect(err, 'userinfo was refused').to.be.instanceOf(oidc.WWWAuthenticateChallengeError);
  const challenge = err as oidc.WWWAuthenticateChallengeError;
  return { status: challenge.status, error: challenge.cause[0]?.parameters.error };
};

/** A calendar date (YYYY-MM-DD) in WIB (UTC+7), `days` after `now`. */
const wibDate = (now: Date, days: number) => new Date(now.getTime() + 7 * 60 * 60 * 1000 + days * DAY).toISOString().slice(0, 10);

/** The nearest day after `now` that no calendar has (30 February, 31 April, ...), as YYYY-MM-DD. */
const impossibleDate = (now: Date) => {
  for (let year = now.getUTCFullYear(); ; year++) {
    for (const [month, day] of [[2, 30], [4, 31], [6, 31], [9, 31], [11, 31]] as const) {
      // Date.UTC rolls it over into the next month: that is the day a lenient parser would take it for.
      if (Date.UTC(year, month - 1, day) > now.getTime() + 2 * DAY) return `${year}-${String(month).padStart(2, '0')}-${day}`;
    }
  }
};

/**
 * A Satu Akun on `store` with a stepping clock, a phone that answers every sign-in step, and a test app whose
 * back-channel logout endpoint is a local server; helpers over it.
 */
const world = (store: StoreBackend, overrides: Record<string, unknown> = {}) => {
  const time = steppingClock();
  const phone = createPhone(time);
  const w = {
    op: undefined as unknown as TestProvider,
    app: undefined as unknown as oidc.Configuration,
    receiver: undefined as unknown as LogoutReceiver,
    level2: undefined as unknown as oidc.Configuration,
    time,
    phone,
    start: async (ctx: Mocha.Context) => {
      ctx.timeout(60_000);
      w.receiver = await startLogoutReceiver();
      w.op = await startProviderOn(ctx, store, overrides, { clock: time.clock, clients: [...testClients(), backchannelApp(w.receiver.url)] });
      w.app = await backchannelRp(w.op.issuer);
      w.level2 = await rp(w.op.issuer, 'app-l2');
    },
    stop: async () => {
      await w.op?.stop();
      await w.receiver?.close();
    },
    url: (path: string) => `${w.op.local}${path}`,
    subOf: async (username: string) => ((await w.op.satu.knex('accounts').where({ username }).first()) as { sub: string }).sub,
    /** The account row as stored (no effective-state reading): status and until. */
    stored: async (username: string) => {
      const row = (await w.op.satu.knex('accounts').where({ username }).first()) as { status: string; status_until: unknown } | undefined;
      return row && { status: row.status, until: row.status_until ? new Date(row.status_until as string).toISOString() : null };
    },
    /** Opens a console page as `username`, answering whatever sign-in asks on the way (the console is level 3). */
    visit: async (browser: Browser, path: string, username: string) => phone.through(browser, await browser.open(w.url(path)), username),
    /** Signs `username` in to the back-channel app in `browser`, with offline access (a refresh token that outlives the session). */
    signInToApp: (browser: Browser, username?: string) => signIn(w.app, browser, username, { scope: 'openid profile offline_access', prompt: 'consent' }),
    /** A new authorization of the back-channel app in `browser`, answered with the password: the page it ends on. */
    tryPassword: async (browser: Browser, username: string) => {
      const page = await browser.open((await authRequest(w.app, { scope: 'openid profile' })).url.href);
      expect(stepOf(page), 'asked for the password').to.equal('login');
      return submitLogin(browser, page, username);
    },
    /** The state form about `login`, filled in with `fields` and sent, as `admin` (level 3 proven on the way). */
    changeState: async (browser: Browser, admin: string, login: string, fields: Record<string, string>) => {
      const form = await w.visit(browser, `/admin/orang/status?login=${login}`, admin);
      expect(form.doc.querySelector('form[action="/admin/orang/status"]'), `the state form, got ${form.url} (${form.status})`).to.exist;
      return browser.submit(form, fields, '/admin/orang/status');
    },
    /** Verifies a logout token against the provider's published keys, as an app must (OIDC Back-Channel Logout 1.0 §2.6). */
    verifyLogoutToken: async (token: string) =>
      jwtVerify(token, createRemoteJWKSet(new URL(w.app.serverMetadata().jwks_uri!)), { issuer: w.op.issuer, audience: BACKCHANNEL_APP.clientId, typ: 'logout+jwt' }),
    audit: async (event: string, subject: string) => (await w.op.satu.audit.list({ event })).filter((r) => r.subject === subject),
  };
  return w;
};

for (const store of [STORES.SQLite, STORES['PostgreSQL + Redis']]) {
  describe(`admin console: suspending, disabling and reinstating accounts on ${store.name}`, () => {
    describe('as the administrator (sample roles)', () => {
      const w = world(store);
      before(function () {
        return w.start(this);
      });
      after(() => w.stop());

      it('suspends a person: their tokens die at once, their app is told by a verifiable logout token, they cannot sign in; reinstating lets them back', async () => {
        const person = 'rudi.hartono';
        const browser = newBrowser();
        const signedIn = await w.signInToApp(browser, person);
        const id = signedIn.tokens.claims()!;
        expect(id.sid, 'the ID token names its session (back-channel logout requires it)').to.be.a('string');
        // Before: the refresh token works (rotated) and so does userinfo.
        const tokens = await oidc.refreshTokenGrant(w.app, signedIn.tokens.refresh_token!);
        expect(tokens.refresh_token).to.be.a('string').and.not.equal(signedIn.tokens.refresh_token);
        expect((await oidc.fetchUserInfo(w.app, tokens.access_token, id.sub)).name).to.equal('Rudi Hartono');
        expect(await w.op.satu.sessions.count(id.sub)).to.equal(1);
        const delivered = w.receiver.received.length;

        const admin = newBrowser();
        const form = await w.visit(admin, '/admin/orang/status?login=rudi.hartono', 'andi.wijaya');
        expect(textOf(form, 'h1')).to.equal('Ubah status akun Rudi Hartono');
        expect(textOf(form, '#current')).to.equal('Status sekarang: Aktif');
        expect(choicesOn(form)).to.deep.equal(['suspended', 'disabled']);
        const done = await admin.submit(form, { to: 'suspended', reason: REASON }, '/admin/orang/status');
        expect(done.url).to.equal(w.url('/admin/orang?login=rudi.hartono&done=suspended'));
        expect(textOf(done, '#done')).to.equal('Akun Rudi Hartono ditangguhkan; semua sesinya telah diakhiri.');
        expect(textOf(done, '#state')).to.equal(`Ditangguhkan Alasan: ${REASON}`);
        expect(textOf(done, '#sessions-count')).to.equal('0 sesi aktif');

        // The very next token request and userinfo call are refused.
        expect(await grantError(oidc.refreshTokenGrant(w.app, tokens.refresh_token!))).to.equal('invalid_grant');
        expect(await userinfoError(oidc.fetchUserInfo(w.app, tokens.access_token, id.sub))).to.deep.equal({ status: 401, error: 'invalid_token' });
        expect(await w.op.satu.sessions.count(id.sub)).to.equal(0);

        // The app was told, during the administrator's request, with a logout token it can verify.
        const deliveries = w.receiver.received.slice(delivered);
        expect(deliveries.map((d) => [d.path, d.contentType])).to.deep.equal([['/backchannel-logout', 'application/x-www-form-urlencoded']]);
        const { payload, protectedHeader } = await w.verifyLogoutToken(deliveries[0]!.logoutToken!);
        expect(protectedHeader).to.include({ alg: 'ES256', typ: 'logout+jwt' });
        expect(payload).to.include({ iss: w.op.issuer, aud: BACKCHANNEL_APP.clientId, sub: id.sub, sid: id.sid });
        expect(payload.events).to.deep.equal({ [BACKCHANNEL_EVENT]: {} });
        expect(payload.jti).to.be.a('string');
        expect(payload, 'a logout token never carries a nonce').not.to.have.property('nonce');

        // The person's browser is asked for the password again; the right one is refused with the reason.
        const refused = await w.tryPassword(browser, person);
        expect(refused.status).to.equal(403);
        expect(textOf(refused, '#login-error')).to.equal(SUSPENDED);

        const andi = await w.subOf('andi.wijaya');
        const [suspended, ...moreSuspended] = await w.audit('account.suspended', id.sub);
        expect(moreSuspended).to.deep.equal([]);
        expect(suspended).to.deep.include({ actor: andi, subject: id.sub, client_id: 'satu-akun-admin', details: { reason: REASON, from: 'active' } });
        const ended = await w.audit('session.ended', id.sub);
        expect(ended.map((r) => ({ actor: r.actor, client_id: r.client_id, details: r.details }))).to.deep.equal([
          { actor: andi, client_id: 'satu-akun-admin', details: { by: 'account', sessions: 1, grants: 0, reason: REASON } },
        ]);
        expect((await w.audit('signin.failure', id.sub)).map((r) => (r.details as { reason: string }).reason)).to.deep.equal(['account_suspended']);
        expect((await w.op.satu.audit.verify()).ok).to.equal(true);

        // The person's page says so, with the events in the recent list.
        const page = await admin.open(w.url('/admin/orang?login=rudi.hartono'));
        expect(textOf(page, '#state')).to.equal(`Ditangguhkan Alasan: ${REASON}`);
        const events = page.doc.querySelectorAll('#attempts tbody tr td:nth-child(2)').map((td) => td.text.trim());
        expect(events).to.include.members(['Akun ditangguhkan', 'Sesi diakhiri']);

        // Reinstated: the form offers every state but active (a new suspension may change its end).
        const again = await admin.open(w.url('/admin/orang/status?login=rudi.hartono'));
        expect(textOf(again, '#current')).to.equal('Status sekarang: Ditangguhkan');
        expect(choicesOn(again)).to.deep.equal(['suspended', 'disabled', 'active']);
        const reinstated = await admin.submit(again, { to: 'active', reason: 'Pemeriksaan selesai, tidak ada temuan' }, '/admin/orang/status');
        expect(reinstated.url).to.equal(w.url('/admin/orang?login=rudi.hartono&done=active'));
        expect(textOf(reinstated, '#done')).to.equal('Akun Rudi Hartono aktif kembali.');
        expect(textOf(reinstated, '#state')).to.equal('Aktif');
        const [back] = await w.audit('account.reinstated', id.sub);
        expect(back).to.deep.include({ actor: andi, details: { reason: 'Pemeriksaan selesai, tidak ada temuan', from: 'suspended' } });

        const later = await w.signInToApp(browser, person);
        expect(later.sawLogin).to.equal(true);
        expect(later.tokens.claims()!.sub).to.equal(id.sub);
        // The old tokens were revoked, not merely hidden while suspended.
        expect(await grantError(oidc.refreshTokenGrant(w.app, tokens.refresh_token!))).to.equal('invalid_grant');
        expect((await oidc.tokenIntrospection(w.app, tokens.access_token)).active).to.equal(false);
      });

      it('revokes an offline grant that outlived its session (the person had signed out)', async () => {
        const person = 'irfan.koto';
        const browser = newBrowser();
        const { tokens } = await w.signInToApp(browser, person);
        const sub = tokens.claims()!.sub;
        const logout = await browser.open(oidc.buildEndSessionUrl(w.app, { id_token_hint: tokens.id_token! }).href);
        await browser.submit(logout, { logout: 'yes' });
        expect(await w.op.satu.sessions.count(sub), 'signed out').to.equal(0);
        const rotated = await oidc.refreshTokenGrant(w.app, tokens.refresh_token!);
        expect(rotated.refresh_token, 'offline access outlives the session').to.be.a('string');

        const done = await w.changeState(newBrowser(), 'andi.wijaya', person, { to: 'suspended', reason: REASON });
        expect(done.url).to.equal(w.url(`/admin/orang?login=${person}&done=suspended`));
        expect(await grantError(oidc.refreshTokenGrant(w.app, rotated.refresh_token!))).to.equal('invalid_grant');
        const ended = await w.audit('session.ended', sub);
        expect(ended.map((r) => r.details)).to.deep.equal([{ by: 'account', sessions: 0, grants: 1, reason: REASON }]);
      });

      it('disables a person like a suspension; disabling them again is refused (409) and changes nothing', async () => {
        const person = 'agus.susanto';
        const browser = newBrowser();
        const { tokens } = await w.signInToApp(browser, person);
        const id = tokens.claims()!;
        const delivered = w.receiver.received.length;
        const admin = newBrowser();
        const done = await w.changeState(admin, 'andi.wijaya', person, { to: 'disabled', reason: REASON });
        expect(done.url).to.equal(w.url(`/admin/orang?login=${person}&done=disabled`));
        expect(textOf(done, '#done')).to.equal('Akun Agus Susanto dinonaktifkan; semua sesinya telah diakhiri.');
        expect(textOf(done, '#state')).to.equal(`Dinonaktifkan Alasan: ${REASON}`);

        expect(await grantError(oidc.refreshTokenGrant(w.app, tokens.refresh_token!))).to.equal('invalid_grant');
        expect(await userinfoError(oidc.fetchUserInfo(w.app, tokens.access_token, id.sub))).to.deep.equal({ status: 401, error: 'invalid_token' });
        const deliveries = w.receiver.received.slice(delivered);
        expect(deliveries).to.have.length(1);
        const { payload } = await w.verifyLogoutToken(deliveries[0]!.logoutToken!);
        expect(payload).to.include({ sub: id.sub, sid: id.sid });
        const refused = await w.tryPassword(browser, person);
        expect(refused.status).to.equal(403);
        expect(textOf(refused, '#login-error')).to.equal(DISABLED);
        const [disabled] = await w.audit('account.disabled', id.sub);
        expect(disabled).to.deep.include({ actor: await w.subOf('andi.wijaya'), details: { reason: REASON, from: 'active' } });

        const form = await admin.open(w.url(`/admin/orang/status?login=${person}`));
        expect(choicesOn(form), 'disabling is not offered again').to.deep.equal(['suspended', 'active']);
        const twice = await admin.submit(form, { to: 'disabled', reason: 'Dinonaktifkan sekali lagi' }, '/admin/orang/status');
        expect(twice.status).to.equal(409);
        expect(errorText(twice)).to.equal('Akun ini sudah dinonaktifkan.');
        expect(await w.audit('account.disabled', id.sub)).to.have.length(1);
        expect(await w.stored(person)).to.deep.equal({ status: 'disabled', until: null });
        // Reinstating an active account is refused the same way.
        const active = await admin.submit(form, { to: 'active', login: 'sri.purnomo', reason: 'Tidak ada yang perlu diaktifkan' }, '/admin/orang/status');
        expect(active.status).to.equal(409);
        expect(errorText(active)).to.equal('Akun ini sudah aktif.');
        expect(await w.stored('sri.purnomo'), 'no account was made for someone who never signed in').to.equal(undefined);
      });

      it("refuses an administrator's change of their own state (403)", async () => {
        const admin = newBrowser();
        const home = await w.visit(admin, '/admin/orang?login=andi.wijaya', 'andi.wijaya');
        expect(textOf(home, '#person-name')).to.equal('Andi Wijaya');
        expect(home.doc.querySelector('#change-state'), 'no link to change one’s own state').to.equal(null);
        const posted = await admin.open(w.url('/admin/orang/status'), { method: 'POST', form: { _csrf: csrfOf(home), login: 'andi.wijaya', to: 'disabled', reason: REASON } });
        expect(posted.status).to.equal(403);
        expect(errorText(posted)).to.equal('Anda tidak dapat melakukan ini pada akun Anda sendiri; mintalah administrator lain.');
        expect(await w.stored('andi.wijaya')).to.deep.equal({ status: 'active', until: null });
        const andi = await w.subOf('andi.wijaya');
        for (const event of ['account.suspended', 'account.disabled']) expect(await w.audit(event, andi), event).to.deep.equal([]);
      });

      // The person page hides the link, and the POST is refused; the form itself should not be offered either (as it
      // is not for a person outside an agency administrator's remit).
      it("does not offer the state form for the administrator's own account (403)", async () => {
        const admin = newBrowser();
        const form = await w.visit(admin, '/admin/orang/status?login=andi.wijaya', 'andi.wijaya');
        expect(form.status, `the form is offered: ${textOf(form, 'h1')}`).to.equal(403);
        expect(errorText(form)).to.equal('Anda tidak dapat melakukan ini pada akun Anda sendiri; mintalah administrator lain.');
      });

      it('refuses a POST without the CSRF token, a short reason, no new state, and a bad end date; nothing changes', async () => {
        const person = 'sri.purnomo';
        const { tokens } = await w.signInToApp(newBrowser(), person);
        const sub = tokens.claims()!.sub;
        const admin = newBrowser();
        const form = await w.visit(admin, `/admin/orang/status?login=${person}`, 'andi.wijaya');

        const noToken = await admin.open(w.url('/admin/orang/status'), { method: 'POST', form: { login: person, to: 'suspended', reason: REASON } });
        expect(noToken.status).to.equal(403);
        expect(errorText(noToken)).to.equal('Formulir ini sudah kedaluwarsa. Muat ulang halaman lalu coba lagi.');

        const short = await admin.submit(form, { to: 'suspended', reason: ' terlambat ' }, '/admin/orang/status');
        expect(short.status).to.equal(400);
        expect(textOf(short, '#state-error')).to.equal('Tuliskan alasan minimal 10 karakter.');
        expect(short.doc.querySelector('input[name=to][value=suspended]')!.hasAttribute('checked'), 'the choice is kept').to.equal(true);

        const none = await admin.submit(form, { to: '', reason: REASON }, '/admin/orang/status');
        expect(none.status).to.equal(400);
        expect(textOf(none, '#state-error')).to.equal('Pilih status baru.');
        expect(textOf(none, '#reason'), 'the reason is kept').to.equal(REASON);

        const now = w.time.clock.now();
        for (const until of [wibDate(now, -1), '2020-01-01', wibDate(now, 400), '31-12-2026', '2026/12/31', 'besok', '2026-13-01']) {
          const bad = await admin.submit(form, { to: 'suspended', until, reason: REASON }, '/admin/orang/status');
          expect(bad.status, until).to.equal(400);
          expect(textOf(bad, '#state-error'), until).to.equal(UNTIL_INVALID);
        }
        expect(await w.stored(person)).to.deep.equal({ status: 'active', until: null });
        for (const event of ['account.suspended', 'account.disabled', 'account.reinstated', 'session.ended']) expect(await w.audit(event, sub), event).to.deep.equal([]);
        // Their tokens and session still stand.
        expect((await oidc.refreshTokenGrant(w.app, tokens.refresh_token!)).refresh_token).to.be.a('string');
        expect(await w.op.satu.sessions.count(sub)).to.equal(1);
      });

      it('refuses an end date no calendar has (400) rather than taking it for a day in the next month', async () => {
        const person = 'siti.permana';
        const admin = newBrowser();
        const form = await w.visit(admin, `/admin/orang/status?login=${person}`, 'andi.wijaya');
        const until = impossibleDate(w.time.clock.now());
        const bad = await admin.submit(form, { to: 'suspended', until, reason: REASON }, '/admin/orang/status');
        expect(bad.status, `${until} was taken, the account now reads: ${textOf(bad, '#state')}`).to.equal(400);
        expect(textOf(bad, '#state-error')).to.equal(UNTIL_INVALID);
        expect(await w.stored(person)).to.equal(undefined);
      });

      it('a person who never signed in can be disabled ahead of time; their first sign-in is refused', async () => {
        const person = 'yanti.pakpahan';
        expect(await w.stored(person), 'no account yet').to.equal(undefined);
        const done = await w.changeState(newBrowser(), 'andi.wijaya', person, { to: 'disabled', reason: REASON });
        expect(done.url).to.equal(w.url(`/admin/orang?login=${person}&done=disabled`));
        expect(await w.stored(person)).to.deep.equal({ status: 'disabled', until: null });
        const refused = await w.tryPassword(newBrowser(), person);
        expect(refused.status).to.equal(403);
        expect(textOf(refused, '#login-error')).to.equal(DISABLED);
        const sub = await w.subOf(person);
        expect(await w.op.satu.sessions.count(sub)).to.equal(0);
        expect((await w.audit('signin.failure', sub)).map((r) => (r.details as { reason: string }).reason)).to.deep.equal(['account_disabled']);
      });

      // The state is checked after the password; a suspension that lands while the person is at the second factor must
      // still keep them out, with the refusal rather than an error page, and leave no session behind.
      it('a suspension that lands between the password and the second factor refuses the sign-in cleanly and leaves no session', async () => {
        const person = 'bayu.hartono';
        await signIn(w.level2, newBrowser(), person, {}, (browser, page) => w.phone.answer(browser, page, person)); // enrols
        const sub = await w.subOf(person);
        const browser = newBrowser();
        const atFactor = await submitLogin(browser, await browser.open((await authRequest(w.level2)).url.href), person);
        expect(stepOf(atFactor)).to.equal('second-factor');

        const done = await w.changeState(newBrowser(), 'andi.wijaya', person, { to: 'suspended', reason: REASON });
        expect(done.url).to.equal(w.url(`/admin/orang?login=${person}&done=suspended`));

        const page = await w.phone.answer(browser, atFactor, person);
        expect(new URL(page.url).hostname, 'no code reaches the app').not.to.equal('l2.contoh.go.id');
        expect({ status: page.status, error: errorText(page) }).to.deep.equal({ status: 403, error: SUSPENDED });
        expect(await w.op.satu.sessions.count(sub), 'no session of a suspended account').to.equal(0);
        // The next app opened in that browser asks for the password (and then refuses), never an error page.
        const next = await browser.open((await authRequest(w.app, { scope: 'openid profile' })).url.href);
        expect({ status: next.status, step: stepOf(next) }).to.deep.equal({ status: 200, step: 'login' });
      });

      // Last in this world: it moves the clock two days on.
      it('a suspension with an end date ends by itself once the day has passed (WIB), with no write', async () => {
        const person = 'neneng.ramdani';
        const until = wibDate(w.time.clock.now(), 1);
        const admin = newBrowser();
        const done = await w.changeState(admin, 'andi.wijaya', person, { to: 'suspended', until, reason: REASON });
        expect(done.url).to.equal(w.url(`/admin/orang?login=${person}&done=suspended`));
        expect(textOf(done, '#state')).to.contain('Ditangguhkan · sampai').and.contain(`Alasan: ${REASON}`);
        const end = `${until}T16:59:59.000Z`; // 23:59:59 WIB
        expect(await w.stored(person)).to.deep.equal({ status: 'suspended', until: end });
        const sub = await w.subOf(person);
        const [record] = await w.audit('account.suspended', sub);
        expect(record!.details).to.deep.equal({ reason: REASON, from: 'active', until: end });

        const refused = await w.tryPassword(newBrowser(), person);
        expect(refused.status).to.equal(403);
        expect(textOf(refused, '#login-error')).to.equal(`Akun Anda ditangguhkan sampai ${until}. Hubungi admin OPD Anda atau helpdesk Diskominfo bila ini keliru.`);

        w.time.advance(2 * 24 * 60);
        const { tokens, sawLogin } = await w.signInToApp(newBrowser(), person);
        expect(sawLogin).to.equal(true);
        expect(tokens.claims()!.sub).to.equal(sub);
        expect(await w.stored(person), 'the row is as the administrator left it').to.deep.equal({ status: 'suspended', until: end });
        expect(await w.audit('account.reinstated', sub)).to.deep.equal([]);
        const page = await w.visit(admin, `/admin/orang?login=${person}`, 'andi.wijaya');
        expect(textOf(page, '#state')).to.equal('Aktif');
      });
    });

    describe('with an agency administrator and the helpdesk', () => {
      const w = world(store, {
        roles: {
          administrator: [{ login: 'andi.wijaya' }],
          agencyAdministrator: [{ login: 'iketut.suastika', agency: 'DISDIK' }],
          helpdesk: [{ login: 'darwis.hamzah' }, { login: 'ratna.susanto' }],
        },
      });
      before(function () {
        return w.start(this);
      });
      after(() => w.stop());

      it('an agency administrator suspends staff of their agency, and is refused (403) for another agency and for a holder of a global role', async () => {
        const admin = newBrowser();
        const home = await w.visit(admin, '/admin', 'iketut.suastika');
        expect(textOf(home, '#roles')).to.contain('Admin OPD (DISDIK)');

        const done = await w.changeState(admin, 'iketut.suastika', 'rudi.hartono', { to: 'suspended', reason: REASON });
        expect(done.url).to.equal(w.url('/admin/orang?login=rudi.hartono&done=suspended'));
        expect(await w.stored('rudi.hartono')).to.deep.equal({ status: 'suspended', until: null });
        const [record] = await w.audit('account.suspended', await w.subOf('rudi.hartono'));
        expect(record).to.deep.include({ actor: await w.subOf('iketut.suastika'), details: { reason: REASON, from: 'active' } });

        const outside = 'Sebagai admin OPD, Anda hanya dapat mengelola pegawai DISDIK.';
        // dewi.lestari works at DINKES; ratna.susanto at DISDIK but holds the helpdesk role.
        for (const login of ['dewi.lestari', 'ratna.susanto']) {
          const form = await admin.open(w.url(`/admin/orang/status?login=${login}`));
          expect(form.status, login).to.equal(403);
          expect(errorText(form), login).to.equal(outside);
          const posted = await admin.open(w.url('/admin/orang/status'), { method: 'POST', form: { _csrf: csrfOf(home), login, to: 'suspended', reason: REASON } });
          expect(posted.status, login).to.equal(403);
          expect(errorText(posted), login).to.equal(outside);
          const sessions = await admin.open(w.url(`/admin/orang/sesi?login=${login}`));
          expect(sessions.status, login).to.equal(403);
          expect(await w.stored(login), login).to.equal(undefined); // never signed in, and no account made for them
        }
        expect(await w.op.satu.audit.list({ event: 'account.suspended' })).to.have.length(1);
      });

      it('the helpdesk sees a person and unblocks them, but is refused (403) the state and the sessions', async () => {
        const person = 'agus.susanto';
        await w.signInToApp(newBrowser(), person);
        const sub = await w.subOf(person);
        const helpdesk = newBrowser();
        const page = await w.visit(helpdesk, `/admin/orang?login=${person}`, 'darwis.hamzah');
        expect(page.status).to.equal(200);
        expect(textOf(page, '#person-name')).to.equal('Agus Susanto');
        expect(textOf(page, '#state')).to.equal('Aktif');
        expect(page.doc.querySelector('#change-state'), 'no link to change the state').to.equal(null);
        expect(page.doc.querySelector('#sessions-count'), 'no sessions shown').to.equal(null);

        const unlocked = await helpdesk.submit(page, { reason: 'Dikonfirmasi lewat telepon dengan atasannya' }, '/admin/orang/buka-blokir');
        expect(unlocked.url).to.equal(w.url(`/admin/orang?login=${person}&done=unlocked`));
        expect((await w.audit('signin.unlocked', sub)).map((r) => r.details)).to.deep.equal([{ reason: 'Dikonfirmasi lewat telepon dengan atasannya' }]);

        const refusal = 'Peran Anda tidak mengizinkan tindakan ini. Mencari pegawai hanya untuk administrator, admin OPD, dan helpdesk.';
        for (const path of [`/admin/orang/status?login=${person}`, `/admin/orang/sesi?login=${person}`]) {
          const res = await helpdesk.open(w.url(path));
          expect(res.status, path).to.equal(403);
          expect(errorText(res), path).to.equal(refusal);
        }
        const csrf = csrfOf(page);
        const state = await helpdesk.open(w.url('/admin/orang/status'), { method: 'POST', form: { _csrf: csrf, login: person, to: 'disabled', reason: REASON } });
        expect(state.status).to.equal(403);
        const end = await helpdesk.open(w.url('/admin/orang/sesi/akhiri'), { method: 'POST', form: { _csrf: csrf, login: person, reason: REASON } });
        expect(end.status).to.equal(403);
        expect(await w.stored(person)).to.deep.equal({ status: 'active', until: null });
        expect(await w.op.satu.sessions.count(sub)).to.equal(1);
        expect(await w.audit('session.ended', sub)).to.deep.equal([]);
      });
    });
  });
}
