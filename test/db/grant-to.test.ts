import { execFile } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { expect } from 'chai';
import pg from 'pg';
import { checkRoleName, GrantRefused } from '../../src/db/privileges.ts';
import { createLogger } from '../../src/shared/logger.ts';
import { newBrowser, signIn } from '../support/flow.ts';
import { startPostgres } from '../support/postgres.ts';
import { rp, startProvider, type TestProvider } from '../support/provider.ts';

const run = promisify(execFile);

/** `npm run satu-akun -- migrate …` as an operator runs it: a process of its own, its exit code and output. */
const satuAkun = async (args: string[], env: Record<string, string>) => {
  const clean = Object.fromEntries(Object.entries(process.env).filter(([k]) => !k.startsWith('SATU_AKUN_')));
  try {
    const { stdout, stderr } = await run(process.execPath, ['--import', 'tsx', 'src/cli/satu-akun.ts', ...args], { env: { ...clean, ...env }, timeout: 30_000 });
    return { code: 0, stdout, stderr };
  } catch (err) {
    const e = err as { code: number; stdout: string; stderr: string };
    return { code: e.code, stdout: e.stdout, stderr: e.stderr };
  }
};

const as = (url: string, user: string) => {
  const u = new URL(url);
  u.username = user;
  return u.toString();
};

describe('migrate --grant-to: the service role gets exactly what it needs (PostgreSQL)', function () {
  this.timeout(60_000);
  const suffix = Math.random().toString(36).slice(2, 8);
  // Roles are per cluster, which the test files share: names of this run's own.
  const owner = `owner_${suffix}`;
  const app = `app_role_${suffix}`;
  const short = `short_${suffix}`;
  let admin: pg.Client;
  let db: { url: string; drop(): Promise<void> };
  let dbName: string;
  const providers: TestProvider[] = [];
  const pgEnv = (user: string) => ({ SATU_AKUN_DB_CLIENT: 'pg', SATU_AKUN_DB_URL: as(db.url, user) });

  before(async function () {
    const server = await startPostgres(this);
    db = await server.createDatabase();
    dbName = new URL(db.url).pathname.slice(1);
    admin = new pg.Client({ connectionString: db.url });
    await admin.connect();
    // The identifiers are generated above from [a-z0-9_]: DDL takes no parameters.
    for (const role of [owner, app, short]) await admin.query(`create role ${role} login`);
    // The owner of the database owns its public schema (PostgreSQL 15+), so it may create the tables: no superuser.
    await admin.query(`alter database ${dbName} owner to ${owner}`);
  });
  after(async () => {
    for (const p of providers) await p.stop().catch(() => undefined);
    await admin?.end();
    await db?.drop();
    const cleanup = new pg.Client({ connectionString: db.url.replace(/\/[^/]+$/, '/postgres') });
    await cleanup.connect();
    for (const role of [owner, app, short]) await cleanup.query(`drop role if exists ${role}`);
    await cleanup.end();
  });

  it('the owner migrates and grants; the service as app_role is ready and signs a person in with a real RP', async () => {
    const result = await satuAkun(['migrate', '--grant-to', app], pgEnv(owner));
    expect(result.code, result.stderr).to.equal(0);
    expect(result.stdout).to.match(/Migrations applied: 001_accounts\.ts/);
    expect(result.stdout).to.contain(`Service privileges granted to role "${app}"`).and.contain(`Hak akses layanan diberikan kepada peran "${app}"`);

    // Exactly what the service needs: the audit trail append-only, the knex tables read-only, no DDL.
    const can = async (table: string, privilege: string) =>
      (await admin.query<{ ok: boolean }>('select has_table_privilege($1, $2, $3) as ok', [app, table, privilege])).rows[0]!.ok;
    expect(await can('apps', 'INSERT')).to.equal(true);
    expect(await can('oidc_payloads', 'DELETE')).to.equal(true);
    expect(await can('audit_log', 'INSERT')).to.equal(true);
    expect(await can('audit_log', 'UPDATE')).to.equal(false);
    expect(await can('audit_log', 'DELETE')).to.equal(false);
    expect(await can('audit_head', 'UPDATE')).to.equal(true);
    expect(await can('audit_head', 'DELETE')).to.equal(false);
    expect(await can('audit_verifications', 'INSERT')).to.equal(true);
    expect(await can('audit_verifications', 'DELETE')).to.equal(false);
    expect(await can('knex_migrations', 'SELECT')).to.equal(true);
    expect(await can('knex_migrations', 'INSERT')).to.equal(false);
    expect(await can('knex_migrations_lock', 'UPDATE')).to.equal(false);
    expect((await admin.query<{ ok: boolean }>(`select has_schema_privilege($1, 'public', 'CREATE') as ok`, [app])).rows[0]!.ok).to.equal(false);

    const op = await startProvider({ database: { client: 'pg', url: as(db.url, app), poolMax: 4 } });
    providers.push(op);
    const ready = await fetch(`${op.local}/readyz`);
    expect(ready.status).to.equal(200);
    expect(await ready.json()).to.nested.include({ status: 'up', 'checks.sqlPrivileges.status': 'up' });

    const client = await rp(op.issuer, 'app-a');
    const { tokens, sawLogin } = await signIn(client, newBrowser(), 'andi.wijaya');
    expect(sawLogin).to.equal(true);
    expect(tokens.claims()?.sub).to.be.a('string');
    const audit = await admin.query<{ n: string }>(`select count(*) as n from audit_log where event = 'signin.success'`);
    expect(Number(audit.rows[0]!.n), 'the sign-in was audited by the service role').to.be.greaterThan(0);
  });

  it('a role missing one grant starts but is not ready (503), naming the privilege and table, and start-up logs it', async () => {
    expect((await satuAkun(['migrate', '--grant-to', short], pgEnv(owner))).code).to.equal(0);
    // What the README's old GRANT list left out: the apps of migration 006 and later.
    await admin.query(`revoke insert on apps from ${short}`);
    const logs: { level: number; msg: string; err?: string }[] = [];
    const logger = createLogger('info', { write: (line: string) => void logs.push(JSON.parse(line)) });
    const op = await startProvider({ database: { client: 'pg', url: as(db.url, short), poolMax: 4 } }, { logger });
    providers.push(op);

    const ready = await fetch(`${op.local}/readyz`);
    expect(ready.status).to.equal(503);
    const body = (await ready.json()) as { status: string; checks: Record<string, { status: string; error?: string }> };
    expect(body.status).to.equal('down');
    expect(body.checks.sql!.status, 'the database itself answers').to.equal('up');
    expect(body.checks.sqlPrivileges).to.include({ status: 'down', error: 'the database role lacks: INSERT on apps' });
    expect(JSON.stringify(body)).not.to.contain(new URL(db.url).port + '/').and.not.to.contain('postgres://');

    const logged = logs.find((l) => l.level === 50 && /lacks privileges/.test(l.msg));
    expect(logged?.err).to.equal('the database role lacks: INSERT on apps');
  });

  it('refuses a bad role name, a role that does not exist, the owner itself, SQLite and unknown options, before granting anything', async () => {
    const noStack = (text: string) => expect(text).not.to.match(/\n\s+at .*:\d+/);
    for (const bad of ['public', '1app', 'a'.repeat(64), 'pg_signal_backend', 'App-Role']) expect(() => checkRoleName(bad), bad).to.throw(GrantRefused);
    for (const good of [app, 'Satu_Akun', '_x']) expect(() => checkRoleName(good), good).not.to.throw();
    // Each a process of its own (about 2 s): the few that show the operator's view.
    for (const bad of ['app; drop table apps', 'x"y', 'pg_read_all_data']) {
      const result = await satuAkun(['migrate', '--grant-to', bad], pgEnv(owner));
      expect(result.code, bad).to.equal(64);
      expect(result.stderr).to.contain(`Role name "${bad}" refused`).and.contain(`Nama peran "${bad}" ditolak`);
      noStack(result.stderr);
    }
    const missing = await satuAkun(['migrate', '--grant-to', `nobody_${suffix}`], pgEnv(owner));
    expect(missing.code).to.equal(1);
    expect(missing.stderr).to.contain(`Role "nobody_${suffix}" does not exist`).and.contain('tidak ada di PostgreSQL');
    const self = await satuAkun(['migrate', '--grant-to', owner], pgEnv(owner));
    expect(self.code).to.equal(1);
    expect(self.stderr).to.contain('owns the tables').and.contain('pemilik tabel');
    noStack(missing.stderr + self.stderr);

    const dir = mkdtempSync(join(tmpdir(), 'satu-akun-grant-'));
    try {
      const sqlite = await satuAkun(['migrate', '--grant-to', app], { SATU_AKUN_DATA_DIR: dir });
      expect(sqlite.code).to.equal(64);
      expect(sqlite.stderr).to.contain('--grant-to is for PostgreSQL only').and.contain('SQLite tidak mempunyai peran');
      const unknown = await satuAkun(['migrate', '--grant', app], { SATU_AKUN_DATA_DIR: dir });
      expect(unknown.code).to.equal(64);
      expect(unknown.stderr).to.contain('Usage: npm run satu-akun -- migrate [--grant-to ROLE]').and.contain("Unknown option '--grant'");
      noStack(sqlite.stderr + unknown.stderr);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
