import { createReadStream } from 'node:fs';
import { createInterface } from 'node:readline';
import type { Readable } from 'node:stream';
import { createGunzip } from 'node:zlib';
import { GENESIS_HASH, hashRecord } from './audit.service.ts';
import type { AuditRow } from './audit.repo.ts';

/** Formats whose records can be verified: the viewer's export and the retention archive (gzipped). */
export const FILE_FORMATS = ['satu-akun-audit-export/1', 'satu-akun-audit-archive/1'] as const;

/** Why a file is not intact (`tampered`) or cannot be read as an audit file (`unreadable`). */
export type FileProblem =
  | { kind: 'tampered'; line: number; seq: number; reason: 'hash_mismatch' | 'chain_broken' | 'not_ascending' | 'head_mismatch' | 'missing_record' | 'missing_tail' }
  | { kind: 'unreadable'; line: number; reason: 'no_file' | 'corrupt' | 'not_json' | 'bad_header' | 'bad_record' | 'empty' };

/** Seqs missing between two consecutive records of the file: `from`–`to` inclusive (not exported, or gone). */
export interface Gap {
  from: number;
  to: number;
}

export interface FileVerification {
  format?: string;
  /** The file claims every record of its range: an unfiltered export, or an archive. A gap in it is a missing record. */
  complete?: boolean;
  head?: { seq: number; hash: string };
  /** An archive's range, from its header: a complete file must hold exactly these records. */
  range?: { from: number; to: number };
  count: number;
  first?: number;
  last?: number;
  gaps: Gap[];
  problem?: FileProblem;
}

const FIELDS: Record<keyof AuditRow, 'number' | 'string' | 'string?'> = {
  seq: 'number',
  at: 'string',
  event: 'string',
  actor: 'string?',
  subject: 'string?',
  client_id: 'string?',
  ip: 'string?',
  details: 'string?',
  prev_hash: 'string',
  hash: 'string',
};

/** The record in a parsed line, or undefined when a field is missing or of the wrong type (extra fields too). */
const recordOf = (value: unknown): AuditRow | undefined => {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) return undefined;
  const o = value as Record<string, unknown>;
  if (Object.keys(o).length !== Object.keys(FIELDS).length) return undefined;
  for (const [field, type] of Object.entries(FIELDS)) {
    const v = o[field];
    if (type === 'number' ? !Number.isSafeInteger(v) : type === 'string' ? typeof v !== 'string' : v !== null && typeof v !== 'string') return undefined;
  }
  return o as unknown as AuditRow;
};

/**
 * Verifies an audit file (JSON Lines: a header, then records in seq order) without a database, reading it as a stream:
 * every record's hash recomputes, seqs strictly ascend, and a record that directly follows another (seq + 1) names its
 * hash as prev_hash. A filtered export has gaps (records not exported): those are reported, not a failure, since
 * the records on both sides of a gap are each still sealed by their own hash. An unfiltered export or an archive
 * holds every record of its range, so there a gap is a missing record. When the file holds the header's head record,
 * its hash must be the head's.
 */
export const verifyLines = async (input: Readable): Promise<FileVerification> => {
  const result: FileVerification = { count: 0, gaps: [] };
  let line = 0;
  let prev: AuditRow | undefined;
  let anchor: string | undefined;
  const stop = (problem: FileProblem) => ((result.problem = problem), result);
  for await (const text of createInterface({ input, crlfDelay: Infinity })) {
    line += 1;
    if (!text.trim()) continue;
    let value: unknown;
    try {
      value = JSON.parse(text);
    } catch {
      return stop({ kind: 'unreadable', line, reason: 'not_json' });
    }
    if (!result.format) {
      const h = value as { format?: unknown; filter?: unknown; scope?: unknown; prevHash?: unknown; fromSeq?: unknown; toSeq?: unknown; head?: { seq?: unknown; hash?: unknown } };
      if (!FILE_FORMATS.includes(h?.format as (typeof FILE_FORMATS)[number])) return stop({ kind: 'unreadable', line, reason: 'bad_header' });
      result.format = h.format as string;
      const filter = h.filter;
      const archive = h.format === 'satu-akun-audit-archive/1';
      // An export limited to some agencies (`scope`) or by a filter has gaps by design; the whole trail has none.
      result.complete = archive || (typeof filter === 'object' && filter !== null && Object.keys(filter).length === 0 && h.scope === undefined);
      if (h.head && Number.isSafeInteger(h.head.seq) && typeof h.head.hash === 'string') result.head = { seq: h.head.seq as number, hash: h.head.hash };
      if (archive) {
        if (!Number.isSafeInteger(h.fromSeq) || !Number.isSafeInteger(h.toSeq)) return stop({ kind: 'unreadable', line, reason: 'bad_header' });
        result.range = { from: h.fromSeq as number, to: h.toSeq as number };
      }
      // An archive names the hash its first record follows (the last record before its range).
      if (typeof h.prevHash === 'string') anchor = h.prevHash;
      continue;
    }
    const row = recordOf(value);
    if (!row) return stop({ kind: 'unreadable', line, reason: 'bad_record' });
    if (prev && row.seq <= prev.seq) return stop({ kind: 'tampered', line, seq: row.seq, reason: 'not_ascending' });
    if (hashRecord(row) !== row.hash) return stop({ kind: 'tampered', line, seq: row.seq, reason: 'hash_mismatch' });
    const linked = prev ? (row.seq === prev.seq + 1 ? prev.hash : undefined) : (anchor ?? (row.seq === 1 ? GENESIS_HASH : undefined));
    if (linked !== undefined && row.prev_hash !== linked) return stop({ kind: 'tampered', line, seq: row.seq, reason: 'chain_broken' });
    if (prev && row.seq > prev.seq + 1) {
      if (result.complete) return stop({ kind: 'tampered', line, seq: prev.seq + 1, reason: 'missing_record' });
      result.gaps.push({ from: prev.seq + 1, to: row.seq - 1 });
    }
    if (result.head && row.seq === result.head.seq && row.hash !== result.head.hash) return stop({ kind: 'tampered', line, seq: row.seq, reason: 'head_mismatch' });
    result.first ??= row.seq;
    result.last = row.seq;
    result.count += 1;
    prev = row;
  }
  if (!result.format) return stop({ kind: 'unreadable', line, reason: 'empty' });
  // A complete file ends at its head (an export) or its range's end (an archive), and an archive starts at its range:
  // records cut off either end are missing too, not just those between two records.
  if (result.complete) {
    const end = result.range?.to ?? result.head?.seq;
    if (end !== undefined && (result.last ?? 0) < end) return stop({ kind: 'tampered', line, seq: result.last !== undefined ? result.last + 1 : (result.range?.from ?? 1), reason: 'missing_tail' });
    if (result.range && result.first !== result.range.from) return stop({ kind: 'tampered', line, seq: result.range.from, reason: 'missing_record' });
  }
  return result;
};

/** Verifies the file at `path`; `.gz` files are gunzipped as they are read. */
export const verifyFile = async (path: string): Promise<FileVerification> => {
  const file = createReadStream(path);
  const input = path.endsWith('.gz') ? file.pipe(createGunzip()) : file;
  // Errors of the file or of gunzip (no such file, not gzip) end the read; they are reported, not thrown.
  const failed = new Promise<FileVerification>((resolve) => {
    const fail = (err: NodeJS.ErrnoException) => resolve({ count: 0, gaps: [], problem: { kind: 'unreadable', line: 0, reason: err.code === 'ENOENT' ? 'no_file' : 'corrupt' } });
    file.on('error', fail);
    input.on('error', fail);
  });
  try {
    return await Promise.race([verifyLines(input), failed]);
  } finally {
    file.destroy();
  }
};
