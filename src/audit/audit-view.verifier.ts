import type { KeyObject } from 'node:crypto';
import type { Clock } from '../shared/clock.ts';
import type { Logger } from '../shared/logger.ts';
import type { AuditService } from './audit.service.ts';
import { checkpointSigned, type Checkpoint } from './checkpoints.ts';
import type { AuditViewRepo, VerificationRow } from './audit-view.repo.ts';

/** A run under way on this instance: who asked, when, and how far it got. */
export interface RunningVerification {
  startedAt: string;
  startedBy: string;
  checked: number;
  /** How many records the walk covers (the head's seq, less any archived ones), once known. */
  total: number;
  headSeq: number;
}

/**
 * Verifies the whole chain in the background when an auditor asks (issue 13 §1), one run at a time on this instance: a
 * second request while one runs just shows it. Each outcome is stored, so every instance shows the last one. The
 * latest signed checkpoint is checked first, and the walk then checks the record it names (as `npm run audit:verify`).
 */
export const createChainVerifier = (deps: { audit: AuditService; repo: AuditViewRepo; clock: Clock; logger: Logger; checkpoint: () => Checkpoint | undefined; key: KeyObject }) => {
  let running: RunningVerification | undefined;
  let done: Promise<void> = Promise.resolve();
  // Set when the instance closes: a walk of millions of records stops at its next batch instead of holding it up.
  let stopping = false;

  /** The latest checkpoint and whether its signature holds (a file that cannot be read counts as none). */
  const checkpoint = (): { checkpoint: Checkpoint; signed: boolean } | undefined => {
    try {
      const found = deps.checkpoint();
      return found && { checkpoint: found, signed: checkpointSigned(deps.key, found) };
    } catch (err) {
      deps.logger.warn({ err }, 'audit checkpoint file unreadable');
      return undefined;
    }
  };

  const run = async (state: RunningVerification) => {
    const latest = checkpoint();
    const outcome = async (): Promise<Pick<VerificationRow, 'outcome' | 'firstBadSeq' | 'reason' | 'checked'>> => {
      if (latest && !latest.signed) return { outcome: 'failed', firstBadSeq: null, reason: 'checkpoint_forged', checked: 0 };
      const result = await deps.audit.verify(latest?.checkpoint, async (checked, total) => {
        if (stopping) throw new Error('audit chain verification stopped: the instance is closing');
        Object.assign(state, { checked, total });
        // Between batches, let other requests in: SQLite's driver is synchronous, so a walk would otherwise hold the
        // process until it ends (seconds at a million records), sign-ins included.
        await new Promise((resolve) => setImmediate(resolve));
      });
      return result.ok ? { outcome: 'ok', firstBadSeq: null, reason: null, checked: result.count } : { outcome: 'failed', firstBadSeq: result.firstBadSeq, reason: result.reason, checked: result.count };
    };
    let result: Pick<VerificationRow, 'outcome' | 'firstBadSeq' | 'reason' | 'checked'>;
    try {
      result = await outcome();
    } catch (err) {
      deps.logger.error({ err }, 'audit chain verification could not run');
      result = { outcome: 'error', firstBadSeq: null, reason: null, checked: state.checked };
    }
    await deps.repo.saveVerification({ ...result, startedAt: state.startedAt, startedBy: state.startedBy, finishedAt: deps.clock.now().toISOString(), headSeq: state.headSeq, checkpointSeq: latest?.checkpoint.seq ?? null });
  };

  return {
    checkpoint,

    /** Starts a run for `by` (an account sub) unless one is running here; false when one already was. */
    async start(by: string): Promise<boolean> {
      if (running || stopping) return false;
      // Taken before the first await: two quick clicks must not start two walks.
      const state: RunningVerification = { startedAt: deps.clock.now().toISOString(), startedBy: by, checked: 0, total: 0, headSeq: 0 };
      running = state;
      try {
        state.headSeq = state.total = (await deps.audit.head()).seq;
      } catch (err) {
        running = undefined;
        throw err;
      }
      done = run(state)
        .catch((err: unknown) => deps.logger.error({ err }, 'audit verification outcome not stored'))
        .finally(() => {
          running = undefined;
        });
      return true;
    },

    running: (): RunningVerification | undefined => running && { ...running },

    last: (): Promise<VerificationRow | undefined> => deps.repo.lastVerification(),

    /** Resolves when the current run (if any) has finished: for tests. */
    idle: (): Promise<void> => done,

    /** Stops a run at its next batch (stored as an error: it did not finish) and starts no other; for closing. */
    stop: (): Promise<void> => {
      stopping = true;
      return done;
    },
  };
};

export type ChainVerifier = ReturnType<typeof createChainVerifier>;
