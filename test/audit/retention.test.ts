import { createHash } from 'node:crypto';
import { existsSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { setImmediate } from 'node:timers/promises';
import { gunzipSync } from 'node:zlib';
import { expect } from 'chai';
import type { Knex } from 'knex';
import { GENESIS_HASH, hashRecord } from '../../src/audit/audit.service.ts';
import type { AuditRow } from '../../src/audit/audit.repo.ts';
import { checkArchiveFile } from '../../src/audit/archive-file.ts';
import { backends, DAY, NOW, seed, seqs, world } from './retention-support.ts';

const FIELDS = ['seq', 'at', 'event', 'actor', 'subject', 'client_id', 'ip', 'details', 'prev_hash', 'hash'];
const range = (from: number, to: number) => Array.from({ length: to - from + 1 }, (_, i) => from + i);

/** The archive file as an offline reader sees it: gunzip, JSON Lines, header first. */
const readArchive = (path: string) => {
  const [header, ...records] = gunzipSync(readFileSync(path)).toString('utf8').trim().split('\n').map((l) => JSON.parse(l) as Record<string, unknown>);
  return { header: header!, records: records as unknown as AuditRow[] };
};

for (const backend of backends()) {
  describe(`audit retention on ${backend.name}`, function () {
    this.timeout(60_000);
    let knex: Knex;
    before(async function () {
      await backend.start(this);
    });
    beforeEach(async () => void ({ knex } = await backend.fresh()));
    afterEach(async () => knex?.destroy());
    after(() => backend.stop());

    it('moves records past the period to a checked .jsonl.gz file, deletes them, and verify goes on from the cut', async () => {
      const w = world(knex);
      await seed(knex, 20, new Date(NOW.getTime() - 2200 * DAY), DAY);
      w.clock.at = new Date(NOW.getTime() - 2000 * DAY);
      await w.audit.record({ event: 'session.ended', actor: 'admin-1', subject: 'sub-1', details: { by: 'admin', sessions: 2, reason: 'laptop hilang — “dicuri”' } });
      await seed(knex, 10, new Date(NOW.getTime() - 10 * DAY), DAY);
      w.clock.at = NOW;

      const outcome = await w.archive({ batchSize: 7 });
      expect(outcome).to.include({ kind: 'archived', fromSeq: 1, toSeq: 21, count: 21, deleted: 21, resumed: 0 });
      if (outcome.kind !== 'archived') throw new Error('not archived');
      expect(outcome.file).to.equal(join(w.dir, 'audit-1-21.jsonl.gz'));

      const { header, records } = readArchive(outcome.file);
      expect(records.map((r) => r.seq)).to.deep.equal(range(1, 21));
      let prev = GENESIS_HASH;
      for (const r of records) {
        expect(Object.keys(r)).to.deep.equal(FIELDS);
        expect(r.prev_hash).to.equal(prev);
        expect(hashRecord(r)).to.equal(r.hash);
        prev = r.hash;
      }
      expect(records[20]!.details).to.equal('{"by":"admin","reason":"laptop hilang — “dicuri”","sessions":2}');
      expect(header).to.deep.include({ format: 'satu-akun-audit-archive/1', createdAt: NOW.toISOString(), fromSeq: 1, toSeq: 21, prevHash: GENESIS_HASH });
      expect(header.head).to.deep.equal({ seq: 21, hash: records[20]!.hash });

      const sha256 = createHash('sha256').update(readFileSync(outcome.file)).digest('hex');
      const recorded = await knex('audit_archives').select();
      expect(recorded).to.have.length(1);
      expect({ ...recorded[0], from_seq: Number(recorded[0].from_seq), to_seq: Number(recorded[0].to_seq) }).to.deep.include({
        from_seq: 1, to_seq: 21, prev_hash: GENESIS_HASH, last_hash: records[20]!.hash, record_count: 21, file_name: 'audit-1-21.jsonl.gz', file_sha256: sha256,
      });
      // 22–31 stay, and the run itself is on the trail (32).
      expect(await seqs(knex)).to.deep.equal(range(22, 32));
      const [event] = await w.audit.list({ event: 'audit.archived' });
      expect(event).to.deep.include({ seq: 32, details: { fromSeq: 1, toSeq: 21, records: 21, file: 'audit-1-21.jsonl.gz', sha256 } });

      const anchor = { seq: 21, hash: records[20]!.hash };
      expect(await w.audit.verify()).to.deep.equal({ ok: true, count: 11, archivedUpTo: anchor });
      await w.audit.record({ event: 'logout', actor: 'sub-1' });
      expect(await w.audit.verify()).to.deep.equal({ ok: true, count: 12, archivedUpTo: anchor });
      expect(await w.archive()).to.deep.equal({ kind: 'nothing', cutoff: new Date(NOW.getTime() - 1826 * DAY).toISOString(), resumed: 0 });
    });

    it('refuses to verify from an archive row the checkpoint key did not sign: records deleted by hand are found', async () => {
      const w = world(knex);
      await seed(knex, 20, new Date(NOW.getTime() - 2200 * DAY), DAY);
      await seed(knex, 15, new Date(NOW.getTime() - 20 * DAY), DAY);
      expect(await w.archive()).to.include({ kind: 'archived', toSeq: 20 });
      expect(await w.audit.verify()).to.include({ ok: true });
      // Someone with the database but not the key claims records 21–25 archived (the hashes right) and deletes them.
      const [last] = (await knex('audit_log').where({ seq: 25 })) as AuditRow[];
      const [archived] = await knex('audit_archives').select('last_hash');
      await knex('audit_archives').insert({ from_seq: 21, to_seq: 25, prev_hash: archived.last_hash, last_hash: last!.hash, record_count: 5, file_name: 'x', file_sha256: 'y', sig: 'forged', created_at: NOW.toISOString() });
      await knex('audit_log').whereBetween('seq', [21, 25]).delete();
      expect(await w.audit.verify()).to.deep.include({ ok: false, reason: 'archive_forged', firstBadSeq: 21 });
    });

    it('archives no further than the usage reports have counted', async () => {
      const w = world(knex);
      await seed(knex, 20, new Date(NOW.getTime() - 2200 * DAY), DAY);
      expect(await w.archive({ reportsAt: 0, dryRun: true })).to.deep.include({ kind: 'waiting', due: 20, counted: 0 });
      expect(await w.archive({ reportsAt: 12 })).to.deep.include({ kind: 'archived', fromSeq: 1, toSeq: 12 });
    });

    it('checks a signed checkpoint at the cut, says when one names an archived record, and still checks later ones', async () => {
      const w = world(knex);
      await seed(knex, 20, new Date(NOW.getTime() - 2200 * DAY), DAY);
      await seed(knex, 5, new Date(NOW.getTime() - DAY));
      await w.archive();
      const anchor = (await w.repo.archivedUpTo())!;
      const at25 = (await knex('audit_log').where({ seq: 25 }).first()).hash as string;
      expect(await w.audit.verify({ seq: 5, hash: 'f'.repeat(64) })).to.include({ ok: true, checkpointArchived: true });
      const atCut = await w.audit.verify({ seq: 20, hash: anchor.hash });
      expect(atCut).to.include({ ok: true }).and.not.have.property('checkpointArchived');
      expect(await w.audit.verify({ seq: 20, hash: '0'.repeat(64) })).to.include({ ok: false, reason: 'checkpoint_mismatch', firstBadSeq: 20 });
      expect(await w.audit.verify({ seq: 25, hash: at25 })).to.include({ ok: true });
      expect(await w.audit.verify({ seq: 25, hash: '0'.repeat(64) })).to.include({ ok: false, reason: 'checkpoint_mismatch', firstBadSeq: 25 });
      expect(await w.audit.verify({ seq: 40, hash: at25 })).to.include({ ok: false, reason: 'checkpoint_missing' });
    });

    it('a later run continues from the newest archive, up to the head when everything is due', async () => {
      const w = world(knex);
      await seed(knex, 12, new Date(NOW.getTime() - 2200 * DAY), DAY);
      await seed(knex, 6, new Date(NOW.getTime() - DAY));
      await w.archive();
      w.clock.at = new Date(NOW.getTime() + 1900 * DAY);
      const second = await w.archive({ batchSize: 4 });
      // 13–18 seeded, 19 the first run's own record.
      expect(second).to.include({ kind: 'archived', fromSeq: 13, toSeq: 19, count: 7, deleted: 7 });
      if (second.kind !== 'archived') throw new Error('not archived');
      const first = readArchive(join(w.dir, 'audit-1-12.jsonl.gz'));
      const { header, records } = readArchive(second.file);
      expect(header.prevHash).to.equal(first.header.head && (first.header.head as { hash: string }).hash);
      expect(records[0]!.prev_hash).to.equal(header.prevHash);
      expect(await seqs(knex)).to.deep.equal([20]);
      expect(await w.audit.verify()).to.deep.include({ ok: true, count: 1, archivedUpTo: { seq: 19, hash: records.at(-1)!.hash } });
      expect(readdirSync(w.dir).sort()).to.deep.equal(['audit-1-12.jsonl.gz', 'audit-13-19.jsonl.gz']);
    });

    it('--dry-run reports the range and changes nothing', async () => {
      const w = world(knex);
      await seed(knex, 8, new Date(NOW.getTime() - 2000 * DAY), DAY);
      await seed(knex, 2, new Date(NOW.getTime() - DAY));
      expect(await w.archive({ dryRun: true })).to.include({ kind: 'planned', fromSeq: 1, toSeq: 8, count: 8, file: 'audit-1-8.jsonl.gz' });
      expect(await seqs(knex)).to.deep.equal(range(1, 10));
      expect(readdirSync(w.dir)).to.deep.equal([]);
      expect(await knex('audit_archives').select()).to.deep.equal([]);
    });

    it('rewrites a file written but not recorded, and resumes deleting after a crash half-way', async () => {
      const w = world(knex);
      await seed(knex, 20, new Date(NOW.getTime() - 2200 * DAY), DAY);
      await seed(knex, 3, new Date(NOW.getTime() - DAY));
      // What a crash leaves: a half-written file, and a renamed one from a run that died before recording it.
      writeFileSync(join(w.dir, 'audit-1-20.jsonl.gz.partial'), 'half');
      writeFileSync(join(w.dir, 'audit-1-20.jsonl.gz'), 'not the archive');
      // A crash while deleting, simulated by the database refusing deletes past seq 10.
      if (backend.name === 'SQLite') {
        await knex.raw("CREATE TRIGGER crash BEFORE DELETE ON audit_log WHEN OLD.seq > 10 BEGIN SELECT RAISE(ABORT, 'simulated crash'); END");
      } else {
        await knex.raw("CREATE FUNCTION crash() RETURNS trigger LANGUAGE plpgsql AS $$ BEGIN IF OLD.seq > 10 THEN RAISE EXCEPTION 'simulated crash'; END IF; RETURN OLD; END $$");
        await knex.raw('CREATE TRIGGER crash BEFORE DELETE ON audit_log FOR EACH ROW EXECUTE FUNCTION crash()');
      }
      await w.archive({ batchSize: 5 }).then(
        () => expect.fail('the simulated crash did not happen'),
        (err: Error) => expect(err.message).to.match(/simulated crash/),
      );
      expect(await seqs(knex)).to.deep.equal(range(11, 24));
      const checked = await checkArchiveFile(join(w.dir, 'audit-1-20.jsonl.gz'));
      expect(checked).to.include({ count: 20 });
      expect(existsSync(join(w.dir, 'audit-1-20.jsonl.gz.partial'))).to.equal(false);
      // Half-deleted is still a verifiable chain: the walk starts after the recorded archive.
      expect(await w.audit.verify()).to.include({ ok: true, count: 4 });

      await knex.raw('DROP TRIGGER crash' + (backend.name === 'SQLite' ? '' : ' ON audit_log'));
      expect(await w.archive()).to.include({ kind: 'nothing', resumed: 10 });
      expect(await seqs(knex)).to.deep.equal(range(21, 24));
      expect(await w.audit.verify()).to.include({ ok: true, count: 4 });
      const recorded = await knex('audit_archives').select('file_sha256');
      expect(recorded).to.deep.equal([{ file_sha256: checked.sha256 }]);
    });

    it('refuses to archive a tampered range, and deletes nothing', async () => {
      const w = world(knex);
      await seed(knex, 10, new Date(NOW.getTime() - 2200 * DAY), DAY);
      await knex.transaction(async (trx) => {
        if (backend.name === 'PostgreSQL') await trx.raw('SET LOCAL session_replication_role = replica');
        await trx('audit_log').where({ seq: 5 }).update({ actor: 'someone-else' });
      });
      await w.archive().then(
        () => expect.fail('archived a tampered range'),
        (err: { key: string; params: { seq: number; reason: string } }) => expect(err).to.include({ key: 'archive.chain_broken' }).and.have.deep.property('params', { seq: 5, reason: 'hash_mismatch' }),
      );
      expect(await seqs(knex)).to.deep.equal(range(1, 10));
      expect(readdirSync(w.dir)).to.deep.equal([]);
      expect(await knex('audit_archives').select()).to.deep.equal([]);
    });

    it('appends running during the batched delete all commit, and the chain verifies', async () => {
      const w = world(knex);
      await seed(knex, 3000, new Date(NOW.getTime() - 2500 * DAY));
      // Sign-ins keep arriving, four at a time, for as long as the run lasts: through the file, the check and the deletes.
      let running = true;
      let appended = 0;
      const archiving = w.archive({ batchSize: 100, pauseMs: 1 }).finally(() => (running = false));
      const appends = Array.from({ length: 4 }, async (_, worker) => {
        while (running) {
          await w.audit.record({ event: 'signin.success', actor: `sub-${worker}`, details: { acr: 'urn:satu-akun:loa:1' } });
          appended += 1;
          // Each sign-in is a request of its own: let the event loop run in between (better-sqlite3 answers at once,
          // so without this the loop would never leave the microtask queue and starve the archive run).
          await setImmediate();
        }
      });
      const [outcome] = await Promise.all([archiving, ...appends]);
      expect(outcome).to.include({ kind: 'archived', fromSeq: 1, toSeq: 3000, deleted: 3000 });
      expect(appended).to.be.greaterThan(4);
      const [{ n } = { n: 0 }] = await knex('audit_log').where({ event: 'signin.success' }).andWhere('at', NOW.toISOString()).count({ n: '*' });
      expect(Number(n)).to.equal(appended);
      expect(await w.audit.verify()).to.include({ ok: true, count: appended + 1 });
    });

    it('one run at a time per archive directory; a lock left by a dead process is taken over', async () => {
      const w = world(knex);
      await seed(knex, 3, new Date(NOW.getTime() - 2200 * DAY), DAY);
      writeFileSync(join(w.dir, '.archive.lock'), String(process.pid));
      await w.archive().then(
        () => expect.fail('ran beside another run'),
        (err: { key: string }) => expect(err).to.include({ key: 'archive.busy' }),
      );
      writeFileSync(join(w.dir, '.archive.lock'), '2147483646');
      expect(await w.archive()).to.include({ kind: 'archived', count: 3 });
      expect(existsSync(join(w.dir, '.archive.lock'))).to.equal(false);
    });
  });
}
