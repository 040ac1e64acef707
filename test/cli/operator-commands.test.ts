import { existsSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { expect } from 'chai';
import * as oidc from 'openid-client';
import { ConfigError } from '../../src/config/load.ts';
import { configSchema } from '../../src/config/schema.ts';
import { buildApp } from '../../src/app/build.ts';
import { FAILED_EXIT, runCli, USAGE_EXIT } from '../../src/cli/satu-akun.ts';
import { CHECK_EXIT, nativeProblems } from '../../src/cli/config-check.ts';
import { IMPORT_EXIT } from '../../src/cli/apps-import.ts';
import { createKnex } from '../../src/db/knex.ts';
import { createLogger } from '../../src/shared/logger.ts';
import { newBrowser, signIn } from '../support/flow.ts';
import { startProvider } from '../support/provider.ts';
import { captureOutput } from '../support/console.ts';

const tmp = () => mkdtempSync(join(tmpdir(), 'satu-akun-cli-'));
const SECRET = 'imported-secret-0123456789-abcdefghijklmnop';

/** Runs `satu-akun <argv>` in-process, returning its exit code and everything it printed. */
const cli = (argv: string[], env: NodeJS.ProcessEnv) => captureOutput(() => runCli(argv, env));

const writeJson = (dir: string, name: string, value: unknown) => {
  const path = join(dir, name);
  writeFileSync(path, JSON.stringify(value));
  return path;
};

describe('satu-akun: the operators’ command line', () => {
  it('prints the commands for an unknown one', async () => {
    const { code, out } = await cli(['frobnicate'], {});
    expect(code).to.equal(USAGE_EXIT);
    for (const command of ['migrate', 'audit verify', 'keys', 'config check', 'apps import']) expect(out).to.contain(command);
  });

  it('reports a failure it did not foresee in one line, without a stack trace', async () => {
    const dir = tmp();
    writeFileSync(join(dir, 'not-a-directory'), '');
    const { code, out } = await cli(['keys', 'generate', '--alg', 'RS256'], { SATU_AKUN_KEYS_DIR: join(dir, 'not-a-directory', 'keys'), SATU_AKUN_DATA_DIR: dir });
    expect(code).to.equal(FAILED_EXIT);
    expect(out).to.match(/^keys failed: ENOTDIR/);
    expect(out).to.not.match(/\n\s+at /);
  });

  describe('config check', () => {
    it('prints every problem of the environment, the clients file and the signing keys at once, touching nothing', async () => {
      const dir = tmp();
      const clients = writeJson(dir, 'clients.json', [{ client_id: 'arsip', redirect_uris: ['not a url'] }]);
      const env = {
        SATU_AKUN_ENV: 'production',
        SATU_AKUN_ISSUER: 'http://sso.contoh.go.id',
        SATU_AKUN_DATA_DIR: join(dir, 'data'),
        SATU_AKUN_LDAP_TLS_CA_FILE: join(dir, 'missing-ca.pem'),
      };
      const { code, out } = await cli(['config', 'check'], env);
      expect(code).to.equal(CHECK_EXIT.problems);
      // The environment's problems: all of them, not the first.
      expect(out).to.contain('must be https:// in production').and.contain('SATU_AKUN_MFA_KEYS').and.contain('SATU_AKUN_COOKIE_KEYS');
      // With the environment valid, the clients file, a missing CA file and missing signing keys come out together.
      const valid = { ...validProduction(dir), SATU_AKUN_CLIENTS_FILE: clients, SATU_AKUN_LDAP_TLS_CA_FILE: join(dir, 'missing-ca.pem') };
      const second = await cli(['config', 'check'], valid);
      expect(second.code).to.equal(CHECK_EXIT.problems);
      expect(second.out).to.contain('clientsFile').and.contain('[0.client_name]').and.contain('missing-ca.pem cannot be read').and.contain('no RS256 key is configured');
      expect(existsSync(join(dir, 'data')), 'no data directory, no database').to.equal(false);
    });

    it('passes a valid production configuration with provisioned keys', async () => {
      const dir = tmp();
      const env = validProduction(dir);
      for (const alg of ['RS256', 'ES256']) expect((await cli(['keys', 'generate', '--alg', alg], env)).code).to.equal(0);
      const { code, out } = await cli(['config', 'check'], env);
      expect(out).to.contain('The configuration is valid (SATU_AKUN_ENV=production)');
      expect(code).to.equal(CHECK_EXIT.ok);
    });

    // argon2 loads at the first recovery code, not at start-up: a build for an older Node.js shows here instead.
    it('names a native module that cannot be loaded, and how to rebuild it', async () => {
      expect(await nativeProblems()).to.deep.equal([]);
      const broken = await nativeProblems(() => Promise.reject(new Error('The module was compiled against a different Node.js version using NODE_MODULE_VERSION 115')));
      expect(broken).to.have.length(1);
      expect(broken[0]).to.contain('argon2 cannot be loaded on Node.js').and.contain('npm rebuild').and.contain('NODE_MODULE_VERSION 115');
    });
  });

  it('refuses a bad clients file at start-up before the database is created or migrated', async () => {
    const dir = tmp();
    const config = configSchema.parse({ env: 'test', dataDir: dir, keysDir: join(dir, 'keys'), clientsFile: writeJson(dir, 'clients.json', [{ client_id: 'x' }]), directory: { embeddedPort: 0 } });
    const err = await buildApp(config, { logger: createLogger('silent') }).catch((e: unknown) => e);
    expect(err).to.be.instanceOf(ConfigError);
    expect((err as ConfigError).problems.join('\n')).to.contain('[0.redirect_uris]');
    expect(existsSync(join(dir, 'satu-akun.sqlite')), 'no database file').to.equal(false);
  });

  describe('apps import', () => {
    const importable = [
      {
        client_id: 'arsip',
        client_name: 'Arsip Daerah',
        client_secret: SECRET,
        redirect_uris: ['https://arsip.contoh.go.id/cb'],
        scopes: ['openid', 'profile', 'nip'],
        access: { kind: 'agencies', agencies: ['DISKOMINFO'] },
        roles: { arsiparis: ['andi.wijaya'] },
        first_party: true,
      },
      { client_id: 'arsip-spa', client_name: 'Arsip Seluler', redirect_uris: ['https://arsip.contoh.go.id/spa'], token_endpoint_auth_method: 'none', scopes: ['openid', 'profile'], grant_types: ['authorization_code'] },
    ];
    const who = ['--agency', 'DISKOMINFO', '--responsible-name', 'Bidang Aplikasi', '--responsible-email', 'aplikasi@contoh.go.id'];

    it('moves configured apps into approved registrations that sign in with the same secret, once', async function () {
      this.timeout(60_000);
      const dir = tmp();
      const env = { SATU_AKUN_DATA_DIR: dir };
      const file = writeJson(dir, 'clients.json', importable);
      const first = await cli(['apps', 'import', file, ...who], env);
      expect(first.code, first.out).to.equal(IMPORT_EXIT.ok);
      expect(first.out).to.contain('arsip: imported').and.contain('arsip-spa: imported').and.contain('Remove the imported apps');
      const again = await cli(['apps', 'import', file, ...who], env);
      expect(again.out).to.contain('arsip: already registered, skipped');

      const knex = createKnex(configSchema.parse({ dataDir: dir }));
      try {
        const app = (await knex('apps').where({ client_id: 'arsip' }).first()) as { source: string; status: string; agency: string; first_party: unknown };
        expect(app).to.include({ source: 'import', status: 'active', agency: 'DISKOMINFO' });
        expect(Boolean(app.first_party), 'the first-party mark came along').to.equal(true);
        const audited = (await knex('audit_log').where({ event: 'app.changed', client_id: 'arsip' })) as unknown[];
        expect(audited, 'the import is in the audit trail').to.have.length(1);
      } finally {
        await knex.destroy();
      }

      // A provider on that database (with no clients file) knows the app: a real RP signs in with the old secret.
      const op = await startProvider({ dataDir: dir, keysDir: join(dir, 'keys') });
      try {
        const config = await oidc.discovery(new URL(op.issuer), 'arsip', { redirect_uri: 'https://arsip.contoh.go.id/cb' }, oidc.ClientSecretBasic(SECRET), { execute: [oidc.allowInsecureRequests] });
        const { tokens } = await signIn(config, newBrowser(), 'andi.wijaya', { scope: 'openid profile nip' });
        const { sub } = tokens.claims()!;
        // The scopes came along: userinfo releases the NIP.
        expect(await oidc.fetchUserInfo(config, tokens.access_token, sub)).to.have.property('nip').that.is.a('string');
        // The access rule came along: someone outside DISKOMINFO is refused.
        const refused = await signIn(config, newBrowser(), 'dewi.lestari', { scope: 'openid profile nip' }).catch((e: unknown) => e);
        expect(String(refused)).to.match(/expected a redirect back to the app, got .* \(403\)/);
      } finally {
        await op.stop();
      }
    });

    it('imports nothing when any entry is invalid, and names each problem', async () => {
      const dir = tmp();
      const file = writeJson(dir, 'clients.json', [importable[0], { ...importable[1], client_id: 'tiny', client_name: 'X' }]);
      const { code, out } = await cli(['apps', 'import', file, ...who], { SATU_AKUN_DATA_DIR: dir });
      expect(code).to.equal(IMPORT_EXIT.invalid);
      expect(out).to.contain('Nothing was imported').and.contain('tiny: [name]');
      expect(existsSync(join(dir, 'satu-akun.sqlite')), 'the database was not touched').to.equal(false);
      expect((await cli(['apps', 'import', file], { SATU_AKUN_DATA_DIR: dir })).code, 'who is responsible is required').to.equal(IMPORT_EXIT.usage);
    });
  });
});

/** A production environment that passes every check except what a test leaves out (keys are in `dir/keys`). */
const validProduction = (dir: string): NodeJS.ProcessEnv => {
  const key32 = () => Buffer.alloc(32, 7).toString('base64url');
  return {
    SATU_AKUN_ENV: 'production',
    SATU_AKUN_ISSUER: 'https://sso.contoh.go.id',
    SATU_AKUN_DATA_DIR: join(dir, 'data'),
    SATU_AKUN_KEYS_DIR: join(dir, 'keys'),
    SATU_AKUN_DEMO_APPS: 'false',
    SATU_AKUN_COOKIE_KEYS: 'k'.repeat(40),
    SATU_AKUN_MFA_KEYS: key32(),
    SATU_AKUN_CLIENT_SECRET_KEYS: 's'.repeat(40),
    SATU_AKUN_AUDIT_CHECKPOINT_KEY: key32(),
    SATU_AKUN_LDAP_MODE: 'ldap',
    SATU_AKUN_LDAP_URL: 'ldap://127.0.0.1:1389',
    SATU_AKUN_LDAP_BIND_DN: 'cn=satu-akun,dc=contoh,dc=go,dc=id',
    SATU_AKUN_LDAP_BIND_PASSWORD: 'rahasia',
    SATU_AKUN_LDAP_BASE_DN: 'ou=people,dc=contoh,dc=go,dc=id',
  };
};
