import { expect } from 'chai';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';
import { GENESIS_HASH, hashRecord } from '../../src/audit/audit.service.ts';
import type { AuditRow } from '../../src/audit/audit.repo.ts';
import { jsonLine } from '../../src/audit/audit-view.export.ts';
import { verifyFile } from '../../src/audit/file-verify.ts';
import { runCli } from '../../src/cli/satu-akun.ts';

/** A correct chain of `n` records, as the appender would have written them. */
const chain = (n: number): AuditRow[] => {
  const rows: AuditRow[] = [];
  let prev = GENESIS_HASH;
  for (let seq = 1; seq <= n; seq++) {
    const unsealed = { seq, at: new Date(Date.UTC(2026, 2, 1, 0, 0, seq)).toISOString(), event: 'signin.success', actor: `sub-${seq % 3}`, subject: null, client_id: 'app-a', ip: '10.0.0.1', details: seq % 2 ? null : '{"acr":"urn:satu-akun:loa:1"}', prev_hash: prev };
    const row = { ...unsealed, hash: hashRecord(unsealed) };
    rows.push(row);
    prev = row.hash;
  }
  return rows;
};

const header = (format: string, head: AuditRow, filter: Record<string, string> = { event: 'signin.*' }, extra: Record<string, unknown> = {}) => `${JSON.stringify({ format, exportedAt: '2026-03-02T00:00:00.000Z', filter, ...extra, head: { seq: head.seq, hash: head.hash } })}\n`;
/** An archive's header for records `from`–`to` of `rows`, as `audit archive` writes it. */
const archiveHeader = (rows: AuditRow[], from: number, to: number) =>
  `${JSON.stringify({ format: 'satu-akun-audit-archive/1', createdAt: '2031-03-01T00:00:00.000Z', fromSeq: from, toSeq: to, prevHash: rows[from - 2]?.hash ?? GENESIS_HASH, head: { seq: to, hash: rows[to - 1]!.hash } })}\n`;

describe('audit files verified offline (src/audit/file-verify.ts)', () => {
  let dir: string;
  const rows = chain(10);
  const write = (name: string, text: string | Buffer) => {
    const file = join(dir, name);
    writeFileSync(file, text);
    return file;
  };
  const exportOf = (picked: AuditRow[]) => header('satu-akun-audit-export/1', rows.at(-1)!) + picked.map(jsonLine).join('');

  before(() => (dir = mkdtempSync(join(tmpdir(), 'satu-akun-file-verify-'))));
  after(() => rmSync(dir, { recursive: true, force: true }));

  it('accepts a whole chain, and a gzipped archive of the same format family', async () => {
    expect(await verifyFile(write('all.jsonl', exportOf(rows)))).to.deep.equal({ format: 'satu-akun-audit-export/1', complete: false, head: { seq: 10, hash: rows[9]!.hash }, count: 10, first: 1, last: 10, gaps: [] });
    const archive = write('a.jsonl.gz', gzipSync(archiveHeader(rows, 1, 10) + rows.map(jsonLine).join('')));
    const result = await verifyFile(archive);
    expect(result).to.deep.include({ format: 'satu-akun-audit-archive/1', count: 10 });
    expect(result.problem).to.equal(undefined);
  });

  it('reports the gaps of a filtered export without calling it tampered', async () => {
    const result = await verifyFile(write('filtered.jsonl', exportOf([rows[1]!, rows[2]!, rows[6]!, rows[9]!])));
    expect(result.problem).to.equal(undefined);
    expect(result.gaps).to.deep.equal([{ from: 4, to: 6 }, { from: 8, to: 9 }]);
  });

  it('calls a gap in an unfiltered export or an archive a missing record', async () => {
    const unfiltered = header('satu-akun-audit-export/1', rows[9]!, {}) + [rows[0]!, rows[1]!, rows[3]!].map(jsonLine).join('');
    expect((await verifyFile(write('unfiltered.jsonl', unfiltered))).problem).to.deep.equal({ kind: 'tampered', line: 4, seq: 3, reason: 'missing_record' });
    // Records before the archive's first are elsewhere (an older archive): only gaps inside it count.
    const archive = archiveHeader(rows, 5, 10) + rows.slice(4).map(jsonLine).join('');
    expect((await verifyFile(write('archive.jsonl', archive))).problem).to.equal(undefined);
    const holed = archiveHeader(rows, 5, 10) + [rows[4]!, rows[6]!].map(jsonLine).join('');
    expect((await verifyFile(write('holed.jsonl', holed))).problem).to.deep.include({ reason: 'missing_record', seq: 6 });
  });

  it('calls records cut off the end of a complete file, or off the start of an archive, missing', async () => {
    // An unfiltered export must reach the head its header names; an archive must hold its whole range.
    const short = header('satu-akun-audit-export/1', rows[9]!, {}) + rows.slice(0, 7).map(jsonLine).join('');
    expect((await verifyFile(write('short.jsonl', short))).problem).to.deep.include({ kind: 'tampered', reason: 'missing_tail', seq: 8 });
    const tailless = archiveHeader(rows, 5, 10) + rows.slice(4, 8).map(jsonLine).join('');
    expect((await verifyFile(write('tailless.jsonl', tailless))).problem).to.deep.include({ reason: 'missing_tail', seq: 9 });
    const headless = archiveHeader(rows, 3, 10) + rows.slice(4).map(jsonLine).join('');
    expect((await verifyFile(write('headless.jsonl', headless))).problem).to.deep.include({ reason: 'chain_broken', seq: 5 });
    expect((await verifyFile(write('empty-archive.jsonl', archiveHeader(rows, 5, 10)))).problem).to.deep.include({ reason: 'missing_tail', seq: 5 });
    // An agency administrator's export (scope in the header) leaves out other agencies' records: gaps, not tampering.
    const scoped = header('satu-akun-audit-export/1', rows[9]!, {}, { scope: ['DINKES'] }) + [rows[1]!, rows[5]!].map(jsonLine).join('');
    const result = await verifyFile(write('scoped.jsonl', scoped));
    expect(result.problem).to.equal(undefined);
    expect(result.gaps).to.deep.equal([{ from: 3, to: 5 }]);
  });

  it('checks an archive\'s first record against the hash its header says it follows', async () => {
    const archive = (prevHash: string) => `${JSON.stringify({ format: 'satu-akun-audit-archive/1', createdAt: '2031-03-01T00:00:00.000Z', fromSeq: 5, toSeq: 10, prevHash, head: { seq: 10, hash: rows[9]!.hash } })}\n${rows.slice(4).map(jsonLine).join('')}`;
    expect((await verifyFile(write('anchored.jsonl.gz', gzipSync(archive(rows[3]!.hash))))).problem).to.equal(undefined);
    expect((await verifyFile(write('unanchored.jsonl.gz', gzipSync(archive('a'.repeat(64)))))).problem).to.deep.include({ reason: 'chain_broken', seq: 5 });
  });

  it('finds a changed field, a broken link, a reordering and a head that does not match', async () => {
    const changed = exportOf(rows).replace('"actor":"sub-2","subject":null,"client_id":"app-a","ip":"10.0.0.1","details":null', '"actor":"sub-9","subject":null,"client_id":"app-a","ip":"10.0.0.1","details":null');
    expect((await verifyFile(write('changed.jsonl', changed))).problem).to.deep.equal({ kind: 'tampered', line: 6, seq: 5, reason: 'hash_mismatch' });
    // Record 4 re-sealed with another prev_hash: its own hash holds, its link to record 3 does not.
    const forged = { ...rows[3]!, prev_hash: 'f'.repeat(64) };
    const resealed = { ...forged, hash: hashRecord(forged) };
    expect((await verifyFile(write('forged.jsonl', exportOf([rows[2]!, resealed])))).problem).to.deep.equal({ kind: 'tampered', line: 3, seq: 4, reason: 'chain_broken' });
    expect((await verifyFile(write('order.jsonl', exportOf([rows[3]!, rows[2]!])))).problem).to.deep.include({ reason: 'not_ascending', seq: 3 });
    const otherHead = header('satu-akun-audit-export/1', { ...rows[9]!, hash: 'e'.repeat(64) }) + rows.map(jsonLine).join('');
    expect((await verifyFile(write('head.jsonl', otherHead))).problem).to.deep.include({ reason: 'head_mismatch', seq: 10 });
  });

  it('calls a file it cannot read unreadable: no header, a cut line, an extra field, not gzip, no file', async () => {
    const problem = async (name: string, text: string | Buffer) => (await verifyFile(write(name, text))).problem;
    expect(await problem('noheader.jsonl', rows.map(jsonLine).join(''))).to.deep.include({ kind: 'unreadable', reason: 'bad_header' });
    expect(await problem('cut.jsonl', exportOf(rows).slice(0, -20))).to.deep.include({ kind: 'unreadable', reason: 'not_json', line: 11 });
    expect(await problem('extra.jsonl', exportOf([]) + JSON.stringify({ ...rows[0], note: 'x' }))).to.deep.include({ kind: 'unreadable', reason: 'bad_record' });
    expect(await problem('empty.jsonl', '')).to.deep.include({ kind: 'unreadable', reason: 'empty' });
    expect(await problem('bad.jsonl.gz', 'not gzip at all')).to.deep.include({ kind: 'unreadable', reason: 'corrupt' });
    expect((await verifyFile(join(dir, 'nothing.jsonl'))).problem).to.deep.include({ kind: 'unreadable', reason: 'no_file' });
  });

  it('`satu-akun audit verify --file` needs no database and exits 0 intact, 1 tampered, 2 unreadable', async () => {
    const env = { SATU_AKUN_DATABASE_URL: 'postgres://nobody@127.0.0.1:1/none' };
    const log = console.log;
    console.log = () => undefined;
    try {
      expect(await runCli(['audit', 'verify', '--file', write('ok.jsonl', exportOf(rows))], env)).to.equal(0);
      expect(await runCli(['audit', 'verify', '--file', write('t.jsonl', exportOf(rows).replace('10.0.0.1', '10.0.0.2'))], env)).to.equal(1);
      expect(await runCli(['audit', 'verify', '--file', write('u.jsonl', '{')], env)).to.equal(2);
    } finally {
      console.log = log;
    }
  });
});
