import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { createReadStream, existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { expect } from 'chai';
import pg from 'pg';
import { runBackup } from '../../src/cli/backup.ts';
import { fileSink } from '../../src/ops/backup/backup.ts';
import { BackupError } from '../../src/ops/backup/errors.ts';
import { runRestore } from '../../src/cli/restore.ts';
import { runAuditVerify } from '../../src/cli/audit-verify.ts';
import { ConfigError, loadConfig } from '../../src/config/load.ts';
import { configSchema } from '../../src/config/schema.ts';
import { createKnex } from '../../src/db/knex.ts';
import { newBrowser, signIn } from '../support/flow.ts';
import { startPostgres } from '../support/postgres.ts';
import { rp, startProvider, type TestProvider } from '../support/provider.ts';
import { captureOutput } from '../support/console.ts';

const KEY = Buffer.alloc(32, 7).toString('base64url');
const OTHER_KEY = Buffer.alloc(32, 9).toString('base64url');

/** Runs a command in this process with what it prints captured: its exit code and its output. */
const capture = captureOutput;

/** Runs `npm run satu-akun -- <args>` as a separate process, `input` (a file) on its stdin. */
const cli = async (args: string[], env: NodeJS.ProcessEnv, input?: string): Promise<{ code: number; out: string }> => {
  const child = spawn(process.execPath, ['--import', 'tsx', 'src/cli/satu-akun.ts', ...args], { env, stdio: [input ? 'pipe' : 'ignore', 'pipe', 'pipe'] });
  let out = '';
  child.stdout!.on('data', (b: Buffer) => void (out += b));
  child.stderr!.on('data', (b: Buffer) => void (out += b));
  if (input) createReadStream(input).pipe(child.stdin!);
  const [code] = (await once(child, 'close')) as [number];
  return { code, out };
};

/** Waits for `done()` to hold, checking every 50 ms for up to 30 s. */
const until = async (done: () => boolean, what: string) => {
  for (let waited = 0; !done(); waited += 50) {
    if (waited > 30_000) throw new Error(`gave up waiting: ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
};

const kidOf = (jwt: string) => (JSON.parse(Buffer.from(jwt.split('.')[0]!, 'base64url').toString()) as { kid: string }).kid;

/** A copy of `file` with one byte of its body flipped (past the header, before the tag). */
const tampered = (file: string, dir: string): string => {
  const bytes = readFileSync(file);
  bytes[Math.floor(bytes.length / 2)]! ^= 0x01;
  const copy = join(dir, 'tampered.backup');
  writeFileSync(copy, bytes);
  return copy;
};

/** Where a database lives, for the provider (configuration overrides) and for the commands (environment). */
interface Target {
  name: string;
  overrides: Record<string, unknown>;
  env: Record<string, string>;
  /** The tables the database holds (none when it does not exist). */
  tables(): Promise<number>;
  drop(): Promise<void>;
}

const sqliteTarget = (file: string): Target => ({
  name: 'SQLite',
  overrides: { database: { client: 'sqlite', filename: file } },
  env: { SATU_AKUN_DB_FILE: file },
  tables: async () => {
    if (!existsSync(file)) return 0;
    const knex = createKnex(configSchema.parse({ database: { filename: file } }));
    try {
      return Number((await knex('sqlite_master').where({ type: 'table' }).count({ n: '*' }))[0]!.n);
    } finally {
      await knex.destroy();
    }
  },
  drop: async () => {
    for (const suffix of ['', '-wal', '-shm']) rmSync(`${file}${suffix}`, { force: true });
  },
});

const pgTarget = async (ctx: Mocha.Context): Promise<Target> => {
  const db = await (await startPostgres(ctx)).createDatabase();
  return {
    name: 'PostgreSQL',
    overrides: { database: { client: 'pg', url: db.url } },
    env: { SATU_AKUN_DB_CLIENT: 'pg', SATU_AKUN_DB_URL: db.url },
    tables: async () => {
      const client = new pg.Client({ connectionString: db.url });
      await client.connect();
      try {
        const { rows } = await client.query<{ n: string }>("select count(*) as n from pg_catalog.pg_tables where schemaname not in ('pg_catalog', 'information_schema')");
        return Number(rows[0]!.n);
      } finally {
        await client.end();
      }
    },
    drop: db.drop,
  };
};

const STORES: { name: string; target: (ctx: Mocha.Context, dir: string) => Promise<Target> }[] = [
  { name: 'SQLite', target: async (_ctx, dir) => sqliteTarget(join(dir, 'satu-akun.sqlite')) },
  { name: 'PostgreSQL', target: (ctx) => pgTarget(ctx) },
];

// Issue 11 §5 (Pangkep Art. 23; Kapuas Art. 15(13)-(14)): backup → wipe → restore → the same person signs in as the same `sub`.
for (const store of STORES) {
  describe(`backup and restore on ${store.name}`, () => {
    let root = '';
    let dataDir = '';
    let keysDir = '';
    let archive = '';
    let source: Target;
    let target: Target;
    let op: TestProvider | undefined;
    const signedIn = { sub: '', kid: '', sawNotice: false, auditRecords: 0 };
    const config = (target: Target) => ({ dataDir, keysDir, ...target.overrides });
    const env = (target: Target, extra: Record<string, string> = {}): NodeJS.ProcessEnv => ({
      SATU_AKUN_ENV: 'test',
      SATU_AKUN_LOG_LEVEL: 'silent',
      SATU_AKUN_DATA_DIR: dataDir,
      SATU_AKUN_KEYS_DIR: keysDir,
      SATU_AKUN_BACKUP_KEY: KEY,
      ...target.env,
      ...extra,
    });
    /** Nothing of the archive reached the disk: no tables, no keys, no data files. */
    const expectNothingWritten = async () => {
      expect(await target.tables(), 'tables in the target database').to.equal(0);
      expect(existsSync(keysDir) ? readdirSync(keysDir) : [], 'keys').to.deep.equal([]);
      expect(existsSync(dataDir) ? readdirSync(dataDir) : [], 'data files').to.deep.equal([]);
    };

    before(async function () {
      this.timeout(120_000);
      root = mkdtempSync(join(tmpdir(), 'satu-akun-backup-test-'));
      dataDir = join(root, 'data');
      keysDir = join(root, 'keys');
      archive = join(root, 'satu-akun.backup');
      source = await store.target(this, join(root, 'before'));
      target = store.name === 'SQLite' ? source : await store.target(this, root);

      // A person signs in to an app through a running provider; its head is signed into the checkpoints file.
      op = await startProvider(config(source));
      const { tokens, sawNotice } = await signIn(await rp(op.issuer, 'app-a'), newBrowser(), 'rudi.hartono');
      Object.assign(signedIn, { sub: tokens.claims()!.sub, kid: kidOf(tokens.id_token!), sawNotice });
      await op.satu.checkpoints.write();
      signedIn.auditRecords = (await op.satu.audit.head()).seq;

      // Online: the provider keeps running during the backup.
      const backup = await capture(() => runBackup(['--to', archive], env(source)));
      expect(backup, backup.out).to.include({ code: 0 });
      expect(backup.out).to.match(/Backup written to .*: \d+ bytes, the (sqlite|pg) database, 2 signing key\(s\), 5 other file\(s\) \/ Cadangan ditulis/);
      await op.stop();
      op = undefined;

      // The server is lost: database, keys and data directory are gone.
      await source.drop();
      rmSync(dataDir, { recursive: true, force: true });
      rmSync(keysDir, { recursive: true, force: true });
    });

    after(async () => {
      await op?.stop();
      await target?.drop();
      rmSync(root, { recursive: true, force: true });
    });

    it('made an archive that is encrypted: no table name, key or person in it, and the file is readable by its owner only', () => {
      expect(signedIn.sub).to.be.a('string').and.not.equal('');
      expect(signedIn.auditRecords).to.be.greaterThan(0);
      const bytes = readFileSync(archive);
      expect(bytes.subarray(0, 16).toString()).to.equal('SATU-AKUN-BACKUP');
      for (const plain of ['audit_log', 'rudi', signedIn.sub, '"kty"', 'manifest.json']) expect(bytes.includes(plain), plain).to.equal(false);
      expect(statSync(archive).mode & 0o777).to.equal(0o600);
    });

    it('refuses an archive altered by one byte, or cut short, and writes nothing', async () => {
      const altered = await capture(() => runRestore(['--from', tampered(archive, root)], env(target)));
      expect(altered).to.include({ code: 3 });
      expect(altered.out).to.contain('altered or cut short').and.contain('telah diubah atau terpotong');
      const cut = join(root, 'cut.backup');
      writeFileSync(cut, readFileSync(archive).subarray(0, -100));
      expect(await capture(() => runRestore(['--from', cut], env(target)))).to.include({ code: 3 });
      await expectNothingWritten();
    });

    it('refuses an archive opened with another key, or a file that is not an archive, and writes nothing', async () => {
      const wrong = await capture(() => runRestore(['--from', archive], env(target, { SATU_AKUN_BACKUP_KEY: OTHER_KEY })));
      expect(wrong).to.include({ code: 3 });
      expect(wrong.out).to.contain('sealed with another key').and.contain('disegel dengan kunci lain');
      const other = join(root, 'not-an-archive');
      writeFileSync(other, 'hello'.repeat(100));
      const notArchive = await capture(() => runRestore(['--from', other], env(target)));
      expect(notArchive).to.include({ code: 3 });
      expect(notArchive.out).to.contain('not a Satu Akun backup archive');
      const noKey = await capture(() => runRestore(['--from', archive], { ...env(target), SATU_AKUN_BACKUP_KEY: undefined }));
      expect(noKey).to.include({ code: 2 });
      expect(noKey.out).to.contain('SATU_AKUN_BACKUP_KEY is not set');
      await expectNothingWritten();
    });

    it('restores into the empty database, and the audit trail verifies against the signed checkpoint', async function () {
      this.timeout(60_000);
      const restored = await capture(() => runRestore(['--from', archive], env(target)));
      expect(restored, restored.out).to.include({ code: 0 });
      expect(restored.out).to.contain('2 signing key(s), 5 other file(s)');
      const verify = await capture(() => runAuditVerify([], env(target)));
      expect(verify, verify.out).to.include({ code: 0 });
      expect(verify.out).to.contain(`intact: ${signedIn.auditRecords} records`).and.contain(`signed checkpoint: record ${signedIn.auditRecords}`);
      expect(readdirSync(keysDir).sort()).to.deep.equal(['dev-es256.jwk.json', 'dev-rs256.jwk.json']);
      for (const file of readdirSync(keysDir)) expect(statSync(join(keysDir, file)).mode & 0o777, file).to.equal(0o600);
    });

    it('signs the same person in through a provider on the restored state with the same sub, the same key, and no second notice', async function () {
      this.timeout(60_000);
      op = await startProvider(config(target));
      const { tokens, sawNotice } = await signIn(await rp(op.issuer, 'app-a'), newBrowser(), 'rudi.hartono');
      expect(signedIn.sawNotice, 'the first sign-in asked for the notice').to.equal(true);
      expect(tokens.claims()!.sub).to.equal(signedIn.sub);
      expect(kidOf(tokens.id_token!)).to.equal(signedIn.kid);
      expect(sawNotice, 'the notice decision came back with the database').to.equal(false);
      await op.stop();
      op = undefined;
    });

    it('refuses to restore over the restored database, and leaves it as it was', async () => {
      const again = await capture(() => runRestore(['--from', archive], env(target)));
      expect(again).to.include({ code: 4 });
      expect(again.out).to.match(/The target database is not empty \(\d+ tables\)/).and.contain('Basis data tujuan tidak kosong');
      const verify = await capture(() => runAuditVerify([], env(target)));
      expect(verify.code).to.equal(0);
      const count = Number(/intact: (\d+) records/.exec(verify.out)?.[1]);
      expect(count, 'the sign-in after the restore is recorded; nothing was replaced').to.be.greaterThan(signedIn.auditRecords);
    });
  });
}

describe('backup and restore commands', () => {
  let root = '';
  const base = () => ({ PATH: process.env.PATH, SATU_AKUN_ENV: 'test', SATU_AKUN_LOG_LEVEL: 'silent', SATU_AKUN_BACKUP_KEY: KEY });
  const at = (name: string) => ({ ...base(), SATU_AKUN_DATA_DIR: join(root, name, 'data'), SATU_AKUN_KEYS_DIR: join(root, name, 'keys') });

  before(() => void (root = mkdtempSync(join(tmpdir(), 'satu-akun-backup-cli-'))));
  after(() => rmSync(root, { recursive: true, force: true }));

  it('refuses a backup key that is not 32 bytes of base64url, naming the variable', () => {
    for (const bad of ['short', `${KEY}=`, `${KEY.slice(0, -1)}+`]) {
      expect(() => loadConfig({ SATU_AKUN_BACKUP_KEY: bad }), bad).to.throw(ConfigError, /SATU_AKUN_BACKUP_KEY\): must be 32 bytes in base64url/);
    }
    expect(loadConfig({ SATU_AKUN_BACKUP_KEY: KEY }).backupKey).to.equal(KEY);
  });

  it('writes no archive without a key, and explains the usage', async () => {
    const noKey = await capture(() => runBackup(['--to', join(root, 'x')], { SATU_AKUN_ENV: 'test' }));
    expect(noKey).to.include({ code: 2 });
    expect(noKey.out).to.contain('SATU_AKUN_BACKUP_KEY is not set').and.contain('SATU_AKUN_BACKUP_KEY belum diatur');
    expect(existsSync(join(root, 'x'))).to.equal(false);
    for (const args of [[], ['--to'], ['--to', 'a', '--to-command', 'b'], ['--frobnicate']]) expect((await capture(() => runBackup(args, at('usage')))).code, args.join(' ')).to.equal(64);
    expect((await capture(() => runRestore([], at('usage')))).code).to.equal(64);
  });

  it('sends the archive to a command, checks it from stdin, restores it from stdin, and reports a failing command', async function () {
    this.timeout(60_000);
    const source = at('source');
    expect(await cli(['migrate'], source)).to.include({ code: 0 });
    mkdirSync(source.SATU_AKUN_KEYS_DIR, { recursive: true });
    writeFileSync(join(source.SATU_AKUN_KEYS_DIR, '2026-05-01-es256.jwk.json'), JSON.stringify({ kty: 'EC', crv: 'P-256', x: 'x', y: 'y', d: 'd' }), { mode: 0o600 });
    const shipped = join(root, 'shipped.backup');
    const sent = await cli(['backup', '--to-command', `cat > '${shipped}'`], source);
    expect(sent, sent.out).to.include({ code: 0 });
    expect(sent.out, 'the command is not repeated (it may hold a credential)').to.contain('Backup written to --to-command').and.not.contain(shipped);

    const checked = await cli(['restore', '--check', '--from', '-'], at('checked'), shipped);
    expect(checked, checked.out).to.include({ code: 0 });
    expect(checked.out).to.contain('The archive is intact and readable').and.contain('1 signing key(s)');
    expect(existsSync(join(root, 'checked')), '--check writes nothing').to.equal(false);

    const target = at('target');
    const restored = await cli(['restore', '--from', '-'], target, shipped);
    expect(restored, restored.out).to.include({ code: 0 });
    expect(readFileSync(join(target.SATU_AKUN_KEYS_DIR, '2026-05-01-es256.jwk.json'), 'utf8')).to.contain('"crv":"P-256"');

    // Another key in the keys directory: the restore is refused before the (empty) database is touched.
    const crowded = at('crowded');
    mkdirSync(crowded.SATU_AKUN_KEYS_DIR, { recursive: true });
    writeFileSync(join(crowded.SATU_AKUN_KEYS_DIR, 'other.jwk.json'), '{}');
    const refused = await capture(() => runRestore(['--from', shipped], crowded));
    expect(refused).to.include({ code: 4 });
    expect(refused.out).to.contain('in the way').and.contain('other.jwk.json');
    expect(existsSync(crowded.SATU_AKUN_DATA_DIR), 'no database was created').to.equal(false);

    const failing = await cli(['backup', '--to-command', 'cat > /dev/null; exit 3'], source);
    expect(failing).to.include({ code: 1 });
    expect(failing.out).to.contain('exited with code 3');
    const exists = await capture(() => runBackup(['--to', shipped], source));
    expect(exists).to.include({ code: 1 });
    expect(exists.out).to.contain('does not overwrite it');
  });

  it('replaces no file created under the name while the archive was written: the partial is linked, never renamed, over it', async () => {
    const file = join(root, 'raced.backup');
    const sink = fileSink(file);
    sink.stream.end('the archive');
    await once(sink.stream, 'close');
    writeFileSync(file, 'made meanwhile');
    const refused = await sink.finish().catch((err: unknown) => err);
    expect(refused).to.be.instanceOf(BackupError).with.property('key', 'backup.exists');
    expect(readFileSync(file, 'utf8')).to.equal('made meanwhile');
    sink.abort();
    expect(existsSync(`${file}.partial`)).to.equal(false);

    const fresh = join(root, 'fresh.backup');
    const written = fileSink(fresh);
    written.stream.end('the archive');
    await once(written.stream, 'close');
    await written.finish();
    expect(readFileSync(fresh, 'utf8')).to.equal('the archive');
    expect(existsSync(`${fresh}.partial`), 'no partial left beside it').to.equal(false);
  });

  it('gives the --to-command no SATU_AKUN_* variable and no PG* variable (the backup key, the database password)', async function () {
    this.timeout(60_000);
    const source = at('environment');
    expect(await cli(['migrate'], source)).to.include({ code: 0 });
    const seen = join(root, 'command-environment');
    const sent = await cli(['backup', '--to-command', `env > '${seen}'; cat > /dev/null`], { ...source, PGPASSWORD: 'rahasia-basis-data', LANG: 'C.UTF-8' });
    expect(sent, sent.out).to.include({ code: 0 });
    const names = readFileSync(seen, 'utf8').split('\n').map((line) => line.split('=')[0]!);
    expect(names.filter((name) => name.startsWith('SATU_AKUN_') || name.startsWith('PG'))).to.deep.equal([]);
    expect(names, 'the rest of the environment is kept').to.include('PATH').and.include('LANG');
  });

  /** The staging directories a command left in `tmp`. */
  const staged = (tmp: string, prefix: string) => readdirSync(tmp).filter((name) => name.startsWith(prefix));

  it('removes its staging directory (database copy, private keys) when interrupted by SIGINT while the --to-command runs, and exits 130', async function () {
    this.timeout(60_000);
    const source = at('interrupted');
    expect(await cli(['migrate'], source)).to.include({ code: 0 });
    mkdirSync(source.SATU_AKUN_KEYS_DIR, { recursive: true });
    writeFileSync(join(source.SATU_AKUN_KEYS_DIR, '2026-05-01-es256.jwk.json'), JSON.stringify({ kty: 'EC', crv: 'P-256', x: 'x', y: 'y', d: 'd' }), { mode: 0o600 });
    const tmp = mkdtempSync(join(root, 'tmp-'));
    const started = join(root, 'interrupted-command-started');
    // The command as an operator runs it (the bin), with a TMPDIR of its own.
    const child = spawn(process.execPath, ['bin/satu-akun.js', 'backup', '--to-command', `touch '${started}'; sleep 5; cat > /dev/null`], { env: { ...source, TMPDIR: tmp }, stdio: 'ignore' });
    const exited = once(child, 'exit') as Promise<[number | null, NodeJS.Signals | null]>;
    await until(() => existsSync(started), 'the --to-command to start');
    const [dir] = staged(tmp, 'satu-akun-backup-');
    expect(dir, 'staged while the command runs').to.be.a('string');
    expect(readdirSync(join(tmp, dir!)).sort()).to.include('database.sqlite').and.include('keys');
    child.kill('SIGINT');
    const exit = await exited;
    expect(staged(tmp, 'satu-akun-backup-'), 'no plaintext left in TMPDIR').to.deep.equal([]);
    expect(exit).to.deep.equal([130, null]);
  });

  it('removes its staging directory when restore is stopped by SIGTERM while it reads the archive from stdin, and exits 143', async function () {
    this.timeout(60_000);
    const tmp = mkdtempSync(join(root, 'tmp-'));
    const child = spawn(process.execPath, ['bin/satu-akun.js', 'restore', '--from', '-'], { env: { ...at('restore-interrupted'), TMPDIR: tmp }, stdio: ['pipe', 'ignore', 'ignore'] });
    const exited = once(child, 'exit') as Promise<[number | null, NodeJS.Signals | null]>;
    child.stdin!.write('the start of an archive; the rest never comes');
    await until(() => staged(tmp, 'satu-akun-restore-').length > 0 && existsSync(join(tmp, staged(tmp, 'satu-akun-restore-')[0]!, 'sealed')), 'restore to stage stdin');
    child.kill('SIGTERM');
    const exit = await exited;
    expect(staged(tmp, 'satu-akun-restore-'), 'no plaintext left in TMPDIR').to.deep.equal([]);
    expect(exit).to.deep.equal([143, null]);
  });
});
