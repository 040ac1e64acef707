import { existsSync, mkdtempSync, readdirSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { expect } from 'chai';
import { ConfigError, loadConfig } from '../../src/config/load.ts';
import { createKnex, migrate } from '../../src/db/knex.ts';
import { runCli, USAGE_EXIT } from '../../src/cli/satu-akun.ts';
import { archiveNotes } from '../../src/cli/audit-verify.ts';
import { archiveDir } from '../../src/audit/archive.ts';
import { DAY, seed } from './retention-support.ts';
import { captureOutput } from '../support/console.ts';

/** Runs `satu-akun <argv>` in-process, returning its exit code and everything it printed. */
const cli = (argv: string[], env: NodeJS.ProcessEnv) => captureOutput(() => runCli(argv, env));

describe('satu-akun audit archive', function () {
  this.timeout(60_000);

  it('configuration: 5 years by default, under the data directory; production refuses less than a year', () => {
    const config = loadConfig({ SATU_AKUN_DATA_DIR: '/var/lib/satu-akun' });
    expect(config.auditRetention.days).to.equal(1826);
    expect(archiveDir(config)).to.equal('/var/lib/satu-akun/audit-archive');
    expect(archiveDir(loadConfig({ SATU_AKUN_AUDIT_ARCHIVE_DIR: '/srv/arsip', SATU_AKUN_AUDIT_RETENTION_DAYS: '30' }))).to.equal('/srv/arsip');
    expect(() => loadConfig({ SATU_AKUN_AUDIT_RETENTION_DAYS: '0' })).to.throw(ConfigError, /SATU_AKUN_AUDIT_RETENTION_DAYS/);
    const production = { SATU_AKUN_ENV: 'production', SATU_AKUN_AUDIT_RETENTION_DAYS: '100' };
    expect(() => loadConfig(production)).to.throw(ConfigError, /auditRetention\.days \(SATU_AKUN_AUDIT_RETENTION_DAYS\): at least 365 in production/);
  });

  it('dry run, run, nothing left to do; verify passes across the cut; bad options print the usage', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'retention-cli-'));
    const env = { SATU_AKUN_DATA_DIR: dir, SATU_AKUN_AUDIT_RETENTION_DAYS: '30', SATU_AKUN_LOG_LEVEL: 'silent' };
    const knex = createKnex(loadConfig(env));
    await migrate(knex);
    await seed(knex, 15, new Date(Date.now() - 60 * DAY), 3600_000);
    await seed(knex, 5, new Date(Date.now() - DAY), 60_000);
    // The usage reports have counted nothing yet (Satu Akun has not run): the archive waits for them.
    await knex('report_cursor').update({ seq: 0 });
    const waiting = await cli(['audit', 'archive', '--dry-run'], env);
    expect(waiting.code).to.equal(0);
    expect(waiting.out).to.match(/^Records up to 15 are old enough, but the usage reports have counted only up to 0/);
    await knex('report_cursor').update({ seq: 20 });
    await knex.destroy();

    const usage = await cli(['audit', 'archive', '--now'], env);
    expect(usage.code).to.equal(USAGE_EXIT);
    expect(usage.out).to.contain('Usage: npm run satu-akun -- audit archive [--dry-run] / Cara pakai:');

    const dry = await cli(['audit', 'archive', '--dry-run'], env);
    expect(dry).to.deep.include({ code: 0 });
    expect(dry.out).to.contain('Dry run: records 1–15 (15 records) are older than 30 days and would move to audit-1-15.jsonl.gz. Nothing was changed.');
    expect(dry.out).to.contain('Uji coba: catatan 1–15');
    expect(existsSync(join(dir, 'audit-archive'))).to.equal(false);

    const run = await cli(['audit', 'archive'], env);
    expect(run.code).to.equal(0);
    expect(run.out).to.match(/^Archived records 1–15 \(15 records\) to .*audit-archive\/audit-1-15\.jsonl\.gz \(SHA-256 [0-9a-f]{64}\) and deleted 15 records from the database/);
    expect(readdirSync(join(dir, 'audit-archive'))).to.deep.equal(['audit-1-15.jsonl.gz']);

    const again = await cli(['audit', 'archive'], env);
    expect(again.code).to.equal(0);
    expect(again.out).to.match(/^Nothing to archive: no record is older than 30 days/);

    const verify = await cli(['audit', 'verify'], env);
    expect(verify.code).to.equal(0);
    expect(verify.out).to.match(/Audit trail intact: 6 records, head 21 /);
  });

  it('the lines audit verify prints about an archive cut', () => {
    const anchor = { seq: 5000, hash: 'ab'.repeat(32) };
    expect(archiveNotes({ ok: true, count: 3 })).to.deep.equal([]);
    const notes = archiveNotes({ ok: true, count: 3, archivedUpTo: anchor, checkpointArchived: true }, 4200);
    expect(notes).to.have.length(2);
    expect(notes[0]).to.match(/^Records up to 5000 are archived \(last hash abab.*\/ Catatan sampai nomor 5000 sudah diarsipkan/);
    expect(notes[1]).to.match(/^The signed checkpoint names record 4200, which is archived.*not a sign of tampering/);
  });
});
