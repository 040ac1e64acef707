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

/**
 * The last sign-in per person and app (what the staff portal and the console show), written behind: every code issued
 * was one upsert on the sign-in path; now sign-ins are gathered for two seconds and written in one statement. A
 * reader of the figures flushes first, so this instance's own sign-ins are always seen; another instance's may be
 * up to two seconds late. The audit trail, not this table, is the record of each sign-in: a crash loses at most the
 * last two seconds of these timestamps, never a record.
 */
export const createAppSignIns = (deps: { write: (batch: AppSignIn[]) => Promise<void>; logger: Logger; flushMs?: number }) => {
  const pending = new Map<string, AppSignIn>();
  let timer: NodeJS.Timeout | undefined;
  let writing: Promise<void> = Promise.resolve();

  const add = (signIn: AppSignIn) => {
    const key = `${signIn.sub} ${signIn.clientId}`;
    const seen = pending.get(key);
    if (seen) {
      if (signIn.firstAt < seen.firstAt) seen.firstAt = signIn.firstAt;
      if (signIn.lastAt > seen.lastAt) seen.lastAt = signIn.lastAt;
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
    // One write at a time, in order; a failed batch comes back to be written with the next one.
    writing = writing.then(() =>
      deps.write(batch).catch((err: unknown) => {
        deps.logger.warn({ err }, 'could not write sign-ins to apps; will retry');
        batch.forEach(add);
        schedule();
      }),
    );
    return writing;
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
