import { randomInt } from 'node:crypto';
import type { Knex } from 'knex';
import type { AuditEventDetails, AuditService } from '../audit/audit.service.ts';
import type { Clock } from '../shared/clock.ts';
import type { Logger } from '../shared/logger.ts';
import type { MfaRepo } from './mfa.repo.ts';
import type { Limiter } from '../throttle/limiter.ts';
import { createSecretBox } from './secret-box.ts';

// argon2 (a native addon) and otplib are loaded at the first second-factor operation, not at start: most sign-ins use
// neither, and a process that never sees one never loads them.
const argon2 = async () => (await import('argon2')).default;
const otp = () => import('otplib');
/**
 * OWASP's argon2id baseline (19 MiB, 2 passes; `type: argon2id` joins it at each call), set explicitly so a library
 * default change cannot weaken it.
 */
const ARGON2 = { memoryCost: 19456, timeCost: 2, parallelism: 1 } as const;
const PERIOD = 30; // RFC 6238 time step, what every authenticator app uses
const MAX_INPUT = 64; // longer input is refused before any work is done on it
const RECOVERY_COUNT = 10;
// No 0/o, 1/l/i: codes are read off paper and typed by hand. 31^10 ≈ 2^49.5, ample behind a throttle.
const ALPHABET = '23456789abcdefghjkmnpqrstuvwxyz';
export const RECOVERY_SHAPE = new RegExp(`^[${ALPHABET}]{10}$`);

type Method = AuditEventDetails['mfa.failed']['method'];
type Reason = AuditEventDetails['mfa.failed']['reason'];
/** Where an attempt came from, for the audit trail and the guessing budget. */
export interface MfaContext {
  ip: string;
  clientId?: string;
  /** A browser this person signed in from before: it spends a budget of its own (see `secondFactorKey`). */
  device?: string | undefined;
}

export const newRecoveryCode = (): string => {
  const s = Array.from({ length: 10 }, () => ALPHABET[randomInt(ALPHABET.length)]).join('');
  return `${s.slice(0, 5)}-${s.slice(5)}`;
};
export const normaliseRecovery = (code: string) => code.replace(/[\s-]/g, '').toLowerCase();
/** Six digits once spaces are removed (apps show `123 456`), else null. */
const totpInput = (code: unknown): string | null => {
  if (typeof code !== 'string' || code.length > MAX_INPUT) return null;
  const digits = code.replace(/\s/g, '');
  return /^\d{6}$/.test(digits) ? digits : null;
};

/**
 * The guessing-budget key of a person's second factors (TOTP, recovery codes, passkeys and set-up codes share it):
 * a browser the person signed in from before has its own, so whoever knows the password cannot lock the person out
 * of their second factor on their own browser by spending the budget elsewhere.
 */
export const secondFactorKey = (sub: string, ctx: { device?: string | undefined } = {}) => (ctx.device ? `second-factor:${sub}:device:${ctx.device}` : `second-factor:${sub}`);

/**
 * Second factors: TOTP (RFC 6238) with replay protection, and single-use recovery codes. Secrets are sealed at rest
 * with `keys`; codes are stored as argon2id hashes; failures are throttled per account; every outcome is audited,
 * never with a code or a secret.
 */
export const createMfaService = (deps: { knex: Knex; repo: MfaRepo; clock: Clock; keys: Buffer[]; audit: AuditService; limiter: Limiter; logger: Logger; issuerLabel: string }) => {
  const { repo } = deps;
  const box = createSecretBox(deps.keys);
  // The account is bound into the ciphertext, so a sealed secret cannot be moved to another account's row.
  const seal = (sub: string, secret: string) => box.encrypt(secret, `totp:${sub}`);
  const open = (sub: string, sealed: string) => box.decrypt(sealed, `totp:${sub}`);
  const uri = async (label: string, secret: string) => (await otp()).generateURI({ issuer: deps.issuerLabel, label, secret });
  const who = (sub: string, ctx: MfaContext) => ({ actor: sub, subject: sub, clientId: ctx.clientId ?? null, ip: ctx.ip });

  /** The time step `code` belongs to, if within one step of now (clock drift, slow typing), else null. */
  const matchStep = async (secret: string, code: string): Promise<number | null> => {
    const epoch = Math.floor(deps.clock.now().getTime() / 1000);
    // A tolerance of one period either side covers exactly the steps -1, 0 and +1 from any point in the current step.
    const result = await (await otp()).verify({ secret, token: code, epoch, epochTolerance: PERIOD });
    return result.valid && 'timeStep' in result ? result.timeStep : null;
  };

  // Every attempt is counted before any code is looked at (check and count in one step), and a success clears the
  // count: a blocked attacker learns nothing, not even whether a code was right.
  const fail = async (sub: string, method: Method, reason: Reason, ctx: MfaContext): Promise<void> => {
    if (reason === 'throttled') deps.logger.warn({ sub, method }, 'mfa: attempt refused, too many failures');
    await deps.audit.record({ event: 'mfa.failed', ...who(sub, ctx), details: { method, reason } });
  };
  const blocked = async (sub: string, ctx: MfaContext) => !!(await deps.limiter.take(secondFactorKey(sub, ctx))).retryAfterMs;
  const succeeded = (sub: string, ctx: MfaContext) => deps.limiter.clear(secondFactorKey(sub, ctx));

  const freshCodes = async () => {
    const codes = Array.from({ length: RECOVERY_COUNT }, newRecoveryCode);
    // Hashed before any transaction opens: argon2 is slow on purpose and must not hold locks.
    const hasher = await argon2();
    const hashes = await Promise.all(codes.map((c) => hasher.hash(normaliseRecovery(c), { type: hasher.argon2id, ...ARGON2 })));
    return { codes, hashes };
  };

  return {
    /** What the person has enrolled: chooses the step and the amr. */
    async factors(sub: string): Promise<{ totp: boolean; recoveryCodesLeft: number }> {
      const [row, left] = await Promise.all([repo.findTotp(sub), repo.countUnusedCodes(sub)]);
      return { totp: !!row?.secretEnc, recoveryCodesLeft: left };
    },

    /** Starts (or restarts) TOTP enrolment: a new unconfirmed secret; a confirmed one stays until this is confirmed. */
    async beginTotp(sub: string, accountName: string): Promise<{ secret: string; otpauthUri: string }> {
      const secret = (await otp()).generateSecret({ length: 20 });
      await repo.savePending(sub, seal(sub, secret), deps.clock.now());
      return { secret, otpauthUri: await uri(accountName, secret) };
    },

    /** The enrolment in progress, if any, to show again (a re-rendered page must not replace the scanned secret). */
    async pendingTotp(sub: string, accountName?: string): Promise<{ secret: string; otpauthUri: string } | undefined> {
      const pending = await repo.findPending(sub);
      if (!pending) return undefined;
      const secret = open(sub, pending.sealed);
      return { secret, otpauthUri: await uri(accountName ?? pending.username, secret) };
    },

    /**
     * Confirms enrolment with a code from the app. On success the new secret replaces any confirmed one and ten
     * fresh recovery codes (the old ones voided) are returned, once; all in one transaction with the audit records.
     */
    async confirmTotp(sub: string, code: string, ctx: MfaContext): Promise<{ recoveryCodes: string[] } | null> {
      if (await blocked(sub, ctx)) return (await fail(sub, 'totp', 'throttled', ctx), null);
      const token = totpInput(code);
      if (!token) return (await fail(sub, 'totp', 'malformed', ctx), null);
      const row = await repo.findTotp(sub);
      const pending = row?.pendingSecretEnc;
      if (!pending) return (await fail(sub, 'totp', 'not_enrolled', ctx), null);
      const step = await matchStep(open(sub, pending), token);
      if (step === null) return (await fail(sub, 'totp', 'invalid', ctx), null);
      const { codes, hashes } = await freshCodes();
      const now = deps.clock.now();
      const done = await deps.knex.transaction(async (trx) => {
        // 0 rows: the enrolment was restarted meanwhile, and this code belongs to the secret it replaced.
        if (!(await repo.promotePending(sub, pending, step, now, trx))) return false;
        await repo.replaceCodes(sub, hashes, now, trx);
        await deps.audit.record({ event: 'mfa.totp_enrolled', ...who(sub, ctx), details: { replaced: !!row.secretEnc } }, trx);
        await deps.audit.record({ event: 'mfa.recovery_codes_generated', ...who(sub, ctx), details: { count: codes.length } }, trx);
        return true;
      });
      if (!done) return (await fail(sub, 'totp', 'invalid', ctx), null);
      await succeeded(sub, ctx);
      return { recoveryCodes: codes };
    },

    /** Verifies a code of the confirmed secret: ±1 step, each step usable once, failures throttled per account. */
    async verifyTotp(sub: string, code: string, ctx: MfaContext): Promise<'ok' | 'invalid' | 'replayed' | 'throttled'> {
      if (await blocked(sub, ctx)) return (await fail(sub, 'totp', 'throttled', ctx), 'throttled');
      const token = totpInput(code);
      if (!token) return (await fail(sub, 'totp', 'malformed', ctx), 'invalid');
      const row = await repo.findTotp(sub);
      const sealed = row?.secretEnc;
      if (!sealed) return (await fail(sub, 'totp', 'not_enrolled', ctx), 'invalid');
      const step = await matchStep(open(sub, sealed), token);
      if (step === null) return (await fail(sub, 'totp', 'invalid', ctx), 'invalid');
      if (row.lastUsedStep !== null && step <= row.lastUsedStep) return (await fail(sub, 'totp', 'replayed', ctx), 'replayed');
      const won = await deps.knex.transaction(async (trx) => {
        // The conditional update decides between concurrent uses of one code: only one changes the row.
        if (!(await repo.useStep(sub, sealed, step, trx))) return false;
        await deps.audit.record({ event: 'mfa.verified', ...who(sub, ctx), details: { method: 'totp' } }, trx);
        return true;
      });
      if (!won) return (await fail(sub, 'totp', 'replayed', ctx), 'replayed');
      await succeeded(sub, ctx);
      return 'ok';
    },

    /** Accepts an unused recovery code once (spaces, dashes and case ignored); same throttle as TOTP. */
    async verifyRecoveryCode(sub: string, code: string, ctx: MfaContext): Promise<'ok' | 'invalid' | 'throttled'> {
      if (await blocked(sub, ctx)) return (await fail(sub, 'recovery', 'throttled', ctx), 'throttled');
      const normal = typeof code === 'string' && code.length <= MAX_INPUT ? normaliseRecovery(code) : '';
      if (!RECOVERY_SHAPE.test(normal)) return (await fail(sub, 'recovery', 'malformed', ctx), 'invalid');
      let match: number | undefined;
      // One at a time: each verify takes 19 MiB, and at most ten codes are unused.
      const hasher = await argon2();
      for (const candidate of await repo.unusedCodes(sub)) {
        if (await hasher.verify(candidate.hash, normal)) {
          match = candidate.id;
          break;
        }
      }
      if (match === undefined) return (await fail(sub, 'recovery', 'invalid', ctx), 'invalid');
      const id = match;
      const won = await deps.knex.transaction(async (trx) => {
        // Conditional on still unused: of two concurrent uses of one code, one wins.
        if (!(await repo.markCodeUsed(id, deps.clock.now(), trx))) return false;
        const remaining = await repo.countUnusedCodes(sub, trx);
        await deps.audit.record({ event: 'mfa.verified', ...who(sub, ctx), details: { method: 'recovery', remaining } }, trx);
        return true;
      });
      if (!won) return (await fail(sub, 'recovery', 'invalid', ctx), 'invalid');
      await succeeded(sub, ctx);
      return 'ok';
    },

    /** Ten new recovery codes, shown once as `xxxxx-xxxxx`; the earlier ones stop working in the same transaction. */
    async regenerateRecoveryCodes(sub: string, ctx: MfaContext): Promise<string[]> {
      const { codes, hashes } = await freshCodes();
      await deps.knex.transaction(async (trx) => {
        await repo.replaceCodes(sub, hashes, deps.clock.now(), trx);
        await deps.audit.record({ event: 'mfa.recovery_codes_generated', ...who(sub, ctx), details: { count: codes.length } }, trx);
      });
      return codes;
    },
  };
};

/** The second-factor service's type, derived from its factory. */
export type MfaService = ReturnType<typeof createMfaService>;
