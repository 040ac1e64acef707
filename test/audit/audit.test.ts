import { execFile } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { expect } from 'chai';
import type { Knex } from 'knex';
import { pino } from 'pino';
import { loadConfig } from '../../src/config/load.ts';
import { createKnex, migrate } from '../../src/db/knex.ts';
import { createAuditService, hashRecord, type AuditEvent, type AuditService } from '../../src/audit/audit.service.ts';
import type { AuditRow } from '../../src/audit/audit.repo.ts';
import { checkpointKey, createCheckpointer, latestCheckpoint, rawPublicKey, signCheckpoint } from '../../src/audit/checkpoints.ts';
import { auditCheckpointSeed, checkpointFile } from '../../src/app/secrets.ts';
import { startPostgres, type PostgresService } from '../support/postgres.ts';
import { createAuditRepo } from '../../src/audit/audit.repo.ts';

const AT = new Date('2025-03-04T05:06:07.089Z');
const clock = { now: () => AT };
const logLines: string[] = [];
const logger = pino({ level: 'warn' }, { write: (line: string) => void logLines.push(line) });

const open = async (env: Record<string, string>): Promise<Knex> => {
  const knex = createKnex(loadConfig(env));
  await migrate(knex);
  return knex;
};

/** A backend hands out empty, migrated databases and knows how to get past its own guards to tamper. */
interface Backend {
  name: string;
  start(ctx: Mocha.Context): Promise<void>;
  fresh(): Promise<Knex>;
  tamper(knex: Knex, sql: (trx: Knex.Transaction) => Promise<unknown>): Promise<unknown>;
  stop(): Promise<unknown>;
}

const sqlite = (): Backend => {
  let dir = '';
  let n = 0;
  return {
    name: 'SQLite',
    start: async () => void (dir = mkdtempSync(join(tmpdir(), 'audit-'))),
    fresh: () => open({ SATU_AKUN_DATA_DIR: dir, SATU_AKUN_DB_FILE: `t${n++}.sqlite` }),
    tamper: (knex, sql) => knex.transaction(sql),
    stop: async () => rmSync(dir, { recursive: true, force: true }),
  };
};

const postgres = (): Backend => {
  let server: PostgresService | undefined;
  const drops: Array<() => Promise<void>> = [];
  return {
    name: 'PostgreSQL',
    start: async (ctx) => void (server = await startPostgres(ctx)),
    // A database per test: the trigger forbids emptying the table, which is the point.
    fresh: async () => {
      const db = await server!.createDatabase();
      drops.push(db.drop);
      return open({ SATU_AKUN_DB_CLIENT: 'pg', SATU_AKUN_DB_URL: db.url, SATU_AKUN_DB_POOL_MAX: '8' });
    },
    // The documented superuser escape: triggers do not fire in a replication-role session.
    tamper: (knex, sql) =>
      knex.transaction(async (trx) => {
        await trx.raw('SET LOCAL session_replication_role = replica');
        return sql(trx);
      }),
    // The server is shared by every test file of the run and stops at exit; only our databases go.
    stop: () => Promise.all(drops.map((drop) => drop())),
  };
};

const events: AuditEvent[] = [
  { event: 'signin.failure', actor: '198501012010011001', ip: '10.0.0.7', clientId: 'simpeg', details: { reason: 'invalid_credentials' } },
  { event: 'signin.success', actor: 'sub-1', ip: '10.0.0.7', clientId: 'simpeg', details: { amr: ['pwd'], acr: 'urn:satu-akun:loa:1' } },
  { event: 'consent.granted', actor: 'sub-1', clientId: 'simpeg', details: { scopes: ['openid', 'profile'] } },
  { event: 'logout', actor: 'sub-1', ip: '10.0.0.7' },
  { event: 'session.ended', actor: 'admin-1', subject: 'sub-1', details: { by: 'admin', sessions: 2, reason: 'laptop lost' } },
];

const reseal = (row: AuditRow) => ({ ...row, hash: hashRecord({ ...row, seq: Number(row.seq) }) });
const byseq = async (t: Knex.Transaction, seq: number) => (await t<AuditRow>('audit_log').where({ seq }))[0]!;

/** Ways to tamper with the five records of `events`, and what verify() must then report. */
const tamperings: Array<[string, (t: Knex.Transaction) => Promise<unknown>, { count?: number; firstBadSeq: number; reason: string }]> = [
  ['an edited field', (t) => t('audit_log').where({ seq: 3 }).update({ actor: 'someone-else' }), { count: 2, firstBadSeq: 3, reason: 'hash_mismatch' }],
  ['a deleted middle record', (t) => t('audit_log').where({ seq: 3 }).delete(), { count: 2, firstBadSeq: 3, reason: 'missing_record' }],
  ['deleted tail records, through the head', (t) => t('audit_log').where('seq', '>=', 4).delete(), { count: 3, firstBadSeq: 4, reason: 'missing_tail' }],
  ['a forged record with a recomputed hash', async (t) => t('audit_log').where({ seq: 3 }).update(reseal({ ...(await byseq(t, 3)), details: '{"scopes":["openid"]}' })), { firstBadSeq: 4, reason: 'chain_broken' }],
  ['a record moved and re-chained to the wrong predecessor', async (t) => t('audit_log').where({ seq: 2 }).update(reseal({ ...(await byseq(t, 3)), seq: 2, prev_hash: (await byseq(t, 2)).hash })), { firstBadSeq: 2, reason: 'chain_broken' }],
  ['a record appended past the head', async (t) => t('audit_log').insert(reseal({ ...(await byseq(t, 5)), seq: 6, prev_hash: (await byseq(t, 5)).hash })), { count: 5, firstBadSeq: 6, reason: 'beyond_head' }],
];

describe('audit record hash', () => {
  it('is frozen: a change would make every existing trail fail verification', () => {
    const row = { seq: 1, at: AT.toISOString(), event: 'logout', actor: 'sub-1', subject: null, client_id: null, ip: '10.0.0.7', details: null };
    expect(hashRecord({ ...row, prev_hash: '0'.repeat(64) })).to.equal('cfe9f095facb3a9fd0842d1d3c84f494b33dc68d4f5c3130b76ce0107b5acc27');
  });
});

for (const backend of [sqlite(), postgres()]) {
  describe(`audit trail on ${backend.name}`, function () {
    let knex: Knex;
    let audit: AuditService;
    const rows = () => knex<AuditRow>('audit_log').orderBy('seq');

    before(function () {
      return backend.start(this);
    });
    after(() => backend.stop());
    beforeEach(async () => {
      knex = await backend.fresh();
      audit = createAuditService({ repo: createAuditRepo(knex), clock, logger });
      for (const e of events) await audit.record(e);
    });
    afterEach(() => knex.destroy());

    it('chains records from genesis, stores UTC ISO time, and verifies them', async () => {
      const all = await rows();
      expect(all.map((r) => Number(r.seq))).to.deep.equal([1, 2, 3, 4, 5]);
      expect(all[0]!.prev_hash).to.equal('0'.repeat(64));
      expect(all[1]!.prev_hash).to.equal(all[0]!.hash);
      expect(all[0]!.at).to.equal('2025-03-04T05:06:07.089Z');
      expect(await audit.verify()).to.deep.equal({ ok: true, count: 5 });
      expect(await audit.head()).to.deep.equal({ seq: 5, hash: all[4]!.hash });
    });

    // Issue 8 §4: both of these verified before, because the hash is unkeyed; a checkpoint signed outside catches them.
    it('catches a cut tail with the head moved back, and a chain recomputed whole, against a signed checkpoint', async () => {
      const checkpoint = await audit.head();
      await backend.tamper(knex, async (t) => {
        await t('audit_log').where('seq', '>=', 4).delete();
        await t('audit_head').where({ id: 1 }).update({ seq: 3, hash: (await byseq(t, 3)).hash });
      });
      expect(await audit.verify(), 'the cut chain verifies on its own').to.deep.equal({ ok: true, count: 3 });
      expect(await audit.verify(checkpoint)).to.deep.equal({ ok: false, count: 3, firstBadSeq: 4, reason: 'checkpoint_missing' });
      // Recompute everything from record 2 on, with two new records, and the head to match.
      await backend.tamper(knex, async (t) => {
        let prev = (await byseq(t, 1)).hash;
        for (const seq of [2, 3]) {
          const row = reseal({ ...(await byseq(t, seq)), seq, prev_hash: prev, ...(seq === 2 ? { ip: '10.9.9.9' } : {}) });
          await t('audit_log').where({ seq }).update(row);
          prev = row.hash;
        }
        for (const seq of [4, 5]) {
          const row = reseal({ ...(await byseq(t, 3)), seq, prev_hash: prev, event: 'logout', details: null });
          await t('audit_log').insert(row);
          prev = row.hash;
        }
        await t('audit_head').where({ id: 1 }).update({ seq: 5, hash: prev });
      });
      expect(await audit.verify(), 'the recomputed chain verifies on its own').to.deep.equal({ ok: true, count: 5 });
      expect(await audit.verify(checkpoint)).to.deep.equal({ ok: false, count: 4, firstBadSeq: 5, reason: 'checkpoint_mismatch' });
    });

    it('lists newest first with filters', async () => {
      const sub1 = await audit.list({ actor: 'sub-1', clientId: 'simpeg' });
      expect(sub1.map((r) => r.event)).to.deep.equal(['consent.granted', 'signin.success']);
      expect(sub1[0]!.details).to.deep.equal({ scopes: ['openid', 'profile'] });
      expect(await audit.list({ event: 'logout', from: AT, to: new Date(AT.getTime() + 1) })).to.have.length(1);
      expect(await audit.list({ from: new Date(AT.getTime() + 1) })).to.have.length(0);
    });

    for (const [what, change, expected] of tamperings) {
      it(`detects ${what}`, async () => {
        await backend.tamper(knex, change);
        expect(await audit.verify()).to.include({ ok: false, ...expected });
      });
    }
    it('strips secret-like keys at any depth and logs their paths, never their values', async () => {
      logLines.length = 0;
      const details = { reason: 'throttled', password: 'rahasia1', agencyCode: '1.02', id_token_signed_response_alg: 'RS256', nested: { client_secret: 's3', items: [{ accessToken: 't0k', otp: '123456', code: 'c0de' }] } };
      const rec = await audit.record({ event: 'signin.failure', actor: 'x', details } as AuditEvent);
      // Names of methods and algorithms are kept: an app's before/after must show them.
      expect(rec.details).to.deep.equal({ agencyCode: '1.02', id_token_signed_response_alg: 'RS256', nested: { items: [{}] }, reason: 'throttled' });
      const [stored] = await knex<AuditRow>('audit_log').where({ seq: rec.seq });
      expect(stored!.details).to.not.match(/rahasia1|s3|t0k|123456|c0de/);
      expect(logLines.join('')).to.include('nested.items[0].accessToken').and.not.match(/rahasia1|t0k|123456/);
      expect(await audit.verify()).to.deep.equal({ ok: true, count: 6 });
    });

    it("writes in the caller's transaction: a rollback takes the record with it", async () => {
      await knex.transaction(async (trx) => {
        await audit.record({ event: 'logout', actor: 'sub-2' }, trx);
        await trx.rollback();
      }).catch(() => {});
      await knex.transaction((trx) => audit.record({ event: 'logout', actor: 'sub-3' }, trx));
      expect((await rows()).map((r) => r.actor).slice(-1)).to.deep.equal(['sub-3']);
      expect(await audit.verify()).to.deep.equal({ ok: true, count: 6 });
    });

    it('keeps the chain linear under 50 concurrent appends', async () => {
      await Promise.all(Array.from({ length: 50 }, (_, i) => audit.record({ event: 'logout', actor: `sub-${i}` })));
      expect(await audit.verify()).to.deep.equal({ ok: true, count: 55 });
      expect((await audit.head()).seq).to.equal(55);
    });

    // Issue 14: a change and its record as one statement (the returning sign-in's path). A person signs up here: the
    // change inserts an account, and the record names it from the row the change returned.
    const signUp = (sub: string, name = 'Rudi') =>
      knex.raw("insert into accounts (sub, directory_id, username, status, profile, created_at) values (?, ?, ?, 'active', '{}', ?) returning sub", [sub, `dir-${sub}`, name, AT.toISOString()]);
    const tricky = { reason: 'invalid_credentials' as const, ua: 'Mozilla "5.0" \\ \n\t\u0001 Bahasa é ✓ 😀 \u2028' };

    if (backend.name === 'SQLite') {
      it('leaves a change with its record to a transaction: recordAfter does nothing and says so', async () => {
        expect(await audit.recordAfter(signUp('sub-x'), { event: 'signin.failure', details: tricky }, { actor: 'sub' })).to.equal(undefined);
        expect(await knex('accounts').count({ n: '*' })).to.deep.equal([{ n: 0 }]);
        expect((await audit.head()).seq).to.equal(5);
      });
    }

    if (backend.name === 'PostgreSQL') {
      it('appends the record of a change in the same statement, linked by the database exactly as hashRecord links', async () => {
        const returned = await audit.recordAfter(signUp('sub-x'), { event: 'signin.failure', ip: '10.0.0.8', clientId: 'simpeg', details: tricky }, { actor: 'sub', subject: 'sub' });
        expect(returned).to.deep.equal([{ sub: 'sub-x' }]);
        const [record] = await audit.list({ limit: 1 });
        expect(record).to.deep.include({ seq: 6, actor: 'sub-x', subject: 'sub-x', client_id: 'simpeg', ip: '10.0.0.8', event: 'signin.failure', at: AT.toISOString() });
        expect(record!.details).to.deep.equal(tricky);
        expect(await audit.verify()).to.deep.equal({ ok: true, count: 6 });
        expect(await knex('audit_head').first('seq', 'prev_hash')).to.deep.equal({ seq: '6', prev_hash: (await rows())[4]!.hash });
      });

      it('records nothing when the change changed nothing, and nothing when it fails', async () => {
        const none = knex.raw("update accounts set username = 'x' where sub = 'nobody' returning sub");
        expect(await audit.recordAfter(none, { event: 'logout' }, { actor: 'sub' })).to.deep.equal([]);
        await audit.recordAfter(signUp('sub-y'), { event: 'logout' }, { actor: 'sub' });
        const again = await audit.recordAfter(signUp('sub-y'), { event: 'logout' }, { actor: 'sub' }).then(() => null, (e: Error) => e);
        expect(again?.message).to.match(/duplicate key/);
        expect((await rows()).map((r) => r.actor)).to.deep.equal([...events.map((e) => e.actor), 'sub-y']);
        expect(await audit.verify()).to.deep.equal({ ok: true, count: 6 });
      });

      it('keeps the chain linear with 60 concurrent appends, half in one statement and half in transactions', async () => {
        await Promise.all(
          Array.from({ length: 60 }, (_, i) =>
            i % 2 ? audit.recordAfter(signUp(`p-${i}`), { event: 'logout', details: undefined }, { actor: 'sub' }) : knex.transaction((trx) => audit.record({ event: 'logout', actor: `p-${i}` }, trx)),
          ),
        );
        expect(await audit.verify()).to.deep.equal({ ok: true, count: 65 });
        expect(new Set((await rows()).map((r) => r.actor)).size).to.equal(60 + 3);
        expect((await audit.head()).seq).to.equal(65);
      });

      it('refuses UPDATE, DELETE and TRUNCATE, and a head moved backwards, at the database', async () => {
        for (const sql of ['UPDATE audit_log SET actor = NULL', 'DELETE FROM audit_log', 'TRUNCATE audit_log', 'UPDATE audit_head SET seq = 1']) {
          const err = await knex.raw(sql).then(() => null, (e: Error) => e);
          expect(err?.message, sql).to.match(/append-only|only moves forward/);
        }
        expect(await audit.verify()).to.deep.equal({ ok: true, count: 5 });
      });
    }
  });
}

describe('audit checkpoints file', () => {
  it('gives the last checkpoint of a long file, reading only its end', () => {
    const dir = mkdtempSync(join(tmpdir(), 'satu-akun-checkpoints-'));
    try {
      const file = join(dir, 'audit-checkpoints.jsonl');
      const key = checkpointKey(Buffer.alloc(32, 7).toString('base64url'));
      const lines = Array.from({ length: 500 }, (_, i) => JSON.stringify(signCheckpoint(key, { seq: i + 1, hash: String(i % 10).repeat(64) }, AT)));
      writeFileSync(file, `${lines.join('\n')}\n`);
      expect(latestCheckpoint(file)).to.include({ seq: 500, hash: '9'.repeat(64) });
      expect(latestCheckpoint(join(dir, 'none.jsonl'))).to.equal(undefined);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});

describe('audit:verify command', () => {
  let dir = '';
  // Only this test's SATU_AKUN_* settings reach the command, whatever the developer's shell has set.
  const env = Object.fromEntries(Object.entries(process.env).filter(([k]) => !k.startsWith('SATU_AKUN_')));
  const run = (extra: Record<string, string> = {}, args: string[] = []) =>
    promisify(execFile)(process.execPath, ['--import', 'tsx', 'src/cli/audit-verify.ts', ...args], { env: { ...env, SATU_AKUN_DATA_DIR: dir, ...extra } }).then(
      ({ stdout }) => ({ code: 0, out: stdout }),
      (err: { code: number; stdout: string; stderr: string }) => ({ code: err.code, out: err.stdout + err.stderr }),
    );
  before(() => void (dir = mkdtempSync(join(tmpdir(), 'audit-cli-'))));
  after(() => rmSync(dir, { recursive: true, force: true }));

  it('exits 0 when intact, 1 with the seq when tampered, 2 when it cannot check', async () => {
    const knex = await open({ SATU_AKUN_DATA_DIR: dir });
    const audit = createAuditService({ repo: createAuditRepo(knex), clock, logger });
    for (const e of events) await audit.record(e);
    const intact = await run();
    expect(intact).to.include({ code: 0 }).and.have.property('out').that.match(/intact: 5 records.*utuh/);
    await knex('audit_log').where({ seq: 2 }).update({ ip: '10.9.9.9' });
    await knex.destroy();
    const tampered = await run();
    expect(tampered).to.include({ code: 1 }).and.have.property('out').that.match(/TAMPERED at record 2 \(hash_mismatch\).*DIUBAH/);
    expect((await run({ SATU_AKUN_DB_CLIENT: 'pg' })).code).to.equal(2);
  });

  it('checks the chain against the latest signed checkpoint, and refuses a forged checkpoint', async () => {
    const data = mkdtempSync(join(tmpdir(), 'audit-cli-'));
    try {
      const config = loadConfig({ SATU_AKUN_DATA_DIR: data });
      const knex = await open({ SATU_AKUN_DATA_DIR: data });
      const audit = createAuditService({ repo: createAuditRepo(knex), clock, logger });
      for (const e of events) await audit.record(e);
      const file = checkpointFile(config);
      const checkpoints = createCheckpointer({ head: audit.head, key: checkpointKey(auditCheckpointSeed(config)), file, clock, logger, intervalMs: 60_000 });
      expect(await checkpoints.write()).to.include({ seq: 5 });
      expect(await checkpoints.write(), 'nothing new: no second line').to.equal(undefined);
      const intact = await run({ SATU_AKUN_DATA_DIR: data });
      expect(intact).to.include({ code: 0 }).and.have.property('out').that.match(/signed checkpoint: record 5/);
      // A verifier configured with the public key only (review finding: verifying with the seed lets verifiers forge).
      const publicKey = rawPublicKey(checkpointKey(auditCheckpointSeed(config)));
      expect(await run({ SATU_AKUN_DATA_DIR: data, SATU_AKUN_AUDIT_CHECKPOINT_PUBLIC_KEY: publicKey })).to.include({ code: 0 });
      const otherKey = rawPublicKey(checkpointKey(Buffer.alloc(32, 3).toString('base64url')));
      expect(await run({ SATU_AKUN_DATA_DIR: data, SATU_AKUN_AUDIT_CHECKPOINT_PUBLIC_KEY: otherKey })).to.include({ code: 1 }).and.have.property('out').that.match(/NOT valid/);
      // A checkpoint file that went missing is tampering when the operator says checkpoints must exist.
      expect(await run({ SATU_AKUN_DATA_DIR: data }, ['--checkpoints', join(data, 'nowhere.jsonl'), '--require-checkpoint'])).to.include({ code: 1 });
      expect(await run({ SATU_AKUN_DATA_DIR: data }, ['--checkpoints', file])).to.include({ code: 0 });
      // Cut the tail and move the head back: the chain alone verifies, the checkpoint does not.
      await knex('audit_log').where('seq', '>=', 4).delete();
      await knex('audit_head').where({ id: 1 }).update({ seq: 3, hash: (await knex<AuditRow>('audit_log').where({ seq: 3 }).first())!.hash });
      await knex.destroy();
      const cut = await run({ SATU_AKUN_DATA_DIR: data });
      expect(cut).to.include({ code: 1 }).and.have.property('out').that.match(/TAMPERED at record 4 \(checkpoint_missing\)/);
      // A checkpoint written by someone without the key.
      const forged = { ...latestCheckpoint(file)!, seq: 3 };
      writeFileSync(file, `${JSON.stringify(forged)}\n`, { flag: 'a' });
      expect(await run({ SATU_AKUN_DATA_DIR: data })).to.include({ code: 1 }).and.have.property('out').that.match(/NOT valid/);
    } finally {
      rmSync(data, { recursive: true, force: true });
    }
  });
});
