import { expect } from 'chai';
import { decodeProtectedHeader } from 'jose';
import * as oidc from 'openid-client';
import { generate } from 'otplib';
import type { Actor } from '../../src/clients/apps.service.ts';
import { actors, registration as sampleRegistration } from '../support/apps.ts';
import { formFields, type Browser, type Page } from '../support/browser.ts';
import { steppingClock } from '../support/clock.ts';
import { authRequest, newBrowser, signIn, stepOf, submitLogin, type SecondFactorHandler } from '../support/flow.ts';
import { startProvider, type TestProvider } from '../support/provider.ts';

const { developer } = actors;
const APP_URI = 'https://puskesmas.contoh.go.id/cb';
const OLD_URI = 'https://puskesmas.contoh.go.id/cb-lama';
const NEW_URI = 'https://puskesmas.contoh.go.id/callback-baru';
const PARTNER_URI = 'https://puskesmas-mitra.example.net/cb';

const registration = (overrides: Record<string, unknown> = {}) =>
  sampleRegistration({
    redirect_uris: [APP_URI, OLD_URI, PARTNER_URI].join('\n'),
    redirect_justification: 'Mitra pengembang menjalankan portal rujukan di domainnya sendiri sampai migrasi 2027.',
    ...overrides,
  });

/** Submits a page's form as a browser would, with `changes` (null: the field is not sent, e.g. a box unticked). */
const post = (browser: Browser, page: Page, actionEndsWith: string, changes: Record<string, string | null> = {}) => {
  const { action, fields } = formFields(page, actionEndsWith);
  for (const [name, value] of Object.entries(changes)) {
    if (value === null) delete fields[name];
    else fields[name] = value;
  }
  return browser.open(action, { method: 'POST', form: fields });
};

const text = (page: Page, selector: string) => page.doc.querySelector(selector)?.text.replace(/\s+/g, ' ').trim() ?? '';

/** The reviewers' pages of the admin console (issue 4), driven through real forms by people of the sample directory. */
describe('admin console: app reviews (/admin/aplikasi)', () => {
  let op: TestProvider;
  let siti: Browser;
  let clientId = '';
  const time = steppingClock();
  /** Siti's authenticator, kept to answer her step-up later. */
  let sitiFactor: SecondFactorHandler;
  const rpFor = (id: string, secret: string) =>
    oidc.discovery(new URL(op.issuer), id, { id_token_signed_response_alg: 'RS256', redirect_uri: APP_URI }, oidc.ClientSecretBasic(secret), { execute: [oidc.allowInsecureRequests] });

  /** An authenticator per person, on Satu Akun's clock: enrols at the first level-2/3 sign-in, then gives codes. */
  const authenticator = (): SecondFactorHandler => {
    let secret = '';
    const code = () => generate({ secret, epoch: time.epoch() });
    return async (browser, page) => {
      const step = stepOf(page);
      if (step === 'enrol') {
        secret = page.doc.querySelector('#totp-secret')!.text.replace(/\s/g, '');
        return browser.submit(page, { code: await code() }, '/enrol');
      }
      if (step === 'recovery-codes') return browser.submit(page, {}, '/continue');
      if (step === 'second-factor') return browser.submit(page, { code: await code() }, '/second-factor');
      throw new Error(`unexpected step ${step}`);
    };
  };

  /** Signs in to the admin console (level 3: password, then a second factor set up on the spot) and opens `path`. */
  const consoleBrowser = async (username: string, path = '/admin/aplikasi', factor = authenticator()) => {
    const browser = newBrowser();
    let page = await browser.open(`${op.local}${path}`);
    for (let step = stepOf(page), n = 0; step !== 'other'; step = stepOf(page), n++) {
      if (n > 6) throw new Error(`console sign-in loops at ${step}`);
      page = step === 'login' ? await submitLogin(browser, page, username) : await factor(browser, page);
    }
    return { browser, page };
  };

  const detail = (browser: Browser, id = clientId) => browser.open(`${op.local}/admin/aplikasi/${encodeURIComponent(id)}`);

  before(async () => {
    op = await startProvider(
      {
        roles: {
          administrator: [{ login: 'andi.wijaya' }],
          reviewer: [{ login: 'siti.rahmawati' }],
          developer: [{ login: 'dewi.lestari' }],
          auditor: [{ login: 'bambang.susilo' }],
        agencyAdministrator: [{ login: 'yanti.pakpahan', agency: 'KEC-SUKAMAJU' }],
        },
      },
      { clock: time.clock },
    );
    clientId = await op.satu.apps.createDraft(developer, registration());
    await op.satu.apps.submit(developer, clientId);
    // Submitted three days ago, as far as the queue can tell.
    await op.satu.knex('app_versions').where({ client_id: clientId, version: 1 }).update({ submitted_at: new Date(Date.now() - 3 * 86_400_000 - 60_000).toISOString() });
    sitiFactor = authenticator();
    siti = (await consoleBrowser('siti.rahmawati', '/admin/aplikasi', sitiFactor)).browser;
  });
  after(() => op?.stop());

  it('lists the submitted registration in the queue with its agency, kind, level, request and age, and filters', async () => {
    const page = await siti.open(`${op.local}/admin/aplikasi`);
    expect(page.status).to.equal(200);
    const row = page.doc.querySelector(`tr[data-client-id="${clientId}"]`);
    expect(row, 'listed while awaiting review').to.exist;
    const cells = row!.querySelectorAll('td').map((td) => td.text.replace(/\s+/g, ' ').trim());
    expect(cells[0]).to.contain('Sistem Informasi Puskesmas');
    expect(cells[1]).to.equal('DINKES');
    expect(cells[2]).to.equal('Aplikasi khusus (untuk satu perangkat daerah)');
    expect(cells[3]).to.equal('Tingkat 1');
    expect(cells[4]).to.equal('Pendaftaran baru');
    expect(cells[5]).to.contain('3 hari yang lalu');
    expect(page.doc.querySelectorAll('select#agency option').map((o) => o.getAttribute('value'))).to.include('DINKES');

    const listed = async (query: string) => !!(await siti.open(`${op.local}/admin/aplikasi?${query}`)).doc.querySelector(`tr[data-client-id="${clientId}"]`);
    expect(await listed('older_than=2'), 'submitted more than 2 days ago').to.equal(true);
    expect(await listed('older_than=4'), 'not more than 4 days ago').to.equal(false);
    expect(await listed('agency=DINKES')).to.equal(true);
    expect(await listed('agency=DISDIK')).to.equal(false);
    expect(await listed('status=active'), 'not active yet').to.equal(false);
    expect(await listed('status=all&sort=newest')).to.equal(true);
    // Nonsense filters fall back to the defaults instead of failing.
    const odd = await siti.open(`${op.local}/admin/aplikasi?status=%3Cx%3E&agency=%00&older_than=-1&sort=x`);
    expect(odd.status).to.equal(200);
    expect(odd.doc.querySelector(`tr[data-client-id="${clientId}"]`)).to.exist;
  });

  it('shows every field with the verdict on each address, the justification and the history', async () => {
    const page = await detail(siti);
    expect(page.status).to.equal(200);
    expect(text(page, 'h1')).to.equal('Sistem Informasi Puskesmas');
    expect(text(page, '#registration')).to.contain('Dewi Lestari').and.contain('dewi.lestari@contoh.go.id').and.contain('Produksi (production)');
    const verdicts = page.doc.querySelectorAll('#redirects tbody tr').map((tr) => [tr.querySelector('code')!.text, tr.querySelector('strong')!.text]);
    expect(verdicts).to.deep.equal([
      [APP_URI, 'Diizinkan'],
      [OLD_URI, 'Diizinkan'],
      [PARTNER_URI, 'Perlu pengecualian'],
    ]);
    expect(text(page, '#redirects')).to.contain('di luar domain pemerintah kabupaten');
    expect(text(page, '#justification')).to.contain('Mitra pengembang menjalankan portal rujukan');
    expect(text(page, '#scopes')).to.contain('Mencocokkan petugas dengan data kepegawaian');
    expect(text(page, '#signing-alg'), 'a registration that names no algorithm: RS256').to.equal('RS256 (RSA): didukung semua pustaka OpenID Connect');
    expect(text(page, '#app-roles-none')).to.equal('Aplikasi ini tidak mencantumkan peran.');
    expect(page.doc.querySelector('#app-roles'), 'no table of roles').to.equal(null);
    expect(page.doc.querySelectorAll('#history tbody tr').map((tr) => tr.querySelectorAll('td')[1]!.text.trim().split('\n')[0])).to.deep.equal(['Draf dibuat (versi 1)', 'Diajukan untuk ditinjau (versi 1)']);
    expect(text(page, '#not-live')).to.contain('belum pernah disetujui');
  });

  it('asks for a reason, keeping what the reviewer entered', async () => {
    const page = await post(siti, await detail(siti), '/keputusan', { outcome: 'approved', reason: '', level: '2', scope_nip: null });
    expect(page.status).to.equal(400);
    expect(text(page, '#decision-error')).to.equal('Tuliskan alasan, paling sedikit 10 karakter.');
    expect(page.doc.querySelector('input[name=outcome][value=approved]')!.hasAttribute('checked')).to.equal(true);
    expect(page.doc.querySelector('select#level option[selected]')!.getAttribute('value')).to.equal('2');
    expect(page.doc.querySelector('input[name=scope_nip]')!.hasAttribute('checked'), 'the unticked box stays unticked').to.equal(false);
    expect(page.doc.querySelector('input[name=scope_email]')!.hasAttribute('checked')).to.equal(true);
    expect((await op.satu.apps.detail(developer, clientId)).app.status).to.equal('submitted');
  });

  it('refuses an approval while an exception address is not accepted, naming it', async () => {
    const page = await detail(siti);
    const box = page.doc.querySelector(`input[name^=accept_][value="${PARTNER_URI}"]`);
    expect(box, 'one box per exception address').to.exist;
    expect(box!.hasAttribute('checked'), 'never accepted by default').to.equal(false);
    const refused = await post(siti, page, '/keputusan', { outcome: 'approved', reason: 'Sesuai kebutuhan layanan puskesmas' });
    expect(refused.status).to.equal(400);
    expect(text(refused, '#decision-error')).to.contain('harus diterima secara eksplisit').and.contain(PARTNER_URI);
    expect(refused.doc.querySelector('textarea#reason')!.text).to.equal('Sesuai kebutuhan layanan puskesmas');
    // Switching language there (a GET of the form's address) shows the app's page, in English.
    const english = await siti.open(new URL(refused.doc.querySelector('a.lang')!.getAttribute('href')!, refused.url).href);
    expect(english.url).to.equal(`${op.local}/admin/aplikasi/${clientId}?lang=en`);
    expect(text(english, '#decide-title')).to.equal('Decision');
    await siti.open(`${op.local}/admin/aplikasi?lang=id`);
    expect((await op.satu.apps.detail(developer, clientId)).app.status).to.equal('submitted');
  });

  it('checks the level-3 settings at the edge', async () => {
    const base = { outcome: 'approved', reason: 'Sesuai kebutuhan layanan puskesmas', accept_0: PARTNER_URI };
    const notLevel3 = await post(siti, await detail(siti), '/keputusan', { ...base, level: '2', networks: '10.20.0.0/16' });
    expect(text(notLevel3, '#decision-error')).to.contain('hanya berlaku untuk tingkat 3');
    const badRange = await post(siti, await detail(siti), '/keputusan', { ...base, level: '3', networks: '10.20.0.0/16\n10.300.0.0/16' });
    expect(badRange.status).to.equal(400);
    expect(text(badRange, '#decision-error')).to.contain('"10.300.0.0/16" bukan rentang jaringan CIDR');
    const badAge = await post(siti, await detail(siti), '/keputusan', { ...base, level: '3', max_factor_age: '90' });
    expect(text(badAge, '#decision-error')).to.contain('antara 5 dan 60');
    const noOutcome = await post(siti, await detail(siti), '/keputusan', { reason: 'Sesuai kebutuhan layanan puskesmas' });
    expect(text(noOutcome, '#decision-error')).to.contain('Pilih keputusan');
  });

  it('approves with level 2 and fewer data than requested; the app then releases only that', async () => {
    const page = await post(siti, await detail(siti), '/keputusan', {
      outcome: 'approved',
      reason: 'Email dan NIP tidak diperlukan untuk tampilan jadwal',
      level: '2',
      scope_email: null,
      scope_nip: null,
      accept_0: PARTNER_URI,
    });
    expect(page.status).to.equal(200);
    expect(new URL(page.url).searchParams.get('done')).to.equal('approved');
    expect(text(page, '#done')).to.contain('disetujui');
    expect(text(page, '#app-status')).to.equal('Aktif');
    expect(text(page, '#live-level')).to.equal('Tingkat 2: kata sandi dan verifikasi dua langkah');
    expect(text(page, '#live-scopes')).to.equal('openid, profile');
    expect(text(page, '#nothing-waiting')).to.contain('Tidak ada versi yang menunggu');
    expect(text(page, '#history')).to.contain('Email dan NIP tidak diperlukan untuk tampilan jadwal');

    const secret = await op.satu.apps.rotateSecret(developer, clientId, 0);
    const config = await rpFor(clientId, secret);
    const { tokens } = await signIn(config, newBrowser(), 'rudi.hartono', { scope: 'openid profile' }, authenticator());
    expect(tokens.claims()!.acr, 'the final level is the reviewer’s').to.equal('urn:satu-akun:loa:2');
    expect(tokens.scope?.split(' ').sort()).to.deep.equal(['openid', 'profile']);
    const info = await oidc.fetchUserInfo(config, tokens.access_token, tokens.claims()!.sub);
    expect(info.name).to.equal('Rudi Hartono');
    expect(info).not.to.have.property('email');
    expect(info).not.to.have.property('nip');
  });

  it('shows what a change request changes, with the old and the new redirect URI and ID-token algorithm', async () => {
    await op.satu.apps.saveDraft(developer, clientId, registration({ redirect_uris: [APP_URI, NEW_URI, PARTNER_URI].join('\n'), id_token_signed_response_alg: 'ES256' }));
    await op.satu.apps.submit(developer, clientId);
    const queue = await siti.open(`${op.local}/admin/aplikasi`);
    expect(text(queue, `tr[data-client-id="${clientId}"] td.request`)).to.equal('Usulan perubahan');

    const page = await detail(siti);
    expect(text(page, '#waiting')).to.contain('Usulan perubahan (versi 2)');
    const removed = page.doc.querySelectorAll('#diff tr.diff-removed');
    const added = page.doc.querySelectorAll('#diff tr.diff-added');
    expect(removed.map((tr) => tr.querySelector('del')!.text)).to.deep.equal([OLD_URI]);
    expect(added.map((tr) => tr.querySelector('ins')!.text)).to.deep.equal([NEW_URI]);
    expect(text(page, '#diff')).to.contain('Alamat pengalihan (redirect URI)');
    const changed = page.doc.querySelectorAll('#diff tr.diff-changed').map((tr) => [tr.querySelector('th')!.text, tr.querySelector('del')!.text, tr.querySelector('ins')!.text]);
    expect(changed).to.deep.equal([
      ['Algoritma tanda tangan ID token', 'RS256 (RSA): didukung semua pustaka OpenID Connect', 'ES256 (ECDSA P-256): dianjurkan bila pustaka aplikasi mendukungnya'],
    ]);
    expect(text(page, '#signing-alg'), 'the version under review').to.equal('ES256 (ECDSA P-256): dianjurkan bila pustaka aplikasi mendukungnya');
    expect(page.doc.querySelector('form[action$="/keputusan"]'), 'the change can be decided').to.exist;
    // The form starts from the request; what is live now is marked, so approving does not silently widen it.
    expect(text(page, 'select#level option[value="2"]')).to.contain('(berlaku sekarang)');
    expect(text(page, 'select#level option[selected]')).to.contain('(diminta)');
    expect(page.doc.querySelector('input[name=scope_email]')!.parentNode!.text).to.contain('belum diberikan saat ini');
    expect(page.doc.querySelector('input[name=scope_profile]')!.parentNode!.text).not.to.contain('belum diberikan saat ini');
    // The live decision is still the one in force.
    expect(text(page, '#live-scopes')).to.equal('openid, profile');
  });

  it('suspends through a page that says what will happen and wants a reason; sign-in stops at once', async () => {
    const secret = await op.satu.apps.rotateSecret(developer, clientId, 0);
    const page = await detail(siti);
    const link = page.doc.querySelector('#control a.control-suspend');
    expect(link, 'a suspend button').to.exist;
    expect(page.doc.querySelector('#control a.control-reinstate'), 'nothing to reinstate').to.equal(null);
    const confirm = await siti.open(new URL(link!.getAttribute('href')!, page.url).href);
    expect(confirm.status).to.equal(200);
    expect(text(confirm, '#consequences')).to.contain('Seketika tidak ada pegawai yang dapat masuk').and.contain('dicabut saat ini juga');
    expect(confirm.doc.querySelector('a#cancel')!.getAttribute('href')).to.equal(`/admin/aplikasi/${clientId}`);

    const noReason = await post(siti, confirm, '/tangguhkan', { reason: 'singkat' });
    expect(noReason.status).to.equal(400);
    expect(text(noReason, '#reason-error')).to.equal('Tuliskan alasan, paling sedikit 10 karakter.');
    expect((await op.satu.apps.detail(developer, clientId)).app.status).to.equal('active');

    const done = await post(siti, noReason, '/tangguhkan', { reason: 'Ditemukan kebocoran data di server mitra' });
    expect(new URL(done.url).searchParams.get('done')).to.equal('suspend');
    expect(text(done, '#app-status')).to.equal('Ditangguhkan');
    expect(done.doc.querySelector('#control a.control-reinstate'), 'now it can be reinstated').to.exist;
    expect(text(done, '#history')).to.contain('Ditemukan kebocoran data di server mitra');

    const { url } = await authRequest(await rpFor(clientId, secret), { scope: 'openid profile' });
    const refused = await newBrowser().open(url.href);
    expect(refused.status).to.equal(400);
    expect(refused.html).to.contain('invalid_client');
  });

  it('approves an app that chose ES256, which then signs its ID tokens with ES256', async () => {
    const other = await op.satu.apps.createDraft(developer, registration({ name: 'Aplikasi Rujukan Puskesmas', id_token_signed_response_alg: 'ES256' }));
    await op.satu.apps.submit(developer, other);
    const page = await detail(siti, other);
    expect(text(page, '#signing-alg')).to.equal('ES256 (ECDSA P-256): dianjurkan bila pustaka aplikasi mendukungnya');
    const approved = await post(siti, page, '/keputusan', { outcome: 'approved', reason: 'Rujukan antarpuskesmas dibutuhkan Dinkes', accept_0: PARTNER_URI });
    expect(new URL(approved.url).searchParams.get('done')).to.equal('approved');
    const secret = await op.satu.apps.rotateSecret(developer, other, 0);
    const config = await oidc.discovery(new URL(op.issuer), other, { id_token_signed_response_alg: 'ES256', redirect_uri: APP_URI }, oidc.ClientSecretBasic(secret), { execute: [oidc.allowInsecureRequests] });
    const { tokens } = await signIn(config, newBrowser(), 'yanti.pakpahan', { scope: 'openid profile' });
    expect(decodeProtectedHeader(tokens.id_token!).alg).to.equal('ES256');
  });

  it('lets an auditor read everything but decide nothing', async () => {
    const other = await op.satu.apps.createDraft(developer, registration({ name: 'Aplikasi Jadwal Vaksinasi' }));
    await op.satu.apps.submit(developer, other);
    const { browser, page: queue } = await consoleBrowser('bambang.susilo');
    expect(queue.doc.querySelector(`tr[data-client-id="${other}"]`), 'the auditor sees the queue').to.exist;
    const page = await detail(browser, other);
    expect(page.status).to.equal(200);
    expect(text(page, '#registration')).to.contain('Aplikasi Jadwal Vaksinasi');
    expect(page.doc.querySelector('form[action$="/keputusan"]')).to.equal(null);
    expect(text(page, '#cannot-decide')).to.contain('auditor');
    expect(page.doc.querySelector('#control'), 'no control buttons').to.equal(null);
    // Nor by hand: the forms answer 403.
    const csrf = page.doc.querySelector('input[name=_csrf]')!.getAttribute('value')!;
    const forced = await browser.open(`${op.local}/admin/aplikasi/${other}/keputusan`, { method: 'POST', form: { _csrf: csrf, version: '1', outcome: 'rejected', reason: 'Auditor mencoba memutuskan' } });
    expect(forced.status).to.equal(403);
    const suspend = await browser.open(`${op.local}/admin/aplikasi/${clientId}/pulihkan`);
    expect(suspend.status).to.equal(403);
    expect((await op.satu.apps.detail(developer, other)).app.status).to.equal('submitted');
    // Not even an app of the auditor's own agency, which the lifecycle lets its people retire (review finding).
    const bambang = (await op.satu.knex('accounts').where({ username: 'bambang.susilo' }).first()) as { sub: string };
    const inspektorat: Actor = { sub: bambang.sub, username: 'bambang.susilo', agency: 'INSPEKTORAT', roles: [{ role: 'auditor' }] };
    const own = await op.satu.apps.createDraft(inspektorat, registration({ name: 'Aplikasi Pemeriksaan Inspektorat', agency: 'INSPEKTORAT' }));
    const retire = await browser.open(`${op.local}/admin/aplikasi/${own}/hentikan`, { method: 'POST', form: { _csrf: csrf, reason: 'Auditor mencoba menghentikan aplikasi' } });
    expect(retire.status).to.equal(403);
    expect((await op.satu.apps.detail(inspektorat, own)).app.status).to.equal('draft');
  });

  it('tells a reviewer she cannot decide on an app she registered herself', async () => {
    const account = (await op.satu.knex('accounts').where({ username: 'siti.rahmawati' }).first()) as { sub: string };
    const sitiAsOwner: Actor = { sub: account.sub, username: 'siti.rahmawati', agency: 'DISKOMINFO', roles: [{ role: 'reviewer' }] };
    const own = await op.satu.apps.createDraft(sitiAsOwner, registration({ name: 'Portal Data Diskominfo', agency: 'DISKOMINFO' }));
    await op.satu.apps.submit(sitiAsOwner, own);
    const page = await detail(siti, own);
    expect(page.status).to.equal(200);
    expect(page.doc.querySelector('form[action$="/keputusan"]')).to.equal(null);
    expect(text(page, '#cannot-decide')).to.contain('tidak dapat memutuskan pendaftaran aplikasi yang Anda daftarkan');
  });

  it('refuses a decision on a version someone else decided meanwhile, and says so', async () => {
    const other = await op.satu.apps.createDraft(developer, registration({ name: 'Aplikasi Rujukan Pasien' }));
    await op.satu.apps.submit(developer, other);
    const page = await detail(siti, other);
    const andi: Actor = { sub: 'sub-andi', username: 'andi.wijaya', agency: 'DISKOMINFO', roles: [{ role: 'administrator' }] };
    await op.satu.apps.review(andi, other, { outcome: 'changes_requested', reason: 'Tujuan data NIP belum jelas' });
    const late = await post(siti, page, '/keputusan', { outcome: 'rejected', reason: 'Sudah ada aplikasi rujukan provinsi' });
    expect(late.status).to.equal(409);
    expect(text(late, '#decision-error')).to.contain('Muat ulang halaman');
    expect(text(late, '#nothing-waiting')).to.contain('Tidak ada versi yang menunggu');
    expect((await op.satu.apps.detail(developer, other)).app.status).to.equal('changes_requested');
  });

  it('answers unknown and malformed ids with a clear 404 page', async () => {
    for (const id of ['tidak-ada-1234', 'x'.repeat(300), '%E0%A4%A', '%00', "a'b;drop", '..%2F..%2Fadmin']) {
      const page = await siti.open(`${op.local}/admin/aplikasi/${id}`);
      expect(page.status, id).to.equal(404);
      expect(text(page, 'h1'), id).to.equal('Tidak ditemukan');
    }
    expect((await siti.open(`${op.local}/admin/aplikasi/tidak-ada-1234/tangguhkan`)).status).to.equal(404);
    for (const path of [`${clientId}/hapus`, `${clientId}/tangguhkan/lagi`, 'tidak-ada-1234/keputusan']) {
      const page = await siti.open(`${op.local}/admin/aplikasi/${path}`);
      expect(page.status, path).to.equal(404);
      expect(text(page, 'h1'), path).to.equal('Tidak ditemukan');
    }
  });

  it('refuses other admin roles with a clear 403 page', async () => {
    const { page } = await consoleBrowser('yanti.pakpahan');
    expect(page.status).to.equal(403);
    expect(text(page, 'h1')).to.equal('Tidak diizinkan');
    expect(text(page, '[role=alert]')).to.contain('hanya untuk peninjau, administrator, dan auditor');
  });

  it('asks for both factors again before a decision once the sign-in is older than 15 minutes', async () => {
    const other = await op.satu.apps.createDraft(developer, registration({ name: 'Aplikasi Antrean Puskesmas' }));
    await op.satu.apps.submit(developer, other);
    const form = await detail(siti, other);
    expect(form.doc.querySelector('form[action$="/keputusan"]'), 'fresh: the form').to.exist;
    time.advance(16);
    const stale = await detail(siti, other);
    expect(stale.doc.querySelector('form[action$="/keputusan"]'), 'stale: no form').to.equal(null);
    expect(stale.doc.querySelector('#decide a.button')!.getAttribute('href')).to.equal(`/admin/masuk?fresh=1&next=${encodeURIComponent(`/admin/aplikasi/${other}`)}`);
    // A form kept open past the window decides nothing; the reviewer proves both factors and comes back to the app.
    const asked = await post(siti, form, '/keputusan', { outcome: 'rejected', reason: 'Sudah ada aplikasi antrean provinsi' });
    // Level 3 wants both factors within 15 minutes: the password again, then the code.
    expect(stepOf(asked)).to.equal('login');
    expect((await op.satu.apps.detail(developer, other)).app.status).to.equal('submitted');
    const code = await submitLogin(siti, asked, 'siti.rahmawati');
    expect(stepOf(code)).to.equal('second-factor');
    const back = await sitiFactor(siti, code);
    expect(back.url).to.equal(`${op.local}/admin/aplikasi/${other}`);
    expect(back.doc.querySelector('form[action$="/keputusan"]'), 'fresh again').to.exist;
  });
});
