import { mkdirSync, readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { join } from 'node:path';
import { expect } from 'chai';
import { generate } from 'otplib';
import type { Page } from 'playwright-core';
import { addVirtualAuthenticator } from '../support/chromium.ts';
import { startProvider, type TestProvider } from '../support/provider.ts';
import { startDemoWorld, type DemoWorld } from '../support/demo-world.ts';
import { startMailbox } from '../support/smtp.ts';
import { createWebauthnRepo } from '../../src/mfa/webauthn.repo.ts';
import { createRolesRepo } from '../../src/roles/roles.repo.ts';

/**
 * Issue 12 §4: axe-core in every distinct page of the product, at phone (390 px) and desktop (1366 px) width, in both
 * languages; a critical or serious violation fails. Each page must also fit 320 px without scrolling sideways, and its
 * standalone links and buttons must be at least 44 px tall at phone width (inline links in a sentence are exempt, as
 * WCAG 2.5.5 exempts them). The pages are listed by zone below: a new page is one more line in its list. With
 * `SCREENSHOTS_DIR` set, every checked page is also kept as a picture at both widths and in both languages.
 */

/** axe-core's browser bundle, injected with `page.evaluate` (the pages' CSP, script-src 'self', blocks inline script tags). */
const AXE = readFileSync(createRequire(import.meta.url).resolve('axe-core/axe.min.js'), 'utf8');
const LANGS = ['id', 'en'] as const;
type Lang = (typeof LANGS)[number];
const PHONE = 390;
const DESKTOP = 1366;
const NARROW = 320;
const TAP = 44;

/** The staff portal's pages for a person with an authenticator and a passkey (the issue 12 §1 pages go here). */
const PORTAL_PAGES = [
  '/akun',
  '/akun/aplikasi',
  '/akun/sesi',
  '/akun/data',
  '/akun/data/lengkap',
  '/akun/aktivitas',
  '/akun/aktivitas/bukan-saya',
  '/akun/keamanan',
  '/akun/keamanan/autentikator',
  '/akun/keamanan/passkey',
];
/** The admin console's pages, about `PERSON` where a person is concerned. */
const PERSON = 'yanti.pakpahan';
const ADMIN_PAGES = [
  '/admin',
  '/admin/orang',
  `/admin/orang?login=${PERSON}`,
  `/admin/orang/status?login=${PERSON}`,
  `/admin/orang/sesi?login=${PERSON}`,
  `/admin/orang/reset?login=${PERSON}`,
  '/admin/peran',
  '/admin/instansi',
  '/admin/peran-aplikasi',
  '/admin/peran-aplikasi/demo-simpeg',
  '/admin/kotak-keluar',
  '/admin/token-pendaftaran',
  '/admin/aplikasi',
  '/admin/aplikasi/demo-simpeg',
  '/admin/aplikasi/demo-simpeg/tangguhkan',
  '/admin/aplikasi/demo-simpeg/hentikan',
  '/admin/aplikasi/demo-sppd',
  '/admin/aplikasi/demo-sppd/pulihkan',
];

/** One problem found on one page, at one width, in one language: what a reader needs to find and fix it. */
type Findings = string[];

/** Runs axe-core in the page as it is now and returns its critical and serious violations, one line per element. */
const axeViolations = async (page: Page): Promise<{ id: string; impact: string; help: string; targets: string[] }[]> => {
  if (!(await page.evaluate(() => 'axe' in window))) await page.evaluate(AXE);
  return page.evaluate(async () => {
    const axe = (window as unknown as { axe: { run(context: Document, options: unknown): Promise<{ violations: { id: string; impact: string; help: string; nodes: { target: unknown[] }[] }[] }> } }).axe;
    // label-content-name-mismatch (WCAG 2.5.3) is experimental in axe, hence off by default: the brand link failed it.
    const { violations } = await axe.run(document, { resultTypes: ['violations'], rules: { 'label-content-name-mismatch': { enabled: true } } });
    return violations
      .filter((v) => v.impact === 'critical' || v.impact === 'serious')
      .map((v) => ({ id: v.id, impact: v.impact, help: v.help, targets: v.nodes.map((n) => n.target.join(' ')) }));
  });
};

/**
 * Links and buttons that stand alone (not inside a sentence) and are shorter than 44 px: hard to hit with a thumb.
 * Plain JavaScript in a string: tsx would wrap named functions of a TypeScript callback in a helper the page lacks.
 */
const SMALL_TARGETS = `(tap) => {
  const blocks = 'p, li, td, th, dd, dt, div, section, form, nav, header, footer, main, h1, h2, h3, label, legend, summary, details, fieldset';
  function inSentence(el) {
    const block = el.parentElement && el.parentElement.closest(blocks);
    if (!block) return false;
    const walker = document.createTreeWalker(block, NodeFilter.SHOW_TEXT);
    for (let node = walker.nextNode(); node; node = walker.nextNode()) {
      if (node.parentElement && node.parentElement.closest('a, button, .sr-only')) continue;
      if (/\\p{L}/u.test(node.textContent || '')) return true;
    }
    return false;
  }
  return Array.from(document.querySelectorAll('a[href], button, summary'))
    .filter((el) => {
      const box = el.getBoundingClientRect();
      return box.width > 0 && getComputedStyle(el).visibility !== 'hidden' && box.height < tap && !inSentence(el);
    })
    .map((el) => el.tagName.toLowerCase() + ' "' + (el.textContent || '').trim().replace(/\\s+/g, ' ').slice(0, 40) + '" ' + Math.round(el.getBoundingClientRect().height) + ' px');
}`;
const smallTargets = (page: Page): Promise<string[]> => page.evaluate(`(${SMALL_TARGETS})(${TAP})`);

/** The innermost elements reaching past the right edge of the window: what makes a page scroll sideways. */
const OVERFLOWING = `() => {
  const past = (el) => el.getBoundingClientRect().right > document.documentElement.clientWidth + 0.5;
  function describe(el) {
    const id = el.id ? '#' + el.id : '';
    const cls = el.classList.length ? '.' + Array.from(el.classList).join('.') : '';
    return el.tagName.toLowerCase() + id + cls + ' "' + (el.textContent || '').trim().replace(/\\s+/g, ' ').slice(0, 30) + '"';
  }
  return Array.from(document.body.querySelectorAll('*'))
    .filter((el) => past(el) && !Array.from(el.children).some(past))
    .slice(0, 3)
    .map(describe);
}`;
const overflowing = (page: Page): Promise<string[]> => page.evaluate(`(${OVERFLOWING})()`);

/** Checks the page as it is now in one language: 320 px fit, then axe and tap targets at phone width, then axe at desktop width. */
const checkHere = async (page: Page, name: string, lang: Lang, findings: Findings) => {
  const shots = process.env.SCREENSHOTS_DIR;
  await page.setViewportSize({ width: NARROW, height: 800 });
  const wide = await page.evaluate(() => document.documentElement.scrollWidth);
  if (wide > NARROW) findings.push(`${name} [${lang}, ${NARROW} px]: scrolls sideways, ${wide} px wide, past the edge: ${(await overflowing(page)).join(' | ')}`);
  for (const width of [PHONE, DESKTOP]) {
    await page.setViewportSize({ width, height: 900 });
    if (shots) await page.screenshot({ path: join(shots, `${name.replace(/[^\w-]+/g, '_').replace(/^_|_$/g, '') || 'home'}-${lang}-${width}.png`), fullPage: true });
    for (const v of await axeViolations(page)) findings.push(`${name} [${lang}, ${width} px]: ${v.impact} ${v.id} (${v.help}) at ${v.targets.join(' | ')}`);
    if (width === PHONE) for (const target of await smallTargets(page)) findings.push(`${name} [${lang}, ${width} px]: tap target under ${TAP} px: ${target}`);
  }
};

/** Opens `url` in each language (`?lang=`, which the next pages remember) and checks it; ends in Bahasa Indonesia. */
const checkPage = async (page: Page, url: string, findings: Findings, name = new URL(url).pathname + new URL(url).search) => {
  for (const lang of [...LANGS].reverse()) {
    const response = await page.goto(`${url}${url.includes('?') ? '&' : '?'}lang=${lang}`);
    expect(response?.status(), `${name} [${lang}] answers`).to.be.below(500);
    await checkHere(page, name, lang, findings);
  }
};

/** A readable list of everything found, for the assertion message. */
const report = (findings: Findings) => `${findings.length} accessibility problem(s):\n  ${findings.join('\n  ')}`;

/** The sign-in form, whatever the page's language. */
const signIn = async (page: Page, login: string) => {
  await page.locator('#username').fill(login);
  await page.locator('#password').fill('Demo-2026');
  await page.locator('#password').press('Enter');
};

/** An authorization request of a test app (PKCE challenge from RFC 7636 appendix B; the flow never reaches the token). */
const authorize = (op: TestProvider, clientId: string, redirectUri: string) =>
  `${op.local}/auth?${new URLSearchParams({ client_id: clientId, response_type: 'code', scope: 'openid profile', redirect_uri: redirectUri, state: 'a11y-state', nonce: 'a11y-nonce', code_challenge: 'E9Melhoa2OwvFrEMTJguCHaoeK1t8URWbuGJSstw-cM', code_challenge_method: 'S256' })}`;

describe('accessibility (axe-core, issue 12 §4): every page at 390 and 1366 px in both languages, 320 px without sideways scroll', () => {
  let world: DemoWorld;
  let op: TestProvider;
  let chrome: DemoWorld['chrome'];
  let demos: DemoWorld['demos'] = [];
  const newPage = async () => {
    const context = await chrome.browser.newContext();
    const page = await context.newPage();
    page.setDefaultTimeout(8000);
    return page;
  };
  let registered = '';
  let developer: Page;

  /**
   * Signs in at `url` with an authenticator set up on the way (the developer portal and the console ask for a second
   * factor), checking the enrolment and recovery-code pages as it passes them.
   */
  const signInEnrolling = async (page: Page, url: string, login: string, findings: Findings, lang: Lang) => {
    await page.goto(`${url}?lang=${lang}`);
    await signIn(page, login);
    await page.locator('#totp-secret').waitFor();
    const enrolment = page.url().split('?')[0]!;
    await checkPage(page, enrolment, findings, `authenticator enrolment (sign-in, ${login})`);
    await page.goto(`${enrolment}?lang=${lang}`);
    const secret = (await page.locator('#totp-secret').innerText()).replace(/\s/g, '');
    await page.locator('#code').fill(await generate({ secret }));
    await page.locator('#code').press('Enter');
    await page.locator('#recovery-codes').waitFor();
    // Shown once: checked in the language this sign-in started in.
    await checkHere(page, 'recovery codes (sign-in)', lang, findings);
    await page.locator('form[action$="/continue"] button').click();
    return secret;
  };

  before(async function () {
    this.timeout(60_000);
    if (process.env.SCREENSHOTS_DIR) mkdirSync(process.env.SCREENSHOTS_DIR, { recursive: true });
    world = await startDemoWorld(this);
    ({ op, chrome, demos } = world);
  });
  // Closing the browser closes every context the test opened.
  after(() => world?.close());

  it('the front page, the sign-in page, error pages and a refusal before the password', async function () {
    this.timeout(90_000);
    const findings: Findings = [];
    const page = await newPage();
    await checkPage(page, `${op.local}/`, findings);
    await checkPage(page, `${op.local}/tidak-ada`, findings, '404');
    await checkPage(page, authorize(op, 'tidak-terdaftar', 'https://x.contoh.go.id/cb'), findings, 'OIDC error (unknown client_id)');
    await checkPage(page, authorize(op, 'app-l3-far', 'https://kasda.contoh.go.id/cb'), findings, 'outside the app network');
    await page.goto(`${op.local}/akun`);
    await page.locator('#username').waitFor();
    await checkPage(page, page.url().split('?')[0]!, findings, 'sign-in');
    expect(findings, report(findings)).to.deep.equal([]);
  });

  it("the staff portal, the first-time notice, the access refusal, a demo app's pages and signing out", async function () {
    this.timeout(150_000);
    const findings: Findings = [];
    const page = await newPage();
    await addVirtualAuthenticator(page.context(), page);
    // A passkey first (the password is enough for a first factor), then an authenticator after a step-up with it.
    await page.goto(`${op.local}/akun/keamanan/passkey`);
    await signIn(page, PERSON);
    await page.locator('#passkey-name').fill('Ponsel kerja');
    await page.locator('form[data-ceremony=register] button[type=submit]').click();
    await page.locator('#recovery-codes').waitFor();
    await checkHere(page, 'recovery codes (my account)', 'id', findings);
    await page.goto(`${op.local}/akun/keamanan/autentikator`);
    await page.locator('form[data-ceremony=authenticate] button').click();
    const secret = (await page.locator('#totp-secret').innerText()).replace(/\s/g, '');
    await page.locator('#code').fill(await generate({ secret }));
    await page.locator('#code').press('Enter');
    await page.locator('#totp-secret').waitFor({ state: 'detached' });

    for (const path of PORTAL_PAGES) await checkPage(page, `${op.local}${path}`, findings);
    await page.goto(`${op.local}/akun/keamanan`);
    for (const link of await page.locator('a[href*="/passkey/"], a[href$="/autentikator/hapus"]').evaluateAll((as) => as.map((a) => (a as HTMLAnchorElement).href))) {
      await checkPage(page, link, findings);
    }
    await checkPage(page, `${op.local}/akun/keamanan/passkey/tidak-ada/ubah`, findings, 'problem page (my account)');
    // The console for a helpdesk member: a page for administrators only, then, once her last role there has ended, the
    // zone's own refusal (both the console's problem page).
    const roles = createRolesRepo(op.satu.knex);
    const grant = await roles.insert({ directoryId: (await op.satu.directory.findUser(PERSON))!.id, login: PERSON, role: 'helpdesk', agency: null, reason: 'Piket helpdesk', grantedBy: 'test', grantedAt: new Date(), expiresAt: null });
    // Her two factors are recent: the console lets her in without a step-up.
    await page.goto(`${op.local}/admin`);
    await page.waitForURL((url) => url.pathname === '/admin');
    await checkPage(page, `${op.local}/admin`, findings, 'console home (helpdesk)');
    await checkPage(page, `${op.local}/admin/peran`, findings, 'a console page for administrators only (helpdesk)');
    await roles.revoke(grant, 'test', 'Piket selesai', new Date());
    await checkPage(page, `${op.local}/admin`, findings, 'zone forbidden (the console after her last role ended)');

    await checkPage(page, authorize(op, 'app-a', 'https://a.contoh.go.id/cb'), findings, 'first-time notice');
    await checkPage(page, authorize(op, 'app-users', 'https://users.contoh.go.id/cb'), findings, 'outside the access rule');

    const [simpeg] = demos;
    await checkPage(page, `${simpeg!.url}/`, findings, 'demo app, signed out');
    await page.goto(`${simpeg!.url}/login`);
    await page.locator('form[action$="/notice"]').waitFor();
    await checkPage(page, page.url().split('?')[0]!, findings, 'first-time notice (demo app)');
    await page.locator('form[action$="/notice"] button.primary').click();
    await page.locator('table.claims').first().waitFor();
    await checkPage(page, `${simpeg!.url}/`, findings, 'demo app, signed in');
    // With an app's data shared: the page listing it and the confirmation before withdrawing it.
    await checkPage(page, `${op.local}/akun/data`, findings, '/akun/data (an app shared)');
    await checkPage(page, `${op.local}/akun/data/tarik?app=demo-simpeg`, findings, 'withdrawing an app’s data');

    await page.goto(`${op.local}/session/end`);
    await page.locator('button[name=logout][value=yes]').waitFor();
    await checkPage(page, `${op.local}/session/end`, findings, 'sign-out confirmation');
    await page.locator('button[name=logout][value=yes]').click();
    await page.waitForURL((url) => url.pathname !== '/session/end');
    await checkPage(page, page.url().split('?')[0]!, findings, 'signed out');
    expect(findings, report(findings)).to.deep.equal([]);
  });

  it('the developer portal: list, registration form, an app waiting for review; the second-factor page', async function () {
    this.timeout(120_000);
    const findings: Findings = [];
    const page = (developer = await newPage());
    await signInEnrolling(page, `${op.local}/developer`, 'dewi.lestari', findings, 'id');
    await page.locator('a[href$="/developer/baru"]').first().waitFor();
    await checkPage(page, `${op.local}/developer`, findings);
    await checkPage(page, `${op.local}/developer/baru`, findings);
    await page.locator('form.registration button[type=submit]').click();
    await page.locator('.error-summary').waitFor();
    await checkHere(page, 'registration form with errors', 'id', findings);
    await page.goto(`${op.local}/developer/baru`);
    await page.locator('#f-name').fill('Antrean Puskesmas dengan nama yang cukup panjang untuk ponsel');
    await page.locator('#f-description').fill('Antrean pasien puskesmas untuk petugas loket');
    await page.locator('#f-kind').selectOption('khusus');
    await page.locator('#f-environment').selectOption('development');
    await page.locator('#f-level').selectOption('1');
    await page.locator('#f-client_type').selectOption('confidential');
    await page.locator('#f-token_endpoint_auth_method').selectOption('client_secret_basic');
    await page.locator('#f-redirect_uris').fill('https://antrean-puskesmas-kecamatan-sukamaju.contoh.go.id/oidc/callback/satu-akun');
    await page.locator('#f-scope_profile').check();
    await page.locator('#f-purpose_profile').fill('Menampilkan nama petugas loket');
    await page.locator('#f-responsible_name').fill('Dewi Lestari');
    await page.locator('#f-responsible_email').fill('dewi.lestari@contoh.go.id');
    await page.locator('form.registration button[type=submit]').click();
    await page.locator('form[action$="/ajukan"] button').click();
    await page.locator('form[action$="/ajukan"]').waitFor({ state: 'detached' });
    const appUrl = page.url().split('?')[0]!;
    registered = decodeURIComponent(appUrl.split('/aplikasi/')[1]!.split('/')[0]!);
    await checkPage(page, appUrl, findings, 'app detail (waiting for review)');
    await checkPage(page, `${appUrl}/ubah`, findings, 'app edit form');
    await checkPage(page, `${op.local}/developer/peran-aplikasi`, findings);

    // Signing in again: the second-factor page, and its recovery-code variant.
    const again = await newPage();
    await again.goto(`${op.local}/developer`);
    await signIn(again, 'dewi.lestari');
    await again.locator('#code').waitFor();
    const second = again.url().split('?')[0]!;
    await checkPage(again, second, findings, 'second factor');
    await checkPage(again, `${second}?method=recovery`, findings, 'second factor (recovery code)');
    expect(findings, report(findings)).to.deep.equal([]);
  });

  it('the admin console and the review console (an app waiting, an active app and its controls)', async function () {
    this.timeout(200_000);
    expect(registered, 'the developer portal test registered an app').to.not.equal('');
    const findings: Findings = [];
    const page = await newPage();
    await signInEnrolling(page, `${op.local}/admin`, 'andi.wijaya', findings, 'en');
    await page.locator('main h1').waitFor();
    // A suspended app, for the resume page (demo-sppd: no other test signs in to it).
    await page.goto(`${op.local}/admin/aplikasi/demo-sppd/tangguhkan`);
    await page.locator('#reason').fill('Pemeriksaan keamanan berkala');
    await page.locator('form[action$="/tangguhkan"] button[type=submit]').click();
    await page.waitForURL(/done=suspend/);
    for (const path of ADMIN_PAGES) await checkPage(page, `${op.local}${path}`, findings);
    // The first-party form refusing a reason too short to record.
    await page.goto(`${op.local}/admin/aplikasi/demo-simpeg`);
    await page.locator('#first-party-reason').fill('x');
    await page.locator('#first-party-form button[type=submit]').click();
    await page.locator('#first-party-error').waitFor();
    await checkHere(page, 'first-party form with an error', 'id', findings);
    // A confirmation refusing a reason of spaces only (long enough for the browser, nothing once trimmed).
    for (const [path, name] of [['/admin/aplikasi/demo-simpeg/tangguhkan', 'confirming an app control'], [`/admin/orang/reset?login=${PERSON}`, 'confirming a reset']]) {
      await page.goto(`${op.local}${path}`);
      await page.locator('#reason').fill(' '.repeat(12));
      await page.locator('main form button[type=submit]').last().click();
      await page.locator('#reason-error').waitFor();
      await checkHere(page, `${name}, reason refused`, 'id', findings);
    }
    await checkPage(page, `${op.local}/admin/aplikasi/${encodeURIComponent(registered)}`, findings, 'review detail (waiting)');
    await page.locator('input[name=outcome][value=approved]').check();
    await page.locator('#reason').fill('Data nama saja, sesuai kebutuhan loket');
    await page.locator('form[action$="/keputusan"] button[type=submit]').click();
    await page.locator('form[action$="/keputusan"]').waitFor({ state: 'detached' });
    await checkPage(page, `${op.local}/admin/aplikasi/${encodeURIComponent(registered)}`, findings, 'review detail (approved, with history)');
    // People are named, never shown by their opaque id.
    const owner = (await op.satu.knex('apps').where({ client_id: registered }).first()).owner_sub as string;
    expect(await page.locator('#history').innerText()).to.contain('Dewi Lestari (Dinas Kesehatan), pendaftar aplikasi').and.not.contain(owner);
    expect(findings, report(findings)).to.deep.equal([]);
  });

  it('the developer portal: an active app, its secret and its controls', async function () {
    this.timeout(90_000);
    const findings: Findings = [];
    const page = developer;
    const appUrl = `${op.local}/developer/aplikasi/${encodeURIComponent(registered)}`;
    await checkPage(page, appUrl, findings, 'app detail (active, with history)');
    expect(await page.locator('#history').innerText()).to.contain('Andi Wijaya (Dinas Komunikasi dan Informatika)');
    await page.locator('form[action$="/rahasia"] button').click();
    await page.locator('#client-secret').waitFor();
    await checkHere(page, 'client secret (shown once)', 'id', findings);
    await checkPage(page, `${appUrl}/rahasia/ganti`, findings, 'secret rotation');
    await checkPage(page, `${appUrl}/pensiunkan`, findings, 'retiring an app');
    expect(findings, report(findings)).to.deep.equal([]);
  });

  it('second-factor enrolment by a date: the reminder, the set-up code pages, the code an administrator gives after a reset', async function () {
    this.timeout(150_000);
    const findings: Findings = [];
    // Two more providers: one reminding all staff (by a far date) and asking for a code from an administrator, one
    // sending the code by e-mail.
    const box = await startMailbox();
    const coded = await startProvider({ mfaEnrolment: { allStaff: '2099-01-01', firstFactorProof: 'code' } });
    const mailed = await startProvider({ mfaEnrolment: { firstFactorProof: 'email' }, mail: { smtpUrl: box.url, from: 'Satu Akun <no-reply@contoh.go.id>' } });
    try {
      // In the grace period: the reminder; postponing signs in (and makes the account), then a passkey to reset.
      const person = await newPage();
      await person.goto(`${coded.local}/akun`);
      await signIn(person, 'rudi.hartono');
      await person.locator('form[action$="/remind"]').waitFor();
      await checkPage(person, person.url().split('?')[0]!, findings, 'enrolment reminder');
      await person.locator('button[name=choice][value=later]').click();
      await person.waitForURL((url) => url.pathname.startsWith('/akun'));
      const { sub } = (await coded.satu.knex('accounts').where({ username: 'rudi.hartono' }).first()) as { sub: string };
      await createWebauthnRepo(coded.satu.knex).insert({ id: 'cred-rudi', sub, publicKey: 'pQECAyYgASFYIA', counter: 0, transports: ['usb'], name: 'Kunci' }, new Date());

      // The administrator has no second factor yet either: a code from another administrator first.
      const andi = (await coded.satu.directory.findUser('andi.wijaya'))!;
      const own = await coded.satu.enrolmentProof.issue({ sub: 'bootstrap' }, { directoryId: andi.id }, { ip: '127.0.0.1' });
      const admin = await newPage();
      await admin.goto(`${coded.local}/admin`);
      await signIn(admin, 'andi.wijaya');
      await admin.locator('form[action$="/enrol-proof"]').waitFor();
      await checkPage(admin, admin.url().split('?')[0]!, findings, 'set-up code (from an administrator)');
      await admin.locator('#code').fill('aaaaa-aaaaa');
      await admin.locator('#code').press('Enter');
      await admin.locator('#proof-error').waitFor();
      await checkHere(admin, 'set-up code (refused)', 'id', findings);
      await admin.locator('#code').fill(own);
      await admin.locator('#code').press('Enter');
      const secret = (await admin.locator('#totp-secret').innerText()).replace(/\s/g, '');
      await admin.locator('#code').fill(await generate({ secret }));
      await admin.locator('#code').press('Enter');
      await admin.locator('form[action$="/continue"] button').click();
      await admin.locator('main h1').waitFor();
      // Resetting Rudi's second factors, then a set-up code for him, shown once.
      await admin.goto(`${coded.local}/admin/orang/reset?login=rudi.hartono`);
      await admin.locator('#reason').fill('Kunci keamanan hilang, dilaporkan ke helpdesk');
      await admin.locator('form[action="/admin/orang/reset"] button[type=submit]').click();
      await admin.waitForURL(/done=reset/);
      await checkHere(admin, 'person after a reset (offering a set-up code)', 'id', findings);
      await admin.locator('#issue-code button').click();
      await admin.locator('#enrolment-code').waitFor();
      await checkHere(admin, 'set-up code for a person (shown once)', 'id', findings);

      // E-mail mode: the code is sent to the official address; sending it again.
      const mail = await newPage();
      await mail.goto(`${mailed.local}/akun/keamanan/autentikator`);
      await signIn(mail, 'yanti.pakpahan');
      await mail.locator('form[action$="/enrol-proof"]').first().waitFor();
      const proof = mail.url().split('?')[0]!;
      await checkPage(mail, proof, findings, 'set-up code (sent by e-mail)');
      await mail.locator('form:has(input[name=resend]) button').click();
      await mail.locator('form:has(input[name=resend])').waitFor();
      await checkHere(mail, 'set-up code (sent again)', 'id', findings);
      // A person the directory has no e-mail address for: the page says to ask an administrator for a code.
      const yanti = (await mailed.satu.knex('accounts').where({ username: 'yanti.pakpahan' }).first()) as { sub: string; profile: string };
      const { email: _email, ...noEmail } = JSON.parse(yanti.profile) as Record<string, unknown>;
      await mailed.satu.knex('accounts').where({ sub: yanti.sub }).update({ profile: JSON.stringify(noEmail) });
      // Written with SQL behind the provider's back: it would see it when its cache of people ages out; told at once here.
      mailed.satu.signingIn.changed(yanti.sub);
      await mail.goto(proof);
      expect(await mail.locator('p.alert[role=status]').count(), 'the no-address notice').to.equal(1);
      await checkPage(mail, proof, findings, 'set-up code (no e-mail address)');
    } finally {
      await coded.stop();
      await mailed.stop();
      await box.close();
    }
    expect(findings, report(findings)).to.deep.equal([]);
  });
});
