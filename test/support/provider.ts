import { cpSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import * as oidc from 'openid-client';
import { buildApp, type BuildOptions, type SatuAkun } from '../../src/app/build.ts';
import { clientsFileSchema, configSchema, type ClientConfig, type Config } from '../../src/config/schema.ts';
import { loadSigningKeys } from '../../src/oidc/keys.ts';
import { createLogger } from '../../src/shared/logger.ts';
import { freePort } from './processes.ts';

export const SECRET = 'test-secret-0123456789-abcdefghijklmnopqrstuvwxyz';

/**
 * Test apps: two confidential apps (SSO between them; app-a signs ID tokens with the default RS256, app-b chose
 * ES256), a public app, and a machine client.
 */
export const testClients = (): ClientConfig[] => {
  const scopes = ['openid', 'profile', 'email', 'nip', 'kepegawaian', 'roles'];
  return clientsFileSchema.parse([
    { client_id: 'app-a', client_name: 'Aplikasi A', client_secret: SECRET, scopes, redirect_uris: ['https://a.contoh.go.id/cb'], post_logout_redirect_uris: ['https://a.contoh.go.id/bye'], roles: { operator: ['andi.wijaya'] } },
    { client_id: 'app-b', client_name: 'Aplikasi B', client_secret: SECRET, scopes, redirect_uris: ['https://b.contoh.go.id/cb'], id_token_signed_response_alg: 'ES256' },
    { client_id: 'app-l2', client_name: 'Aplikasi Tingkat 2', client_secret: SECRET, scopes, level: 2, redirect_uris: ['https://l2.contoh.go.id/cb'] },
    { client_id: 'app-l3', client_name: 'Aplikasi Tingkat 3', client_secret: SECRET, scopes, level: 3, networks: ['127.0.0.0/8', '::1/128'], redirect_uris: ['https://l3.contoh.go.id/cb'] },
    { client_id: 'app-l3-far', client_name: 'Aplikasi Kas Daerah', client_secret: SECRET, scopes, level: 3, networks: ['10.20.0.0/16'], contact: 'BPKAD, kasda@contoh.go.id', redirect_uris: ['https://kasda.contoh.go.id/cb'] },
    { client_id: 'app-agencies', client_name: 'Aplikasi Diskominfo', client_secret: SECRET, scopes, redirect_uris: ['https://agencies.contoh.go.id/cb'], access: { kind: 'agencies', agencies: ['DISKOMINFO'] }, contact: 'Bidang Aplikasi Diskominfo, aplikasi@contoh.go.id' },
    { client_id: 'app-roles', client_name: 'Aplikasi Verifikasi', client_secret: SECRET, scopes, redirect_uris: ['https://roles.contoh.go.id/cb'], access: { kind: 'roles', roles: ['verifikator'] }, roles: { verifikator: ['bambang.susilo'] } },
    { client_id: 'app-users', client_name: 'Aplikasi Terbatas', client_secret: SECRET, scopes, redirect_uris: ['https://users.contoh.go.id/cb'], access: { kind: 'users', users: ['Rudi.Hartono'] } },
    { client_id: 'spa', client_name: 'SPA', scopes: ['openid', 'profile'], redirect_uris: ['https://spa.contoh.go.id/cb'], token_endpoint_auth_method: 'none', grant_types: ['authorization_code'] },
    { client_id: 'machine', client_name: 'Machine', client_secret: SECRET, scopes: ['openid'], redirect_uris: ['https://m.contoh.go.id/cb'], grant_types: ['client_credentials'] },
  ]);
};

let devKeys: Promise<string> | undefined;
/**
 * A keys folder holding development RS256 and ES256 keys, generated once per test run as `loadSigningKeys` does (a
 * 3072-bit RSA key takes about half a second): each provider starts with a copy instead of generating its own.
 */
const sharedDevKeys = () =>
  (devKeys ??= (async () => {
    const dir = mkdtempSync(join(tmpdir(), 'satu-akun-test-keys-'));
    process.once('exit', () => rmSync(dir, { recursive: true, force: true }));
    await loadSigningKeys(configSchema.parse({ env: 'test', keysDir: dir }), createLogger('silent'));
    return dir;
  })());

export interface TestProvider {
  satu: SatuAkun;
  /** The configured issuer (may be a public https URL when testing proxy behaviour). */
  issuer: string;
  /** Where the server really listens. */
  local: string;
  dataDir: string;
  stop(): Promise<void>;
}

/**
 * Starts Satu Akun as `npm start` does (SQLite in a temp dir, the embedded sample directory) on a free port, with
 * the test apps registered. `overrides` changes configuration; `options` swaps parts of the graph.
 */
export const startProvider = async (overrides: Record<string, unknown> = {}, options: BuildOptions = {}): Promise<TestProvider> => {
  const port = await freePort();
  const dataDir = mkdtempSync(join(tmpdir(), 'satu-akun-test-'));
  const local = `http://localhost:${port}`;
  const config: Config = configSchema.parse({
    env: 'test',
    logLevel: 'silent',
    issuer: local,
    dataDir,
    keysDir: join(dataDir, 'keys'),
    demoApps: false,
    directory: { embeddedPort: 0 },
    ...overrides,
  });
  if (!('keysDir' in overrides) && !('signingKeys' in overrides)) cpSync(await sharedDevKeys(), config.keysDir, { recursive: true });
  const satu = await buildApp(config, { logger: createLogger('silent'), clients: testClients(), failureFloorMs: 0, ...options });
  await satu.listen(port, '127.0.0.1');
  return {
    satu,
    issuer: config.issuer,
    local,
    dataDir,
    stop: async () => {
      await satu.close();
      rmSync(dataDir, { recursive: true, force: true });
    },
  };
};

/**
 * An openid-client configuration for one of the test apps (plain HTTP is allowed for the local issuer): a public app
 * authenticates with nothing, the others with `secret`. It expects exactly the app's algorithm, so an ID token signed
 * with another one fails.
 */
export const rp = (issuer: string, clientId: string, secret: string | undefined = SECRET) => {
  const app = testClients().find((c) => c.client_id === clientId);
  const metadata = { id_token_signed_response_alg: app?.id_token_signed_response_alg ?? 'RS256', redirect_uri: app?.redirect_uris[0] };
  const auth = secret && app?.token_endpoint_auth_method !== 'none' ? oidc.ClientSecretBasic(secret) : oidc.None();
  return oidc.discovery(new URL(issuer), clientId, metadata, auth, {
    execute: [oidc.allowInsecureRequests],
  });
};
