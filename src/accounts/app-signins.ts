import { isConstraintViolation } from '../db/knex.ts';
import type { Logger } from '../shared/logger.ts';

/** A person's sign-ins to one app since the last write: when the first and the last of them happened. */
export interface AppSignIn {
  sub: string;
  clientId: string;
  firstAt: Date;
  lastAt: Date;
}

/** How long sign-ins to apps are gathered before one statement writes them all. */
const FLUSH_MS = 2_000;
/** Beyond this many pending people × apps (the database down for long), the oldest are dropped, and said so. */
const MAX_PENDING = 100_000;
/** Rows per statement: SQLite's compound SELECT (how knex writes a multi-row insert there) allows 500 terms. */
const CHUNK = 400;
/** A row that failed this many writes (the database down for long) is dropped rather than retried for ever. */
const MAX_ATTEMPTS = 5;

/**
 * The last sign-in per person and app (what the staff portal and the console show), written behind: every code issued
 * was one upsert on the sign-in path; now sign-ins are gathered for two seconds and written in one statement. A
 * reader of the figures flushes first, so this instance's own sign-ins are always seen; another instance's may be
 * up to two seconds late. The audit trail, not this table, is the record of each sign-in: a crash loses at most the
 * last two seconds of these timestamps, never a record.
 *
 * A chunk refused for what one of its rows says (a constraint: the person's account was deleted since, so the row's
 * foreign key fails) is written again row by row at once, so that one row does not take the others with it; the
 * refused row is dropped. Any other failure (the database down) keeps the chunk for the next flush.
 */
export const createAppSignIns = (deps: { write: (batch: AppSignIn[]) => Promise<void>; logger: Logger; flushMs?: number }) => {
  const pending = new Map<string, AppSignIn & { attempts?: number }>();
  let timer: NodeJS.Timeout | undefined;
  let writing: Promise<void> = Promise.resolve();

  const add = (signIn: AppSignIn & { attempts?: number }) => {
    const key = `${signIn.sub} ${signIn.clientId}`;
    const seen = pending.get(key);
    if (seen) {
      if (signIn.firstAt < seen.firstAt) seen.firstAt = signIn.firstAt;
      if (signIn.lastAt > seen.lastAt) seen.lastAt = signIn.lastAt;
      seen.attempts = Math.max(seen.attempts ?? 0, signIn.attempts ?? 0);
      return;
    }
    if (pending.size >= MAX_PENDING) {
      pending.delete(pending.keys().next().value!);
      deps.logger.warn('sign-ins to apps not written: too many pending, the oldest was dropped');
    }
    pending.set(key, { ...signIn });
  };

  const flush = (): Promise<void> => {
    if (timer) clearTimeout(timer);
    timer = undefined;
    if (!pending.size) return writing;
    const batch = [...pending.values()];
    pending.clear();
    // One write at a time, in order, in chunks; a failed chunk comes back to be written with the next flush.
    writing = writing.then(async () => {
      for (let i = 0; i < batch.length; i += CHUNK) await writeChunk(batch.slice(i, i + CHUNK));
    });
    return writing;
  };

  const writeChunk = async (chunk: (AppSignIn & { attempts?: number })[]) => {
    try {
      await deps.write(chunk.map(({ attempts: _attempts, ...row }) => row));
    } catch (err) {
      if (isConstraintViolation(err)) {
        if (chunk.length > 1) for (const row of chunk) await writeChunk([row]);
        else deps.logger.warn({ err, sub: chunk[0]!.sub, clientId: chunk[0]!.clientId }, 'sign-in to an app not written: the database refused the row');
        return;
      }
      const retried = chunk.map((row) => ({ ...row, attempts: (row.attempts ?? 0) + 1 }));
      const dropped = retried.filter((row) => row.attempts >= MAX_ATTEMPTS);
      deps.logger.warn({ err, rows: chunk.length, dropped: dropped.length }, 'could not write sign-ins to apps; will retry');
      retried.filter((row) => row.attempts < MAX_ATTEMPTS).forEach(add);
      schedule();
    }
  };

  const schedule = () => {
    if (timer) return;
    timer = setTimeout(() => void flush(), deps.flushMs ?? FLUSH_MS);
    timer.unref();
  };

  return {
    record(sub: string, clientId: string, at: Date): void {
      add({ sub, clientId, firstAt: at, lastAt: at });
      schedule();
    },
    /** Writes what is pending; resolves once written (or failed and queued again). */
    flush,
  };
};
