import type { Clock } from '../../src/shared/clock.ts';

export const SECOND = 1000;
export const MINUTE = 60 * SECOND;

/** Seconds since 1970 at `date`, as an authenticator app counts them for TOTP codes. */
const epochOf = (date: Date) => Math.floor(date.getTime() / SECOND);

/**
 * A clock that stands still at `start` and moves only when the test moves it: for services built without a running
 * provider, where nothing else needs real time to pass.
 */
export const manualClock = (start: string) => {
  let ms = Date.parse(start);
  const clock = {
    now: () => new Date(ms),
    epoch: () => epochOf(clock.now()),
    /** Moves the clock by `by` milliseconds (back when negative). */
    move: (by: number) => void (ms += by),
  };
  return clock satisfies Clock;
};
export type ManualClock = ReturnType<typeof manualClock>;

/**
 * Satu Akun's clock for tests that drive a running provider: real time (HTTP clients, cookies and token libraries
 * keep their own) plus an offset the test moves. TOTP codes are accepted once per time step, so a test moves the
 * clock (and its own authenticator with it) to the next step before computing a code.
 */
export const steppingClock = () => {
  let offset = 0;
  const clock: Clock = { now: () => new Date(Date.now() + offset) };
  return {
    clock,
    /** Moves the clock to the next 30-second TOTP time step. */
    next: () => void (offset += 30 * SECOND),
    epoch: () => epochOf(clock.now()),
    /** Moves the clock by `minutes` (e.g. past the 15 minutes level 3 lasts; back when negative). */
    advance: (minutes: number) => void (offset += minutes * MINUTE),
  };
};
export type SteppingClock = ReturnType<typeof steppingClock>;
