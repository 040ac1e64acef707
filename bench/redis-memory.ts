/**
 * `npm run bench:redis-memory [-- --sessions 100000]`: Redis memory per SSO session (goal ≤ 2 KB).
 *
 * 1. A real sign-in, to see what a signed-in person leaves in Redis: a throwaway redis-server, the embedded sample
 *    directory and the provider in this process (bench/server.ts's configuration, with `redisUrl`), one full sign-in
 *    of a sample person (first-time notice accepted) and one token exchange. Every key is listed with its type, TTL
 *    and `MEMORY USAGE`; the stored `Session` payload becomes the template.
 * 2. FLUSHALL, then N sessions written through the provider's Redis adapter (createRedisAdapter, as
 *    src/oidc/adapter/index.ts makes it for the app), each a copy of the template with fresh ids of the same shape
 *    (jti, uid, accountId, and per app sid and grantId), the template's TTL, one session per person. `INFO memory`
 *    used_memory before and after gives the bytes per session; that is done with the template's one app and again
 *    with a second app in `authorizations` (a person signed in to two apps).
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { Redis } from 'ioredis';
import type { AdapterPayload } from 'oidc-provider';
import { buildApp } from '../src/app/build.ts';
import { configSchema } from '../src/config/schema.ts';
import { startEmbeddedDirectory } from '../src/directory/embedded-server.ts';
import { SAMPLE_PASSWORD, SAMPLE_PEOPLE_DN, SAMPLE_SERVICE_DN, SAMPLE_SERVICE_PASSWORD } from '../src/directory/sample/index.ts';
import { createRedisAdapter } from '../src/oidc/adapter/redis.ts';
import { systemClock } from '../src/shared/clock.ts';
import { benchClients } from './clients.ts';
import { freePort, spawnReady, stop } from './procs.ts';
import { refresh, signIn, signInForTokens } from './scenarios.ts';

const { values: opt } = parseArgs({ options: { sessions: { type: 'string', default: '100000' }, login: { type: 'string', default: 'rudi.hartono' } } });
const N = Number(opt.sessions);
const GOAL = 2048;
const log = (line: string) => process.stderr.write(`${line}\n`);

const port = await freePort();
const { child: redisServer } = await spawnReady('redis-server', ['--port', String(port), '--bind', '127.0.0.1', '--save', '', '--appendonly', 'no'], /Ready to accept connections/);
const redisUrl = `redis://127.0.0.1:${port}`;
const redis = new Redis(redisUrl);
const info = async (field: string) => Number(new RegExp(`^${field}:(\\d+)`, 'm').exec(await redis.info('memory'))?.[1]);
const usage = async (key: string) => Number(await redis.call('MEMORY', 'USAGE', key, 'SAMPLES', '0'));

// 1. One real sign-in.
const directory = await startEmbeddedDirectory({ port: 0 });
const dataDir = mkdtempSync(join(tmpdir(), 'satu-akun-bench-redis-'));
const appPort = await freePort();
const issuer = `http://127.0.0.1:${appPort}`;
const satu = await buildApp(
  configSchema.parse({
    env: 'test', logLevel: 'silent', issuer, host: '127.0.0.1', port: appPort, dataDir, keysDir: join(dataDir, 'keys'), demoApps: false, redisUrl,
    directory: { mode: 'ldap', url: directory.url, bindDn: SAMPLE_SERVICE_DN, bindPassword: SAMPLE_SERVICE_PASSWORD, baseDn: SAMPLE_PEOPLE_DN },
  }),
  { clients: benchClients() },
);
await satu.listen();
await redis.flushall(); // whatever start-up wrote (app cache, rate limits) is not the sign-in's
await signIn(issuer, opt.login!, SAMPLE_PASSWORD, true);
const keys = (await redis.keys('*')).sort();
console.log(`\nKeys in Redis after one sign-in of ${opt.login} (with the first-time notice) and its token exchange:`);
console.table(
  await Promise.all(
    keys.map(async (key) => ({ key: key.length > 90 ? `${key.slice(0, 87)}...` : key, type: await redis.type(key), 'TTL s': await redis.ttl(key), 'MEMORY USAGE': await usage(key) })),
  ),
);
const sessionKey = keys.find((k) => /:Session:/.test(k) && !/:(uid|account):/.test(k));
if (!sessionKey) throw new Error(`no Session key after a sign-in: ${keys.join(', ')}`);
const template = JSON.parse((await redis.hget(sessionKey, 'payload'))!) as AdapterPayload & { authorizations: Record<string, { sid: string; grantId: string }> };
const ttl = await redis.ttl(sessionKey);
console.log(`\nSession payload (${JSON.stringify(template).length} bytes of JSON, TTL ${ttl} s):\n${JSON.stringify(template, null, 2)}`);

// Every token issued under a grant is pushed to the grant's list (for revocation); a rotating refresh issues two.
const refreshes = 20;
let tokens = await signInForTokens(issuer, opt.login!, SAMPLE_PASSWORD);
const lists = async () => Object.fromEntries(await Promise.all((await redis.keys('*:grant:*')).map(async (k) => [k.slice(-12), { LLEN: await redis.llen(k), 'MEMORY USAGE': await usage(k) }] as const)));
const listsBefore = await lists();
for (let i = 0; i < refreshes; i++) tokens = await refresh(issuer, tokens.refreshToken);
console.log(`\nGrant lists (grant:<grantId>, by the id's last 12 characters) before and after ${refreshes} refreshes of a second sign-in's tokens:`);
console.table({ ...Object.fromEntries(Object.entries(listsBefore).map(([k, v]) => [`${k} before`, v])), ...Object.fromEntries(Object.entries(await lists()).map(([k, v]) => [`${k} after`, v])) });
await satu.close();
await directory.close();
rmSync(dataDir, { recursive: true, force: true });

// 2. N sessions like it.
/** A random string shaped like `s`: each digit, lower-case and upper-case letter replaced by a random one of its kind. */
const like = (s: string) =>
  s.replace(/[0-9]/g, () => String(Math.floor(Math.random() * 10)))
    .replace(/[a-z]/g, () => String.fromCharCode(97 + Math.floor(Math.random() * 26)))
    .replace(/[A-Z]/g, () => String.fromCharCode(65 + Math.floor(Math.random() * 26)));
const [[clientId, firstApp]] = Object.entries(template.authorizations) as [[string, { sid: string; grantId: string }]];
const sessionLike = (apps: number): AdapterPayload => ({
  ...template,
  jti: like(template.jti!),
  uid: like(template.uid!),
  accountId: like(template.accountId!),
  authorizations: Object.fromEntries(
    Array.from({ length: apps }, (_, i) => [i === 0 ? clientId : `${clientId}-${i + 1}`, { ...firstApp, sid: like(firstApp.sid), grantId: like(firstApp.grantId) }]),
  ),
});

const Adapter = createRedisAdapter(redis, { clock: systemClock });
const fill = async (apps: number) => {
  await redis.flushall();
  const sessions = new Adapter('Session');
  const before = await info('used_memory');
  let next = 0;
  let sample: AdapterPayload | undefined;
  const t0 = Date.now();
  await Promise.all(Array.from({ length: 64 }, async () => {
    while (next < N) {
      next++;
      const payload = sessionLike(apps);
      sample ??= payload;
      await sessions.upsert(payload.jti!, payload, ttl);
    }
  }));
  const after = await info('used_memory');
  const perSession = (after - before) / N;
  const prefix = 'satu-akun:oidc:';
  const parts = {
    session: await usage(`${prefix}Session:${sample!.jti}`),
    uid: await usage(`${prefix}uid:Session:${sample!.uid}`),
    account: await usage(`${prefix}account:Session:${sample!.accountId}`),
  };
  log(`  ${N.toLocaleString('en')} sessions with ${apps} app(s) written in ${((Date.now() - t0) / 1000).toFixed(1)} s`);
  return { apps, before, after, perSession, parts, keys: await redis.dbsize(), json: JSON.stringify(sample).length };
};

const rows = [await fill(1), await fill(2)];
console.log(`\nRedis memory per SSO session, ${N.toLocaleString('en')} sessions (one per person), written through the Redis adapter:`);
console.table(
  rows.map((r) => ({
    'apps in session': r.apps,
    keys: r.keys,
    'used_memory before': r.before,
    'used_memory after': r.after,
    'bytes/session': Math.round(r.perSession),
    'payload JSON': r.json,
    'MEMORY USAGE session hash': r.parts.session,
    'uid key': r.parts.uid,
    'account set': r.parts.account,
    goal: GOAL,
    verdict: r.perSession <= GOAL ? 'met' : `over by ${Math.round(r.perSession - GOAL)} B`,
  })),
);
console.log(`redis-server ${(await redis.info('server')).match(/redis_version:(\S+)/)?.[1]}; ${(await redis.info('memory')).match(/mem_allocator:(\S+)/)?.[1]}`);
await redis.quit();
await stop(redisServer);
