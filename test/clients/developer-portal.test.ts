import { expect } from 'chai';
import { parse, type HTMLElement } from 'node-html-parser';
import { decodeProtectedHeader } from 'jose';
import * as oidc from 'openid-client';
import { generate } from 'otplib';
import type { Actor } from '../../src/clients/apps.service.ts';
import type { Browser, Page } from '../support/browser.ts';
import { authRequest, newBrowser, signIn, stepOf, submitLogin } from '../support/flow.ts';
import { startProvider, type TestProvider } from '../support/provider.ts';

const reviewer: Actor = { sub: 'x', username: 'siti.rahmawati', agency: 'DISKOMINFO', roles: [{ role: 'reviewer' }] };
const CALLBACK = 'https://puskesmas.contoh.go.id/cb';

/** What a person types into the registration form (the rest keeps the form's defaults). */
const registration: Record<string, string> = {
  name: 'Sistem Informasi Puskesmas',
  description: 'Pencatatan layanan puskesmas untuk Dinas Kesehatan',
  kind: 'khusus',
  environment: 'production',
  level: '1',
  redirect_uris: CALLBACK,
  scope_profile: 'on',
  purpose_profile: 'Menampilkan nama petugas di layar',
  scope_email: 'on',
  purpose_email: 'Mengirim notifikasi jadwal ke petugas',
  responsible_phone: '0812-1234-5678',
};

/**
 * The fields a browser would send for a form as rendered: inputs (a checkbox only when checked), textareas and the
 * selected option of each select, with `fields` typed over them. (The shared `Browser.submit` reads inputs only.)
 */
const formOf = (page: Page, actionContains: string) => {
  const form = page.doc.querySelectorAll('form').find((f) => (f.getAttribute('action') ?? '').includes(actionContains));
  if (!form) throw new Error(`no form matching "${actionContains}" on ${page.url} (${page.status}):\n${page.html.slice(0, 800)}`);
  const values: Record<string, string> = {};
  for (const el of form.querySelectorAll('input, textarea, select') as HTMLElement[]) {
    const name = el.getAttribute('name');
    if (!name || el.hasAttribute('disabled')) continue;
    const tag = el.tagName.toLowerCase();
    const type = (el.getAttribute('type') ?? 'text').toLowerCase();
    if (tag === 'textarea') values[name] = el.text;
    else if (tag === 'select') values[name] = el.querySelector('option[selected]')?.getAttribute('value') ?? '';
    else if ((type === 'checkbox' || type === 'radio') && !el.hasAttribute('checked')) continue;
    else values[name] = el.getAttribute('value') ?? '';
  }
  return { action: new URL(form.getAttribute('action') ?? page.url, page.url).href, method: (form.getAttribute('method') ?? 'get').toUpperCase(), values };
};

/** Fills and sends a form of the page as a browser does (a GET form as a query string); `''` unticks a checkbox. */
const send = (browser: Browser, page: Page, actionContains: string, fields: Record<string, string> = {}) => {
  const { action, method, values } = formOf(page, actionContains);
  const filled = Object.fromEntries(Object.entries({ ...values, ...fields }).filter(([name, value]) => value !== '' || !name.startsWith('scope_')));
  if (method === 'GET') return browser.open(`${action}?${new URLSearchParams(filled)}`);
  return browser.open(action, { method, form: filled });
};

const follow = (browser: Browser, page: Page, selector: string) => {
  const href = page.doc.querySelector(selector)?.getAttribute('href');
  expect(href, `a link ${selector} on ${page.url}`).to.be.a('string');
  return browser.open(new URL(href!, page.url).href);
};

/** A page from HTML fetched by hand (to see the response headers too). */
const pageOf = (html: string): Page => ({ url: '', status: 200, html, doc: parse(html) });

const text = (page: Page, selector: string) => page.doc.querySelector(selector)?.text.trim() ?? '';

/** The developer portal (issue 4): dewi.lestari (DINKES) registers and runs an app through the pages alone. */
describe('developer portal: an app registered, approved, used, rotated, changed and retired through the pages', () => {
  let op: TestProvider;
  let dewi: Browser;
  let clientId: string;
  let secret: string;
  const appUrl = () => `${op.local}/developer/aplikasi/${clientId}`;
  const rpFor = (id: string, clientSecret: string) =>
    oidc.discovery(new URL(op.issuer), id, { id_token_signed_response_alg: 'RS256', redirect_uri: CALLBACK }, oidc.ClientSecretBasic(clientSecret), { execute: [oidc.allowInsecureRequests] });
  const scope = { scope: 'openid profile email' };

  /** Signs in to the developer portal (level 2: the person sets up an authenticator app on the way). */
  const signInToPortal = async (username: string) => {
    const browser = newBrowser();
    let page = await browser.open(`${op.local}/developer`);
    for (let steps = 0; stepOf(page) !== 'other'; steps++) {
      if (steps > 5) throw new Error(`sign-in loops at ${page.url}`);
      const step = stepOf(page);
      if (step === 'login') page = await submitLogin(browser, page, username);
      else if (step === 'enrol') {
        const totpSecret = page.doc.querySelector('#totp-secret')!.text.replace(/\s/g, '');
        page = await browser.submit(page, { code: await generate({ secret: totpSecret, epoch: Math.floor(Date.now() / 1000) }) }, '/enrol');
      } else if (step === 'recovery-codes') page = await browser.submit(page, {}, '/continue');
      else throw new Error(`unexpected step ${step}`);
    }
    expect(page.url).to.equal(`${op.local}/developer`);
    return { browser, page };
  };

  before(async () => {
    // Configured roles replace the sample ones: two developers of different agencies.
    op = await startProvider({ roles: { developer: [{ login: 'dewi.lestari' }, { login: 'rudi.hartono' }] } });
    ({ browser: dewi } = await signInToPortal('dewi.lestari'));
  });
  after(() => op?.stop());

  it('lists no apps at first and offers to register one', async () => {
    const page = await dewi.open(`${op.local}/developer`);
    expect(page.status).to.equal(200);
    expect(page.html).to.contain('Dewi Lestari');
    expect(text(page, '#no-apps')).to.equal('Belum ada aplikasi terdaftar untuk perangkat daerah Anda.');
    expect(page.doc.querySelector('#new-app')!.getAttribute('href')).to.equal('/developer/baru');
  });

  it('shows each problem next to its field, keeps what was typed, and lists the problems at the top', async () => {
    const form = await dewi.open(`${op.local}/developer/baru`);
    const agency = form.doc.querySelector('#f-agency')!;
    expect(agency.getAttribute('value')).to.equal('DINKES');
    expect(agency.hasAttribute('readonly'), 'a developer registers for their own agency').to.equal(true);
    const fragment = 'https://puskesmas.contoh.go.id/cb#bagian';
    const page = await send(dewi, form, '/developer/baru', {
      ...registration,
      redirect_uris: `${CALLBACK}\r\n${fragment}`,
      // Data chosen without saying what for.
      scope_nip: 'on',
      // A forged agency is ignored: the server fills in the person's own.
      agency: 'DISKOMINFO',
    });
    expect(page.status).to.equal(400);
    expect(text(page, '#f-redirect_uris-error')).to.equal(`${fragment}: Alamat tidak boleh memuat tanda pagar (#). Hapus # dan semua yang sesudahnya.`);
    expect(page.doc.querySelector('#f-redirect_uris')!.getAttribute('aria-invalid')).to.equal('true');
    expect(text(page, '#f-purpose_nip-error')).to.contain('Jelaskan untuk apa data ini dipakai');
    expect(page.doc.querySelector('#f-purpose_profile-error'), 'a stated purpose is fine').to.equal(null);
    const summary = page.doc.querySelectorAll('#error-summary a').map((a) => a.getAttribute('href'));
    expect(summary).to.deep.equal(['#f-redirect_uris', '#f-purpose_nip']);
    // Everything typed is still there.
    expect(page.doc.querySelector('#f-name')!.getAttribute('value')).to.equal(registration.name);
    expect(text(page, '#f-redirect_uris')).to.equal(`${CALLBACK}\r\n${fragment}`);
    expect(page.doc.querySelector('#f-kind option[selected]')!.getAttribute('value')).to.equal('khusus');
    expect(page.doc.querySelector('#f-scope_nip')!.hasAttribute('checked')).to.equal(true);
    expect(page.doc.querySelector('#f-scope_roles')!.hasAttribute('checked')).to.equal(false);
    expect(text(page, '#f-purpose_profile')).to.equal(registration.purpose_profile);
    expect(page.doc.querySelector('#f-agency')!.getAttribute('value')).to.equal('DINKES');
    expect((await op.satu.knex('apps')).length, 'nothing stored').to.equal(0);
  });

  it('registers a draft, submits it, and shows it waiting for review', async () => {
    const form = await dewi.open(`${op.local}/developer/baru`);
    expect(form.doc.querySelector('#f-id_token_signed_response_alg option[selected]')!.getAttribute('value'), 'RS256 unless the developer chooses').to.equal('RS256');
    const created = await send(dewi, form, '/developer/baru', registration);
    expect(created.url).to.match(/\/developer\/aplikasi\/sistem-informasi-puskesm-[0-9a-f]{8}\?done=created$/);
    clientId = text(created, '#client-id');
    expect(created.doc.querySelector('#status')!.getAttribute('data-status')).to.equal('draft');
    expect(text(created, '#done')).to.contain('Draf tersimpan');
    expect(text(created, '#not-live')).to.contain('belum pernah disetujui');
    expect(created.doc.querySelector('#edit'), 'a draft can be edited').to.exist;
    expect(created.doc.querySelector('.scopes-requested')!.text).to.contain('Menampilkan nama petugas di layar');
    expect(created.doc.querySelector('.signing-alg')!.getAttribute('data-alg')).to.equal('RS256');

    const submitted = await send(dewi, created, '/ajukan');
    expect(submitted.url).to.equal(`${appUrl()}?done=submitted`);
    expect(submitted.doc.querySelector('#status')!.getAttribute('data-status')).to.equal('submitted');
    expect(text(submitted, '#status')).to.equal('Diajukan, menunggu tinjauan');
    expect(submitted.doc.querySelector('#waiting')).to.exist;
    expect(submitted.doc.querySelector('#edit'), 'not editable while reviewed').to.equal(null);
    expect(submitted.doc.querySelectorAll('#history tr.event').map((tr) => tr.querySelectorAll('td')[1]!.text)).to.deep.equal([
      'Diajukan untuk ditinjau (versi 1)',
      'Didaftarkan sebagai draf (versi 1)',
    ]);

    const list = await dewi.open(`${op.local}/developer`);
    const row = list.doc.querySelector(`tr.app[data-client-id="${clientId}"]`)!;
    expect(row.text).to.contain('Sistem Informasi Puskesmas');
    expect(row.querySelector('[data-status]')!.text).to.equal('Diajukan, menunggu tinjauan');
  });

  it('after approval, creates the secret once; the app signs people in with it', async () => {
    await op.satu.apps.review(reviewer, clientId, { outcome: 'approved', reason: 'Sesuai kebutuhan layanan puskesmas', level: 1, scopes: ['openid', 'profile', 'email'], acceptedExceptions: [] });
    const detail = await dewi.open(appUrl());
    expect(detail.doc.querySelector('#status')!.getAttribute('data-status')).to.equal('active');
    expect(text(detail, '.scopes-granted')).to.equal('openid, profile, email');
    expect(text(detail, '#history tr.event td:nth-child(3)')).to.equal('Peninjau Diskominfo');
    expect(text(detail, '#history tr.event td:nth-child(4)')).to.equal('Sesuai kebutuhan layanan puskesmas');

    const { action, values } = formOf(detail, '/rahasia');
    const res = await dewi.request(action, { method: 'POST', form: values });
    expect(res.status).to.equal(200);
    expect(res.headers.get('cache-control')).to.equal('no-store');
    const shown = pageOf(await res.text());
    secret = text(shown, '#client-secret');
    expect(secret).to.match(/^[A-Za-z0-9_-]{43}$/);
    expect(text(shown, '#once')).to.contain('tidak akan ditampilkan lagi');

    const again = await dewi.open(appUrl());
    expect(again.html).not.to.contain(secret);
    expect(text(again, '#secret-count')).to.equal('Rahasia klien yang berlaku saat ini: 1.');
    expect(again.doc.querySelector('form[action$="/rahasia"]'), 'no second "create"').to.equal(null);
    // Posting "create" again (a reload) does not replace the secret.
    expect((await dewi.open(action, { method: 'POST', form: values })).status).to.equal(409);

    const { tokens } = await signIn(await rpFor(clientId, secret), newBrowser(), 'bambang.susilo', scope);
    expect(tokens.claims()!.aud).to.equal(clientId);
  });

  it('rotates the secret through a confirmation, the old one working during the overlap', async () => {
    const form = await follow(dewi, await dewi.open(appUrl()), '#rotate');
    const tooLong = await send(dewi, form, '/konfirmasi', { jam: '999' });
    expect(tooLong.status).to.equal(400);
    expect(text(tooLong, '#jam-error')).to.equal('Masa tumpang tindih harus antara 0 dan 168 jam.');

    const confirm = await send(dewi, form, '/konfirmasi', { jam: '2' });
    expect(confirm.status).to.equal(200);
    expect(text(confirm, 'h1')).to.equal('Ganti rahasia klien Sistem Informasi Puskesmas?');
    expect(text(confirm, 'ul.consequences')).to.contain('Rahasia lama tetap berlaku selama 2 jam');
    expect(confirm.doc.querySelectorAll('a').some((a) => a.getAttribute('href') === `/developer/aplikasi/${clientId}` && a.text === 'Batal')).to.equal(true);
    expect(await op.satu.knex('app_secrets').where({ client_id: clientId }).whereNotNull('expires_at'), 'nothing changed yet').to.have.length(0);

    const shown = await send(dewi, confirm, '/rahasia/ganti');
    const newSecret = text(shown, '#client-secret');
    expect(newSecret).to.match(/^[A-Za-z0-9_-]{43}$/).and.not.equal(secret);
    expect(text(shown, '#old-secret')).to.contain('Rahasia lama tetap berlaku sampai');

    const detail = await dewi.open(appUrl());
    expect(text(detail, '#secret-count')).to.equal('Rahasia klien yang berlaku saat ini: 2.');
    expect(text(detail, '#secret-overlap')).to.match(/^Rahasia sebelumnya tetap berlaku sampai .+ WIB, lalu berhenti\.$/);
    await signIn(await rpFor(clientId, secret), newBrowser(), 'bambang.susilo', scope);
    await signIn(await rpFor(clientId, newSecret), newBrowser(), 'bambang.susilo', scope);
    secret = newSecret;
  });

  it('proposes a change to the live app, which keeps working while it is reviewed', async () => {
    const form = await follow(dewi, await dewi.open(appUrl()), '#propose');
    expect(text(form, '#form-note')).to.contain('Konfigurasi yang berlaku tetap dipakai');
    expect(form.doc.querySelector('#f-name')!.getAttribute('value')).to.equal(registration.name);
    expect(form.doc.querySelector('#f-scope_email')!.hasAttribute('checked')).to.equal(true);
    expect(form.doc.querySelector('#f-id_token_signed_response_alg option[selected]')!.getAttribute('value')).to.equal('RS256');
    const saved = await send(dewi, form, '/ubah', { redirect_uris: `${CALLBACK}\nhttps://puskesmas.contoh.go.id/callback-baru` });
    expect(saved.url).to.equal(`${appUrl()}?done=saved`);
    expect(saved.doc.querySelector('#status')!.getAttribute('data-status')).to.equal('active');
    expect(saved.doc.querySelector('#open-state')!.getAttribute('data-state')).to.equal('draft');
    expect(text(saved, '#open-version .redirect-uris')).to.contain('callback-baru');
    expect(text(saved, '#live-version .redirect-uris')).not.to.contain('callback-baru');

    const submitted = await send(dewi, saved, '/ajukan');
    expect(submitted.doc.querySelector('#open-state')!.getAttribute('data-state')).to.equal('submitted');
    const list = await dewi.open(`${op.local}/developer`);
    expect(list.doc.querySelector(`tr.app[data-client-id="${clientId}"]`)!.text).to.contain('Ada: diajukan, menunggu tinjauan');
    await signIn(await rpFor(clientId, secret), newBrowser(), 'bambang.susilo', scope);
  });

  it("shows the reviewer's comment on a registration sent back, and lets the developer fix it", async () => {
    const created = await send(dewi, await dewi.open(`${op.local}/developer/baru`), '/developer/baru', { ...registration, name: 'Aplikasi Jadwal Vaksin' });
    const id = text(created, '#client-id');
    await send(dewi, created, '/ajukan');
    await op.satu.apps.review(reviewer, id, { outcome: 'changes_requested', reason: 'Tujuan data e-mail belum jelas, mohon diperinci.' });
    const detail = await dewi.open(`${op.local}/developer/aplikasi/${id}`);
    expect(text(detail, '#status')).to.equal('Perlu perbaikan');
    expect(text(detail, '#reviewer-comment .prose')).to.equal('Tujuan data e-mail belum jelas, mohon diperinci.');
    const form = await follow(dewi, detail, '#edit');
    const saved = await send(dewi, form, '/ubah', { purpose_email: 'Mengirim pengingat jadwal vaksinasi kepada petugas puskesmas' });
    expect(saved.url).to.match(/\?done=saved$/);
    expect((await send(dewi, saved, '/ajukan')).doc.querySelector('#status')!.getAttribute('data-status')).to.equal('submitted');
  });

  it('registers an app that chose ES256, shows the choice, and the approved app signs its ID tokens with ES256', async () => {
    const created = await send(dewi, await dewi.open(`${op.local}/developer/baru`), '/developer/baru', { ...registration, name: 'Aplikasi Antrian Puskesmas', id_token_signed_response_alg: 'ES256' });
    const id = text(created, '#client-id');
    expect(created.doc.querySelector('.signing-alg')!.getAttribute('data-alg')).to.equal('ES256');
    expect(text(created, '.signing-alg')).to.equal('ES256 (ECDSA P-256): dianjurkan bila pustaka aplikasi mendukungnya');
    const edit = await follow(dewi, created, '#edit');
    expect(edit.doc.querySelector('#f-id_token_signed_response_alg option[selected]')!.getAttribute('value'), 'the form keeps the choice').to.equal('ES256');
    const refused = await send(dewi, edit, '/ubah', { id_token_signed_response_alg: 'HS256' });
    expect(refused.status).to.equal(400);
    expect(text(refused, '#f-id_token_signed_response_alg-error')).to.equal('Pilih algoritma tanda tangan ID token: RS256 atau ES256.');
    await send(dewi, created, '/ajukan');
    await op.satu.apps.review(reviewer, id, { outcome: 'approved', reason: 'Antrian puskesmas dibutuhkan Dinkes', level: 1, scopes: ['openid', 'profile', 'email'], acceptedExceptions: [] });
    const detail = await dewi.open(`${op.local}/developer/aplikasi/${id}`);
    expect(detail.doc.querySelector('#live-version .signing-alg')!.getAttribute('data-alg')).to.equal('ES256');
    const { action, values } = formOf(detail, '/rahasia');
    const appSecret = text(pageOf(await (await dewi.request(action, { method: 'POST', form: values })).text()), '#client-secret');
    const es256 = await oidc.discovery(new URL(op.issuer), id, { id_token_signed_response_alg: 'ES256', redirect_uri: CALLBACK }, oidc.ClientSecretBasic(appSecret), { execute: [oidc.allowInsecureRequests] });
    const { tokens } = await signIn(es256, newBrowser(), 'bambang.susilo', scope);
    expect(decodeProtectedHeader(tokens.id_token!).alg).to.equal('ES256');
  });

  it("hides another agency's apps: a clear 404, never a 500", async () => {
    const { browser: rudi, page: list } = await signInToPortal('rudi.hartono');
    expect(list.doc.querySelector(`tr.app[data-client-id="${clientId}"]`)).to.equal(null);
    for (const path of [clientId, `${clientId}/ubah`, `${clientId}/pensiunkan`, `${clientId}/rahasia/ganti`, 'tidak-ada-aplikasi-ini', '%E0%A4%A', '..%2F..%2Fadmin', `${'a'.repeat(300)}`]) {
      const page = await rudi.open(`${op.local}/developer/aplikasi/${path}`);
      expect(page.status, path).to.equal(404);
      expect(text(page, '.alert'), path).to.equal('Aplikasi tidak ditemukan, atau Anda tidak berhak melihatnya.');
    }
    // A form post with a valid token of his own does nothing to her app either.
    const csrf = list.doc.querySelector('input[name="_csrf"]')!.getAttribute('value')!;
    const post = await rudi.open(`${appUrl()}/pensiunkan`, { method: 'POST', form: { _csrf: csrf, reason: 'Bukan aplikasi saya sama sekali' } });
    expect(post.status).to.equal(404);
    expect((await op.satu.apps.detail(reviewer, clientId)).app.status).to.equal('active');
  });

  it('retires the app after a confirmation with a mandatory reason; sign-in stops', async () => {
    const confirm = await follow(dewi, await dewi.open(appUrl()), '#retire');
    expect(text(confirm, 'h1')).to.equal('Hentikan Sistem Informasi Puskesmas secara permanen?');
    expect(text(confirm, 'ul.consequences')).to.contain('tidak dapat dibatalkan');
    expect(text(confirm, 'ul.consequences')).to.contain('Semua token yang pernah diberikan');
    expect(confirm.doc.querySelectorAll('a').some((a) => a.getAttribute('href') === `/developer/aplikasi/${clientId}`)).to.equal(true);

    const short = await send(dewi, confirm, '/pensiunkan', { reason: 'selesai' });
    expect(short.status).to.equal(400);
    expect(text(short, '#reason-error')).to.equal('Tuliskan alasan, paling sedikit 10 karakter.');
    expect(text(short, '#reason')).to.equal('selesai');

    const retired = await send(dewi, short, '/pensiunkan', { reason: 'Diganti aplikasi puskesmas provinsi' });
    expect(retired.url).to.equal(`${appUrl()}?done=retired`);
    expect(retired.doc.querySelector('#status')!.getAttribute('data-status')).to.equal('retired');
    expect(text(retired, '#history tr.event td:nth-child(4)')).to.equal('Diganti aplikasi puskesmas provinsi');
    expect(retired.doc.querySelector('#retire, #propose, #edit, #rotate'), 'nothing left to do').to.equal(null);

    const { url } = await authRequest(await rpFor(clientId, secret), scope);
    const refused = await newBrowser().open(url.href);
    expect(refused.status).to.equal(400);
    expect(refused.html).to.contain('invalid_client');
  });

  it('refuses a form post without a valid CSRF token', async () => {
    const before = (await op.satu.knex('apps')).length;
    for (const form of [{ ...registration }, { ...registration, _csrf: 'forged' }]) {
      const page = await dewi.open(`${op.local}/developer/baru`, { method: 'POST', form });
      expect(page.status).to.equal(403);
    }
    const detail = await dewi.open(appUrl());
    expect((await dewi.open(`${appUrl()}/pensiunkan`, { method: 'POST', form: { reason: 'Tanpa token formulir sama sekali' } })).status).to.equal(403);
    expect(detail.status).to.equal(200);
    expect((await op.satu.knex('apps')).length).to.equal(before);
  });
});
