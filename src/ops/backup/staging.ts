import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

/** The signals that stop a command (Ctrl-C, `systemctl stop` or `kill`, a closed terminal), with the exit code for each (128 + its number). */
export const INTERRUPT_EXIT = { SIGINT: 130, SIGTERM: 143, SIGHUP: 129 } as const;

/** Registers a synchronous clean-up to run, before the staging directory is removed, if the command is interrupted. */
export type OnInterrupt = (cleanup: () => void) => void;

/**
 * Runs `work` with a private directory under `$TMPDIR` (mode 0700) for what is staged in plain form (a copy of the
 * database, the private keys, a decrypted archive), and removes it at the end. A signal ends Node without running
 * `finally` blocks, so while `work` runs SIGINT, SIGTERM and SIGHUP run the registered clean-ups, remove the directory
 * synchronously and exit with 128 + the signal's number; the handlers are removed again afterwards.
 */
export const withStaging = async <T>(prefix: string, work: (dir: string, onInterrupt: OnInterrupt) => Promise<T>): Promise<T> => {
  const dir = mkdtempSync(join(tmpdir(), prefix));
  const cleanups: (() => void)[] = [];
  const remove = () => rmSync(dir, { recursive: true, force: true });
  const handlers = (Object.keys(INTERRUPT_EXIT) as (keyof typeof INTERRUPT_EXIT)[]).map((signal) => {
    const handler = () => {
      for (const cleanup of cleanups) {
        try {
          cleanup();
        } catch {
          // the directory is removed whatever a clean-up did
        }
      }
      remove();
      process.exit(INTERRUPT_EXIT[signal]);
    };
    process.on(signal, handler);
    return { signal, handler };
  });
  try {
    return await work(dir, (cleanup) => void cleanups.push(cleanup));
  } finally {
    for (const { signal, handler } of handlers) process.off(signal, handler);
    remove();
  }
};
