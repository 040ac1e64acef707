import { createHash } from 'node:crypto';
import { createReadStream, createWriteStream } from 'node:fs';
import { open, rename, rm } from 'node:fs/promises';
import { dirname } from 'node:path';
import { createInterface } from 'node:readline';
import { PassThrough, Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { createGunzip, createGzip } from 'node:zlib';
import type { AuditHead, AuditRow } from './audit.repo.ts';
import { hashRecord } from './audit.service.ts';
import { jsonLine } from './audit-view.export.ts';

/** The first line's `format`: offline verifiers (`npm run audit:verify -- --file F`) recognise archives by it. */
export const ARCHIVE_FORMAT = 'satu-akun-audit-archive/1';

/** The first line of an archive: the range it holds and the chain ends it ties to. */
export interface ArchiveHeader {
  format: typeof ARCHIVE_FORMAT;
  createdAt: string;
  fromSeq: number;
  toSeq: number;
  /** `prev_hash` of the first record: the hash of the record before the range (64 zeros from genesis). */
  prevHash: string;
  /** The last record of the range: where the chain in the database goes on from. */
  head: AuditHead;
}

/** What an archive file holds, checked: its header, how many records, and the SHA-256 of the compressed bytes. */
export interface CheckedArchive {
  header: ArchiveHeader;
  count: number;
  sha256: string;
}

/** The archive's file name: its seq range, so names sort and never collide. */
export const archiveFileName = (fromSeq: number, toSeq: number): string => `audit-${fromSeq}-${toSeq}.jsonl.gz`;

/** A record line's fields, in the order the export and the archive write them (`jsonLine`). */
const FIELDS = ['seq', 'at', 'event', 'actor', 'subject', 'client_id', 'ip', 'details', 'prev_hash', 'hash'] as const;

const fsync = async (path: string, flags: string) => {
  const handle = await open(path, flags);
  try {
    await handle.sync();
  } finally {
    await handle.close();
  }
};

/**
 * Writes `header` and then every batch of `rows` as gzip-compressed JSON Lines to `path`, streaming (never the whole
 * range in memory). Written to `<path>.partial`, flushed to disk and renamed, so `path` is either absent or complete;
 * a partial file left by a crash is overwritten by the next run.
 */
export const writeArchiveFile = async (path: string, header: ArchiveHeader, rows: AsyncIterable<AuditRow[]>): Promise<void> => {
  const partial = `${path}.partial`;
  async function* lines() {
    yield `${JSON.stringify(header)}\n`;
    for await (const batch of rows) if (batch.length) yield batch.map(jsonLine).join('');
  }
  try {
    await pipeline(Readable.from(lines()), createGzip(), createWriteStream(partial, { mode: 0o640 }));
    await fsync(partial, 'r+');
    await rename(partial, path);
    // The rename itself must survive a power cut before rows leave the database.
    await fsync(dirname(path), 'r');
  } catch (err) {
    await rm(partial, { force: true });
    throw err;
  }
};

/** Why a run stopped before deleting anything; `key` names the message in src/i18n/messages-archive.ts. */
export class ArchiveRefused extends Error {
  constructor(
    readonly key: 'archive.chain_broken' | 'archive.file_bad' | 'archive.busy',
    readonly params: Record<string, string | number>,
  ) {
    super(`${key}: ${JSON.stringify(params)}`);
  }
}

/** Why an archive file failed its check: a short phrase for the operator's message. */
export class ArchiveFileBad extends Error {}

const isHeader = (v: unknown): v is ArchiveHeader => {
  const h = v as ArchiveHeader;
  return !!h && h.format === ARCHIVE_FORMAT && Number.isSafeInteger(h.fromSeq) && Number.isSafeInteger(h.toSeq) && typeof h.prevHash === 'string' && !!h.head && typeof h.head.hash === 'string';
};

const isRecord = (v: unknown): v is AuditRow => {
  if (!v || typeof v !== 'object') return false;
  const keys = Object.keys(v);
  return keys.length === FIELDS.length && FIELDS.every((f, i) => keys[i] === f) && Number.isSafeInteger((v as AuditRow).seq);
};

/**
 * Reads an archive back and checks it whole: the header, every record's hash (`hashRecord`), each link to the one
 * before (the first to `prevHash`), no gap, and the last record equal to the header's head. Throws ArchiveFileBad.
 */
export const checkArchiveFile = async (path: string): Promise<CheckedArchive> => {
  const digest = createHash('sha256');
  const tap = new PassThrough();
  tap.on('data', (chunk: Buffer) => digest.update(chunk));
  const gunzip = createGunzip();
  const reading = pipeline(createReadStream(path), tap, gunzip);
  let header: ArchiveHeader | undefined;
  let prev: AuditHead | undefined;
  let count = 0;
  try {
    for await (const text of createInterface({ input: gunzip, crlfDelay: Infinity })) {
      if (!text) continue;
      let value: unknown;
      try {
        value = JSON.parse(text);
      } catch {
        throw new ArchiveFileBad(`line ${count + 2} is not JSON`);
      }
      if (!header) {
        if (!isHeader(value)) throw new ArchiveFileBad('the first line is not an archive header');
        header = value;
        prev = { seq: header.fromSeq - 1, hash: header.prevHash };
        continue;
      }
      if (!isRecord(value)) throw new ArchiveFileBad(`line ${count + 2} is not an audit record`);
      if (value.seq !== prev!.seq + 1) throw new ArchiveFileBad(`record ${prev!.seq + 1} is missing`);
      if (value.prev_hash !== prev!.hash) throw new ArchiveFileBad(`record ${value.seq} does not follow its predecessor`);
      if (hashRecord(value) !== value.hash) throw new ArchiveFileBad(`record ${value.seq} does not match its hash`);
      prev = { seq: value.seq, hash: value.hash };
      count += 1;
    }
    await reading;
  } catch (err) {
    reading.catch(() => undefined);
    if (err instanceof ArchiveFileBad) throw err;
    throw new ArchiveFileBad(`unreadable: ${(err as Error).message}`);
  }
  if (!header) throw new ArchiveFileBad('the file is empty');
  if (prev!.seq !== header.toSeq || prev!.hash !== header.head.hash || header.head.seq !== header.toSeq) throw new ArchiveFileBad('the last record is not the head the header names');
  if (count !== header.toSeq - header.fromSeq + 1) throw new ArchiveFileBad('the record count does not match the range');
  return { header, count, sha256: digest.digest('hex') };
};
