import { expect } from 'chai';
import * as oidc from 'openid-client';
import { createAccountsRepo } from '../../src/accounts/accounts.repo.ts';
import { createAccountsService } from '../../src/accounts/accounts.service.ts';
import { ADMIN_SCOPES } from '../../src/admin/api/scopes.ts';
import type { AuditRecord } from '../../src/audit/audit.service.ts';
import { clientsFileSchema, type ClientConfig } from '../../src/config/schema.ts';
import { actors, registration } from '../support/apps.ts';
import { backchannelApp, backchannelRp, startLogoutReceiver, type LogoutReceiver } from '../support/backchannel.ts';
import { newBrowser, signIn, type SecondFactorHandler } from '../support/flow.ts';
import { createPhone, steppingClock } from '../support/phone.ts';
import { rp, SECRET, testClients, type TestProvider } from '../support/provider.ts';
import { STORES, startProviderOn, type StoreBackend } from '../support/stores.ts';

const BASE = '/admin/api/v1';
const REASON = 'Permintaan BKPSDM nomor 800/17/2026';
const ALL_SCOPES = ADMIN_SCOPES.join(' ');
const REQUIRED_OPERATIONS = [
  'listPeople',
  'getPerson',
  'suspendPerson',
  'reinstatePerson',
  'disablePerson',
  'listPersonSessions',
  'endPersonSessions',
  'resetPersonFactors',
  'unlockPerson',
  'listRoleGrants',
  'grantRole',
  'revokeRole',
  'listAppRoles',
  'grantAppRole',
  'revokeAppRole',
  'listAgencies',
];

/** The regency's own automation: an app in the clients file granted every admin scope (the bootstrap path). */
const automationApp = (): ClientConfig =>
  clientsFileSchema.parse([
    { client_id: 'automation', client_name: 'Otomasi Diskominfo', client_secret: SECRET, scopes: ['openid', ...ADMIN_SCOPES], redirect_uris: ['https://otomasi.contoh.go.id/cb'], grant_types: ['client_credentials'] },
  ])[0]!;

/** What the API answered: status, content type, headers and the parsed JSON body. */
interface Answer {
  status: number;
  type: string | null;
  headers: Headers;
  // eslint-disable-next-line @typescript-eslint/no-explicit-any
  json: any;
}

/**
 * A Satu Akun on `store` with the automation app, the back-channel test app (a person signs in to it with a refresh
 * token), a stepping clock and a phone; a registered app of Dinas Kesehatan granted the admin scopes by review.
 */
const world = (store: StoreBackend) => {
  const time = steppingClock();
  const phone = createPhone(time);
  const w = {
    op: undefined as unknown as TestProvider,
    receiver: undefined as unknown as LogoutReceiver,
    automation: undefined as unknown as oidc.Configuration,
    app: undefined as unknown as oidc.Configuration,
    /** The registered DINKES app (agency-scoped) and its secret. */
    dinkes: { clientId: '', secret: '' },
    time,
    phone,
    start: async (ctx: Mocha.Context): Promise<void> => {
      ctx.timeout(120_000);
      w.receiver = await startLogoutReceiver();
      w.op = await startProviderOn(ctx, store, {}, { clock: time.clock, clients: [...testClients(), backchannelApp(w.receiver.url), automationApp()] });
      w.automation = await rp(w.op.issuer, 'automation');
      w.app = await backchannelRp(w.op.issuer);
      w.dinkes = await w.register(ADMIN_SCOPES);
    },
    stop: async (): Promise<void> => {
      await w.op?.stop();
      await w.receiver?.close();
    },
    /** A registration of Dinas Kesehatan asking for the admin scopes, reviewed by Diskominfo granting `granted` of them. */
    register: async (granted: readonly string[]): Promise<{ clientId: string; secret: string }> => {
      const { apps } = w.op.satu;
      const clientId = await apps.createDraft(
        actors.developer,
        registration({
          grant_types: ['authorization_code', 'client_credentials'],
          scopes: [{ scope: 'profile', purpose: 'Menampilkan nama petugas di layar' }, ...ADMIN_SCOPES.map((scope) => ({ scope, purpose: 'Sinkronisasi status pegawai Dinas Kesehatan dengan SIMPEG' }))],
        }),
      );
      await apps.submit(actors.developer, clientId);
      await apps.review(actors.reviewer, clientId, { outcome: 'approved', reason: 'Otomasi yang diminta sesuai tujuan', level: 1, scopes: ['openid', ...granted], acceptedExceptions: [] });
      return { clientId, secret: await apps.rotateSecret(actors.developer, clientId, 0) };
    },
    /** openid-client for a registered app. */
    registered: (app: { clientId: string; secret: string }): Promise<oidc.Configuration> =>
      oidc.discovery(new URL(w.op.issuer), app.clientId, {}, oidc.ClientSecretBasic(app.secret), { execute: [oidc.allowInsecureRequests] }),
    /** An access token of the client-credentials grant (openid-client), with `scope`. */
    token: async (config?: oidc.Configuration, scope: string = ALL_SCOPES): Promise<string> => (await oidc.clientCredentialsGrant(config ?? w.automation, { scope })).access_token,
    /** One call of the API. */
    api: async (token: string | undefined, method: string, path: string, body?: unknown, headers: Record<string, string> = {}): Promise<Answer> => {
      const res = await fetch(`${w.op.local}${BASE}${path}`, {
        method,
        headers: { ...(token ? { authorization: `Bearer ${token}` } : {}), ...(body !== undefined ? { 'content-type': 'application/json' } : {}), ...headers },
        ...(body !== undefined ? { body: typeof body === 'string' ? body : JSON.stringify(body) } : {}),
      });
      const text = await res.text();
      return { status: res.status, type: res.headers.get('content-type'), headers: res.headers, json: text ? JSON.parse(text) : undefined };
    },
    /** Accounts for people who never signed in (as an administrator's change or a first sign-in creates them). */
    ensureAccounts: async (logins: string[]): Promise<void> => {
      const accounts = createAccountsService({ repo: createAccountsRepo(w.op.satu.knex), clock: time.clock });
      for (const login of logins) await accounts.ensure((await w.op.satu.directory.findUser(login))!);
    },
    subOf: async (username: string): Promise<string> => ((await w.op.satu.knex('accounts').where({ username }).first()) as { sub: string }).sub,
    answers: (username: string): SecondFactorHandler => (browser, page) => phone.answer(browser, page, username),
    /** Signs `username` in to the back-channel app with offline access: a session and a refresh token. */
    signInToApp: (username: string): ReturnType<typeof signIn> => signIn(w.app, newBrowser(), username, { scope: 'openid profile offline_access', prompt: 'consent' }),
    /** Audit records written since `seq`, by `actor`. */
    auditSince: async (seq: number, actor: string): Promise<AuditRecord[]> => (await w.op.satu.audit.list({ actor, limit: 200 })).filter((r) => r.seq > seq),
    head: async (): Promise<number> => (await w.op.satu.audit.head()).seq,
  };
  return w;
};

/** The problem details of a refusal, checked for the shape RFC 9457 gives them. */
const problemOf = (answer: Answer, status: number) => {
  expect(answer.status, JSON.stringify(answer.json)).to.equal(status);
  expect(answer.type).to.match(/^application\/problem\+json/);
  expect(answer.json).to.include({ status });
  expect(answer.json.type).to.be.a('string');
  expect(answer.json.title).to.be.a('string');
  return answer.json;
};

for (const store of [STORES.SQLite, STORES['PostgreSQL + Redis']]) {
  describe(`admin API /admin/api/v1 (issue 10 §7) on ${store.name}`, () => {
    const w = world(store);
    before(function () {
      return w.start(this);
    });
    after(() => w.stop());

    describe('the OpenAPI document', () => {
      it('is OpenAPI 3.1 JSON, served without a token, with every required operation, the bearer scheme and the client-credentials flow', async () => {
        const res = await fetch(`${w.op.local}${BASE}/openapi.json`);
        expect(res.status).to.equal(200);
        expect(res.headers.get('content-type')).to.match(/^application\/json/);
        const doc = (await res.json()) as {
          openapi: string;
          servers: { url: string }[];
          paths: Record<string, Record<string, { operationId: string; security: unknown[]; requestBody?: { content: Record<string, { schema: { $ref: string } }> }; responses: Record<string, unknown>; parameters: { name: string; in: string }[] }>>;
          components: { schemas: Record<string, unknown>; securitySchemes: Record<string, { type: string; scheme?: string; flows?: { clientCredentials: { tokenUrl: string; scopes: Record<string, string> } } }> };
        };
        expect(doc.openapi).to.equal('3.1.0');
        expect(doc.servers).to.deep.equal([{ url: `${w.op.issuer}${BASE}` }]);
        const operations = Object.entries(doc.paths).flatMap(([path, methods]) => Object.entries(methods).map(([method, o]) => ({ path, method, ...o })));
        const ids = operations.map((o) => o.operationId);
        expect(ids).to.include.members(REQUIRED_OPERATIONS);
        expect(new Set(ids).size, 'operation ids are unique').to.equal(ids.length);
        expect(doc.components.securitySchemes.bearerAuth).to.include({ type: 'http', scheme: 'bearer' });
        const flow = doc.components.securitySchemes.oauth2!.flows!.clientCredentials;
        expect(flow.tokenUrl).to.equal(w.automation.serverMetadata().token_endpoint);
        expect(Object.keys(flow.scopes)).to.deep.equal([...ADMIN_SCOPES]);
        for (const o of operations) {
          expect(o.security, o.operationId).to.have.length.greaterThan(0);
          expect(o.responses, o.operationId).to.include.keys('400', '401', '403');
          for (const p of o.parameters.filter((p) => p.in === 'path')) expect(o.path, o.operationId).to.contain(`{${p.name}}`);
          const ref = o.requestBody?.content['application/json']?.schema.$ref;
          if (ref) expect(doc.components.schemas, `${o.operationId} ${ref}`).to.have.property(ref.replace('#/components/schemas/', ''));
          // Every documented operation is routed: without a token it is refused as unauthenticated, not unknown.
          const answer = await w.api(undefined, o.method.toUpperCase(), o.path.replace(/\{\w+\}/g, '1'), o.requestBody ? {} : undefined);
          expect(answer.status, `${o.method} ${o.path}`).to.equal(401);
        }
        // The request schemas in the document are the validators' own: the suspension's reason and end, exactly.
        expect(doc.components.schemas.SuspendRequest).to.deep.include({ required: ['reason'], additionalProperties: false });
      });
    });

    describe('authentication (RFC 6750)', () => {
      it('refuses a call without a token with 401, a Bearer challenge and problem details', async () => {
        const answer = await w.api(undefined, 'GET', '/people');
        expect(problemOf(answer, 401)).to.include({ code: 'missing_token' });
        expect(answer.headers.get('www-authenticate')).to.equal('Bearer realm="Satu Akun admin API"');
        expect(answer.headers.get('cache-control')).to.equal('no-store');
      });

      it('refuses an unknown token, and a person\'s access token, with error="invalid_token"', async () => {
        for (const token of ['not-a-token', 'a'.repeat(43)]) {
          const answer = await w.api(token, 'GET', '/people');
          expect(problemOf(answer, 401)).to.include({ code: 'invalid_token' });
          expect(answer.headers.get('www-authenticate')).to.match(/^Bearer realm="Satu Akun admin API", error="invalid_token"/);
        }
        const basic = await w.api(undefined, 'GET', '/people', undefined, { authorization: `Basic ${Buffer.from(`automation:${SECRET}`).toString('base64')}` });
        expect(problemOf(basic, 401)).to.include({ code: 'invalid_token' });
        const person = await w.signInToApp('heru.handoko');
        expect(problemOf(await w.api(person.tokens.access_token, 'GET', '/people'), 401)).to.include({ code: 'invalid_token' });
      });

      it('refuses a revoked token', async () => {
        const token = await w.token();
        expect((await w.api(token, 'GET', '/agencies')).status).to.equal(200);
        await oidc.tokenRevocation(w.automation, token);
        expect(problemOf(await w.api(token, 'GET', '/agencies'), 401)).to.include({ code: 'invalid_token' });
      });

      it('releases nothing about a person through the admin scopes: an app granted them signs a person in with no extra claims, and that token opens no API', async () => {
        const config = await oidc.discovery(new URL(w.op.issuer), w.dinkes.clientId, { redirect_uri: 'https://puskesmas.contoh.go.id/cb' }, oidc.ClientSecretBasic(w.dinkes.secret), { execute: [oidc.allowInsecureRequests] });
        const { tokens } = await signIn(config, newBrowser(), 'lina.komalasari', { scope: `openid ${ALL_SCOPES}` });
        const claims = tokens.claims()!;
        expect(Object.keys(claims).filter((k) => !['iss', 'sub', 'aud', 'exp', 'iat', 'auth_time', 'nonce', 'acr', 'amr', 'sid', 'at_hash'].includes(k))).to.deep.equal([]);
        expect(Object.keys(await oidc.fetchUserInfo(config, tokens.access_token, claims.sub))).to.deep.equal(['sub']);
        expect(problemOf(await w.api(tokens.access_token, 'GET', '/agencies'), 401)).to.include({ code: 'invalid_token' });
      });

      it('issues admin scopes only to apps granted them: the provider refuses them to any other app', async () => {
        const err = await oidc.clientCredentialsGrant(await rp(w.op.issuer, 'machine'), { scope: 'admin:people:read' }).then(
          () => undefined,
          (e: unknown) => e,
        );
        expect(err).to.be.instanceOf(oidc.ResponseBodyError);
        expect((err as oidc.ResponseBodyError).error).to.equal('invalid_scope');
      });

      it('answers 403 insufficient_scope when the token lacks the operation\'s scope', async () => {
        const readOnly = await w.token(undefined, 'admin:people:read');
        expect((await w.api(readOnly, 'GET', '/agencies')).status).to.equal(200);
        const answer = await w.api(readOnly, 'POST', '/people/rudi.hartono/unlock', { reason: REASON });
        expect(problemOf(answer, 403)).to.include({ code: 'insufficient_scope' });
        expect(answer.headers.get('www-authenticate')).to.equal('Bearer realm="Satu Akun admin API", error="insufficient_scope", scope="admin:people:write"');
        const none = await w.token(undefined, 'openid');
        expect(problemOf(await w.api(none, 'GET', '/people'), 403)).to.include({ code: 'insufficient_scope' });
      });

      it('grants a registered app the scopes only through review: scopes the reviewer did not tick are refused at the token endpoint', async () => {
        const narrow = await w.register(['admin:people:read']);
        const config = await w.registered(narrow);
        expect(await w.token(config, 'admin:people:read')).to.be.a('string');
        const err = await oidc.clientCredentialsGrant(config, { scope: 'admin:people:read admin:people:write' }).then(
          () => undefined,
          (e: unknown) => e,
        );
        expect((err as oidc.ResponseBodyError).error).to.equal('invalid_scope');
      });

      it('refuses the tokens of an app once Diskominfo suspends it', async () => {
        const app = await w.register([...ADMIN_SCOPES]);
        const token = await w.token(await w.registered(app));
        expect((await w.api(token, 'GET', '/agencies')).status).to.equal(200);
        await w.op.satu.apps.control(actors.reviewer, app.clientId, 'suspend', 'Token bocor di repositori publik');
        const answer = await w.api(token, 'GET', '/agencies');
        expect(problemOf(answer, 401)).to.include({ code: 'invalid_token' });
        expect(answer.headers.get('www-authenticate')).to.contain('error="invalid_token"');
      });
    });

    describe('people', () => {
      it('listPeople pages through every account by cursor, with filters by agency, state and username prefix', async () => {
        const dinkes = ['sri.kusumawati', 'lina.komalasari', 'siti.hidayatullah', 'rina.gunawan', 'grace.sumampouw'];
        await w.ensureAccounts([...dinkes, 'rudi.hartono', 'yanti.pakpahan']);
        const token = await w.token();
        const rows = (await w.op.satu.knex('accounts').orderBy('sub')) as { sub: string; username: string; profile: string }[];
        const expected = rows.filter((r) => (JSON.parse(r.profile) as { agencyCode?: string }).agencyCode === 'DINKES').map((r) => r.sub);
        expect(expected).to.have.length.of.at.least(dinkes.length);

        const seen: string[] = [];
        let cursor: string | null = null;
        for (let pages = 0; pages < 10; pages++) {
          const answer: Answer = await w.api(token, 'GET', `/people?agency=dinkes&limit=2${cursor ? `&cursor=${cursor}` : ''}`);
          expect(answer.status, JSON.stringify(answer.json)).to.equal(200);
          expect(answer.json.items.length).to.be.at.most(2);
          for (const item of answer.json.items) expect(item).to.include({ agencyCode: 'DINKES', status: 'active' });
          seen.push(...answer.json.items.map((i: { sub: string }) => i.sub));
          cursor = answer.json.nextCursor;
          if (!cursor) break;
        }
        expect(cursor, 'the last page says so').to.equal(null);
        expect(seen).to.deep.equal(expected);

        const all = await w.api(token, 'GET', '/people?limit=100');
        expect(all.json.items.map((i: { sub: string }) => i.sub)).to.deep.equal(rows.map((r) => r.sub).slice(0, 100));
        const prefixed = await w.api(token, 'GET', '/people?q=RI');
        expect(prefixed.json.items.map((i: { username: string }) => i.username).sort()).to.deep.equal(rows.map((r) => r.username).filter((u) => u.startsWith('ri')).sort());
        expect(prefixed.json.items.map((i: { username: string }) => i.username)).to.include.members(['rina.gunawan', 'rudi.hartono'].filter((u) => u.startsWith('ri')));
        const wildcard = await w.api(token, 'GET', '/people?q=%25');
        expect(wildcard.json.items, 'LIKE wildcards are taken literally').to.deep.equal([]);
      });

      it('listPeople filters by state, and refuses bad parameters with field errors', async () => {
        const token = await w.token();
        await w.ensureAccounts(['grace.sumampouw']);
        expect((await w.api(token, 'POST', '/people/grace.sumampouw/disable', { reason: REASON })).status).to.equal(200);
        const disabled = await w.api(token, 'GET', '/people?status=disabled');
        expect(disabled.json.items.map((i: { username: string }) => i.username)).to.include('grace.sumampouw');
        for (const item of disabled.json.items) expect(item.status).to.equal('disabled');
        const active = await w.api(token, 'GET', '/people?status=active&limit=100');
        expect(active.json.items.map((i: { username: string }) => i.username)).not.to.include('grace.sumampouw');
        expect((await w.api(token, 'POST', '/people/grace.sumampouw/reinstate', { reason: REASON })).status).to.equal(200);

        const bad = problemOf(await w.api(token, 'GET', '/people?limit=1000&status=gone&cursor=!!&extra=1'), 400);
        expect(bad.errors.map((e: { parameter: string }) => e.parameter).sort()).to.deep.equal(['cursor', 'extra', 'limit', 'status']);
        for (const e of bad.errors) expect(e).to.include({ in: 'query' });
        expect(problemOf(await w.api(token, 'GET', `/people?cursor=${Buffer.from('not a sub!').toString('base64url')}`), 400).errors[0]).to.include({ parameter: 'cursor' });
      });

      it('getPerson finds a person by username, NIP or e-mail: directory record, account, factors, roles, app roles, sessions', async () => {
        const token = await w.token();
        await w.signInToApp('andi.wijaya');
        const byName = await w.api(token, 'GET', '/people/andi.wijaya');
        expect(byName.status, JSON.stringify(byName.json)).to.equal(200);
        const p = byName.json;
        expect(p.person).to.include({ username: 'andi.wijaya', name: 'Andi Wijaya', nip: '198108232016091001', agencyCode: 'DISKOMINFO', email: 'andi.wijaya@contoh.go.id' });
        expect(p.account).to.include({ sub: await w.subOf('andi.wijaya'), status: 'active' });
        expect(p.account.lastSignInAt).to.be.a('string');
        expect(p.lastSignInAt).to.equal(p.account.lastSignInAt);
        expect(p.factors).to.include({ authenticatorApp: false, any: false });
        expect(p.roles).to.deep.include({ role: 'administrator', source: 'config' });
        expect(p.appRoles).to.deep.include({ clientId: 'app-a', app: 'Aplikasi A', role: 'operator', source: 'config', state: 'active' });
        expect(p.apps.map((a: { clientId: string }) => a.clientId)).to.include('app-bc');
        expect(p.sessions).to.be.at.least(1);
        expect(p.recentAttempts.map((a: { event: string }) => a.event)).to.include('signin.success');
        expect(p.may).to.deep.equal({ view: true, unlock: true, reset: true, sessions: true, state: true });
        for (const login of ['198108232016091001', 'andi.wijaya@contoh.go.id']) {
          expect((await w.api(token, 'GET', `/people/${encodeURIComponent(login)}`)).json.person.username, login).to.equal('andi.wijaya');
        }
        expect(problemOf(await w.api(token, 'GET', '/people/nobody.here'), 404)).to.include({ code: 'admin.people.not_found', detail: 'There is no member of staff "nobody.here" in the directory.' });
      });

      it('suspendPerson ends the person\'s session and their refresh token fails at once; the app is told; reinstatePerson lets them back', async () => {
        const token = await w.token();
        const person = 'rudi.hartono';
        const signedIn = await w.signInToApp(person);
        const refreshed = await oidc.refreshTokenGrant(w.app, signedIn.tokens.refresh_token!);
        const delivered = w.receiver.received.length;

        const suspended = await w.api(token, 'POST', `/people/${person}/suspend`, { reason: REASON, until: new Date(Date.now() + 10 * 86_400_000).toISOString().slice(0, 10) });
        expect(suspended.status, JSON.stringify(suspended.json)).to.equal(200);
        expect(suspended.json.account).to.include({ status: 'suspended' });
        expect(suspended.json.account.statusChange).to.include({ reason: REASON, by: 'client:automation' });
        expect(suspended.json.account.statusChange.until).to.match(/T16:59:59\.000Z$/);

        const err = await oidc.refreshTokenGrant(w.app, refreshed.refresh_token!).then(() => undefined, (e: unknown) => e);
        expect((err as oidc.ResponseBodyError).error).to.equal('invalid_grant');
        expect(w.receiver.received.length, 'the app was told by back-channel logout').to.be.greaterThan(delivered);
        const sub = await w.subOf(person);
        const records = await w.op.satu.audit.list({ event: 'account.suspended' });
        expect(records.find((r) => r.subject === sub)).to.include({ actor: 'client:automation', client_id: 'automation' });

        const back = await w.api(token, 'POST', `/people/${person}/reinstate`, { reason: REASON });
        expect(back.json.account).to.include({ status: 'active' });
        expect(problemOf(await w.api(token, 'POST', `/people/${person}/reinstate`, { reason: REASON }), 409)).to.include({ code: 'admin.state.already_active' });
        expect((await w.signInToApp(person)).tokens.access_token).to.be.a('string');
        expect(problemOf(await w.api(token, 'POST', `/people/${person}/suspend`, { reason: REASON, until: '2020-01-01' }), 400)).to.include({ code: 'admin.state.until_invalid' });
      });

      it('disablePerson disables an account until reinstated', async () => {
        const token = await w.token();
        await w.signInToApp('heru.handoko');
        const disabled = await w.api(token, 'POST', '/people/heru.handoko/disable', { reason: REASON });
        expect(disabled.json.account).to.include({ status: 'disabled' });
        expect((await w.api(token, 'GET', '/people/heru.handoko')).json.sessions).to.equal(0);
        expect(problemOf(await w.api(token, 'POST', '/people/heru.handoko/disable', { reason: REASON }), 409)).to.include({ code: 'admin.state.already_disabled' });
        expect((await w.api(token, 'POST', '/people/heru.handoko/reinstate', { reason: REASON })).json.account.status).to.equal('active');
      });

      it('listPersonSessions and endPersonSessions: one session by uid, then every session', async () => {
        const token = await w.token();
        const person = 'bayu.hartono';
        await w.signInToApp(person);
        await w.signInToApp(person);
        const listed = await w.api(token, 'GET', `/people/${person}/sessions?limit=1`);
        expect(listed.status, JSON.stringify(listed.json)).to.equal(200);
        expect(listed.json).to.include({ total: 2, offset: 0, limit: 1 });
        const [first] = listed.json.sessions;
        expect(first.apps).to.deep.equal([{ clientId: 'app-bc', name: 'Aplikasi Sekolah' }]);
        expect(first.level).to.equal(1);

        expect((await w.api(token, 'POST', `/people/${person}/sessions/end`, { reason: REASON, uid: first.uid })).json).to.deep.equal({ ended: 1 });
        expect(problemOf(await w.api(token, 'POST', `/people/${person}/sessions/end`, { reason: REASON, uid: first.uid }), 404)).to.include({ code: 'session_not_found' });
        expect((await w.api(token, 'POST', `/people/${person}/sessions/end`, { reason: REASON })).json).to.deep.equal({ ended: 1 });
        expect((await w.api(token, 'GET', `/people/${person}/sessions`)).json).to.deep.include({ total: 0, sessions: [] });
        expect(problemOf(await w.api(token, 'POST', '/people/kartika.nugroho/sessions/end', { reason: REASON }), 409)).to.include({ code: 'no_account' });
        const sub = await w.subOf(person);
        const records = (await w.op.satu.audit.list({ event: 'session.ended', actor: 'client:automation' })).filter((r) => r.subject === sub);
        expect(records.map((r) => r.details)).to.deep.equal([
          { by: 'admin', sessions: 1, reason: REASON },
          { by: 'admin', sessions: 1, reason: REASON },
        ]);
      });

      it('resetPersonFactors removes a person\'s second factors (409 when there is nothing to reset)', async () => {
        const token = await w.token();
        const person = 'togar.lumbantobing';
        await w.signInToApp(person);
        expect(problemOf(await w.api(token, 'POST', `/people/${person}/factors/reset`, { reason: REASON }), 409)).to.include({ code: 'admin.reset.nothing' });
        await signIn(await rp(w.op.issuer, 'app-l2'), newBrowser(), person, {}, w.answers(person));
        expect((await w.api(token, 'GET', `/people/${person}`)).json.factors).to.include({ authenticatorApp: true, any: true, recoveryCodesLeft: 10 });
        const reset = await w.api(token, 'POST', `/people/${person}/factors/reset`, { reason: REASON });
        expect(reset.status, JSON.stringify(reset.json)).to.equal(200);
        expect(reset.json).to.deep.equal({ removed: { authenticatorApp: true, passkeys: 0, recoveryCodes: 10 } });
        expect((await w.api(token, 'GET', `/people/${person}`)).json).to.deep.include({ sessions: 0 });
        const records = await w.op.satu.audit.list({ event: 'mfa.reset', actor: 'client:automation' });
        expect(records.map((r) => r.subject)).to.include(await w.subOf(person));
      });

      it('unlockPerson clears the guessing counts, audited with the app as actor', async () => {
        const token = await w.token();
        const answer = await w.api(token, 'POST', '/people/melkianus.wattimena/unlock', { reason: REASON });
        expect(answer.status, JSON.stringify(answer.json)).to.equal(200);
        expect(answer.json.person).to.include({ username: 'melkianus.wattimena' });
        const record = (await w.op.satu.audit.list({ event: 'signin.unlocked', actor: 'client:automation' }))[0];
        expect(record).to.include({ client_id: 'automation' });
        expect(record!.details).to.deep.equal({ reason: REASON });
      });
    });

    describe('global roles', () => {
      it('grantRole, listRoleGrants and revokeRole for an app acting for everyone', async () => {
        const token = await w.token();
        const granted = await w.api(token, 'POST', '/role-grants', { login: 'sri.kusumawati', role: 'agencyAdministrator', agency: 'dinkes', reason: REASON });
        expect(granted.status, JSON.stringify(granted.json)).to.equal(201);
        expect(granted.json).to.include({ login: 'sri.kusumawati', role: 'agencyAdministrator', agency: 'DINKES', grantedBy: 'client:automation', revokedAt: null });
        const listed = await w.api(token, 'GET', '/role-grants');
        expect(listed.json.grants.map((g: { id: number }) => g.id)).to.include(granted.json.id);
        expect(listed.json.configured.map((c: { login: string }) => c.login)).to.include('andi.wijaya');
        expect((await w.api(token, 'GET', '/people/sri.kusumawati')).json.roles).to.deep.include({ role: 'agencyAdministrator', agency: 'DINKES', source: 'console', id: granted.json.id, expiresAt: null });
        expect(problemOf(await w.api(token, 'POST', '/role-grants', { login: 'sri.kusumawati', role: 'agencyAdministrator', agency: 'DINKES', reason: REASON }), 409)).to.include({ code: 'roles.already' });

        const revoked = await w.api(token, 'POST', `/role-grants/${granted.json.id}/revoke`, { reason: REASON });
        expect(revoked.status).to.equal(204);
        expect(problemOf(await w.api(token, 'POST', `/role-grants/${granted.json.id}/revoke`, { reason: REASON }), 409)).to.include({ code: 'roles.ended_already' });
        expect(problemOf(await w.api(token, 'POST', '/role-grants/999999/revoke', { reason: REASON }), 404)).to.include({ code: 'roles.not_found' });
        const events = (await w.op.satu.audit.list({ actor: 'client:automation' })).map((r) => r.event);
        expect(events).to.include.members(['role.granted', 'role.revoked']);
      });

      it('refuses an agency administrator grant without an agency, and an unknown agency', async () => {
        const token = await w.token();
        const missing = problemOf(await w.api(token, 'POST', '/role-grants', { login: 'sri.kusumawati', role: 'agencyAdministrator', reason: REASON }), 400);
        expect(missing.errors).to.deep.equal([{ pointer: '#/agency', detail: 'An agency administrator needs an agency.', code: 'roles.agency_required' }]);
        expect(problemOf(await w.api(token, 'POST', '/role-grants', { login: 'sri.kusumawati', role: 'agencyAdministrator', agency: 'NOWHERE', reason: REASON }), 400)).to.include({ code: 'roles.agency_unknown' });
        const role = problemOf(await w.api(token, 'POST', '/role-grants', { login: 'sri.kusumawati', role: 'superuser', reason: REASON }), 400);
        expect(role.errors).to.deep.equal([{ pointer: '#/role', detail: 'Choose a role.', code: 'roles.choose_role' }]);
      });
    });

    describe('an app registered by an agency acts for that agency only', () => {
      it('reads and changes the people of its agency, never others, never holders of a global role, never global roles', async () => {
        const token = await w.token(await w.registered(w.dinkes));
        await w.ensureAccounts(['lina.komalasari', 'dewi.lestari', 'rudi.hartono']);
        const listed = await w.api(token, 'GET', '/people?limit=100');
        expect(listed.status, JSON.stringify(listed.json)).to.equal(200);
        const names = listed.json.items.map((i: { username: string }) => i.username);
        expect(names).to.include('lina.komalasari');
        expect(names, 'holds the developer role').not.to.include('dewi.lestari');
        expect(names, 'another agency').not.to.include('rudi.hartono');
        for (const item of listed.json.items) expect(item.agencyCode).to.equal('DINKES');
        expect(problemOf(await w.api(token, 'GET', '/people?agency=DISDIK'), 403)).to.include({ code: 'admin.forbidden_agency' });

        expect((await w.api(token, 'GET', '/people/lina.komalasari')).status).to.equal(200);
        expect(problemOf(await w.api(token, 'GET', '/people/rudi.hartono'), 403)).to.include({ code: 'admin.forbidden_agency', detail: 'As an agency administrator you can only manage the staff of DINKES.' });
        expect(problemOf(await w.api(token, 'POST', '/people/dewi.lestari/suspend', { reason: REASON }), 403)).to.include({ code: 'admin.forbidden_agency' });
        const suspended = await w.api(token, 'POST', '/people/lina.komalasari/suspend', { reason: REASON });
        expect(suspended.json.account).to.include({ status: 'suspended' });
        expect(suspended.json.account.statusChange.by).to.equal(`client:${w.dinkes.clientId}`);
        expect((await w.api(token, 'POST', '/people/lina.komalasari/reinstate', { reason: REASON })).status).to.equal(200);

        expect(problemOf(await w.api(token, 'GET', '/role-grants'), 403)).to.include({ code: 'roles.forbidden' });
        expect(problemOf(await w.api(token, 'POST', '/role-grants', { login: 'lina.komalasari', role: 'helpdesk', reason: REASON }), 403)).to.include({ code: 'roles.forbidden' });
        expect(problemOf(await w.api(token, 'PUT', '/agencies/DINKES', { name: 'Dinas Kesehatan Kabupaten' }), 403)).to.include({ code: 'roles.forbidden' });
        const refused = await w.op.satu.audit.list({ event: 'admin_api.refused', actor: `client:${w.dinkes.clientId}` });
        expect(refused.map((r) => (r.details as { operation: string }).operation)).to.include.members(['getPerson', 'suspendPerson', 'grantRole', 'listRoleGrants']);
      });
    });

    describe('app roles', () => {
      it('grantAppRole, listAppRoles and revokeAppRole in an app that defines roles', async () => {
        const token = await w.token();
        const granted = await w.api(token, 'POST', '/apps/app-roles/roles', { login: 'rudi.hartono', role: 'verifikator', reason: REASON });
        expect(granted.status, JSON.stringify(granted.json)).to.equal(201);
        expect(granted.json).to.include({ clientId: 'app-roles', role: 'verifikator', login: 'rudi.hartono', state: 'active', grantedBy: 'client:automation' });
        const listed = await w.api(token, 'GET', '/apps/app-roles/roles');
        expect(listed.json.app).to.include({ clientId: 'app-roles', name: 'Aplikasi Verifikasi', level: 1 });
        expect(listed.json.definitions).to.deep.equal([{ name: 'verifikator', description: '' }]);
        expect(listed.json.assigns).to.deep.equal({ everyone: true });
        expect(listed.json.grants.map((g: { id: number }) => g.id)).to.include(granted.json.id);
        expect((await w.api(token, 'GET', '/people/rudi.hartono')).json.appRoles).to.deep.include({ clientId: 'app-roles', app: 'Aplikasi Verifikasi', role: 'verifikator', source: 'console', state: 'active', grantId: granted.json.id, expiresAt: null });
        expect((await w.api(token, 'GET', '/apps')).json.items.map((a: { clientId: string }) => a.clientId)).to.include.members(['app-roles', 'app-a']);
        expect(problemOf(await w.api(token, 'POST', '/apps/app-roles/roles', { login: 'rudi.hartono', role: 'verifikator', reason: REASON }), 409)).to.include({ code: 'app_roles.already' });
        expect(problemOf(await w.api(token, 'POST', '/apps/app-roles/roles', { login: 'rudi.hartono', role: 'kepala', reason: REASON }), 400)).to.include({ code: 'app_roles.unknown_role' });
        expect(problemOf(await w.api(token, 'GET', '/apps/no-such-app/roles'), 404)).to.include({ code: 'app_roles.app_not_found' });
        expect(problemOf(await w.api(token, 'POST', `/apps/app-a/roles/${granted.json.id}/revoke`, { reason: REASON }), 404)).to.include({ code: 'app_roles.not_found' });

        expect((await w.api(token, 'POST', `/apps/app-roles/roles/${granted.json.id}/revoke`, { reason: REASON })).status).to.equal(204);
        expect((await w.api(token, 'GET', '/apps/app-roles/roles')).json.grants.map((g: { id: number }) => g.id)).not.to.include(granted.json.id);
      });

      it('an agency-scoped app assigns app roles to its agency\'s staff only', async () => {
        const token = await w.token(await w.registered(w.dinkes));
        const listed = await w.api(token, 'GET', '/apps/app-roles/roles');
        expect(listed.json.assigns).to.deep.equal({ everyone: false, agencies: ['DINKES'] });
        expect(problemOf(await w.api(token, 'POST', '/apps/app-roles/roles', { login: 'rudi.hartono', role: 'verifikator', reason: REASON }), 403)).to.include({ code: 'app_roles.forbidden_agency' });
        const granted = await w.api(token, 'POST', '/apps/app-roles/roles', { login: 'rina.gunawan', role: 'verifikator', reason: REASON });
        expect(granted.status, JSON.stringify(granted.json)).to.equal(201);
        expect((await w.api(token, 'POST', `/apps/app-roles/roles/${granted.json.id}/revoke`, { reason: REASON })).status).to.equal(204);
      });
    });

    describe('agencies', () => {
      it('listAgencies lists the agency list; saveAgency changes it', async () => {
        const token = await w.token();
        const listed = await w.api(token, 'GET', '/agencies');
        expect(listed.status).to.equal(200);
        expect(listed.json.items.map((a: { code: string }) => a.code)).to.include.members(['DINKES', 'DISDIK', 'KEC-SUKAMAJU']);
        const saved = await w.api(token, 'PUT', '/agencies/upt-puskesmas-1', { name: 'UPT Puskesmas Sukamaju', parent: 'DINKES' });
        expect(saved.status, JSON.stringify(saved.json)).to.equal(200);
        expect(saved.json).to.include({ code: 'UPT-PUSKESMAS-1', name: 'UPT Puskesmas Sukamaju', parentCode: 'DINKES', active: true, source: 'console' });
        expect(problemOf(await w.api(token, 'PUT', '/agencies/DINKES', { name: 'Dinas Kesehatan', parent: 'DINKES' }), 400)).to.include({ code: 'agencies.invalid_parent' });
      });
    });

    describe('bad input', () => {
      it('answers 400 with the field errors of a bad body, 415 for anything but JSON, never a 500', async () => {
        const token = await w.token();
        const empty = problemOf(await w.api(token, 'POST', '/people/rudi.hartono/suspend', {}), 400);
        expect(empty).to.include({ title: 'Invalid request' });
        expect(empty.errors).to.deep.equal([{ pointer: '#/reason', detail: 'Write a reason of at least 10 characters.', code: 'admin.reset.reason_short' }]);
        const many = problemOf(await w.api(token, 'POST', '/people/rudi.hartono/suspend', { reason: 'short', until: '2026-02-30', admin: true }), 400);
        expect(many.errors.map((e: { pointer: string }) => e.pointer).sort()).to.deep.equal(['#/admin', '#/reason', '#/until']);
        expect(problemOf(await w.api(token, 'POST', '/people/rudi.hartono/suspend', [REASON]), 400).errors[0]).to.include({ pointer: '#' });
        expect(problemOf(await w.api(token, 'POST', '/people/rudi.hartono/suspend', '{"reason": '), 400).type).to.equal('about:blank');
        expect(problemOf(await w.api(token, 'POST', '/people/rudi.hartono/suspend', `reason=${encodeURIComponent(REASON)}`, { 'content-type': 'application/x-www-form-urlencoded' }), 415).type).to.equal('about:blank');
        expect(problemOf(await w.api(token, 'POST', '/people/rudi.hartono/suspend', JSON.stringify({ reason: 'x'.repeat(100_000) })), 413).status).to.equal(413);
        expect(problemOf(await w.api(token, 'GET', `/people/${'a'.repeat(300)}`), 400).errors[0]).to.include({ parameter: 'login', in: 'path' });
        expect(problemOf(await w.api(token, 'POST', '/role-grants/abc/revoke', { reason: REASON }), 400).errors[0]).to.include({ parameter: 'id', in: 'path' });
        expect(problemOf(await w.api(token, 'GET', '/nowhere'), 404).type).to.equal('about:blank');
        const wrongMethod = await w.api(token, 'DELETE', '/people/rudi.hartono');
        expect(problemOf(wrongMethod, 405)).to.be.an('object');
        expect(wrongMethod.headers.get('allow')).to.equal('GET, HEAD');
      });

      it('answers every operation\'s nasty input with a 4xx, never a 5xx', async () => {
        const token = await w.token();
        const doc = (await (await fetch(`${w.op.local}${BASE}/openapi.json`)).json()) as { paths: Record<string, Record<string, unknown>> };
        const nasty: unknown[] = [null, 0, true, 'x', [], {}, { reason: null }, { reason: 12345678901 }, { reason: '\u0000'.repeat(20) }, { reason: REASON, until: 'tomorrow' }, { login: {}, role: [], reason: REASON }, { __proto__: { x: 1 }, reason: REASON }, { reason: REASON, uid: '../../etc' }, { name: '', parent: 5, active: 'yes' }];
        const ids = ['%00', '..%2F..', '%E0%A4%A', 'x'.repeat(257), "' or 1=1 --", '*)(uid=*', '0', '-1'];
        const failures: string[] = [];
        for (const [path, methods] of Object.entries(doc.paths)) {
          for (const method of Object.keys(methods)) {
            for (const id of ids) {
              const url = path.replace(/\{\w+\}/g, id);
              for (const body of method === 'get' ? [undefined] : nasty) {
                const answer = await w.api(token, method.toUpperCase(), `${url}${method === 'get' ? '?limit=x&offset=-1&status=%00' : ''}`, body);
                if (answer.status >= 500 || answer.status < 400) failures.push(`${answer.status} ${method} ${url} ${JSON.stringify(body)}`);
                if (!answer.type?.startsWith('application/problem+json')) failures.push(`not problem+json: ${method} ${url}`);
              }
            }
          }
        }
        expect(failures.slice(0, 10)).to.deep.equal([]);
      });
    });

    describe('audit', () => {
      it('every call of an identified app leaves a record with the app as actor: reads, changes and refusals', async () => {
        const token = await w.token();
        await w.ensureAccounts(['kartika.nugroho']);
        const calls: [string, string, unknown?][] = [
          ['GET', '/people?limit=5'],
          ['GET', '/people/kartika.nugroho'],
          ['GET', '/people/kartika.nugroho/sessions'],
          ['POST', '/people/kartika.nugroho/suspend', { reason: REASON }],
          ['POST', '/people/kartika.nugroho/reinstate', { reason: REASON }],
          ['POST', '/people/kartika.nugroho/disable', { reason: REASON }],
          ['POST', '/people/kartika.nugroho/reinstate', { reason: REASON }],
          ['POST', '/people/kartika.nugroho/unlock', { reason: REASON }],
          ['POST', '/people/kartika.nugroho/factors/reset', { reason: REASON }],
          ['POST', '/people/kartika.nugroho/sessions/end', { reason: REASON }],
          ['GET', '/role-grants'],
          ['GET', '/apps/app-roles/roles'],
          ['GET', '/apps'],
          ['GET', '/agencies'],
          ['POST', '/people/kartika.nugroho/suspend', { reason: 'short' }],
          ['POST', '/role-grants/424242/revoke', { reason: REASON }],
        ];
        const sub = await w.subOf('kartika.nugroho');
        const start = await w.head();
        for (const [method, path, body] of calls) {
          const before = await w.head();
          const answer = await w.api(token, method, path, body);
          expect(answer.status, `${method} ${path}`).to.be.below(500);
          const records = await w.auditSince(before, 'client:automation');
          expect(records, `${method} ${path} (${answer.status})`).to.have.length.at.least(1);
          for (const r of records) expect(r.client_id === 'automation' || r.client_id === 'app-roles', `${r.event} ${r.client_id}`).to.equal(true);
          if (method === 'GET') {
            const read = records.find((r) => r.event === 'admin_api.read');
            expect(read, `${path} is audited as a read`).to.exist;
            if (path.startsWith('/people/kartika.nugroho')) expect(read!.subject).to.equal(sub);
          }
        }
        const refusals = (await w.auditSince(start, 'client:automation')).filter((r) => r.event === 'admin_api.refused');
        expect(refusals.map((r) => r.details)).to.deep.include.members([
          { operation: 'suspendPerson', status: 400, refusal: 'validation' },
          { operation: 'revokeRole', status: 404, refusal: 'roles.not_found' },
        ]);
      });
    });
  });
}
