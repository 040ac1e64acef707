import type { Redis } from 'ioredis';
import type { Clock } from '../shared/clock.ts';

/** How many failed attempts a key may make, and how long it waits afterwards. All times in milliseconds. */
export interface LimitPolicy {
  /** Failed attempts allowed in one window; the attempt that reaches it starts a block. */
  budget: number;
  windowMs: number;
  /** The first block of a streak; each further block in the same streak doubles, up to `maxBlockMs`. */
  blockMs: number;
  maxBlockMs: number;
  /** Consecutive failures after which the key stays blocked until the streak is forgotten (NIST SP 800-63B §5.2.2). */
  ceiling: number;
  /** A streak (consecutive failures, growing blocks) is forgotten this long after its last failure. */
  forgetMs: number;
}

/**
 * The answer to `take`: `retryAfterMs` when the key must wait (nothing was counted); else the attempt is counted and
 * `left` says how many more failures the window allows before the key is blocked (0: this one started a block).
 */
export interface Take {
  retryAfterMs?: number;
  left?: number;
}

/**
 * The state of one key. `ws`/`n`: the current window's start and failures; `until`: blocked until; `bursts`: blocks
 * in this streak; `streak`: consecutive failures; `last`: the last counted attempt; `blockedAt`: the attempt that
 * started the current block (so a refund can undo it).
 */
interface State {
  ws: number;
  n: number;
  until: number;
  bursts: number;
  streak: number;
  last: number;
  blockedAt: number;
}

/** The most keys a process keeps in memory (about 10 MB); see `touch`. */
const MAX_KEYS = 50_000;

const EMPTY: State = { ws: 0, n: 0, until: 0, bursts: 0, streak: 0, last: 0, blockedAt: -1 };

/** The rule, written once for the memory backend; the Redis script below is the same rule in Lua. */
const takeStep = (s: State, now: number, p: LimitPolicy): { state: State; retryAfterMs?: number; left?: number } => {
  if (s.until > now) return { state: s, retryAfterMs: s.until - now };
  let next: State = now - s.last >= p.forgetMs ? { ...EMPTY } : { ...s };
  if (now - next.ws >= p.windowMs) next = { ...next, ws: now, n: 0 };
  next.n += 1;
  next.streak += 1;
  next.last = now;
  if (next.n >= p.budget || next.streak >= p.ceiling) {
    next.bursts += 1;
    const block = next.streak >= p.ceiling ? p.forgetMs : Math.min(p.blockMs * 2 ** (next.bursts - 1), p.maxBlockMs);
    next.until = now + block;
    next.blockedAt = now;
  }
  return { state: next, left: next.until > now ? 0 : Math.max(0, Math.min(p.budget - next.n, p.ceiling - next.streak)) };
};

const refundStep = (s: State): State => {
  const next = { ...s, n: Math.max(0, s.n - 1), streak: Math.max(0, s.streak - 1) };
  // The refunded attempt started the block: an attempt that did not count must not block anyone.
  if (s.blockedAt === s.last) return { ...next, until: 0, bursts: Math.max(0, s.bursts - 1), blockedAt: -1 };
  return next;
};

// KEYS[1] state hash; ARGV: now, budget, windowMs, blockMs, maxBlockMs, ceiling, forgetMs. Returns {wait in ms, 0} when
// blocked, else {0, failures left before a block} (as takeStep).
const TAKE = `
local now = tonumber(ARGV[1])
local budget, windowMs, blockMs, maxBlockMs, ceiling, forgetMs = tonumber(ARGV[2]), tonumber(ARGV[3]), tonumber(ARGV[4]), tonumber(ARGV[5]), tonumber(ARGV[6]), tonumber(ARGV[7])
local f = redis.call('HMGET', KEYS[1], 'ws', 'n', 'until', 'bursts', 'streak', 'last')
local ws, n, untilMs, bursts, streak, last = tonumber(f[1]) or 0, tonumber(f[2]) or 0, tonumber(f[3]) or 0, tonumber(f[4]) or 0, tonumber(f[5]) or 0, tonumber(f[6]) or 0
if untilMs > now then return {untilMs - now, 0} end
if now - last >= forgetMs then ws, n, untilMs, bursts, streak = 0, 0, 0, 0, 0 end
if now - ws >= windowMs then ws, n = now, 0 end
n = n + 1
streak = streak + 1
local blockedAt = -1
if n >= budget or streak >= ceiling then
  bursts = bursts + 1
  local block = forgetMs
  if streak < ceiling then block = math.min(blockMs * 2 ^ (bursts - 1), maxBlockMs) end
  untilMs = now + block
  blockedAt = now
else
  blockedAt = tonumber(redis.call('HGET', KEYS[1], 'blockedAt')) or -1
end
redis.call('HSET', KEYS[1], 'ws', ws, 'n', n, 'until', untilMs, 'bursts', bursts, 'streak', streak, 'last', now, 'blockedAt', blockedAt)
redis.call('PEXPIRE', KEYS[1], math.max(forgetMs, untilMs - now))
if untilMs > now then return {0, 0} end
return {0, math.max(0, math.min(budget - n, ceiling - streak))}`;

// KEYS[1] state hash. The same as refundStep.
const REFUND = `
local f = redis.call('HMGET', KEYS[1], 'n', 'streak', 'bursts', 'last', 'blockedAt')
if not f[1] then return 0 end
local streak = math.max(0, tonumber(f[2]) - 1)
local undo = f[5] == f[4]
-- Nothing left to remember (the only attempt was given back): the key goes, as in memory.
if streak == 0 and (undo or tonumber(redis.call('HGET', KEYS[1], 'until') or 0) == 0) then redis.call('DEL', KEYS[1]) return 1 end
redis.call('HSET', KEYS[1], 'n', math.max(0, tonumber(f[1]) - 1), 'streak', streak)
if undo then redis.call('HSET', KEYS[1], 'until', 0, 'bursts', math.max(0, tonumber(f[3]) - 1), 'blockedAt', -1) end
return 1`;

/**
 * One limiter for every secret a person types (password, second-factor code, recovery code, passkey). `take` checks
 * and counts in one step, before the secret is checked, so N parallel guesses never get past the budget; a success
 * `clear`s the key, an attempt that turned out not to count (the directory was down) is `refund`ed. Time comes from
 * the injected clock; with Redis every instance shares the counts (one Lua script per call), else process memory.
 */
export const createLimiter = (deps: { name: string; policy: LimitPolicy; clock: Clock; redis?: Redis | undefined }) => {
  const { policy, clock } = deps;
  const now = () => clock.now().getTime();
  const redisKey = (key: string) => `satu-akun:limit:${deps.name}:${key}`;

  if (deps.redis) {
    const redis = deps.redis;
    const args = [policy.budget, policy.windowMs, policy.blockMs, policy.maxBlockMs, policy.ceiling, policy.forgetMs];
    return {
      async take(key: string): Promise<Take> {
        const [wait, left] = (await redis.eval(TAKE, 1, redisKey(key), now(), ...args)) as [number, number];
        return wait > 0 ? { retryAfterMs: Number(wait) } : { left: Number(left) };
      },
      async refund(key: string): Promise<void> {
        await redis.eval(REFUND, 1, redisKey(key));
      },
      async clear(key: string): Promise<void> {
        await redis.del(redisKey(key));
      },
    };
  }

  const states = new Map<string, State>();
  /**
   * Keeps memory bounded in O(1) per call on average: past MAX_KEYS, forget keys whose streak and block are over, then,
   * if still too many, the longest untouched ones (a Map iterates in insertion order, and `touch` re-inserts), down
   * to 90 %, so the next sweep is MAX_KEYS / 10 calls away. Several instances, or a flood of keys, call for Redis.
   */
  const touch = (key: string, state: State) => {
    states.delete(key);
    if (state.streak === 0 && state.until <= now()) return; // nothing to remember
    states.set(key, state);
    if (states.size <= MAX_KEYS) return;
    for (const [k, st] of states) if (now() - st.last >= policy.forgetMs && st.until <= now()) states.delete(k);
    for (const k of states.keys()) {
      if (states.size <= MAX_KEYS * 0.9) break;
      states.delete(k);
    }
  };
  return {
    async take(key: string): Promise<Take> {
      const { state, retryAfterMs, left } = takeStep(states.get(key) ?? EMPTY, now(), policy);
      touch(key, state);
      return retryAfterMs ? { retryAfterMs } : { left };
    },
    async refund(key: string): Promise<void> {
      const state = states.get(key);
      if (state) touch(key, refundStep(state));
    },
    async clear(key: string): Promise<void> {
      states.delete(key);
    },
  };
};

/** A limiter's type, derived from its factory. */
export type Limiter = ReturnType<typeof createLimiter>;

const MINUTE = 60_000;
const DAY = 24 * 60 * MINUTE;

/** The budgets Satu Akun uses; the README's "Security behaviour" section states them. */
export const limitPolicies = (config: { personFailures: number; addressFailures: number }) => ({
  /** Per person (or per unknown login) from strangers' browsers, and per known device: password guesses. */
  password: { budget: config.personFailures, windowMs: 15 * MINUTE, blockMs: 15 * MINUTE, maxBlockMs: DAY, ceiling: 100, forgetMs: 7 * DAY },
  /** Per client address (IPv6: per /64), across people: password guesses from browsers not known to the person. */
  address: { budget: config.addressFailures, windowMs: 15 * MINUTE, blockMs: 15 * MINUTE, maxBlockMs: DAY, ceiling: Number.MAX_SAFE_INTEGER, forgetMs: DAY },
  /** Per person: TOTP codes, recovery codes and passkey assertions, after the password. */
  secondFactor: { budget: 5, windowMs: 15 * MINUTE, blockMs: 15 * MINUTE, maxBlockMs: DAY, ceiling: 100, forgetMs: 7 * DAY },
}) satisfies Record<string, LimitPolicy>;

/** The limiters of one instance, built once in the composition root. */
export const createLimits = (deps: { clock: Clock; redis?: Redis | undefined; config: { personFailures: number; addressFailures: number } }) => {
  const policies = limitPolicies(deps.config);
  const make = (name: keyof typeof policies) => createLimiter({ name, policy: policies[name], clock: deps.clock, redis: deps.redis });
  return { password: make('password'), address: make('address'), secondFactor: make('secondFactor') };
};

export type Limits = ReturnType<typeof createLimits>;
