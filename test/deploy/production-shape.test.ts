import { execFile, spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { once } from 'node:events';
import { copyFileSync, mkdirSync, mkdtempSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { connect as http2Connect } from 'node:http2';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { connect as tlsConnect } from 'node:tls';
import { promisify } from 'node:util';
import { expect } from 'chai';
import * as oidc from 'openid-client';
import pg from 'pg';
import { ConfigError, loadConfig } from '../../src/config/load.ts';
import { toLdif } from '../../src/directory/sample/index.ts';
import { Browser } from '../support/browser.ts';
import { exchangeCode, reachCallback } from '../support/flow.ts';
import { startNginx, type Nginx } from '../support/nginx.ts';
import { startPostgres } from '../support/postgres.ts';
import { findExecutable, freePort, waitForOutput, type TestService } from '../support/processes.ts';
import { startPrivateRedis } from '../support/redis.ts';
import { serviceMissing } from '../support/require-service.ts';
import { slapdAvailable, startSlapd, type Slapd } from '../support/slapd.ts';
import { fetchTrusting, makeTestPki, type TestPki } from '../support/tls.ts';
import { expandCommand, parseEnvFile, readDeploy, readUnit, renderEnv, REPO, substitute } from './deploy-files.ts';

const run = promisify(execFile);
const TEMPLATE = 'satu-akun.env.example';
const MIGRATE_TEMPLATE = 'satu-akun-migrate.env.example';
const SERVICE_UNIT = 'satu-akun@.service';
const MIGRATE_UNIT = 'satu-akun-migrate.service';

/** The secrets an operator generates, as the template's GENERATE comments say, made fresh for each test. */
const generatedSecrets = () => ({
  SATU_AKUN_COOKIE_KEYS: randomBytes(48).toString('base64'),
  SATU_AKUN_MFA_KEYS: randomBytes(32).toString('base64url'),
  SATU_AKUN_CLIENT_SECRET_KEYS: randomBytes(48).toString('base64'),
  SATU_AKUN_AUDIT_CHECKPOINT_KEY: randomBytes(32).toString('base64url'),
});

const problemsOf = (env: Record<string, string>): string[] => {
  try {
    loadConfig(env);
    return [];
  } catch (err) {
    if (err instanceof ConfigError) return err.problems;
    throw err;
  }
};

/**
 * Issue 11 §3: what deploy/ ships is what runs. The environment template, the systemd units and the nginx site are
 * read from deploy/ and used as they are, with only this machine's hosts, ports, paths and generated secrets put in.
 */
describe('deploy/: the production shape', function () {
  this.timeout(90_000);

  describe('the shipped files', () => {
    it('the environment template is refused as shipped for its secrets alone, and accepted once they are generated', () => {
      const template = parseEnvFile(readDeploy(TEMPLATE));
      expect(template.SATU_AKUN_ENV).to.equal('production');
      // Each instance's port is its systemd instance name; the file is read after Environment= and would override it.
      expect(template).to.not.have.property('SATU_AKUN_PORT');

      const refused = problemsOf(template);
      const fields = refused.map((p) => p.split(/[ :(]/)[0]).sort();
      expect(fields, refused.join('\n')).to.deep.equal(['auditCheckpoint.key', 'clientSecretKeys', 'cookieKeys', 'mfaKeys']);

      const config = loadConfig(renderEnv(template, generatedSecrets()));
      expect(config).to.deep.include({ env: 'production', trustProxy: true, host: '127.0.0.1', demoApps: false, redisUrl: 'redis://127.0.0.1:6379/0' });
      expect(config.issuer).to.match(/^https:\/\//);
      expect(config.database.client).to.equal('pg');
      expect(config.directory).to.deep.include({ mode: 'ldap', tlsRejectUnauthorized: true, userFilter: '(objectClass=inetOrgPerson)' });
      expect(config.regency.name).to.equal('Kabupaten Contoh');
    });

    it('the migration environment replaces only the database URL, with the owner role, and grants the service role', () => {
      const migrate = parseEnvFile(readDeploy(MIGRATE_TEMPLATE));
      expect(Object.keys(migrate)).to.deep.equal(['SATU_AKUN_DB_URL', 'SERVICE_ROLE']);
      const service = parseEnvFile(readDeploy(TEMPLATE));
      const serviceRole = new URL(service.SATU_AKUN_DB_URL!).username;
      expect(new URL(migrate.SATU_AKUN_DB_URL!).username).to.not.equal(serviceRole);
      // The role granted is the one the instances connect as.
      expect(migrate.SERVICE_ROLE).to.equal(serviceRole);
      // The migration unit reads both files, the owner's last: its URL wins, as systemd applies later files over earlier.
      const unit = readUnit(readDeploy(MIGRATE_UNIT));
      expect(unit.environmentFiles).to.deep.equal(['/etc/satu-akun/satu-akun.env', '/etc/satu-akun/migrate.env']);
      const env = { ...renderEnv(service, generatedSecrets()), ...migrate };
      expect(loadConfig(env).database.url).to.equal(migrate.SATU_AKUN_DB_URL);
      expect(expandCommand(unit.execStart, { ...unit.environment, ...env })).to.deep.equal(['/usr/bin/node', 'bin/satu-akun.js', 'migrate', '--grant-to', serviceRole]);
    });

    it('the commented-out blocks of the environment template are valid once uncommented (Sentinel instead of the Redis URL)', () => {
      const text = readDeploy(TEMPLATE);
      const uncomment = (prefix: string) => text.replace(new RegExp(`^# (${prefix}[A-Z_]*=)`, 'gm'), '$1');
      const secrets = generatedSecrets();

      const helpdesk = loadConfig(renderEnv(parseEnvFile(uncomment('SATU_AKUN_HELPDESK_')), secrets)).regency.helpdesk;
      expect(Object.keys(helpdesk).sort()).to.deep.equal(['email', 'hours', 'passwordHelp', 'whatsapp']);

      // Sentinel and SATU_AKUN_REDIS_URL exclude each other, as the comment says: refused with both, accepted without the URL.
      const sentinel = parseEnvFile(uncomment('SATU_AKUN_REDIS_SENTINEL'));
      expect(problemsOf(renderEnv(sentinel, secrets)).join('\n')).to.match(/SATU_AKUN_REDIS_URL.*SATU_AKUN_REDIS_SENTINELS.*not both/);
      const { SATU_AKUN_REDIS_URL: _url, ...withoutUrl } = sentinel;
      const config = loadConfig(renderEnv(withoutUrl, secrets));
      expect(config.redisUrl).to.equal(undefined);
      expect(config.redisSentinel).to.deep.include({ name: 'mymaster' });

      // The backup key is a GENERATE line: refused until generated, accepted then.
      const backup = parseEnvFile(uncomment('SATU_AKUN_BACKUP_KEY'));
      expect(problemsOf(renderEnv(backup, secrets)).join('\n')).to.match(/^backupKey \(SATU_AKUN_BACKUP_KEY\)/m);
      expect(loadConfig(renderEnv(backup, { ...secrets, SATU_AKUN_BACKUP_KEY: randomBytes(32).toString('base64url') })).backupKey).to.be.a('string');
    });

    it('the units are hardened (and leave V8 its JIT), the port being the instance name', () => {
      for (const name of [SERVICE_UNIT, MIGRATE_UNIT]) {
        const { lines } = readUnit(readDeploy(name), '3000');
        for (const setting of ['ProtectSystem=strict', 'PrivateDevices=true', 'PrivateTmp=true', 'ProtectHome=true', 'NoNewPrivileges=true',
          'RestrictAddressFamilies=AF_INET AF_INET6 AF_UNIX', 'SystemCallFilter=@system-service', 'LockPersonality=true', 'ProtectKernelTunables=true',
          'ProtectKernelModules=true', 'ProtectKernelLogs=true', 'ProtectControlGroups=true', 'UMask=0077', 'CapabilityBoundingSet=', 'User=satu-akun']) {
          expect(lines, `${name}: ${setting}`).to.include(setting);
        }
        expect(lines.filter((l) => l.startsWith('MemoryDenyWriteExecute=')), name).to.deep.equal([]);
      }
      const service = readUnit(readDeploy(SERVICE_UNIT), '3000');
      expect(service.environment.SATU_AKUN_PORT).to.equal('3000');
      expect(service.execStart).to.deep.equal(['/usr/bin/node', '--import', 'tsx', 'src/main.ts']);
    });

    it('systemd-analyze verifies the units and rates their exposure at most 2.0 ("OK")', function () {
      const analyze = findExecutable('systemd-analyze');
      if (!analyze) serviceMissing(this, 'systemd-analyze', 'not found on PATH (Debian package systemd)');
      const dir = mkdtempSync(join(tmpdir(), 'satu-akun-units-'));
      try {
        // An instance of the template, as `systemctl start satu-akun@3000` loads it. The command must exist for verify:
        // this machine's node stands in for /usr/bin/node.
        const files = [[SERVICE_UNIT, 'satu-akun@3000.service'], [MIGRATE_UNIT, MIGRATE_UNIT]].map(([from, to]) => {
          writeFileSync(join(dir, to!), substitute(readDeploy(from!), [['ExecStart=/usr/bin/node ', `ExecStart=${process.execPath} `, 1]]));
          return join(dir, to!);
        });
        const verify = spawnSync(analyze!, ['verify', ...files], { encoding: 'utf8' });
        // Unknown or misspelt settings are only warnings there: any output fails this test.
        expect({ status: verify.status, output: verify.stdout + verify.stderr }).to.deep.equal({ status: 0, output: '' });
        for (const file of files) {
          const security = spawnSync(analyze!, ['security', '--offline=true', '--threshold=20', file], { encoding: 'utf8' });
          expect(security.status, security.stdout.split('\n').filter((l) => l.includes('✗') || l.includes('Overall')).join('\n')).to.equal(0);
        }
      } finally {
        rmSync(dir, { recursive: true, force: true });
      }
    });
  });

  describe('nginx with TLS in front of two instances, on PostgreSQL, Redis and OpenLDAP', () => {
    const REDIRECT_URI = 'https://rp.contoh.go.id/cb';
    const children = new Set<ChildProcess>();
    const killAll = () => children.forEach((child) => child.kill('SIGKILL'));
    const cleanups: (() => Promise<unknown>)[] = [];
    let dir: string;
    let pki: TestPki;
    let issuer: string;
    let ports: { https: number; http: number; a: number; b: number };
    let serviceEnv: Record<string, string>;
    let ownerUrl: string;
    let serviceRole: string;
    let serviceUrl: string;
    let clientSecret: string;
    let trusted: typeof fetch;
    let nginx: Nginx | undefined;
    const instances = new Map<number, ChildProcess>();
    // The units' cache directory root (%C; CacheDirectory=, where TMPDIR points for tsx's compile cache), in temp.
    const cacheRoot = join(tmpdir(), `satu-akun-cache-${process.pid}`);

    /** An instance as `systemctl start satu-akun@PORT` runs it: the unit's environment, then the file's, its command. */
    const startInstance = async (port: number) => {
      const unit = readUnit(readDeploy(SERVICE_UNIT), String(port), cacheRoot);
      mkdirSync(unit.environment.TMPDIR!, { recursive: true });
      expect(unit.environment.TMPDIR).to.equal(join(cacheRoot, 'satu-akun'));
      expect(unit.environmentFiles).to.deep.equal(['/etc/satu-akun/satu-akun.env']);
      const [node, ...args] = unit.execStart;
      expect(node).to.equal('/usr/bin/node');
      const child = spawn(process.execPath, args, { cwd: REPO, env: { PATH: process.env.PATH!, ...unit.environment, ...serviceEnv }, stdio: ['ignore', 'pipe', 'pipe'] });
      children.add(child);
      child.once('exit', () => children.delete(child));
      await waitForOutput(child, /Satu Akun is running/, 45_000);
      // Keep the pipes flowing (an unread pipe would block its logging).
      child.stdout!.resume();
      child.stderr!.resume();
      instances.set(port, child);
      return child;
    };

    const kill = async (port: number) => {
      const child = instances.get(port)!;
      const exited = once(child, 'exit');
      child.kill('SIGKILL');
      await exited;
      instances.delete(port);
    };

    /** The relying party: openid-client over https, trusting the throwaway CA and nothing else. */
    const relyingParty = () =>
      oidc.discovery(new URL(issuer), 'rp-prod', { redirect_uri: REDIRECT_URI, id_token_signed_response_alg: 'RS256' }, oidc.ClientSecretBasic(clientSecret), {
        [oidc.customFetch]: (url, options) => trusted(url, options as RequestInit),
      });

    before(async function () {
      process.on('exit', killAll);
      if (!slapdAvailable()) serviceMissing(this, 'slapd', 'install the Debian packages slapd and ldap-utils');
      if (!findExecutable('openssl')) serviceMissing(this, 'openssl', 'not found on PATH (Debian package openssl)');
      dir = mkdtempSync(join(tmpdir(), 'satu-akun-deploy-'));
      cleanups.push(async () => rmSync(dir, { recursive: true, force: true }));
      const path = (...parts: string[]) => join(dir, ...parts);
      ports = { https: await freePort(), http: await freePort(), a: await freePort(), b: await freePort() };
      issuer = `https://localhost:${ports.https}`;
      pki = await makeTestPki(dir);
      trusted = fetchTrusting(pki.ca);

      // The real services: PostgreSQL (a database owned by its own role, and the service's role, which owns nothing),
      // Redis, and slapd over ldaps. Roles are per cluster, which the test files share: names of this run's own.
      const postgres = await startPostgres(this);
      const db = await postgres.createDatabase();
      const suffix = randomBytes(4).toString('hex');
      const owner = `satu_akun_owner_${suffix}`;
      const ownerPassword = randomBytes(18).toString('base64url');
      serviceRole = `satu_akun_app_${suffix}`;
      const servicePassword = randomBytes(18).toString('base64url');
      const admin = async (url: string, sql: string) => {
        const client = new pg.Client({ connectionString: url });
        await client.connect();
        try {
          await client.query(sql);
        } finally {
          await client.end();
        }
      };
      // Role and database names are generated from [a-z0-9_], the password from base64url: safe in DDL, which takes no parameters.
      // As the README's fresh-Debian step 4: two login roles, the database owned by the owner role.
      await admin(db.url, `create role ${owner} login password '${ownerPassword}'`);
      await admin(db.url, `create role ${serviceRole} login password '${servicePassword}'`);
      await admin(db.url, `alter database ${new URL(db.url).pathname.slice(1)} owner to ${owner}`);
      cleanups.push(async () => {
        await db.drop();
        const postgresDb = Object.assign(new URL(db.url), { pathname: '/postgres' }).href;
        for (const role of [serviceRole, owner]) await admin(postgresDb, `drop role if exists ${role}`);
      });
      ownerUrl = Object.assign(new URL(db.url), { username: owner, password: ownerPassword }).href;
      serviceUrl = Object.assign(new URL(db.url), { username: serviceRole, password: servicePassword }).href;

      const redis: TestService = await startPrivateRedis(this);
      cleanups.push(() => redis.close());
      const ldapServicePassword = randomBytes(18).toString('base64url');
      const slapd: Slapd = await startSlapd({ ldif: toLdif(undefined, { servicePassword: ldapServicePassword }), tls: { certFile: pki.serverCertFile, keyFile: pki.keyFile } });
      cleanups.push(() => slapd.close());

      // What an operator provisions in /etc/satu-akun: the clients file, the directory's CA, the env file, signing keys.
      mkdirSync(path('keys'), { mode: 0o700 });
      clientSecret = randomBytes(32).toString('base64url');
      writeFileSync(path('clients.json'), JSON.stringify([
        { client_id: 'rp-prod', client_name: 'Aplikasi Produksi', client_secret: clientSecret, redirect_uris: [REDIRECT_URI], scopes: ['openid', 'profile', 'email', 'nip', 'kepegawaian', 'roles'] },
      ]));
      copyFileSync(pki.caFile, path('ldap-ca.pem'));
      // The instances connect as the service role, as deploy/satu-akun.env.example says; only the migration uses the owner.
      serviceEnv = renderEnv(parseEnvFile(readDeploy(TEMPLATE)), {
        ...generatedSecrets(),
        SATU_AKUN_ISSUER: issuer,
        SATU_AKUN_DATA_DIR: path('data'),
        SATU_AKUN_KEYS_DIR: path('keys'),
        SATU_AKUN_AUDIT_CHECKPOINT_FILE: path('log', 'audit-checkpoints.jsonl'),
        SATU_AKUN_DB_URL: serviceUrl,
        SATU_AKUN_REDIS_URL: `${redis.url}/0`,
        SATU_AKUN_LDAP_URL: slapd.ldapsUrl!,
        SATU_AKUN_LDAP_TLS_CA_FILE: path('ldap-ca.pem'),
        SATU_AKUN_LDAP_BIND_PASSWORD: ldapServicePassword,
        SATU_AKUN_CLIENTS_FILE: path('clients.json'),
      });
      const migrateEnv = renderEnv(parseEnvFile(readDeploy(MIGRATE_TEMPLATE)), { SATU_AKUN_DB_URL: ownerUrl, SERVICE_ROLE: serviceRole });

      // The operators' commands as the README runs them (bin/satu-akun.js with the environment file): one RS256 and one
      // ES256 key, then a check of everything start-up reads (keys, clients file, CA file) before anything starts.
      const satu = (...args: string[]) => run(process.execPath, ['bin/satu-akun.js', ...args], { cwd: REPO, env: { PATH: process.env.PATH!, ...serviceEnv }, timeout: 30_000 });
      await Promise.all(['RS256', 'ES256'].map((alg) => satu('keys', 'generate', '--alg', alg)));
      expect(readdirSync(path('keys'))).to.have.length(2);
      const check = await satu('config', 'check').then(
        ({ stdout }) => ({ code: 0, output: stdout }),
        (err: { code: number; stdout: string; stderr: string }) => ({ code: err.code, output: err.stdout + err.stderr }),
      );
      expect(check.code, check.output).to.equal(0);

      // The release step: satu-akun-migrate.service's command, as the owner role, granting the service role; the
      // environment is the unit's, then its two files in order, and ${SERVICE_ROLE} expanded from them as systemd does.
      const migrateUnit = readUnit(readDeploy(MIGRATE_UNIT));
      const migrateProcessEnv = { ...migrateUnit.environment, ...serviceEnv, ...migrateEnv };
      const [node, ...migrateArgs] = expandCommand(migrateUnit.execStart, migrateProcessEnv);
      expect(node).to.equal('/usr/bin/node');
      expect(migrateArgs.slice(-2)).to.deep.equal(['--grant-to', serviceRole]);
      const migrated = await run(process.execPath, migrateArgs, { cwd: REPO, env: { PATH: process.env.PATH!, ...migrateProcessEnv }, timeout: 30_000 });
      expect(migrated.stdout).to.match(/001_/).and.contain(`Service privileges granted to role "${serviceRole}"`);

      // Both instances at once, as systemd starts them at boot; then nginx with the shipped site.
      await Promise.all([startInstance(ports.a), startInstance(ports.b)]);
      const site = substitute(readDeploy('nginx.conf'), [
        ['listen 443 ssl http2;', `listen 127.0.0.1:${ports.https} ssl http2;`, 1],
        ['listen 443 ssl default_server;', `listen 127.0.0.1:${ports.https} ssl default_server;`, 1],
        ['listen 80;', `listen 127.0.0.1:${ports.http};`, 1],
        ['listen 80 default_server;', `listen 127.0.0.1:${ports.http} default_server;`, 1],
        ['server 127.0.0.1:3000 ', `server 127.0.0.1:${ports.a} `, 1],
        ['server 127.0.0.1:3001 ', `server 127.0.0.1:${ports.b} `, 1],
        ['/etc/ssl/certs/sso.contoh.go.id.pem', pki.certFile, 1],
        ['/etc/ssl/private/sso.contoh.go.id.key', pki.keyFile, 1],
        ['server_name sso.contoh.go.id;', 'server_name localhost;', 2],
      ]);
      expect(site).to.not.include('sso.contoh.go.id');
      nginx = await startNginx(this, site, ports.https);
    });

    after(async () => {
      rmSync(cacheRoot, { recursive: true, force: true });
      killAll();
      process.off('exit', killAll);
      await nginx?.close();
      for (const cleanup of cleanups.reverse()) await cleanup().catch((err: unknown) => console.warn(`    cleanup: ${String(err)}`));
    });

    afterEach(function () {
      if (this.currentTest?.state === 'failed' && nginx) console.warn(`    nginx error log:\n${nginx.errors()}`);
    });

    /** A query as `url`'s role: its rows, or the error PostgreSQL answers with. */
    const queryAs = async (url: string, sql: string) => {
      const client = new pg.Client({ connectionString: url });
      await client.connect();
      try {
        return await client.query(sql);
      } finally {
        await client.end();
      }
    };

    it('each instance is ready: /readyz answers 200 "up" (SQL, the service role\'s privileges, Redis and the directory over ldaps)', async () => {
      for (const port of [ports.a, ports.b]) {
        const res = await fetch(`http://127.0.0.1:${port}/readyz`);
        const body = (await res.json()) as { status: string; checks: Record<string, { status: string }> };
        const statuses = Object.fromEntries(Object.entries(body.checks).map(([name, check]) => [name, check.status]));
        expect({ port, status: res.status, body: body.status, checks: statuses }, JSON.stringify(body)).to.deep.equal({
          port, status: 200, body: 'up', checks: { sql: 'up', sqlPrivileges: 'up', redis: 'up', directory: 'up' },
        });
      }
      // The instances' connections are the service role's: none of them is the owner's (an autovacuum worker on the
      // database, with no user, is not a connection; other roles' backend_type is hidden from the owner).
      const { rows } = await queryAs(ownerUrl, "select distinct usename from pg_stat_activity where datname = current_database() and usename is not null and pid <> pg_backend_pid()");
      expect(rows).to.deep.equal([{ usename: serviceRole }]);
    });

    it('the service role cannot rewrite the audit trail: UPDATE and DELETE are refused, and it cannot disable the triggers', async () => {
      const refusal = (sql: string) => queryAs(serviceUrl, sql).then(() => 'allowed', (err: { code?: string; message: string }) => `${err.code}: ${err.message}`);
      expect(await refusal('select count(*) from audit_log')).to.equal('allowed');
      expect(await refusal("update audit_log set ip = '192.0.2.1'")).to.equal('42501: permission denied for table audit_log');
      expect(await refusal('delete from audit_log')).to.equal('42501: permission denied for table audit_log');
      expect(await refusal('alter table audit_log disable trigger all')).to.equal('42501: must be owner of table audit_log');
    });

    it('serves discovery over https with HSTS, over HTTP/2 as well, and names the https issuer in every endpoint', async () => {
      const res = await trusted(`${issuer}/.well-known/openid-configuration`);
      expect(res.status).to.equal(200);
      expect(res.headers.get('strict-transport-security')).to.equal('max-age=31536000; includeSubDomains');
      const meta = (await res.json()) as Record<string, string>;
      expect(meta.issuer).to.equal(issuer);
      for (const endpoint of ['authorization_endpoint', 'token_endpoint', 'userinfo_endpoint', 'jwks_uri']) expect(meta[endpoint], endpoint).to.match(new RegExp(`^${issuer}/`));

      // Browsers speak HTTP/2 to nginx (listen ... http2): the same answer over it.
      const session = http2Connect(issuer, { ca: pki.ca });
      try {
        const stream = session.request({ ':path': '/.well-known/openid-configuration' });
        const [headers] = (await once(stream, 'response')) as [Record<string, string | number>];
        let text = '';
        for await (const chunk of stream) text += chunk;
        expect(headers[':status']).to.equal(200);
        expect(JSON.parse(text).authorization_endpoint).to.equal(meta.authorization_endpoint);
      } finally {
        session.close();
      }

      // Plain http only redirects, and a TLS client naming no known host is refused at the handshake.
      const plain = await trusted(`http://localhost:${ports.http}/akun`, { redirect: 'manual' });
      expect([plain.status, plain.headers.get('location')]).to.deep.equal([301, 'https://localhost/akun']);
      const handshake = (servername: string) =>
        new Promise<string>((resolve) => {
          // The certificate's names are not checked here: only nginx's answer to the handshake counts.
          const socket = tlsConnect({ host: '127.0.0.1', port: ports.https, ca: pki.ca, servername, checkServerIdentity: () => undefined }, () => (socket.destroy(), resolve('accepted')));
          socket.once('error', (err: NodeJS.ErrnoException) => resolve(err.code ?? err.message));
        });
      expect(await handshake('localhost')).to.equal('accepted');
      expect(await handshake('other.example')).to.equal('ERR_SSL_TLSV1_UNRECOGNIZED_NAME');
    });

    describe('sessions live in PostgreSQL and Redis, not in an instance', () => {
      const browser = () => new Browser((url) => url.startsWith(REDIRECT_URI), { 'x-forwarded-for': '203.0.113.7' }, trusted);
      let signedIn: Browser;
      let first: Awaited<ReturnType<typeof exchangeCode>>;
      let rp: oidc.Configuration;

      it('signs in through nginx with instance B dead: nginx skips it, cookies are Secure, the audit sees the real address', async () => {
        await kill(ports.b);
        rp = await relyingParty();
        signedIn = browser();
        const { callback, start, steps } = await reachCallback(rp, signedIn, 'rudi.hartono');
        expect(steps).to.deep.equal(['login', 'notice']);
        first = await exchangeCode(rp, callback, start);
        expect(first.claims()!).to.include({ iss: issuer, aud: 'rp-prod', acr: 'urn:satu-akun:loa:1' });
        expect(first.refresh_token, 'refresh token').to.be.a('string');

        // Behind TLS the session cookies are Secure (X-Forwarded-Proto trusted), and HttpOnly.
        const cookies = await signedIn.jar.getCookies(issuer);
        expect(cookies.length).to.be.greaterThan(0);
        for (const cookie of cookies) expect({ name: cookie.key, secure: cookie.secure, httpOnly: cookie.httpOnly }).to.deep.equal({ name: cookie.key, secure: true, httpOnly: true });

        // nginx replaced the X-Forwarded-For the client sent: throttling and the audit trail see the client's own address.
        const client = new pg.Client({ connectionString: ownerUrl });
        await client.connect();
        try {
          const { rows } = await client.query("select ip from audit_log where event = 'signin.success'");
          expect(rows).to.deep.equal([{ ip: '127.0.0.1' }]);
        } finally {
          await client.end();
        }
      });

      it('continues on instance B after instance A is killed (SIGKILL): single sign-on without the password, the refresh token, userinfo', async () => {
        await startInstance(ports.b);
        await kill(ports.a);
        const again = await reachCallback(rp, signedIn);
        expect(again.steps, 'no password form: the session came through').to.deep.equal([]);
        const second = await exchangeCode(rp, again.callback, again.start);
        expect(second.claims()!.sub).to.equal(first.claims()!.sub);

        const refreshed = await oidc.refreshTokenGrant(rp, first.refresh_token!);
        expect(refreshed.refresh_token).to.be.a('string').and.not.equal(first.refresh_token);
        const info = await oidc.fetchUserInfo(rp, refreshed.access_token, first.claims()!.sub);
        expect(info).to.include({ sub: first.claims()!.sub });
        expect(info.name).to.be.a('string');
      });
    });
  });
});
