import { expect } from 'chai';
import type * as oidc from 'openid-client';
import { createWebauthnRepo } from '../../src/mfa/webauthn.repo.ts';
import type { Browser, Page } from '../support/browser.ts';
import { authRequest, newBrowser, signIn, stepOf, submitLogin, type SecondFactorHandler } from '../support/flow.ts';
import { createPhone, recoveryCodesOn, steppingClock } from '../support/phone.ts';
import { rp, startProvider, type TestProvider } from '../support/provider.ts';

const errorText = (page: Page) => /role="alert"[^>]*>([^<]*)</.exec(page.html)?.[1]?.trim();
const csrfOf = (page: Page) => page.doc.querySelector('input[name=_csrf]')!.getAttribute('value')!;

describe('my security (/akun/keamanan): a person manages their own second factors', () => {
  let op: TestProvider;
  let level1: oidc.Configuration;
  let level2: oidc.Configuration;
  const time = steppingClock();
  const phone = createPhone(time);
  const answers = (username: string): SecondFactorHandler => (browser, page) => phone.answer(browser, page, username);

  before(async () => {
    op = await startProvider({}, { clock: time.clock });
    level1 = await rp(op.issuer, 'app-a');
    level2 = await rp(op.issuer, 'app-l2');
  });
  after(() => op?.stop());

  const url = (path: string) => `${op.local}${path}`;
  const subOf = async (username: string) => ((await op.satu.knex('accounts').where({ username }).first()) as { sub: string }).sub;
  const auditOf = async (event: string, sub: string) => (await op.satu.audit.list({ event })).filter((r) => r.subject === sub);
  /** Opens a page of the zone as `username`, answering whatever sign-in asks on the way. */
  const visit = async (browser: Browser, path: string, username: string) => phone.through(browser, await browser.open(url(path)), username);

  /** Signs in to my account with the password only, and adds an authenticator app there (the first factor). */
  const enrolledAtLevel1 = async (username: string) => {
    const browser = newBrowser();
    await visit(browser, '/akun', username);
    let page = await browser.open(url('/akun/keamanan/autentikator'));
    phone.secrets.set(username, page.doc.querySelector('#totp-secret')!.text.replace(/\s/g, ''));
    page = await browser.submit(page, { code: await phone.code(username) }, '/akun/keamanan/autentikator');
    const codes = recoveryCodesOn(page);
    expect(codes).to.have.length(10);
    return { browser, codes };
  };

  it('is linked from my account and says when a person has no second factor', async () => {
    const browser = newBrowser();
    const account = await visit(browser, '/akun', 'heru.handoko');
    expect(account.doc.querySelector('main a[href="/akun/keamanan"]'), 'link from /akun').to.exist;
    const page = await browser.open(url('/akun/keamanan'));
    expect(page.status).to.equal(200);
    expect(page.doc.querySelector('#no-factor')!.text).to.contain('Anda belum mengaktifkan verifikasi dua langkah');
    expect(page.doc.querySelector('#totp-state')!.text).to.equal('Belum terpasang.');
    expect(page.html).to.contain('Belum ada passkey.');
    // Nothing to renew without a factor: a clear page, not a 500.
    const codes = await browser.open(url('/akun/keamanan/kode-pemulihan'));
    expect(codes.status).to.equal(409);
    expect(errorText(codes)).to.equal('Kode pemulihan tersedia setelah Anda mengaktifkan verifikasi dua langkah.');
  });

  it('adds the first factor with the level-1 session, without a step-up, and shows the recovery codes once', async () => {
    const username = 'bayu.hartono';
    const browser = newBrowser();
    await visit(browser, '/akun', username);
    let page = await browser.open(url('/akun/keamanan/autentikator'));
    expect(page.url, 'no detour through sign-in').to.equal(url('/akun/keamanan/autentikator'));
    expect(page.doc.querySelector('img.qr')!.getAttribute('src')).to.match(/^data:image\/svg\+xml;base64,/);
    phone.secrets.set(username, page.doc.querySelector('#totp-secret')!.text.replace(/\s/g, ''));
    const wrong = await browser.submit(page, { code: '000000' }, '/akun/keamanan/autentikator');
    expect(wrong.status).to.equal(401);
    expect(errorText(wrong)).to.equal('Kode salah atau sudah kedaluwarsa.');
    expect(wrong.doc.querySelector('#totp-secret')!.text.replace(/\s/g, ''), 'the same secret again').to.equal(phone.secrets.get(username));
    page = await browser.submit(wrong, { code: await phone.code(username) }, '/akun/keamanan/autentikator');
    const codes = recoveryCodesOn(page);
    expect(codes).to.have.length(10);
    expect(page.doc.querySelector('main a[href="/akun/keamanan"]'), 'back to the list').to.exist;
    const list = await browser.open(url('/akun/keamanan'));
    expect(list.doc.querySelector('#totp-state')!.text).to.match(/^Terpasang sejak .+ WIB\.$/);
    expect(list.doc.querySelector('#codes-left')!.text).to.equal('10 kode pemulihan belum dipakai.');
    const sub = await subOf(username);
    const [enrolled] = await auditOf('mfa.totp_enrolled', sub);
    expect(enrolled).to.deep.include({ actor: sub, subject: sub, client_id: 'satu-akun-portal', details: { replaced: false } });
    // The new authenticator opens a level-2 app.
    const signedIn = await signIn(level2, newBrowser(), username, {}, answers(username));
    expect(signedIn.steps).to.deep.equal(['login', 'second-factor', 'notice']);
  });

  it('asks for both factors again (level 3) before any further change, then makes it', async () => {
    const username = 'kartika.nugroho';
    const { browser } = await enrolledAtLevel1(username);
    for (const path of ['/akun/keamanan/autentikator', '/akun/keamanan/autentikator/hapus', '/akun/keamanan/passkey', '/akun/keamanan/kode-pemulihan']) {
      const res = await browser.request(url(path));
      expect(res.status, path).to.equal(302);
      const to = new URL(res.headers.get('location')!);
      expect(`${to.origin}${to.pathname}`, path).to.equal(`${op.issuer}/auth`);
      expect(to.searchParams.get('acr_values'), path).to.equal('urn:satu-akun:loa:3');
      expect(to.searchParams.get('client_id'), path).to.equal('satu-akun-portal');
    }
    // A form posted without recent factors changes nothing and goes the same way.
    const list = await browser.open(url('/akun/keamanan'));
    const before = (await auditOf('mfa.recovery_codes_generated', await subOf(username))).length;
    const posted = await browser.request(url('/akun/keamanan/kode-pemulihan'), { method: 'POST', form: { _csrf: csrfOf(list) } });
    expect(posted.status).to.equal(302);
    expect(new URL(posted.headers.get('location')!).searchParams.get('acr_values')).to.equal('urn:satu-akun:loa:3');
    expect(await auditOf('mfa.recovery_codes_generated', await subOf(username))).to.have.length(before);
    // The password is recent: only the code is asked, then the page the person wanted.
    let page = await browser.open(url('/akun/keamanan/kode-pemulihan'));
    expect(stepOf(page)).to.equal('second-factor');
    page = await phone.through(browser, page, username);
    expect(page.url).to.equal(url('/akun/keamanan/kode-pemulihan'));
    expect(page.doc.querySelector('h1')!.text).to.equal('Buat kode pemulihan baru?');
    // Fresh now: the next change asks nothing more.
    const replace = await browser.open(url('/akun/keamanan/autentikator'));
    expect(replace.url).to.equal(url('/akun/keamanan/autentikator'));
    expect(replace.doc.querySelector('h1')!.text).to.equal('Ganti aplikasi autentikator');
    // Level 3 lasts 15 minutes: after that, a change asks again.
    time.advance(16);
    const later = await browser.request(url('/akun/keamanan/autentikator'));
    expect(later.status).to.equal(302);
    expect(new URL(later.headers.get('location')!).searchParams.get('acr_values')).to.equal('urn:satu-akun:loa:3');
  });

  it('renews recovery codes after a confirmation: an old code then fails at sign-in, a new one works', async () => {
    const username = 'togar.lumbantobing';
    const { browser, codes: old } = await enrolledAtLevel1(username);
    let page = await visit(browser, '/akun/keamanan/kode-pemulihan', username);
    expect(page.doc.querySelector('ul.consequences')!.text).to.contain('Semua kode pemulihan lama, termasuk yang belum dipakai, langsung tidak berlaku.');
    expect(page.doc.querySelector('main a[href="/akun/keamanan"]')!.text, 'a way out').to.equal('Batal');
    page = await browser.submit(page, {}, '/akun/keamanan/kode-pemulihan');
    const renewed = recoveryCodesOn(page);
    expect(renewed).to.have.length(10);
    expect(renewed.filter((c) => old.includes(c))).to.deep.equal([]);
    const sub = await subOf(username);
    expect((await auditOf('mfa.recovery_codes_generated', sub))[0]).to.deep.include({ actor: sub, client_id: 'satu-akun-portal', details: { count: 10 } });

    const useRecovery = (code: string): SecondFactorHandler => async (b, p) => {
      if (stepOf(p) !== 'second-factor') return phone.answer(b, p, username);
      const form = await b.open(new URL(p.doc.querySelector('a[href$="?method=recovery"]')!.getAttribute('href')!, p.url).href);
      return b.submit(form, { code }, '/second-factor');
    };
    const other = newBrowser();
    let signin = await other.open((await authRequest(level2)).url.href);
    signin = await submitLogin(other, signin, username);
    signin = await useRecovery(old[0]!)(other, signin);
    expect(signin.status).to.equal(401);
    expect(errorText(signin)).to.equal('Kode salah atau sudah kedaluwarsa.');
    const ok = await signIn(level2, newBrowser(), username, {}, useRecovery(renewed[0]!));
    expect(ok.tokens.claims()!.acr).to.equal('urn:satu-akun:loa:2');
  });

  it('removes the authenticator app after a confirmation: the next level-2 sign-in offers enrolment again', async () => {
    const username = 'melkianus.wattimena';
    await signIn(level2, newBrowser(), username, {}, answers(username));
    const browser = newBrowser();
    let page = await visit(browser, '/akun/keamanan/autentikator/hapus', username);
    expect(page.url).to.equal(url('/akun/keamanan/autentikator/hapus'));
    expect(page.doc.querySelector('ul.consequences')!.text).to.contain('Ini metode verifikasi dua langkah terakhir Anda');
    page = await browser.submit(page, {}, '/akun/keamanan/autentikator/hapus');
    expect(page.url).to.equal(url('/akun/keamanan?done=totp_removed'));
    expect(page.doc.querySelector('#done')!.text).to.equal('Aplikasi autentikator dihapus.');
    expect(page.doc.querySelector('#no-factor')).to.exist;
    const sub = await subOf(username);
    const [removed] = await auditOf('mfa.totp_removed', sub);
    expect(removed).to.deep.include({ actor: sub, subject: sub, client_id: 'satu-akun-portal', details: { lastFactor: true } });
    // The last factor went, so its recovery codes went with it.
    expect(await op.satu.knex('recovery_codes').where({ sub })).to.deep.equal([]);
    const again = newBrowser();
    let signin = await again.open((await authRequest(level2)).url.href);
    signin = await submitLogin(again, signin, username);
    expect(stepOf(signin)).to.equal('enrol');
  });

  it("renames and removes a passkey, and treats another person's passkey id as not found", async () => {
    const owner = 'maya.rosyid';
    const other = 'zulkifli.tanjung';
    await signIn(level2, newBrowser(), owner, {}, answers(owner));
    await signIn(level1, newBrowser(), other);
    const [ownerSub, otherSub] = [await subOf(owner), await subOf(other)];
    const repo = createWebauthnRepo(op.satu.knex);
    await repo.insert({ id: 'cred-maya-1', sub: ownerSub, publicKey: 'pQECAyYgASFYIA', counter: 0, transports: ['internal'], name: 'Laptop kantor' }, time.clock.now());
    await repo.insert({ id: 'cred-zulkifli-1', sub: otherSub, publicKey: 'pQECAyYgASFYIA', counter: 0, transports: ['usb'], name: 'Kunci Zulkifli' }, time.clock.now());

    const browser = newBrowser();
    const list = await visit(browser, '/akun/keamanan', owner);
    const row = list.doc.querySelector('tr.passkey')!;
    expect(row.querySelector('td.name')!.text).to.equal('Laptop kantor');
    expect(row.text).to.contain('Belum pernah');
    let page = await visit(browser, '/akun/keamanan/passkey/cred-maya-1/ubah', owner);
    expect(page.url).to.equal(url('/akun/keamanan/passkey/cred-maya-1/ubah'));
    expect(page.doc.querySelector('input#name')!.getAttribute('value')).to.equal('Laptop kantor');
    for (const bad of ['   ', 'x'.repeat(61), 'dua\nbaris']) {
      const refused = await browser.submit(page, { name: bad }, '/ubah');
      expect(refused.status, JSON.stringify(bad)).to.equal(400);
      expect(errorText(refused)).to.equal('Nama harus berisi 1 sampai 60 karakter dalam satu baris.');
    }
    const renamed = await browser.submit(page, { name: '  Ponsel dinas  ' }, '/ubah');
    expect(renamed.url).to.equal(url('/akun/keamanan?done=passkey_renamed'));
    expect(renamed.doc.querySelector('tr.passkey td.name')!.text).to.equal('Ponsel dinas');
    const [renaming] = await auditOf('mfa.webauthn_renamed', ownerSub);
    expect(renaming).to.deep.include({ actor: ownerSub, details: { from: 'Laptop kantor', to: 'Ponsel dinas' } });

    // Someone else's credential id, by link or by form: not found, and untouched.
    const csrf = csrfOf(renamed);
    for (const [method, action] of [['GET', 'ubah'], ['GET', 'hapus'], ['POST', 'ubah'], ['POST', 'hapus']] as const) {
      const res = await browser.open(url(`/akun/keamanan/passkey/cred-zulkifli-1/${action}`), method === 'POST' ? { method, form: { _csrf: csrf, name: 'Punya saya' } } : {});
      expect(res.status, `${method} ${action}`).to.equal(404);
      expect(errorText(res)).to.equal('Passkey ini tidak ada di akun Anda. Mungkin sudah dihapus.');
    }
    expect((await repo.find(otherSub, 'cred-zulkifli-1'))!.name).to.equal('Kunci Zulkifli');
    expect(await auditOf('mfa.webauthn_removed', otherSub)).to.deep.equal([]);

    page = await browser.open(url('/akun/keamanan/passkey/cred-maya-1/hapus'));
    expect(page.doc.querySelector('h1')!.text).to.equal('Hapus passkey "Ponsel dinas"?');
    expect(page.doc.querySelector('ul.consequences')!.text).to.contain('Metode verifikasi dua langkah Anda yang lain dan kode pemulihan tetap berlaku.');
    page = await browser.submit(page, {}, '/hapus');
    expect(page.url).to.equal(url('/akun/keamanan?done=passkey_removed'));
    expect(page.doc.querySelector('tr.passkey')).to.equal(null);
    expect(await repo.find(ownerSub, 'cred-maya-1')).to.equal(undefined);
    const [removal] = await auditOf('mfa.webauthn_removed', ownerSub);
    expect(removal).to.deep.include({ actor: ownerSub, subject: ownerSub, details: { name: 'Ponsel dinas', lastFactor: false } });
    expect(page.doc.querySelector('#codes-left')!.text, 'the authenticator app remains, and its codes').to.equal('10 kode pemulihan belum dipakai.');
  });

  it('offers the passkey ceremony for a first factor at level 1, and refuses a bad name or a forged response clearly', async () => {
    const username = 'ratna.puspitasari';
    const browser = newBrowser();
    await visit(browser, '/akun', username);
    const page = await browser.open(url('/akun/keamanan/passkey'));
    expect(page.url, 'no step-up for a first factor').to.equal(url('/akun/keamanan/passkey'));
    const options = JSON.parse(page.doc.querySelector('#webauthn-options')!.text) as { challenge: string; rp: { id: string } };
    expect(options.rp.id).to.equal('localhost');
    expect(options.challenge).to.be.a('string');
    const long = await browser.submit(page, { name: 'x'.repeat(61), response: '{}' }, '/akun/keamanan/passkey');
    expect(long.status).to.equal(400);
    expect(errorText(long)).to.equal('Nama harus berisi 1 sampai 60 karakter dalam satu baris.');
    const forged = await browser.submit(long, { name: 'Laptop', response: JSON.stringify({ id: 'AAAA', rawId: 'AAAA', type: 'public-key', response: {} }) }, '/akun/keamanan/passkey');
    expect(forged.status).to.equal(400);
    expect(errorText(forged)).to.equal('Passkey atau kunci keamanan tidak dapat diverifikasi. Coba lagi.');
    expect(await createWebauthnRepo(op.satu.knex).list(await subOf(username))).to.deep.equal([]);
  });

  it('refuses a change posted without the CSRF token, and changes nothing', async () => {
    const username = 'heru.handoko';
    await signIn(level2, newBrowser(), username, {}, answers(username));
    const browser = newBrowser();
    const page = await visit(browser, '/akun/keamanan/kode-pemulihan', username);
    expect(page.doc.querySelector('h1')!.text).to.equal('Buat kode pemulihan baru?');
    const sub = await subOf(username);
    const before = (await op.satu.audit.list({ actor: sub })).length;
    for (const path of ['/akun/keamanan/kode-pemulihan', '/akun/keamanan/autentikator/hapus']) {
      for (const form of [{}, { _csrf: 'forged' }] as Record<string, string>[]) {
        const res = await browser.open(url(path), { method: 'POST', form });
        expect(res.status, path).to.equal(403);
        expect(errorText(res)).to.equal('Formulir ini sudah kedaluwarsa. Muat ulang halaman lalu coba lagi.');
      }
    }
    expect(await op.satu.audit.list({ actor: sub })).to.have.length(before);
    expect((await browser.open(url('/akun/keamanan'))).doc.querySelector('#totp-state')!.text).to.match(/^Terpasang sejak/);
  });
});
