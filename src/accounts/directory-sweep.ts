import type { Knex } from 'knex';
import type { AuditService } from '../audit/audit.service.ts';
import { type Directory, DirectoryUnavailableError } from '../directory/directory.ts';
import type { Clock } from '../shared/clock.ts';
import type { Logger } from '../shared/logger.ts';
import type { Account } from './accounts.repo.ts';
import type { AccountsService } from './accounts.service.ts';

/** The reason recorded on an account the directory no longer holds (stored with the state, shown to administrators). */
export const GONE_REASON = 'Tidak ada lagi di direktori / no longer in the directory';

/** How long one directory answer about a person stands, so a burst of refreshes costs one search. */
export const CHECK_CACHE_MS = 60_000;
const CACHE_MAX = 10_000;
const BATCH = 200;
/** The safety valve: a sweep that would disable more than this share of the accounts it checked, and more than... */
const VALVE_SHARE = 0.1;
/** ...this many, disables nobody: a wrong base DN or user filter looks exactly like everyone leaving at once. */
const VALVE_COUNT = 20;
/** ...and in a small installation (a pilot), more than half of at least this many accounts missing stops it too. */
const SMALL_MIN = 4;
const SMALL_SHARE = 0.5;

/** What a sweep did; `stopped` says why it disabled nobody although it may have found people missing. */
export interface SweepResult {
  checked: number;
  gone: number;
  stopped?: 'directory_unavailable' | 'too_many_missing' | 'closed';
}

type Candidate = { sub: string; directory_id: string };

/**
 * Ends the access of people who left the service (issue 10 §1): the directory no longer returns them, so their account
 * is disabled, audited, and every session and token of theirs ended. A refresh asks (`stillThere`) and is refused; the
 * periodic sweep over every account (`sweep`) disables, behind a safety valve that sees the whole directory at once. Only a directory that answered "nobody has this id" counts as gone: an
 * unreachable directory changes nothing (DESIGN, "Behaviour under failure": existing sessions keep working).
 */
export const createDirectoryCheck = (deps: {
  knex: Knex;
  directory: Directory;
  accounts: AccountsService;
  audit: AuditService;
  clock: Clock;
  logger: Logger;
  /** Ends every session and grant of `sub` and tells the apps; called once the disabled state is committed. */
  endEverything: (sub: string) => Promise<unknown>;
}) => {
  const log = deps.logger.child({ component: 'directory-check' });
  /** Answers by sub: a pending one too, so concurrent refreshes of one person share one search. */
  const cache = new Map<string, { at: number; answer: Promise<boolean> }>();
  let timer: NodeJS.Timeout | undefined;
  let running: Promise<SweepResult> | undefined;
  let closed = false;
  // Set when the safety valve last tripped: until a sweep passes, one-by-one checks disable nobody either.
  let suspect = false;

  /** Disables `sub` as gone and audits it in one transaction; false when it is already disabled (or no longer exists). */
  const markGone = async (sub: string): Promise<boolean> => {
    const marked = await deps.knex.transaction(async (trx) => {
      const account = await deps.accounts.find(sub, trx);
      if (!account || account.status === 'disabled') return false;
      await deps.accounts.setStatus(sub, 'disabled', { reason: GONE_REASON, until: null, by: 'system' }, trx);
      await deps.audit.record({ event: 'account.disabled', actor: null, subject: sub, details: { reason: GONE_REASON, from: account.status } }, trx);
      return true;
    });
    if (!marked) return false;
    log.info({ sub }, 'account disabled: no longer in the directory');
    // The account is disabled whatever happens here, so sign-ins and refreshes are refused; log and carry on.
    await deps.endEverything(sub).catch((err: unknown) => log.error({ err, sub }, 'sessions of a person no longer in the directory not ended'));
    return true;
  };

  const ask = async (account: Account): Promise<boolean> => {
    let user;
    try {
      user = await deps.directory.findById(account.directoryId);
    } catch (error) {
      if (!(error instanceof DirectoryUnavailableError)) throw error;
      log.warn({ sub: account.sub, err: error.message }, 'directory unavailable: cannot tell whether the person is still there; assuming so');
      return true;
    }
    if (user) return true;
    if (suspect) {
      log.error({ sub: account.sub }, 'directory does not know the person, but the last sweep found too many missing to trust it: not refused');
      return true;
    }
    // This refresh is refused; disabling is left to the sweep, whose safety valve sees everyone at once (a wrong
    // filter deployed with a restart must not disable people one refresh at a time).
    log.warn({ sub: account.sub }, 'directory does not know the person: refresh refused; the next sweep decides');
    return false;
  };

  const remember = (sub: string, answer: Promise<boolean>) => {
    cache.delete(sub);
    // Oldest first: Map keeps insertion order, and a renewed entry is inserted again.
    while (cache.size >= CACHE_MAX) cache.delete(cache.keys().next().value as string);
    cache.set(sub, { at: deps.clock.now().getTime(), answer });
    // A failure (SQL down while disabling) is not an answer: the next check asks again.
    answer.catch(() => cache.get(sub)?.answer === answer && cache.delete(sub));
  };

  const batchAfter = (after: string): Promise<Candidate[]> => deps.accounts.notDisabledAfter(after, BATCH);

  const walk = async (): Promise<SweepResult> => {
    const started = Date.now();
    const missing: string[] = [];
    let checked = 0;
    // Look first, decide after: the safety valve needs the whole count before anyone is disabled.
    for (let after = '', batch = await batchAfter(after); batch.length; after = batch.at(-1)!.sub, batch = await batchAfter(after)) {
      for (const { sub, directory_id: id } of batch) {
        if (closed) return { checked, gone: 0, stopped: 'closed' };
        try {
          if (!(await deps.directory.findById(id))) missing.push(sub);
        } catch (error) {
          if (!(error instanceof DirectoryUnavailableError)) throw error;
          log.warn({ checked, err: error.message }, 'directory sweep stopped: directory unavailable; nobody disabled');
          return { checked, gone: 0, stopped: 'directory_unavailable' };
        }
        checked++;
      }
    }
    // Many missing (more than 20 and 10 %), or most of a small installation: a wrong directory, not people leaving.
    if ((missing.length > VALVE_COUNT && missing.length > checked * VALVE_SHARE) || (checked >= SMALL_MIN && missing.length > checked * SMALL_SHARE)) {
      suspect = true;
      log.error(
        { checked, missing: missing.length, share: Math.round((missing.length / checked) * 1000) / 10 },
        `directory sweep: ${missing.length} of ${checked} accounts are not in the directory; more than ${VALVE_SHARE * 100} % looks like a wrong directory.baseDn or directory.userFilter, not people leaving: nobody disabled`,
      );
      return { checked, gone: 0, stopped: 'too_many_missing' };
    }
    suspect = false;
    let gone = 0;
    for (const sub of missing) if (await markGone(sub)) gone++;
    for (const sub of missing) remember(sub, Promise.resolve(false));
    log.info({ checked, gone, ms: Date.now() - started }, 'directory sweep done');
    return { checked, gone };
  };

  const sweep = (): Promise<SweepResult> => {
    // One sweep at a time: a slow directory must not make the timer stack walks on top of each other.
    running ??= walk().finally(() => void (running = undefined));
    return running;
  };

  return {
    /**
     * Whether the person behind `account` is still in the directory; false only when the directory answered that it
     * holds nobody with their id (the refresh is refused; the sweep disables the account). An unavailable
     * directory reads as "still there". One answer per person stands for a minute, that one too: during an outage a
     * burst of refreshes must not each wait for the directory's timeout.
     */
    stillThere(account: Account): Promise<boolean> {
      const cached = cache.get(account.sub);
      if (cached && deps.clock.now().getTime() - cached.at < CHECK_CACHE_MS) return cached.answer;
      const answer = ask(account);
      remember(account.sub, answer);
      return answer;
    },

    /**
     * Checks every account that may still sign in against the directory and disables those it no longer holds, unless
     * the directory is unavailable or too many are missing to be believed (then nobody).
     */
    sweep,

    /** Sweeps now (in the background) and every `intervalMs`; failures are logged, never thrown. */
    start(intervalMs: number) {
      const run = () => void sweep().catch((err: unknown) => log.error({ err }, 'directory sweep failed'));
      run();
      timer = setInterval(run, intervalMs);
      timer.unref();
    },

    /** Stops the timer and waits for a sweep under way, which stops before disabling anyone. */
    async close() {
      closed = true;
      if (timer) clearInterval(timer);
      await running?.catch(() => undefined);
    },
  };
};

/** The directory check's type, derived from its factory. */
export type DirectoryCheck = ReturnType<typeof createDirectoryCheck>;
