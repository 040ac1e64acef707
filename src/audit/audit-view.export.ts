import { PassThrough, type Readable } from 'node:stream';
import type { Logger } from '../shared/logger.ts';
import type { AuditHead, AuditRow } from './audit.repo.ts';

/** The stored fields, in the order of an export's columns and of each JSON line. */
export const EXPORT_COLUMNS = ['seq', 'at', 'event', 'actor', 'subject', 'client_id', 'ip', 'details', 'prev_hash', 'hash'] as const;
export const EXPORT_FORMAT = 'satu-akun-audit-export/1';
export type ExportFormat = 'csv' | 'jsonl';

/** The first line of a JSON Lines export: what it is, when, which filter, and the chain's head at that moment. */
export interface ExportHeader {
  format: typeof EXPORT_FORMAT;
  exportedAt: string;
  filter: Record<string, string>;
  /** The agencies an agency administrator's export is limited to (absent: everything the filter matches). */
  scope?: string[];
  head: AuditHead;
}

/** One record as a JSON line: exactly the stored fields, `details` as the stored (hashed) JSON text. */
export const jsonLine = (r: AuditRow): string =>
  `${JSON.stringify({ seq: r.seq, at: r.at, event: r.event, actor: r.actor, subject: r.subject, client_id: r.client_id, ip: r.ip, details: r.details, prev_hash: r.prev_hash, hash: r.hash })}\n`;

/**
 * One CSV cell (RFC 4180): quoted when it holds a quote, comma or line break, quotes doubled. A cell a spreadsheet
 * would run as a formula (starting with = + - @, or a tab or carriage return) gets a leading apostrophe: details hold
 * text people typed (reasons, app names, device names), and a spreadsheet must show it, never run it.
 */
export const csvCell = (value: string | number | null): string => {
  let s = value === null ? '' : String(value);
  if (/^[=+\-@\t\r]/.test(s)) s = `'${s}`;
  return /[",\r\n]/.test(s) ? `"${s.replace(/"/g, '""')}"` : s;
};

export const csvLine = (r: AuditRow): string => `${EXPORT_COLUMNS.map((c) => csvCell(r[c])).join(',')}\r\n`;

/**
 * The export as a stream: the header, then each batch as it is read, waiting while the client is slower than the
 * database (so at most one batch is held in memory). A read error ends the stream with that error: the client
 * sees a cut file, which the offline verifier refuses, never a file that looks whole.
 */
export const exportStream = (format: ExportFormat, header: ExportHeader, batches: AsyncIterable<AuditRow[]>, logger: Logger): Readable => {
  const out = new PassThrough();
  const line = format === 'jsonl' ? jsonLine : csvLine;
  const room = () =>
    new Promise<void>((resolve) => {
      const done = () => {
        out.off('drain', done);
        out.off('close', done);
        resolve();
      };
      out.on('drain', done);
      out.on('close', done);
    });
  void (async () => {
    try {
      out.write(format === 'jsonl' ? `${JSON.stringify(header)}\n` : `${EXPORT_COLUMNS.join(',')}\r\n`);
      for await (const batch of batches) {
        if (out.destroyed) return;
        if (!out.write(batch.map(line).join(''))) await room();
        // SQLite's driver is synchronous: yield between batches, so a long export never holds up other requests.
        else await new Promise((resolve) => setImmediate(resolve));
      }
      out.end();
    } catch (err) {
      logger.error({ err }, 'audit export failed');
      out.destroy(err as Error);
    }
  })();
  return out;
};
