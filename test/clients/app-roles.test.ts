import { expect } from 'chai';
import type { HTMLElement } from 'node-html-parser';
import { generate } from 'otplib';
import type { Browser, Page } from '../support/browser.ts';
import { newBrowser, stepOf, submitLogin } from '../support/flow.ts';
import { startProvider, type TestProvider } from '../support/provider.ts';

const CALLBACK = 'https://sppd.contoh.go.id/cb';
const PENGAJU = { name: 'pengaju', description: 'Mengajukan surat perintah perjalanan dinas untuk dirinya sendiri' };
const VERIFIKATOR = { name: 'verifikator', description: 'Memeriksa dan menyetujui pengajuan SPPD di bidangnya' };
const BENDAHARA = { name: 'bendahara', description: 'Mencairkan uang harian setelah SPPD disetujui' };
const line = (role: { name: string; description: string }) => `${role.name}: ${role.description}`;

/** What a developer types into the registration form (the rest keeps the form's defaults). */
const registration: Record<string, string> = {
  name: 'Sistem SPPD Daring',
  description: 'Pengajuan dan persetujuan surat perintah perjalanan dinas',
  kind: 'umum',
  environment: 'production',
  level: '1',
  redirect_uris: CALLBACK,
  scope_profile: 'on',
  purpose_profile: 'Menampilkan nama pegawai pada surat perintah',
  scope_roles: 'on',
  purpose_roles: 'Menampilkan menu sesuai peran pegawai di SPPD',
  app_roles: [PENGAJU, VERIFIKATOR].map(line).join('\r\n'),
};

/** The fields a browser would send for a form as rendered (a checkbox only when checked), with `fields` typed over them. */
const send = (browser: Browser, page: Page, actionContains: string, fields: Record<string, string> = {}) => {
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
  const action = new URL(form.getAttribute('action') ?? page.url, page.url).href;
  return browser.open(action, { method: 'POST', form: { ...values, ...fields } });
};

const text = (page: Page, selector: string) => page.doc.querySelector(selector)?.text.replace(/\s+/g, ' ').trim() ?? '';
/** The rows of a table as the text of their cells. */
const rows = (page: Page, selector: string) => page.doc.querySelectorAll(`${selector} tbody tr`).map((tr) => tr.querySelectorAll('td').map((td) => td.text.replace(/\s+/g, ' ').trim()));

/**
 * App roles (issue 10 §5): a developer declares them with the registration, the reviewer sees them and every change to
 * them, and the approved version's roles are what the provider knows of the app.
 */
describe('app roles: declared in the developer portal, reviewed, and live once approved', () => {
  let op: TestProvider;
  let dewi: Browser;
  let siti: Browser;
  let clientId = '';
  const appUrl = () => `${op.local}/developer/aplikasi/${clientId}`;
  const reviewUrl = () => `${op.local}/admin/aplikasi/${clientId}`;

  /** Signs in to `path`, setting up an authenticator app on the way (the portal needs level 2, the console level 3). */
  const signInTo = async (username: string, path: string) => {
    const browser = newBrowser();
    let page = await browser.open(`${op.local}${path}`);
    for (let steps = 0; stepOf(page) !== 'other'; steps++) {
      if (steps > 6) throw new Error(`sign-in loops at ${page.url}`);
      const step = stepOf(page);
      if (step === 'login') page = await submitLogin(browser, page, username);
      else if (step === 'enrol') {
        const secret = page.doc.querySelector('#totp-secret')!.text.replace(/\s/g, '');
        page = await browser.submit(page, { code: await generate({ secret, epoch: Math.floor(Date.now() / 1000) }) }, '/enrol');
      } else if (step === 'recovery-codes') page = await browser.submit(page, {}, '/continue');
      else throw new Error(`unexpected step ${step}`);
    }
    expect(page.url).to.equal(`${op.local}${path}`);
    return browser;
  };

  before(async () => {
    op = await startProvider({ roles: { developer: [{ login: 'dewi.lestari' }], reviewer: [{ login: 'siti.rahmawati' }] } });
    dewi = await signInTo('dewi.lestari', '/developer');
    siti = await signInTo('siti.rahmawati', '/admin/aplikasi');
  });
  after(() => op?.stop());

  it('refuses a role line that breaks the rules at the roles field, naming the role, and keeps what was typed', async () => {
    const typed = `${line(PENGAJU)}\r\nKepala Bidang: Setuju\r\n${line({ ...VERIFIKATOR, name: 'pengaju' })}`;
    const page = await send(dewi, await dewi.open(`${op.local}/developer/baru`), '/developer/baru', { ...registration, app_roles: typed });
    expect(page.status).to.equal(400);
    expect(page.doc.querySelectorAll('#f-app_roles-error li').map((li) => li.text)).to.deep.equal([
      '"Kepala Bidang": Nama peran 1–40 karakter: huruf kecil, angka, garis bawah (_), titik (.) atau tanda hubung (-), diawali huruf atau angka, misalnya operator atau kepala_seksi.',
      '"Kepala Bidang": Jelaskan apa yang dapat dilakukan pemegang peran ini di aplikasi, 10–300 karakter.',
      '"pengaju": Nama peran ini sudah tercantum. Setiap peran harus bernama lain; hapus atau ganti salah satunya.',
    ]);
    expect(page.doc.querySelector('#f-app_roles')!.getAttribute('aria-invalid')).to.equal('true');
    expect(page.doc.querySelectorAll('#error-summary a').map((a) => a.getAttribute('href'))).to.deep.equal(['#f-app_roles', '#f-app_roles', '#f-app_roles']);
    expect(page.doc.querySelector('#f-app_roles')!.text).to.equal(typed);

    const none = await send(dewi, page, '/developer/baru', { app_roles: '' });
    expect(none.status).to.equal(400);
    expect(text(none, '#f-app_roles-error')).to.equal(
      'Aplikasi yang meminta data roles harus mencantumkan paling sedikit satu peran: data itu berisi peran pegawai di aplikasi ini. Tambahkan perannya, atau hapus centang roles.',
    );
    expect((await op.satu.knex('apps')).length, 'nothing stored').to.equal(0);
  });

  it('registers two roles with the app and lists them on its page', async () => {
    const created = await send(dewi, await dewi.open(`${op.local}/developer/baru`), '/developer/baru', registration);
    expect(created.url).to.match(/\?done=created$/);
    clientId = text(created, '#client-id');
    expect(created.doc.querySelectorAll('#open-version .app-roles li').map((li) => li.text)).to.deep.equal([line(PENGAJU), line(VERIFIKATOR)]);
    const submitted = await send(dewi, created, '/ajukan');
    expect(submitted.doc.querySelector('#status')!.getAttribute('data-status')).to.equal('submitted');
  });

  it('shows the reviewer the declared roles, in both languages', async () => {
    const page = await siti.open(reviewUrl());
    expect(page.status).to.equal(200);
    expect(rows(page, '#app-roles')).to.deep.equal([
      [PENGAJU.name, PENGAJU.description],
      [VERIFIKATOR.name, VERIFIKATOR.description],
    ]);
    expect(text(page, '#app-roles-title')).to.equal('Peran aplikasi');
    expect(page.doc.querySelectorAll('#app-roles th').map((th) => th.text)).to.deep.equal(['Nama peran', 'Yang dapat dilakukan pemegang peran']);
    const english = await siti.open(`${reviewUrl()}?lang=en`);
    expect(text(english, '#app-roles-title')).to.equal('App roles');
    expect(english.doc.querySelectorAll('#app-roles th').map((th) => th.text)).to.deep.equal(['Role name', 'What a holder of the role can do']);
    await siti.open(`${reviewUrl()}?lang=id`);
  });

  it('after approval, the provider knows the roles as the app defines them', async () => {
    expect(await op.satu.clients.find(clientId), 'not live before approval').to.equal(undefined);
    const approved = await send(siti, await siti.open(reviewUrl()), '/keputusan', { outcome: 'approved', reason: 'Peran dan data sesuai kebutuhan SPPD' });
    expect(new URL(approved.url).searchParams.get('done')).to.equal('approved');
    expect(text(approved, '#live-scopes')).to.equal('openid, profile, roles');
    const app = await op.satu.clients.find(clientId);
    expect(app!.roleDefinitions).to.deep.equal([PENGAJU, VERIFIKATOR]);
    const detail = await dewi.open(appUrl());
    expect(detail.doc.querySelectorAll('#live-version .app-roles li').map((li) => li.text)).to.deep.equal([line(PENGAJU), line(VERIFIKATOR)]);
  });

  it('gives an app of the clients file its role names, without descriptions', async () => {
    expect((await op.satu.clients.find('app-a'))!.roleDefinitions).to.deep.equal([{ name: 'operator', description: '' }]);
    expect((await op.satu.clients.find('app-b'))!.roleDefinitions).to.deep.equal([]);
  });

  it("shows a change to the roles in the reviewer's diff; the approved roles stay live meanwhile", async () => {
    const form = await dewi.open(`${appUrl()}/ubah`);
    expect(form.doc.querySelector('#f-app_roles')!.text, 'the form starts from the live roles').to.equal([PENGAJU, VERIFIKATOR].map(line).join('\n'));
    const verifikator = { ...VERIFIKATOR, description: 'Memeriksa pengajuan SPPD di bidangnya sebelum ditandatangani' };
    const saved = await send(dewi, form, '/ubah', { app_roles: [PENGAJU, verifikator, BENDAHARA].map(line).join('\n') });
    expect(saved.url).to.equal(`${appUrl()}?done=saved`);
    await send(dewi, saved, '/ajukan');

    const page = await siti.open(reviewUrl());
    const diff = page.doc.querySelectorAll('#diff tbody tr').map((tr) => ({
      kind: tr.getAttribute('class'),
      field: tr.querySelector('th')!.text,
      before: tr.querySelector('td.before')!.text.trim(),
      after: tr.querySelector('td.after')!.text.trim(),
    }));
    expect(diff).to.deep.equal([
      { kind: 'diff-added', field: 'Peran aplikasi', before: '', after: line(BENDAHARA) },
      { kind: 'diff-changed', field: 'Peran aplikasi', before: line(VERIFIKATOR), after: line(verifikator) },
    ]);
    expect(rows(page, '#app-roles').map(([name]) => name)).to.deep.equal(['pengaju', 'verifikator', 'bendahara']);
    expect((await op.satu.clients.find(clientId))!.roleDefinitions, 'the live version is unchanged').to.deep.equal([PENGAJU, VERIFIKATOR]);
  });

  it('removes a role with its line; the diff names the removed role, and approval takes it away', async () => {
    await send(siti, await siti.open(reviewUrl()), '/keputusan', { outcome: 'approved', reason: 'Peran bendahara dibutuhkan untuk pencairan' });
    const live = (await op.satu.clients.find(clientId))!.roleDefinitions;
    expect(live.map((r) => r.name)).to.deep.equal(['pengaju', 'verifikator', 'bendahara']);

    const form = await dewi.open(`${appUrl()}/ubah`);
    const kept = form.doc.querySelector('#f-app_roles')!.text.split('\n').filter((l) => !l.startsWith('pengaju:'));
    await send(dewi, await send(dewi, form, '/ubah', { app_roles: kept.join('\n') }), '/ajukan');
    const page = await siti.open(reviewUrl());
    expect(page.doc.querySelectorAll('#diff tbody tr').map((tr) => [tr.getAttribute('class'), tr.querySelector('td.before')!.text.trim(), tr.querySelector('td.after')!.text.trim()])).to.deep.equal([
      ['diff-removed', line(PENGAJU), ''],
    ]);
    await send(siti, page, '/keputusan', { outcome: 'approved', reason: 'Pengajuan kini lewat aplikasi kepegawaian' });
    expect((await op.satu.clients.find(clientId))!.roleDefinitions).to.deep.equal(live.slice(1));
  });
});
