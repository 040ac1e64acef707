import { expect } from 'chai';
import type * as oidc from 'openid-client';
import { createWebauthnRepo } from '../../src/mfa/webauthn.repo.ts';
import type { Browser, Page } from '../support/browser.ts';
import { authRequest, newBrowser, signIn, stepOf, submitLogin, type SecondFactorHandler } from '../support/flow.ts';
import { createPhone, steppingClock } from '../support/phone.ts';
import { rp, startProvider, type TestProvider } from '../support/provider.ts';

const errorText = (page: Page) => /role="alert"[^>]*>([^<]*)</.exec(page.html)?.[1]?.trim();
const csrfOf = (page: Page) => page.doc.querySelector('input[name=_csrf]')!.getAttribute('value')!;
const REASON = 'Ponsel hilang, dilaporkan lewat atasan (tiket 2026-041)';

/** A Satu Akun with a stepping clock and a phone that answers every sign-in step; helpers over it. */
const world = (overrides: Record<string, unknown> = {}) => {
  const time = steppingClock();
  const phone = createPhone(time);
  const w = {
    op: undefined as unknown as TestProvider,
    level2: undefined as unknown as oidc.Configuration,
    phone,
    time,
    start: async () => {
      w.op = await startProvider(overrides, { clock: time.clock });
      w.level2 = await rp(w.op.issuer, 'app-l2');
    },
    url: (path: string) => `${w.op.local}${path}`,
    subOf: async (username: string) => ((await w.op.satu.knex('accounts').where({ username }).first()) as { sub: string }).sub,
    answers: (username: string): SecondFactorHandler => (browser, page) => phone.answer(browser, page, username),
    /** Gives `username` an authenticator app (and ten recovery codes) through enrolment on demand at a level-2 app. */
    enrol: async (username: string) => void (await signIn(w.level2, newBrowser(), username, {}, w.answers(username))),
    /** Opens a page as `username`, answering whatever sign-in asks on the way (the console is level 3). */
    visit: async (browser: Browser, path: string, username: string) => phone.through(browser, await browser.open(w.url(path)), username),
    /** What is stored for `sub`: TOTP rows, passkeys, recovery codes. */
    stored: async (sub: string) => ({
      totp: (await w.op.satu.knex('totp_credentials').where({ sub })).length,
      passkeys: (await w.op.satu.knex('webauthn_credentials').where({ sub })).length,
      codes: (await w.op.satu.knex('recovery_codes').where({ sub })).length,
    }),
  };
  return w;
};

describe("admin console: resetting a person's second factors", () => {
  describe('with the sample roles', () => {
    const w = world();
    before(() => w.start());
    after(() => w.op?.stop());

    it('an administrator looks a person up and resets all their second factors with a reason; the reset is audited', async () => {
      const person = 'rudi.hartono';
      await w.enrol(person);
      const personSub = await w.subOf(person);
      await createWebauthnRepo(w.op.satu.knex).insert({ id: 'cred-rudi-1', sub: personSub, publicKey: 'pQECAyYgASFYIA', counter: 0, transports: ['usb'], name: 'Kunci sekolah' }, w.time.clock.now());

      const browser = newBrowser();
      const home = await w.visit(browser, '/admin', 'andi.wijaya');
      expect(home.url).to.equal(w.url('/admin'));
      expect(home.doc.querySelector('#roles')!.text).to.contain('Administrator');
      expect(home.doc.querySelector('#tools a[href="/admin/orang"]'), 'link to people').to.exist;

      const found = await browser.open(w.url('/admin/orang?login=rudi.hartono'));
      expect(found.doc.querySelector('#person-name')!.text).to.equal('Rudi Hartono');
      const summary = found.doc.querySelector('#factors')!.text;
      expect(summary).to.contain('Aplikasi autentikator: terpasang').and.contain('Passkey: 1').and.contain('Kode pemulihan belum dipakai: 10');

      let page = await browser.open(new URL(found.doc.querySelector('a[href^="/admin/orang/reset"]')!.getAttribute('href')!, found.url).href);
      expect(page.doc.querySelector('h1')!.text).to.equal('Atur ulang verifikasi dua langkah Rudi Hartono?');
      const consequences = page.doc.querySelector('ul.consequences')!.text;
      expect(consequences).to.contain('Semua metode verifikasi dua langkah orang ini dihapus').and.contain('harus mengaktifkan verifikasi dua langkah lagi').and.contain('jejak audit');
      expect(page.doc.querySelector(`a[href="/admin/orang?login=rudi.hartono"]`)!.text, 'a way out').to.equal('Batal');

      const short = await browser.submit(page, { reason: ' hilang   ' }, '/admin/orang/reset');
      expect(short.status).to.equal(400);
      expect(errorText(short)).to.equal('Tuliskan alasan minimal 10 karakter.');
      const noToken = await browser.open(w.url('/admin/orang/reset'), { method: 'POST', form: { login: person, reason: REASON } });
      expect(noToken.status).to.equal(403);
      expect(await w.stored(personSub)).to.deep.equal({ totp: 1, passkeys: 1, codes: 10 });

      page = await browser.submit(short, { reason: REASON }, '/admin/orang/reset');
      expect(page.url).to.equal(w.url('/admin/orang?login=rudi.hartono&done=reset'));
      expect(page.doc.querySelector('#done')!.text).to.equal('Verifikasi dua langkah Rudi Hartono telah diatur ulang, dan semua sesinya diakhiri.');
      expect(page.doc.querySelector('#factors')!.text).to.contain('Aplikasi autentikator: tidak ada').and.contain('Passkey: 0');
      expect(page.html).to.contain('tidak ada yang perlu diatur ulang');
      expect(await w.stored(personSub)).to.deep.equal({ totp: 0, passkeys: 0, codes: 0 });

      const resets = await w.op.satu.audit.list({ event: 'mfa.reset' });
      expect(resets).to.have.length(1);
      expect(resets[0]).to.deep.include({
        actor: await w.subOf('andi.wijaya'),
        subject: personSub,
        client_id: 'satu-akun-admin',
        details: { reason: REASON, removed: { authenticatorApp: true, passkeys: 1, recoveryCodes: 10 } },
      });
      expect((await w.op.satu.audit.verify()).ok).to.equal(true);

      // The person enrols again at their next level-2 sign-in.
      const again = newBrowser();
      let signin = await again.open((await authRequest(w.level2)).url.href);
      signin = await submitLogin(again, signin, person);
      expect(stepOf(signin)).to.equal('enrol');
    });

    it('says when a person has never signed in (no factors, nothing to reset) and when a login is unknown', async () => {
      const browser = newBrowser();
      await w.visit(browser, '/admin', 'andi.wijaya');
      const never = await browser.open(w.url('/admin/orang?login=yanti.pakpahan'));
      expect(never.status).to.equal(200);
      expect(never.doc.querySelector('#factors')!.text).to.equal('Orang ini belum pernah masuk ke Satu Akun, sehingga belum mengaktifkan verifikasi dua langkah.');
      expect(never.doc.querySelector('a[href^="/admin/orang/reset"]')).to.equal(null);
      const reset = await browser.open(w.url('/admin/orang/reset?login=yanti.pakpahan'));
      expect(reset.status).to.equal(409);
      expect(errorText(reset)).to.equal('Orang ini belum mengaktifkan verifikasi dua langkah; tidak ada yang diatur ulang.');
      const unknown = await browser.open(w.url('/admin/orang?login=tidak.ada'));
      expect(unknown.status).to.equal(404);
      expect(unknown.doc.querySelector('#not-found')!.text).to.equal('Tidak ada pegawai "tidak.ada" di direktori.');
    });

    it('asks the administrator to prove both factors again when level 3 is older than 15 minutes', async () => {
      await w.enrol('bayu.hartono');
      const browser = newBrowser();
      const home = await w.visit(browser, '/admin', 'andi.wijaya');
      w.time.advance(16);
      const confirm = await browser.request(w.url('/admin/orang/reset?login=bayu.hartono'));
      const posted = await browser.request(w.url('/admin/orang/reset'), { method: 'POST', form: { _csrf: csrfOf(home), login: 'bayu.hartono', reason: REASON } });
      for (const res of [confirm, posted]) {
        expect(res.status).to.equal(302);
        const to = new URL(res.headers.get('location')!);
        expect(`${to.origin}${to.pathname}`).to.equal(`${w.op.issuer}/auth`);
        expect(to.searchParams.get('acr_values')).to.equal('urn:satu-akun:loa:3');
        expect(to.searchParams.get('client_id')).to.equal('satu-akun-admin');
      }
      expect(await w.stored(await w.subOf('bayu.hartono'))).to.deep.equal({ totp: 1, passkeys: 0, codes: 10 });
      // Proving them again leads back to the confirmation.
      const page = await w.visit(browser, '/admin/orang/reset?login=bayu.hartono', 'andi.wijaya');
      expect(page.doc.querySelector('h1')!.text).to.equal('Atur ulang verifikasi dua langkah Bayu Hartono?');
    });

    it('lets a reviewer into the console but not to people or resets (403)', async () => {
      await w.enrol('heru.handoko');
      const browser = newBrowser();
      const home = await w.visit(browser, '/admin', 'siti.rahmawati');
      expect(home.url).to.equal(w.url('/admin'));
      expect(home.doc.querySelector('#roles')!.text).to.contain('Peninjau aplikasi');
      expect(home.doc.querySelector('a[href="/admin/orang"]'), 'no link to people').to.equal(null);
      const people = await browser.open(w.url('/admin/orang?login=heru.handoko'));
      expect(people.status).to.equal(403);
      expect(errorText(people)).to.equal('Peran Anda tidak mengizinkan tindakan ini. Mencari pegawai hanya untuk administrator, admin OPD, dan helpdesk.');
      const before = (await w.op.satu.audit.list({ event: 'mfa.reset' })).length;
      const posted = await browser.open(w.url('/admin/orang/reset'), { method: 'POST', form: { _csrf: csrfOf(home), login: 'heru.handoko', reason: REASON } });
      expect(posted.status).to.equal(403);
      expect(await w.stored(await w.subOf('heru.handoko'))).to.deep.equal({ totp: 1, passkeys: 0, codes: 10 });
      expect(await w.op.satu.audit.list({ event: 'mfa.reset' })).to.have.length(before);
    });
  });

  describe('with an agency administrator', () => {
    const w = world({ roles: { administrator: [{ login: 'andi.wijaya' }], agencyAdministrator: [{ login: 'bambang.susilo', agency: 'DINKES' }] } });
    before(() => w.start());
    after(() => w.op?.stop());

    it('resets the staff of their own agency only; another agency is refused (403)', async () => {
      await w.enrol('rudi.hartono'); // Dinas Pendidikan
      await w.enrol('dewi.lestari'); // Dinas Kesehatan
      const browser = newBrowser();
      const home = await w.visit(browser, '/admin', 'bambang.susilo');
      expect(home.doc.querySelector('#roles')!.text).to.contain('Admin OPD (DINKES)');
      expect(home.doc.querySelector('#tools a[href="/admin/orang"]')).to.exist;

      const outside = 'Sebagai admin OPD, Anda hanya dapat mengelola pegawai DINKES.';
      const lookup = await browser.open(w.url('/admin/orang?login=rudi.hartono'));
      expect(lookup.status).to.equal(403);
      expect(errorText(lookup)).to.equal(outside);
      const confirm = await browser.open(w.url('/admin/orang/reset?login=rudi.hartono'));
      expect(confirm.status).to.equal(403);
      const posted = await browser.open(w.url('/admin/orang/reset'), { method: 'POST', form: { _csrf: csrfOf(home), login: 'rudi.hartono', reason: REASON } });
      expect(posted.status).to.equal(403);
      expect(errorText(posted)).to.equal(outside);
      expect(await w.stored(await w.subOf('rudi.hartono'))).to.deep.equal({ totp: 1, passkeys: 0, codes: 10 });
      expect(await w.op.satu.audit.list({ event: 'mfa.reset' })).to.deep.equal([]);

      let page = await browser.open(w.url('/admin/orang/reset?login=dewi.lestari'));
      expect(page.doc.querySelector('h1')!.text).to.equal('Atur ulang verifikasi dua langkah Dewi Lestari?');
      page = await browser.submit(page, { reason: REASON }, '/admin/orang/reset');
      expect(page.url).to.equal(w.url('/admin/orang?login=dewi.lestari&done=reset'));
      const [reset] = await w.op.satu.audit.list({ event: 'mfa.reset' });
      expect(reset).to.deep.include({ actor: await w.subOf('bambang.susilo'), subject: await w.subOf('dewi.lestari') });
      expect(await w.stored(await w.subOf('dewi.lestari'))).to.deep.equal({ totp: 0, passkeys: 0, codes: 0 });
    });
  });
});
