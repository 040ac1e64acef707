import { expect } from 'chai';
import type { Browser, Page } from '../support/browser.ts';
import { newBrowser } from '../support/flow.ts';
import { createPhone, steppingClock } from '../support/phone.ts';
import { startProvider, type TestProvider } from '../support/provider.ts';

const numberOf = (page: Page, selector: string) => Number(page.doc.querySelector(selector)?.text.replace(/\D/g, '') ?? NaN);

// Issue 13 §2: who opens the usage reports, that the page shows what the trail holds, and the monthly PDF.
describe('usage reports in the admin console', () => {
  let op: TestProvider;
  const time = steppingClock();
  const phone = createPhone(time);
  const browsers = new Map<string, Browser>();

  before(async () => {
    op = await startProvider(
      { roles: { administrator: [{ login: 'andi.wijaya' }], auditor: [{ login: 'bambang.susilo' }], leadership: [{ login: 'rudi.hartono' }], reviewer: [{ login: 'siti.rahmawati' }] } },
      { clock: time.clock },
    );
    // Failed attempts a stranger made, three of them held back (a lockout), besides the real sign-ins below.
    for (const reason of ['throttled', 'throttled', 'throttled', 'invalid_credentials'] as const) await op.satu.audit.record({ event: 'signin.failure', actor: 'login:x', clientId: 'app-a', details: { reason } });
  });
  after(() => op?.stop());

  /** A console page as `login` sees it, signing in (level 3, enrolling a second factor) the first time. */
  const visit = async (login: string, path: string): Promise<Page> => {
    let browser = browsers.get(login);
    if (!browser) {
      browser = newBrowser();
      browsers.set(login, browser);
      await phone.through(browser, await browser.open(`${op.local}/admin`), login);
    }
    return browser.open(`${op.local}${path}`);
  };

  it('leadership open the reports from the console home and are refused on every other console page', async () => {
    const home = await visit('rudi.hartono', '/admin');
    expect(home.status).to.equal(200);
    expect(home.doc.querySelectorAll('#tools a').map((a) => a.getAttribute('href'))).to.deep.equal(['/admin/laporan']);
    const reports = await visit('rudi.hartono', '/admin/laporan');
    expect(reports.status).to.equal(200);
    expect(reports.doc.querySelector('svg[role="img"] title')?.text).to.equal('Masuk per aplikasi');
    // They read figures; following one into the audit trail is for auditors and administrators.
    expect(reports.doc.querySelectorAll('a[href^="/admin/audit"]')).to.have.length(0);
    expect((await visit('rudi.hartono', '/admin/laporan/bulanan')).status).to.equal(200);
    for (const path of ['/admin/orang?login=yanti.pakpahan', '/admin/aplikasi', '/admin/peran', '/admin/instansi', '/admin/peran-aplikasi', '/admin/kotak-keluar', '/admin/token-pendaftaran']) {
      const page = await visit('rudi.hartono', path);
      expect(page.status, path).to.equal(403);
    }
  });

  it('a reviewer is refused the reports; the auditor opens them with every figure linked to the audit filter', async () => {
    expect((await visit('siti.rahmawati', '/admin/laporan')).status).to.equal(403);
    const home = await visit('bambang.susilo', '/admin');
    expect(home.doc.querySelectorAll('#tools a').map((a) => a.getAttribute('href'))).to.include('/admin/laporan');
    const page = await visit('bambang.susilo', '/admin/laporan');
    expect(page.status).to.equal(200);
    const link = page.doc.querySelector('#total-signins a')?.getAttribute('href') ?? '';
    expect(link).to.match(/^\/admin\/audit\?from=\d{4}-\d\d-01&to=\d{4}-\d\d-\d\d&event=signin.success$/);
    expect(page.doc.querySelector('#total-lockouts a')?.getAttribute('href')).to.contain('event=signin.failure');
  });

  it('the figures on the page are those of the trail: sign-ins by app, failures and lockouts', async () => {
    const page = await visit('andi.wijaya', '/admin/laporan');
    const trail = await op.satu.audit.list({ event: 'signin.success' });
    expect(trail.length).to.be.at.least(3);
    expect(numberOf(page, '#total-signins')).to.equal(trail.length);
    const byApp = new Map<string, number>();
    for (const r of trail) byApp.set(r.client_id!, (byApp.get(r.client_id!) ?? 0) + 1);
    const rows = page.doc.querySelectorAll('#by-app tbody tr').map((tr) => tr.querySelectorAll('td').map((td) => td.text.trim()));
    expect(rows).to.deep.equal([['Satu Akun: Konsol admin', String(byApp.get('satu-akun-admin'))]]);
    expect(numberOf(page, '#total-failures')).to.equal((await op.satu.audit.list({ event: 'signin.failure' })).length);
    expect(numberOf(page, '#total-lockouts')).to.equal(3);
    expect(page.doc.querySelector('#by-agency svg desc')?.text).to.match(/Dinas Komunikasi dan Informatika: \d/);
  });

  it('bad dates give the page with a message, not an error', async () => {
    const page = await visit('andi.wijaya', '/admin/laporan?from=2026-02-30&to=2026-03-01');
    expect(page.status).to.equal(400);
    expect(page.doc.querySelector('#period-error')?.text).to.contain('TTTT-BB-HH');
    expect((await visit('andi.wijaya', '/admin/laporan?from=2026-03-02&to=2026-03-01')).status).to.equal(400);
    const month = await visit('andi.wijaya', '/admin/laporan/bulanan?bulan=2026-13');
    expect(month.status).to.equal(400);
    expect(month.doc.querySelector('#month-error')).to.not.equal(null);
    expect((await visit('andi.wijaya', '/admin/laporan/bulanan.pdf?bulan=%00')).status).to.equal(400);
  });

  it('the monthly report has one section per agency, and its PDF one page more (the headline page)', async () => {
    const page = await visit('bambang.susilo', '/admin/laporan/bulanan');
    expect(page.status).to.equal(200);
    const sections = page.doc.querySelectorAll('section.agency');
    expect(sections.length).to.be.at.least(2);
    const res = await browsers.get('bambang.susilo')!.request(`${op.local}/admin/laporan/bulanan.pdf`);
    expect(res.status).to.equal(200);
    expect(res.headers.get('content-type')).to.equal('application/pdf');
    const pdf = Buffer.from(await res.arrayBuffer());
    expect(pdf.subarray(0, 5).toString('latin1')).to.equal('%PDF-');
    const pages = pdf.toString('latin1').match(/\/Type \/Page\b(?!s)/g) ?? [];
    expect(pages.length).to.equal(1 + sections.length);
  });
});
