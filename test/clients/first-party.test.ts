import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { expect } from 'chai';
import * as oidc from 'openid-client';
import { generate } from 'otplib';
import { readClientsFile } from '../../src/clients/clients.repo.ts';
import { registrationSchema } from '../../src/clients/registration.schema.ts';
import { ConfigError } from '../../src/config/load.ts';
import { idReviewer, enReviewer } from '../../src/i18n/messages-reviewer.ts';
import { idReview } from '../../src/i18n/messages-review.ts';
import { actors, registration } from '../support/apps.ts';
import { formFields, type Browser, type Page } from '../support/browser.ts';
import { steppingClock } from '../support/clock.ts';
import { newBrowser, signIn, stepOf, submitLogin, type SecondFactorHandler } from '../support/flow.ts';
import { SECRET, startProvider, testClients, type TestProvider } from '../support/provider.ts';
import { clientsFileSchema } from '../../src/config/schema.ts';

const { developer, reviewer } = actors;
const APP_URI = 'https://puskesmas.contoh.go.id/cb';
const SCOPE = { scope: 'openid profile email nip' };

/** Submits a page's form as a browser would, with `changes`. */
const post = (browser: Browser, page: Page, actionEndsWith: string, changes: Record<string, string> = {}) => {
  const { action, fields } = formFields(page, actionEndsWith);
  return browser.open(action, { method: 'POST', form: { ...fields, ...changes } });
};

const text = (page: Page, selector: string) => page.doc.querySelector(selector)?.text.replace(/\s+/g, ' ').trim() ?? '';

/**
 * First-party apps (issue 11 §6): Diskominfo marks the regency's own apps in the review (or the clients file says so);
 * they sign people in without the first-time notice, while what they receive is still recorded and shown in /akun.
 */
describe('first-party apps: the review mark, the clients file, sign-in without the notice', () => {
  let op: TestProvider;
  let dir: string;
  const time = steppingClock();
  const rpFor = (clientId: string, secret: string, redirect_uri = APP_URI) =>
    oidc.discovery(new URL(op.issuer), clientId, { id_token_signed_response_alg: 'RS256', redirect_uri }, oidc.ClientSecretBasic(secret), { execute: [oidc.allowInsecureRequests] });

  /** An authenticator on Satu Akun's clock: enrols at the first level-2/3 sign-in, then gives codes. */
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

  /** Each person's authenticator, set up at their first level-2/3 sign-in and kept for the next ones. */
  const factors = new Map<string, SecondFactorHandler>();
  const browsers = new Map<string, Browser>();
  /** Signs in to a zone (the admin console: level 3; the developer portal: level 2) once per person, and opens `path`. */
  const consoleBrowser = async (username: string, path: string) => {
    const known = browsers.get(username);
    if (known) return { browser: known, page: await known.open(`${op.local}${path}`) };
    const browser = newBrowser();
    browsers.set(username, browser);
    const factor = factors.get(username) ?? authenticator();
    factors.set(username, factor);
    let page = await browser.open(`${op.local}${path}`);
    for (let step = stepOf(page), n = 0; step !== 'other'; step = stepOf(page), n++) {
      if (n > 6) throw new Error(`console sign-in loops at ${step}`);
      page = step === 'login' ? await submitLogin(browser, page, username) : await factor(browser, page);
    }
    return { browser, page };
  };

  /** A registered and submitted app of Dinas Kesehatan. */
  const submitted = async (overrides: Record<string, unknown> = {}) => {
    const clientId = await op.satu.apps.createDraft(developer, registration(overrides));
    await op.satu.apps.submit(developer, clientId);
    return clientId;
  };

  /** A live app with its first secret, approved as first-party or not. */
  const liveApp = async (firstParty: boolean, level: 1 | 2 = 1) => {
    const clientId = await submitted({ level: String(level) });
    await op.satu.apps.review(reviewer, clientId, { outcome: 'approved', reason: 'Portal layanan milik Pemkab sendiri', level, scopes: ['openid', 'profile', 'email', 'nip'], acceptedExceptions: [], firstParty });
    return { clientId, secret: await op.satu.apps.rotateSecret(developer, clientId, 0) };
  };

  const changes = async (clientId: string) =>
    ((await op.satu.knex('audit_log').where({ client_id: clientId, event: 'app.changed' }).orderBy('seq')) as { details: string; actor: string }[]).map((r) => ({ actor: r.actor, ...(JSON.parse(r.details) as { action: string; before?: unknown; after?: unknown; reason?: string }) }));

  before(async () => {
    dir = mkdtempSync(join(tmpdir(), 'satu-akun-first-party-'));
    const file = join(dir, 'clients.json');
    writeFileSync(
      file,
      JSON.stringify([
        { client_id: 'portal-pemkab', client_name: 'Portal Pemkab', client_secret: SECRET, redirect_uris: ['https://portal.contoh.go.id/cb'], scopes: ['openid', 'profile', 'email'], first_party: true },
        { client_id: 'portal-mitra', client_name: 'Portal Mitra', client_secret: SECRET, redirect_uris: ['https://mitra.contoh.go.id/cb'], scopes: ['openid', 'profile', 'email'] },
      ]),
    );
    op = await startProvider(
      { clientsFile: file, roles: { reviewer: [{ login: 'siti.rahmawati' }], auditor: [{ login: 'bambang.susilo' }], developer: [{ login: 'dewi.lestari' }] } },
      { clock: time.clock },
    );
  });
  after(async () => {
    await op?.stop();
    rmSync(dir, { recursive: true, force: true });
  });

  describe('the reviewer decides', () => {
    it('offers the mark in the decision form with what it means, records it with the approval and audits it', async () => {
      const clientId = await submitted();
      const { browser, page: first } = await consoleBrowser('siti.rahmawati', `/admin/aplikasi/${clientId}`);
      const choice = first.doc.querySelector('#first-party-choice input[name="first_party"]');
      expect(choice, 'a first-party checkbox in the decision form').to.not.equal(null);
      expect(choice!.hasAttribute('checked'), 'not ticked for a new app').to.equal(false);
      expect(text(first, '#decide-first-party-hint')).to.equal(idReviewer['reviewer.first_party.hint']);

      const page = await post(browser, first, '/keputusan', { outcome: 'approved', reason: 'Portal layanan milik Pemkab sendiri', first_party: 'on' });
      expect(page.status, page.html.slice(0, 400)).to.equal(200);
      expect(text(page, '#done')).to.equal(idReviewer['reviewer.done.approved']);
      expect(page.doc.querySelector('#live-first-party')?.getAttribute('data-first-party')).to.equal('yes');
      expect(text(page, '#first-party-now')).to.equal(idReviewer['reviewer.first_party.now_yes']);

      const row = (await op.satu.knex('apps').where({ client_id: clientId }).first()) as { first_party: unknown };
      expect(Boolean(row.first_party)).to.equal(true);
      expect((await op.satu.clients.find(clientId))?.firstParty).to.equal(true);
      const approved = (await changes(clientId)).find((c) => c.action === 'approved')!;
      const siti = (await op.satu.knex('accounts').where({ username: 'siti.rahmawati' }).first()) as { sub: string };
      expect(approved.actor).to.equal(siti.sub);
      expect(approved.before).to.equal(undefined);
      expect(approved.after).to.deep.include({ firstParty: true });
      expect((approved.after as { decision: { firstParty: boolean } }).decision.firstParty).to.equal(true);
    });

    it('lets a reviewer remove and set the mark on a live app, with a reason, audited before and after', async () => {
      const { clientId } = await liveApp(true);
      const { browser, page: first } = await consoleBrowser('siti.rahmawati', `/admin/aplikasi/${clientId}`);
      expect(text(first, '#first-party-now')).to.equal(idReviewer['reviewer.first_party.now_yes']);

      // A reason too short: refused with the bilingual message, nothing changed.
      const short = await post(browser, first, '/milik-pemkab', { reason: 'singkat' });
      expect(short.status).to.equal(400);
      expect(text(short, '#first-party-error')).to.equal(idReview['review.error.reason'].replace('{min}', '10'));
      expect((await op.satu.clients.find(clientId))?.firstParty).to.equal(true);

      const cleared = await post(browser, first, '/milik-pemkab', { reason: 'Aplikasi dikelola pihak ketiga mulai tahun ini' });
      expect(cleared.status).to.equal(200);
      expect(text(cleared, '#done')).to.equal(idReviewer['reviewer.done.first_party_cleared']);
      expect(cleared.doc.querySelector('#live-first-party')?.getAttribute('data-first-party')).to.equal('no');
      expect((await op.satu.clients.find(clientId))?.firstParty, 'the registry is refreshed').to.equal(false);
      expect(cleared.doc.querySelectorAll('#history tr.event-first_party_cleared')).to.have.length(1);

      // The form posted again from the stale page asks for what is already so: a conflict, "reload the page".
      const stale = await post(browser, first, '/milik-pemkab', { reason: 'Aplikasi dikelola pihak ketiga mulai tahun ini' });
      expect(stale.status).to.equal(409);

      const again = await post(browser, cleared, '/milik-pemkab', { reason: 'Kembali dikelola Diskominfo sendiri' });
      expect(text(again, '#done')).to.equal(idReviewer['reviewer.done.first_party_set']);
      expect((await op.satu.clients.find(clientId))?.firstParty).to.equal(true);

      const marks = (await changes(clientId)).filter((c) => String(c.action).startsWith('first_party_'));
      expect(marks.map((m) => [m.action, m.before, m.after, m.reason])).to.deep.equal([
        ['first_party_cleared', { firstParty: true }, { firstParty: false }, 'Aplikasi dikelola pihak ketiga mulai tahun ini'],
        ['first_party_set', { firstParty: false }, { firstParty: true }, 'Kembali dikelola Diskominfo sendiri'],
      ]);
      // The person responsible is told, in both languages.
      const mail = (await op.satu.knex('outbox').where({ recipient: 'dewi.lestari@contoh.go.id' }).orderBy('id', 'desc').first()) as { body: string };
      expect(mail.body).to.contain('ditandai sebagai aplikasi milik Pemkab').and.to.contain('marked as the regency’s own app');
    });

    it('shows the mark read-only to an auditor, in English too', async () => {
      const { clientId } = await liveApp(true);
      const { browser } = await consoleBrowser('bambang.susilo', `/admin/aplikasi/${clientId}`);
      const page = await browser.open(`${op.local}/admin/aplikasi/${clientId}?lang=en`);
      expect(text(page, '#first-party-now')).to.equal(enReviewer['reviewer.first_party.now_yes']);
      expect(page.doc.querySelector('#first-party-form')).to.equal(null);
      const csrf = page.doc.querySelector('input[name="_csrf"]')?.getAttribute('value');
      expect(csrf, 'a CSRF token on the page (the sign-out form)').to.be.a('string');
      const refused = await browser.open(`${op.local}/admin/aplikasi/${clientId}/milik-pemkab`, { method: 'POST', form: { _csrf: csrf!, first_party: 'off', reason: 'Saya auditor yang mencoba' } });
      expect(refused.status).to.equal(403);
      expect((await op.satu.clients.find(clientId))?.firstParty).to.equal(true);
    });

    it('shows the mark to the app’s developers in the developer portal, read-only', async () => {
      const { clientId } = await liveApp(true);
      const { browser, page } = await consoleBrowser('dewi.lestari', `/developer/aplikasi/${clientId}`);
      expect(page.status, page.html.slice(0, 300)).to.equal(200);
      expect(page.doc.querySelector('#first-party')?.getAttribute('data-first-party')).to.equal('yes');
      expect(page.doc.querySelectorAll('input[name="first_party"]')).to.have.length(0);
      const { clientId: other } = await liveApp(false);
      const normal = await browser.open(`${op.local}/developer/aplikasi/${other}?lang=en`);
      expect(text(normal, '#first-party')).to.equal('No: staff see the first-time notice before their data is sent. Only Diskominfo sets this mark, in the review.');
    });

    it('does not clear a mark set while a change request’s decision form was open: the stale form is refused (409), the form shown anew keeps the mark', async () => {
      const { apps } = op.satu;
      const { clientId } = await liveApp(false);
      await apps.saveDraft(developer, clientId, registration({ description: 'Pencatatan layanan puskesmas, versi ketiga' }));
      await apps.submit(developer, clientId);
      // One tab opens the decision form while the app is not first-party; another sets the mark on the live app.
      const { browser, page: decisionTab } = await consoleBrowser('siti.rahmawati', `/admin/aplikasi/${clientId}`);
      expect(decisionTab.doc.querySelector('#first-party-choice input[name="first_party"]')!.hasAttribute('checked')).to.equal(false);
      const markTab = await browser.open(`${op.local}/admin/aplikasi/${clientId}`);
      const marked = await post(browser, markTab, '/milik-pemkab', { reason: 'Portal ini milik Pemkab sendiri' });
      expect(text(marked, '#done')).to.equal(idReviewer['reviewer.done.first_party_set']);

      // The decision form, its box as it was shown (unticked), approves: refused as stale, the mark kept.
      const decision = { outcome: 'approved', reason: 'Perubahan deskripsi saja' };
      const stale = await post(browser, decisionTab, '/keputusan', decision);
      expect(stale.status, stale.html.slice(0, 400)).to.equal(409);
      expect(text(stale, '#decision-error')).to.equal(idReview['review.error.state']);
      expect((await apps.detail(reviewer, clientId)).app.firstParty, 'the mark set meanwhile is kept').to.equal(true);
      expect((await apps.detail(reviewer, clientId)).open?.state, 'nothing decided').to.equal('submitted');

      // Shown anew, the form has the mark as the app has it now: approving without touching the box keeps it.
      expect(stale.doc.querySelector('#first-party-choice input[name="first_party"]')!.hasAttribute('checked')).to.equal(true);
      const approved = await post(browser, stale, '/keputusan', decision);
      expect(text(approved, '#done')).to.equal(idReviewer['reviewer.done.approved']);
      expect((await apps.detail(reviewer, clientId)).app.firstParty).to.equal(true);
    });

    it('keeps the mark through a change request unless the reviewer unticks it, and refuses a reviewer on their own app', async () => {
      const { apps } = op.satu;
      const { clientId } = await liveApp(true);
      await apps.saveDraft(developer, clientId, registration({ description: 'Pencatatan layanan puskesmas, versi kedua' }));
      await apps.submit(developer, clientId);
      await apps.review(reviewer, clientId, { outcome: 'approved', reason: 'Perubahan deskripsi saja', level: 1, scopes: ['openid', 'profile'], acceptedExceptions: [] });
      expect((await apps.detail(reviewer, clientId)).app.firstParty, 'left out: kept').to.equal(true);

      const own = await apps.createDraft(reviewer, registration({ agency: 'DISKOMINFO' }));
      await apps.submit(reviewer, own);
      await apps.review({ ...actors.admin }, own, { outcome: 'approved', reason: 'Aplikasi internal Diskominfo', level: 1, scopes: ['openid'], acceptedExceptions: [] });
      const refused = await apps.setFirstParty(reviewer, own, true, 'Aplikasi kami sendiri, tanpa pemberitahuan').catch((e: { code?: string }) => e.code);
      expect(refused).to.equal('review.error.own_app');
      const developerRefused = await apps.setFirstParty(developer, clientId, false, 'Saya ingin mengubahnya sendiri').catch((e: { code?: string }) => e.code);
      expect(developerRefused).to.equal('review.error.forbidden');
    });
  });

  describe('sign-in', () => {
    it('signs in to a first-party app without the notice, records what it receives, and still shows the notice for a normal app', async () => {
      const ours = await liveApp(true);
      const theirs = await liveApp(false);
      const browser = newBrowser();
      const first = await signIn(await rpFor(ours.clientId, ours.secret), browser, 'rudi.hartono', SCOPE);
      expect(first.steps).to.deep.equal(['login']);
      expect(first.tokens.claims()!.aud).to.equal(ours.clientId);
      const info = await oidc.fetchUserInfo(await rpFor(ours.clientId, ours.secret), first.tokens.access_token, first.tokens.claims()!.sub);
      expect(info.email).to.be.a('string');

      const consent = (await op.satu.knex('consents').where({ client_id: ours.clientId }).first()) as { scopes: string };
      expect(consent.scopes.split(' ').sort()).to.deep.equal(['email', 'nip', 'openid', 'profile']);
      const granted = (await op.satu.knex('audit_log').where({ client_id: ours.clientId, event: 'consent.granted' }).first()) as { details: string };
      expect(JSON.parse(granted.details)).to.deep.equal({ scopes: ['openid', 'profile', 'email', 'nip'], firstParty: true });

      const normal = await signIn(await rpFor(theirs.clientId, theirs.secret), browser, undefined, SCOPE);
      expect(normal.steps, 'SSO: no password, but the notice').to.deep.equal(['notice']);
    });

    it('still asks for the level: a level-2 first-party app needs the second factor', async () => {
      const ours = await liveApp(true, 2);
      const { steps } = await signIn(await rpFor(ours.clientId, ours.secret), newBrowser(), 'yanti.pakpahan', SCOPE, authenticator());
      expect(steps).to.include('login').and.to.include('enrol').and.not.to.include('notice');
    });

    it('skips the notice for an app the clients file marks first_party, and not for one without it', async () => {
      const rp = (id: string, uri: string) => oidc.discovery(new URL(op.issuer), id, { id_token_signed_response_alg: 'RS256', redirect_uri: uri }, oidc.ClientSecretBasic(SECRET), { execute: [oidc.allowInsecureRequests] });
      const browser = newBrowser();
      const ours = await signIn(await rp('portal-pemkab', 'https://portal.contoh.go.id/cb'), browser, 'siti.rahmawati', { scope: 'openid profile email' });
      expect(ours.steps).to.deep.equal(['login']);
      const theirs = await signIn(await rp('portal-mitra', 'https://mitra.contoh.go.id/cb'), browser, undefined, { scope: 'openid profile email' });
      expect(theirs.steps).to.deep.equal(['notice']);
    });

    it('shows the first-party app and the data it receives in /akun', async () => {
      const ours = await liveApp(true);
      const browser = newBrowser();
      await signIn(await rpFor(ours.clientId, ours.secret), browser, 'andi.wijaya', { scope: 'openid profile email' });
      const page = await browser.open(`${op.local}/akun`);
      expect(page.status).to.equal(200);
      const row = page.doc.querySelector(`#apps tr[data-client-id="${ours.clientId}"]`);
      expect(row, page.html.slice(0, 500)).to.not.equal(null);
      expect(row!.querySelectorAll('li[data-scope]').map((li) => li.getAttribute('data-scope'))).to.deep.equal(['openid', 'profile', 'email']);
      expect(row!.text).to.contain('E-mail dinas');
      expect(row!.querySelector('.first-party')).to.not.equal(null);
    });
  });

  describe('what developers cannot do', () => {
    it('refuses first_party in dynamic client registration with invalid_client_metadata', async () => {
      const initial = await op.satu.dcr.issueToken(actors.admin, { issuedTo: 'sub-dewi', agency: 'BPBD', days: 7, uses: 2 });
      const body = {
        client_name: 'Aplikasi Lapor Bencana',
        description: 'Laporan bencana dari kecamatan ke BPBD',
        kind: 'khusus',
        environment: 'production',
        level: 1,
        redirect_uris: ['https://lapor.contoh.go.id/cb'],
        scope: 'openid profile',
        scope_purposes: { profile: 'Menampilkan nama pelapor pada laporan' },
        responsible_name: 'Tim Aplikasi BPBD',
        contacts: ['aplikasi.bpbd@contoh.go.id'],
      };
      const send = (extra: Record<string, unknown>) =>
        fetch(`${op.local}/register`, { method: 'POST', headers: { authorization: `Bearer ${initial}`, 'content-type': 'application/json' }, body: JSON.stringify({ ...body, ...extra }) });
      const refused = await send({ first_party: true });
      expect(refused.status).to.equal(400);
      const error = (await refused.json()) as { error: string; error_description: string };
      expect(error.error).to.equal('invalid_client_metadata');
      expect(error.error_description).to.match(/^first_party: .*decided by Diskominfo in the review/);
      expect(await send({ satu_akun_first_party: true }).then((r) => r.status)).to.equal(400);

      // The refusal spent no use of the token; a registration without the field is read back as not first-party.
      const created = await send({});
      expect(created.status).to.equal(201);
      const registered = (await created.json()) as { client_id: string; satu_akun_first_party: boolean; registration_client_uri: string; registration_access_token: string };
      expect(registered.satu_akun_first_party).to.equal(false);
      expect(Boolean(((await op.satu.knex('apps').where({ client_id: registered.client_id }).first()) as { first_party: unknown }).first_party)).to.equal(false);
    });

    it('drops first_party from the portal registration form: only a reviewer sets it', () => {
      const parsed = registrationSchema(['contoh.go.id']).parse({ ...formOf(), first_party: 'on' }) as Record<string, unknown>;
      expect(parsed).not.to.have.property('first_party');
    });

    it('reads first_party from the clients file and refuses a value that is not a boolean', () => {
      const file = join(dir, 'bad.json');
      writeFileSync(file, JSON.stringify([{ ...testClients()[0], first_party: 'ya' }]));
      expect(() => readClientsFile(file)).to.throw(ConfigError).with.property('message').that.contains('first_party');
      expect(clientsFileSchema.parse([{ client_id: 'x', client_name: 'X', redirect_uris: ['https://x.contoh.go.id/cb'], token_endpoint_auth_method: 'none' }])[0]!.first_party).to.equal(false);
    });
  });
});

/** The portal form's fields for a valid registration (as the browser posts them). */
const formOf = () => ({
  name: 'Sistem Informasi Puskesmas',
  description: 'Pencatatan layanan puskesmas untuk Dinas Kesehatan',
  agency: 'DINKES',
  kind: 'khusus',
  environment: 'production',
  level: '1',
  client_type: 'confidential',
  token_endpoint_auth_method: 'client_secret_basic',
  redirect_uris: APP_URI,
  post_logout_redirect_uris: '',
  scopes: [{ scope: 'profile', purpose: 'Menampilkan nama petugas di layar' }],
  responsible_name: 'Dewi Lestari',
  responsible_email: 'dewi.lestari@contoh.go.id',
});
