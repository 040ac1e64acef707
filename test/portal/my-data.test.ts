import { expect } from 'chai';
import * as oidc from 'openid-client';
import type { AdapterPayload } from 'oidc-provider';
import type { Browser, Page } from '../support/browser.ts';
import { authRequest, newBrowser, PASSWORD, signIn, stepOf, submitLogin } from '../support/flow.ts';
import { createPhone, steppingClock } from '../support/phone.ts';
import { rp, startProvider, type TestProvider } from '../support/provider.ts';

const csrfOf = (page: Page) => page.doc.querySelector('input[name=_csrf]')!.getAttribute('value')!;
const text = (page: Page, selector: string) => page.doc.querySelector(selector)?.text.replace(/\s+/g, ' ').trim();

/** The staff portal's pages of issue 12 §1 (Aplikasi saya, Data saya, Aktivitas), over HTTP with the real provider. */
type SessionStore = { find(id: string): Promise<AdapterPayload | undefined>; upsert(id: string, payload: AdapterPayload, expiresIn: number): Promise<void> };

describe('the staff portal: my apps, my data, my activity', () => {
  const time = steppingClock();
  const phone = createPhone(time);
  let op: TestProvider;
  let appA: oidc.Configuration;
  let appB: oidc.Configuration;
  let appL2: oidc.Configuration;

  before(async function () {
    this.timeout(60_000);
    op = await startProvider({ demoApps: true }, { clock: time.clock });
    [appA, appB, appL2] = await Promise.all([rp(op.issuer, 'app-a'), rp(op.issuer, 'app-b'), rp(op.issuer, 'app-l2')]);
  });
  after(async () => {
    await op?.stop();
  });

  const url = (path: string) => `${op.local}${path}`;
  /** Opens a page of /akun in `browser`, signing `username` in first when asked. */
  const open = async (browser: Browser, path: string, username: string) => {
    let page = await browser.open(url(path));
    if (stepOf(page) === 'login') page = await submitLogin(browser, page, username);
    expect(page.url, `${path}, got ${page.status}: ${page.html.slice(0, 300)}`).to.equal(url(path));
    return page;
  };
  const subOf = async (username: string) => ((await op.satu.knex('accounts').where({ username }).first()) as { sub: string }).sub;
  const refreshError = async (app: oidc.Configuration, refreshToken: string) => {
    const err = await oidc.refreshTokenGrant(app, refreshToken).then(() => undefined, (e: unknown) => e);
    return err instanceof oidc.ResponseBodyError ? err.error : err === undefined ? 'none' : String(err);
  };

  describe('Aplikasi saya (/akun/aplikasi)', () => {
    const listed = (page: Page) => page.doc.querySelectorAll('li.app-tile').map((li) => li.getAttribute('data-client-id')!);

    it('lists exactly the apps the access rules open to each person, with agency, level and a link', async () => {
      const andi = await open(newBrowser(), '/akun/aplikasi', 'andi.wijaya');
      const rudi = await open(newBrowser(), '/akun/aplikasi', 'rudi.hartono');
      // Andi (DISKOMINFO): the agency app, not the role app (verifikator) nor the one listing Rudi by name. Rudi (DISDIK):
      // his named app, not the DISKOMINFO one. Never the machine client, nor Satu Akun's own zones.
      const everyone = ['app-a', 'app-b', 'app-l2', 'app-l3', 'app-l3-far', 'demo-simpeg', 'demo-sppd', 'spa'];
      expect([...listed(andi)].sort()).to.deep.equal([...everyone, 'app-agencies'].sort());
      expect([...listed(rudi)].sort()).to.deep.equal([...everyone, 'app-users'].sort());
      for (const page of [andi, rudi]) expect(page.html).not.to.match(/satu-akun-(portal|developer|admin)|data-client-id="machine"/);

      const l2 = andi.doc.querySelector('li[data-client-id="app-l2"]')!;
      expect(l2.querySelector('h2')!.text).to.equal('Aplikasi Tingkat 2');
      expect(l2.querySelector('.app-level')!.getAttribute('data-level')).to.equal('2');
      expect(l2.querySelector('a.open')!.getAttribute('href')).to.equal('https://l2.contoh.go.id/');
      expect(l2.querySelector('a.open')!.getAttribute('data-from')).to.equal('redirect_uri');
      // A registered app names its agency.
      expect(andi.doc.querySelector('li[data-client-id="demo-simpeg"] .app-agency')?.text).to.equal('DISKOMINFO');
    });

    it('has the portal navigation and "Akun saya" in the header; the front page leads there', async () => {
      const page = await open(newBrowser(), '/akun/aplikasi', 'bayu.hartono');
      expect(page.doc.querySelector('nav.zone a.my-account')?.getAttribute('href')).to.equal('/akun');
      const nav = page.doc.querySelectorAll('nav.portal a').map((a) => [a.getAttribute('href'), a.text.trim(), a.getAttribute('aria-current') ?? '']);
      expect(nav).to.deep.equal([
        ['/akun/aplikasi', 'Aplikasi', 'page'],
        ['/akun/sesi', 'Sesi', ''],
        ['/akun/data', 'Data', ''],
        ['/akun/aktivitas', 'Aktivitas', ''],
        ['/akun/keamanan', 'Keamanan', ''],
      ]);
      const home = await newBrowser().open(url('/'));
      expect(home.doc.querySelector('a#my-apps')?.getAttribute('href')).to.equal('/akun/aplikasi');
    });
  });

  describe('Data saya (/akun/data)', () => {
    it('shows what each app receives and why, when first shared and last used', async () => {
      const browser = newBrowser();
      const before = Date.now();
      await signIn(appA, browser, 'siti.rahmawati', { scope: 'openid profile email' });
      const sub = await subOf('siti.rahmawati');
      // A registered app carries the purposes approved in its review (agreed here as the notice would record it).
      await op.satu.knex('consents').insert({ sub, client_id: 'demo-simpeg', scopes: 'email openid profile', decided_at: new Date('2026-01-05T03:00:00Z').toISOString() });
      const page = await open(browser, '/akun/data', 'siti.rahmawati');

      const a = page.doc.querySelector('li.data-app[data-client-id="app-a"]')!;
      expect(a.querySelectorAll('tr[data-scope]').map((tr) => tr.getAttribute('data-scope'))).to.deep.equal(['openid', 'profile', 'email']);
      // From the clients file: no purpose was stated; Diskominfo set the data.
      expect(a.querySelectorAll('td.purpose').map((td) => td.text.trim())).to.deep.equal(['ditetapkan oleh Diskominfo', 'ditetapkan oleh Diskominfo', 'ditetapkan oleh Diskominfo']);
      expect(a.querySelector('dd.since')!.text).to.match(/\d{4}, \d{2}\.\d{2} WIB$/);
      expect(a.querySelector('dd.last-used')!.text).to.contain('WIB').and.contain('hari ini');
      const consent = (await op.satu.knex('consents').where({ sub, client_id: 'app-a' }).first()) as { decided_at: string };
      expect(new Date(consent.decided_at).getTime()).to.be.at.least(before - 1000);

      const demo = page.doc.querySelector('li.data-app[data-client-id="demo-simpeg"]')!;
      const purposes = Object.fromEntries(demo.querySelectorAll('tr[data-scope]').map((tr) => [tr.getAttribute('data-scope'), tr.querySelector('td.purpose')!.text.trim()]));
      expect(purposes).to.deep.equal({
        openid: 'Untuk mengenali Anda saat masuk',
        profile: 'Menampilkan nama pegawai di aplikasi demo / shows the person’s name in the demo',
        email: 'Menampilkan e-mail dinas di aplikasi demo / shows the official e-mail in the demo',
      });
      expect(demo.querySelector('dd.since')!.text).to.equal('5 Jan 2026, 10.00 WIB');
      expect(demo.querySelector('dd.last-used')!.text).to.equal('Belum pernah');
      // Satu Akun's own pages are not listed.
      expect(page.html).not.to.contain('satu-akun-portal');
    });

    it('withdrawing an app’s consent revokes its tokens for this person only, is audited, and brings the notice back', async () => {
      const browser = newBrowser();
      const a = await signIn(appA, browser, 'bambang.susilo', { scope: 'openid profile' });
      const b = await signIn(appB, browser, undefined, { scope: 'openid profile' });
      // Another person's token for the same app is not theirs to withdraw.
      const other = await signIn(appA, newBrowser(), 'heru.handoko', { scope: 'openid profile' });
      expect(a.sawNotice && b.sawNotice).to.equal(true);
      const sub = await subOf('bambang.susilo');

      const data = await open(browser, '/akun/data', 'bambang.susilo');
      const link = data.doc.querySelector('li.data-app[data-client-id="app-a"] a.withdraw')!;
      const confirm = await browser.open(url(link.getAttribute('href')!));
      expect(confirm.status).to.equal(200);
      expect(text(confirm, 'h1')).to.equal('Tarik persetujuan untuk Aplikasi A?');
      expect(confirm.doc.querySelectorAll('ul.consequences li').map((li) => li.text)).to.have.length(4);
      // Nothing happened yet.
      expect(await op.satu.knex('consents').where({ sub, client_id: 'app-a' }).first()).to.not.equal(undefined);

      // Without the CSRF token: refused.
      const forged = await browser.open(url('/akun/data/tarik'), { method: 'POST', form: { app: 'app-a' } });
      expect(forged.status).to.equal(403);
      expect(await op.satu.knex('consents').where({ sub, client_id: 'app-a' }).first()).to.not.equal(undefined);

      const done = await browser.submit(confirm, {}, '/akun/data/tarik');
      expect(done.url).to.equal(url('/akun/data?ditarik=app-a'));
      expect(text(done, '#done')).to.contain('Persetujuan untuk Aplikasi A telah ditarik');
      expect(done.doc.querySelector('li.data-app[data-client-id="app-a"] .no-agreement')).to.not.equal(null);

      expect(await refreshError(appA, a.tokens.refresh_token!)).to.equal('invalid_grant');
      expect((await oidc.refreshTokenGrant(appB, b.tokens.refresh_token!)).access_token).to.be.a('string');
      expect((await oidc.refreshTokenGrant(appA, other.tokens.refresh_token!)).access_token).to.be.a('string');
      expect(await op.satu.knex('consents').where({ sub, client_id: 'app-a' }).first()).to.equal(undefined);
      const [record] = (await op.satu.audit.list({ event: 'consent.withdrawn' })).filter((r) => r.subject === sub);
      expect(record).to.include({ actor: sub, client_id: 'app-a' });
      expect(record!.details).to.deep.equal({ grants: 1, scopes: ['openid', 'profile'] });

      // The same browser, still signed in: no password, but the first-time notice again, and then a working token.
      const again = await signIn(appA, browser, undefined, { scope: 'openid profile' });
      expect(again).to.include({ sawLogin: false, sawNotice: true });
      expect((await oidc.refreshTokenGrant(appA, again.tokens.refresh_token!)).access_token).to.be.a('string');

      // Withdrawn already, someone else's app or a made-up one: a clear 404 page, not a 500.
      for (const app of ['app-a-not-there', '']) {
        const page = await browser.open(url(`/akun/data/tarik?app=${app}`));
        expect(page.status).to.equal(404);
        expect(text(page, '[role=alert]')).to.contain('Tidak ada persetujuan');
      }
    });

    it('downloads everything held about the person as JSON without any secret, audited; and shows it as a page', async function () {
      this.timeout(30_000);
      const browser = newBrowser();
      // Dewi signs in to a level-2 app: she sets up an authenticator app and is shown recovery codes (the phone keeps both).
      const start = await browser.open((await authRequest(appL2)).url.href);
      await phone.through(browser, start, 'dewi.lestari');
      const secret = phone.secrets.get('dewi.lestari')!;
      const codes = phone.codes.get('dewi.lestari')!;
      expect(secret).to.match(/^[A-Z2-7]{16,}$/);
      expect(codes).to.have.length.above(5);
      const sub = await subOf('dewi.lestari');
      // A passkey, as registration stores it: its public key must never leave.
      const publicKey = Buffer.from('a5010203262001215820d4c1a7f3e2b9c8d7e6f5a4b3c2d1e0f9a8b7c6d5e4f3a2b1c0d9e8f7a6b5c4d3e2f1', 'hex').toString('base64url');
      await op.satu.knex('webauthn_credentials').insert({ id: 'Y3JlZGVudGlhbC1pZC1kZXdp', sub, public_key: publicKey, counter: 3, transports: 'internal', name: 'Ponsel Dewi', created_at: new Date('2026-02-01T01:00:00Z').toISOString() });
      const hashes = ((await op.satu.knex('recovery_codes').where({ sub }).select('code_hash')) as { code_hash: string }[]).map((r) => r.code_hash);
      const totpEnc = ((await op.satu.knex('totp_credentials').where({ sub }).first('secret_enc')) as { secret_enc: string }).secret_enc;
      expect(hashes.length).to.be.above(5);

      await open(browser, '/akun/data', 'dewi.lestari');
      const res = await browser.request(url('/akun/data/unduh'));
      expect(res.status).to.equal(200);
      expect(res.headers.get('content-type')).to.match(/^application\/json/);
      expect(res.headers.get('content-disposition')).to.match(/^attachment; filename="satu-akun-data-saya-\d{4}-\d{2}-\d{2}\.json"$/);
      const body = await res.text();
      const json = JSON.parse(body) as Record<string, any>;

      expect(json.account).to.include({ sub, username: 'dewi.lestari' });
      expect(json.account.profile.name).to.equal('Dewi Lestari');
      expect(json.account.state.status).to.equal('active');
      expect(json.secondFactors.map((f: { type: string; label: string }) => [f.type, f.label])).to.deep.equal([['totp', 'authenticator app'], ['passkey', 'Ponsel Dewi']]);
      expect(json.secondFactors[0].createdAt).to.be.a('string');
      expect(json.recoveryCodes).to.deep.equal({ unused: codes.length });
      expect(json.apps.map((a: { clientId: string }) => a.clientId)).to.deep.equal(['app-l2']);
      expect(json.sessions).to.have.length(1);
      expect(json.roles.global.map((r: { role: string }) => r.role)).to.deep.equal(['developer']);
      const events = json.auditRecords.records.map((r: { event: string }) => r.event);
      expect(events).to.include.members(['signin.success', 'mfa.totp_enrolled', 'consent.granted']);
      expect(json.auditRecords).to.include({ limit: 1000, complete: true });

      // No secret of any kind: not the authenticator secret (plain or sealed), not a recovery code nor its hash, not
      // the passkey's public key, not the password.
      for (const s of [secret, secret.toLowerCase(), totpEnc, ...codes, ...codes.map((c) => c.replace(/-/g, '')), ...hashes, publicKey, Buffer.from(publicKey, 'base64url').toString('hex'), Buffer.from(publicKey, 'base64url').toString('base64'), PASSWORD]) {
        expect(body, `the download holds ${s.slice(0, 12)}…`).not.to.contain(s);
      }
      expect(body).not.to.match(/secret|code_hash|public_?key|password/i);

      const [audited] = (await op.satu.audit.list({ event: 'account.data_exported' })).filter((r) => r.subject === sub);
      expect(audited).to.include({ actor: sub, client_id: 'satu-akun-portal' });
      expect(audited!.details).to.deep.equal({ auditRecords: json.auditRecords.records.length, format: 'json' });

      const page = await browser.open(url('/akun/data/lengkap'));
      expect(page.status).to.equal(200);
      expect(text(page, 'h1')).to.equal('Semua data saya');
      expect(text(page, '#state')).to.equal('Aktif');
      expect(text(page, '#factors')).to.equal('Verifikasi dua langkah');
      expect(page.html).to.contain('Ponsel Dewi').and.contain('Aplikasi autentikator').and.contain('Aplikasi autentikator dipasang');
      for (const s of [secret, ...codes, ...hashes, publicKey]) expect(page.html).not.to.contain(s);
      const formats = (await op.satu.audit.list({ event: 'account.data_exported' })).filter((r) => r.subject === sub).map((r) => (r.details as { format: string }).format);
      expect(formats).to.deep.equal(['page', 'json']);
    });
    it('asks for the password again before the download when it was typed more than 15 minutes ago', async () => {
      const browser = newBrowser();
      const { tokens } = await signIn(appA, browser, 'yanti.pakpahan');
      // The browser's single sign-on session began 20 minutes ago (its password typed then).
      const sessions = (op.satu.provider.Session as unknown as { adapter: SessionStore }).adapter;
      const [live] = (await op.satu.sessions.list(tokens.claims()!.sub, { offset: 0, limit: 5 })).sessions;
      const stored = await op.satu.provider.Session.findByUid(live!.uid);
      const payload = (await sessions.find(stored!.jti))!;
      await sessions.upsert(stored!.jti, { ...payload, loginTs: Number(payload.loginTs) - 20 * 60 }, 600);

      // The page of the data opens without a password; the file of it does not.
      await open(browser, '/akun/data', 'yanti.pakpahan');
      const asked = await browser.open(url('/akun/data/unduh'));
      expect(stepOf(asked), `got ${asked.url}`).to.equal('login');
      const file = await submitLogin(browser, asked, 'yanti.pakpahan');
      expect(file.url).to.equal(url('/akun/data/unduh'));
      expect((JSON.parse(file.html) as { account: { username: string } }).account.username).to.equal('yanti.pakpahan');
    });
  });

  describe('Aktivitas (/akun/aktivitas)', () => {
    it('shows a failed sign-in on the account with its address, newest first, a page at a time', async () => {
      // Someone tries Yanti's account with a wrong password, then Yanti signs in.
      const stranger = newBrowser({ 'user-agent': 'Mozilla/5.0 (Linux; Android 14; SM-A145F) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/131.0.0.0 Mobile Safari/537.36' });
      const login = await stranger.open((await authRequest(appA)).url.href);
      const refused = await submitLogin(stranger, login, 'yanti.pakpahan', 'salah-sekali-2026');
      expect(refused.status).to.equal(401);
      const browser = newBrowser();
      const page = await open(browser, '/akun/aktivitas', 'yanti.pakpahan');

      const items = page.doc.querySelectorAll('ol.activity li.event');
      const whats = items.map((li) => li.querySelector('h2')!.text.trim());
      expect(whats.slice(0, 2)).to.deep.equal(['Berhasil masuk', 'Perhatikan: Percobaan masuk gagal (kata sandi salah atau akun tidak dapat dipakai)']);
      const failed = items[1]!;
      expect(failed.classList.contains('warning')).to.equal(true);
      expect(failed.querySelector('dd.ip')!.text).to.match(/127\.0\.0\.1/);
      expect(failed.querySelector('time')!.text).to.contain('WIB');
      expect(failed.text).to.contain('Aplikasi A');
      // The stranger's browser in words, from the User-Agent kept (shortened) with the record.
      expect(failed.querySelector('dd.browser')!.text).to.contain('Chrome').and.contain('Android');
      const seqs = items.map((li) => Number(li.getAttribute('data-seq')));
      expect(seqs).to.deep.equal([...seqs].sort((x, y) => y - x));

      // The cursor: only what is older than the record given.
      const older = await browser.open(url(`/akun/aktivitas?sebelum=${seqs[0]}`));
      expect(older.doc.querySelectorAll('ol.activity li.event').map((li) => Number(li.getAttribute('data-seq')))).to.deep.equal(seqs.slice(1));
      expect(older.doc.querySelector('nav.pager a')?.getAttribute('href')).to.equal('/akun/aktivitas');
      // A cursor that is no number: a readable 400 page in the person's language, not a 500.
      const bad = await browser.open(url('/akun/aktivitas?sebelum=abc'));
      expect(bad.status).to.equal(400);
      expect(bad.html).to.contain('lang="id"');
    });

    it('pages by sequence when there is more than one page', async () => {
      const browser = newBrowser();
      await open(browser, '/akun/aktivitas', 'togar.lumbantobing');
      const sub = await subOf('togar.lumbantobing');
      for (let i = 0; i < 23; i++) await op.satu.audit.record({ event: 'mfa.failed', actor: sub, subject: sub, ip: `10.0.0.${i}`, details: { method: 'totp', reason: 'invalid' } });
      const first = await browser.open(url('/akun/aktivitas'));
      const firstSeqs = first.doc.querySelectorAll('li.event').map((li) => Number(li.getAttribute('data-seq')));
      expect(firstSeqs).to.have.length(20);
      const next = first.doc.querySelector('a#older')!.getAttribute('href')!;
      expect(next).to.equal(`/akun/aktivitas?sebelum=${firstSeqs.at(-1)}`);
      const second = await browser.open(url(next));
      const secondSeqs = second.doc.querySelectorAll('li.event').map((li) => Number(li.getAttribute('data-seq')));
      expect(secondSeqs.length).to.be.within(4, 20);
      expect(Math.max(...secondSeqs)).to.be.below(Math.min(...firstSeqs));
    });

    it('"Ini bukan saya" ends every session of the person after a confirmation, and shows whom to call', async () => {
      const phoneBrowser = newBrowser();
      const onPhone = await signIn(appA, phoneBrowser, 'kartika.nugroho', { scope: 'openid profile' });
      await open(phoneBrowser, '/akun', 'kartika.nugroho');
      const desk = newBrowser();
      const activity = await open(desk, '/akun/aktivitas', 'kartika.nugroho');
      const sub = await subOf('kartika.nugroho');
      expect(await op.satu.sessions.count(sub)).to.equal(2);

      const confirm = await desk.open(url(activity.doc.querySelector('a#not-me')!.getAttribute('href')!));
      expect(text(confirm, 'h1')).to.equal('Keluarkan akun dari semua perangkat');
      expect(text(confirm, 'ul.consequences')).to.contain('(2)');
      expect(await op.satu.sessions.count(sub)).to.equal(2);
      const forged = await desk.open(url('/akun/aktivitas/bukan-saya'), { method: 'POST', form: {} });
      expect(forged.status).to.equal(403);
      expect(await op.satu.sessions.count(sub)).to.equal(2);

      const done = await desk.submit(confirm, {}, '/bukan-saya');
      expect(done.status).to.equal(200);
      expect(text(done, '#done')).to.contain('2 sesi diakhiri');
      // Signed out: no name and no sign-out button on the page.
      expect(done.doc.querySelector('nav.zone')).to.equal(null);
      expect(await op.satu.sessions.count(sub)).to.equal(0);
      expect(await refreshError(appA, onPhone.tokens.refresh_token!)).to.equal('invalid_grant');
      for (const b of [desk, phoneBrowser]) expect(stepOf(await b.open(url('/akun')))).to.equal('login');
      const [ended] = (await op.satu.audit.list({ event: 'session.ended' })).filter((r) => r.subject === sub);
      expect(ended).to.include({ actor: sub });
      expect(ended!.details).to.deep.include({ by: 'user', sessions: 2 });
    });

    it('shows the helpdesk on "Ini bukan saya" when one is configured', async function () {
      this.timeout(30_000);
      const withDesk = await startProvider({ regency: { helpdesk: { whatsapp: '+62 812-3456-7890', email: 'helpdesk@contoh.go.id' } } });
      try {
        const browser = newBrowser();
        let page = await browser.open(`${withDesk.local}/akun/aktivitas/bukan-saya`);
        page = await submitLogin(browser, page, 'bayu.hartono');
        expect(page.doc.querySelector('aside.helpdesk a[href^="https://wa.me/"]')?.getAttribute('href')).to.equal('https://wa.me/6281234567890');
        const done = await browser.submit(page, {}, '/bukan-saya');
        expect(done.doc.querySelector('aside.helpdesk a[href^="mailto:"]')?.text).to.equal('helpdesk@contoh.go.id');
      } finally {
        await withDesk.stop();
      }
    });
  });
});
