/**
 * The "engine ceiling": the thinnest realistic oidc-provider 9 server doing a sign-in's work with none of Satu
 * Akun's rules, measured by `npm run bench -- --layout one-core` beside Satu Akun.
 *
 *   node --import tsx bench/bare.ts --redis-url URL --ldap-url URL [--web-apps N]
 *
 * Login page with a form (`_csrf`, action ending in `/login`) → LDAP search as the service account + bind as the
 * person (ldapts, pooled like Satu Akun) → the consent prompt, when the person has no grant for the app, shown as a
 * form whose action ends in `/notice` (so bench/scenarios.ts drives both servers) → code → tokens. ES256 ID tokens
 * (a key generated at start), opaque tokens in Redis (bench/bare-redis.ts), rotating refresh tokens, userinfo from
 * the directory entry captured at login (an in-memory map). Prints `READY <issuer>`.
 */
import { createHmac, randomBytes, timingSafeEqual } from 'node:crypto';
import type { IncomingMessage } from 'node:http';
import { parseArgs } from 'node:util';
import { Redis } from 'ioredis';
import { exportJWK, generateKeyPair } from 'jose';
import { AndFilter, Client, EqualityFilter, OrFilter, type Entry } from 'ldapts';
import Provider, { type KoaContextWithOIDC } from 'oidc-provider';
import { SAMPLE_PEOPLE_DN, SAMPLE_SERVICE_DN, SAMPLE_SERVICE_PASSWORD } from '../src/directory/sample/index.ts';
import { redisAdapter } from './bare-redis.ts';
import { BENCH_REDIRECT_URI, BENCH_SCOPE, BENCH_SECRET, webAppId } from './clients.ts';
import { countInServer } from './counts.ts';
import { freePort } from './procs.ts';

const { values: args } = parseArgs({ options: { 'redis-url': { type: 'string' }, 'ldap-url': { type: 'string' }, 'web-apps': { type: 'string', default: '1' } } });
const ldapUrl = args['ldap-url']!;
const redis = new Redis(args['redis-url']!);
if (process.send) countInServer(undefined, redis);

/** A few idle LDAP connections, as Satu Akun keeps (4 each for searches and for user binds). */
const pool = (open: () => Promise<Client>) => {
  const idle: Client[] = [];
  return async <T>(op: (c: Client) => Promise<T>): Promise<T> => {
    const client = idle.pop() ?? (await open());
    try {
      return await op(client);
    } finally {
      if (idle.length < 4) idle.push(client);
      else void client.unbind().catch(() => undefined);
    }
  };
};
const searching = pool(async () => {
  const c = new Client({ url: ldapUrl, timeout: 5000 });
  await c.bind(SAMPLE_SERVICE_DN, SAMPLE_SERVICE_PASSWORD);
  return c;
});
const binding = pool(async () => new Client({ url: ldapUrl, timeout: 5000 }));
const ATTRIBUTES = ['uid', 'cn', 'givenName', 'sn', 'mail', 'employeeNumber', 'departmentNumber', 'ou', 'title', 'businessCategory', 'employeeType'];
const text = (e: Entry, a: string) => (Array.isArray(e[a]) ? String((e[a] as unknown[])[0] ?? '') : String(e[a] ?? '')) || undefined;

/** Claims by account id (the uid), captured from the directory entry at login. */
const accounts = new Map<string, Record<string, string | undefined>>();
const login = async (name: string, password: string): Promise<string | undefined> => {
  if (!password) return undefined;
  const filter = new AndFilter({
    filters: [new EqualityFilter({ attribute: 'objectClass', value: 'inetOrgPerson' }), new OrFilter({ filters: ['uid', 'employeeNumber', 'mail'].map((attribute) => new EqualityFilter({ attribute, value: name })) })],
  });
  const { searchEntries } = await searching((c) => c.search(SAMPLE_PEOPLE_DN, { scope: 'sub', filter, attributes: ATTRIBUTES, sizeLimit: 2 }));
  const entry = searchEntries.length === 1 ? searchEntries[0]! : undefined;
  if (!entry || !(await binding((c) => c.bind(entry.dn, password).then(() => true, () => false)))) return undefined;
  const uid = text(entry, 'uid')!;
  accounts.set(uid, {
    name: text(entry, 'cn'), given_name: text(entry, 'givenName'), family_name: text(entry, 'sn'), email: text(entry, 'mail'), nip: text(entry, 'employeeNumber'),
    agency: text(entry, 'departmentNumber'), agency_name: text(entry, 'ou'), position: text(entry, 'title'), grade: text(entry, 'businessCategory'), employee_type: text(entry, 'employeeType'),
  });
  return uid;
};

const port = await freePort();
const issuer = `http://127.0.0.1:${port}`;
const { privateKey } = await generateKeyPair('ES256', { extractable: true });
/** Grant ids by `accountId client`: a person who agreed to an app once is not asked again (Satu Akun keeps this in SQL). */
const grants = new Map<string, string>();
const provider = new Provider(issuer, {
  adapter: redisAdapter(redis),
  clients: [
    ...Array.from({ length: Number(args['web-apps']) }, (_, i) => ({ client_id: webAppId(i + 1), client_secret: BENCH_SECRET, redirect_uris: [BENCH_REDIRECT_URI], grant_types: ['authorization_code', 'refresh_token'], scope: BENCH_SCOPE })),
    { client_id: 'bench-machine', client_secret: BENCH_SECRET, redirect_uris: [], response_types: [], grant_types: ['client_credentials'], scope: 'openid' },
  ],
  clientDefaults: { id_token_signed_response_alg: 'ES256' },
  jwks: { keys: [{ ...(await exportJWK(privateKey)), alg: 'ES256', use: 'sig', kid: 'bench-es256' }] },
  cookies: { keys: [randomBytes(32).toString('base64url')] },
  scopes: BENCH_SCOPE.split(' '),
  claims: { openid: ['sub'], profile: ['name', 'given_name', 'family_name'], email: ['email'], nip: ['nip'], kepegawaian: ['agency', 'agency_name', 'position', 'grade', 'employee_type'], roles: ['roles'] },
  features: { devInteractions: { enabled: false }, clientCredentials: { enabled: true }, userinfo: { enabled: true } },
  findAccount: (_ctx, id) => {
    const claims = accounts.get(id);
    return claims ? { accountId: id, claims: () => ({ sub: id, ...claims, roles: [] }) } : undefined;
  },
  loadExistingGrant: async (ctx) => {
    const id = ctx.oidc.result?.consent?.grantId ?? ctx.oidc.session!.grantIdFor(ctx.oidc.client!.clientId) ?? grants.get(`${ctx.oidc.session!.accountId} ${ctx.oidc.client!.clientId}`);
    return id ? ctx.oidc.provider.Grant.find(id) : undefined;
  },
  issueRefreshToken: async (_ctx, client) => client.grantTypeAllowed('refresh_token'),
  rotateRefreshToken: true,
  interactions: { url: async (_ctx, interaction) => `/interaction/${interaction.uid}` },
});

// CSRF: a hidden field tied to the interaction (an HMAC of its uid), checked on every POST.
const csrfKey = randomBytes(32);
const csrf = (uid: string) => createHmac('sha256', csrfKey).update(uid).digest('base64url');
const csrfOk = (uid: string, given: string | null) => !!given && given.length === 43 && timingSafeEqual(Buffer.from(given), Buffer.from(csrf(uid)));
const readForm = async (req: IncomingMessage) => {
  let body = '';
  for await (const chunk of req) body += chunk;
  return new URLSearchParams(body);
};
const page = (title: string, uid: string, action: string, fields: string) =>
  `<!doctype html><html lang="id"><head><meta charset="utf-8"><title>${title}</title></head><body><h1>${title}</h1><form method="post" action="/interaction/${uid}/${action}"><input type="hidden" name="_csrf" value="${csrf(uid)}">${fields}<button>OK</button></form></body></html>`;

provider.use(async (ctx, next) => {
  const m = /^\/interaction\/([\w-]+)(?:\/(login|notice))?$/.exec(ctx.path);
  if (!m) return next();
  const [, uid, step] = m as unknown as [string, string, string | undefined];
  const details = await provider.interactionDetails(ctx.req, ctx.res);
  const prompt = details.prompt.name;
  ctx.type = 'html';
  if (ctx.method === 'GET' && !step) {
    ctx.body = prompt === 'login' ? page('Masuk', uid, 'login', '<input name="username"><input name="password" type="password">') : page('Pemberitahuan', uid, 'notice', '<input type="hidden" name="decision" value="accept">');
    return;
  }
  const form = await readForm(ctx.req);
  if (ctx.method !== 'POST' || !csrfOk(uid, form.get('_csrf')) || step !== prompt.replace('consent', 'notice')) return ctx.throw(400);
  let result;
  if (prompt === 'login') {
    const accountId = await login(form.get('username') ?? '', form.get('password') ?? '');
    if (!accountId) return void (ctx.body = page('Masuk', uid, 'login', '<p>Salah</p><input name="username"><input name="password" type="password">'));
    result = { login: { accountId } };
  } else {
    const { accountId } = details.session!;
    const clientId = details.params.client_id as string;
    const grant = new provider.Grant({ accountId, clientId });
    const missing = details.prompt.details as { missingOIDCScope?: string[]; missingOIDCClaims?: string[] };
    if (missing.missingOIDCScope) grant.addOIDCScope(missing.missingOIDCScope.join(' '));
    if (missing.missingOIDCClaims) grant.addOIDCClaims(missing.missingOIDCClaims);
    const grantId = await grant.save();
    grants.set(`${accountId} ${clientId}`, grantId);
    result = { consent: { grantId } };
  }
  const to = await provider.interactionResult(ctx.req, ctx.res, result, { mergeWithLastSubmission: prompt !== 'login' });
  ctx.status = 303;
  ctx.redirect(to);
});
provider.on('server_error', (_ctx: KoaContextWithOIDC, err: Error) => console.error('bare: server_error', err));

const server = provider.listen(port, '127.0.0.1', () => console.log(`READY ${issuer}`));
const shutdown = () => {
  server.close(() => void redis.quit().finally(() => process.exit(0)));
  server.closeAllConnections(); // the load generator keeps its sockets alive
};
process.once('SIGTERM', shutdown);
process.once('SIGINT', shutdown);
