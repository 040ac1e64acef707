import type { Knex } from 'knex';
import type { AuditService } from '../audit/audit.service.ts';
import { AppError } from '../http/errors.ts';
import type { Clock } from '../shared/clock.ts';
import type { MfaRepo } from './mfa.repo.ts';
import type { WebauthnRepo } from './webauthn.repo.ts';

/** Where a change came from, for the audit trail. */
export interface ChangeContext {
  ip: string;
  clientId?: string;
}

/** A person's second factors as their security page and the admin console show them (no secret, no key). */
export interface FactorSummary {
  /** The confirmed authenticator app, if any. */
  totp: { confirmedAt: Date | null } | null;
  passkeys: { id: string; name: string; createdAt: Date; lastUsedAt: Date | null }[];
  recoveryCodesLeft: number;
  /** An authenticator app or a passkey: what makes level 2 reachable (recovery codes alone do not count). */
  any: boolean;
}

/** What an administrator's reset removed. */
export interface ResetOutcome {
  /** Named so, not `totp`: the audit trail drops detail keys that name a secret (`totp`, `code`…). */
  authenticatorApp: boolean;
  passkeys: number;
  recoveryCodes: number;
}

const NAME_MAX = 60;
const REASON_MIN = 10;
const REASON_MAX = 500;
// C0/C1 controls and line/paragraph separators: a name is one line of plain text.
const CONTROL = /[\u0000-\u001f\u007f-\u009f\u2028\u2029]/;

/** A passkey name as typed: trimmed, 1–60 characters, one line; otherwise a clear error. */
export const passkeyName = (raw: unknown): string => {
  const name = typeof raw === 'string' ? raw.trim() : '';
  const length = [...name].length;
  if (length < 1 || length > NAME_MAX || CONTROL.test(name)) throw new AppError('security.name_invalid', 400, { max: NAME_MAX });
  return name;
};

/** An administrator's reason for a reset: trimmed, at least 10 characters (it is read later in the audit trail). */
export const resetReason = (raw: unknown): string => {
  const reason = typeof raw === 'string' ? raw.trim() : '';
  if ([...reason].length < REASON_MIN) throw new AppError('admin.reset.reason_short', 400, { min: REASON_MIN });
  return reason.slice(0, REASON_MAX);
};

/**
 * A person's second factors as a whole (issue 3): what they have, and the changes that concern more than one kind of
 * factor. Removing the last factor also voids the recovery codes, so that no code can stand in for a factor the person
 * no longer has. Every change commits in one transaction with its audit record. Ids always go with the owner's `sub`:
 * someone else's credential is "not found".
 */
/** A WebAuthn credential id as stored (base64url): anything else, a NUL byte in a path say, is simply not found. */
const CREDENTIAL_ID = /^[A-Za-z0-9_-]{1,1024}$/;

export const createFactorsService = (deps: { knex: Knex; totp: MfaRepo; passkeys: WebauthnRepo; clock: Clock; audit: AuditService; firstFactorNeedsProof?: boolean }) => {
  const { totp, passkeys } = deps;
  const who = (sub: string, ctx: ChangeContext) => ({ actor: sub, subject: sub, clientId: ctx.clientId ?? null, ip: ctx.ip });
  const notFound = () => new AppError('security.passkey_not_found', 404);

  /** Whether anything but `except` still makes level 2 reachable for `sub`. */
  const othersLeft = async (sub: string, except: 'totp' | 'passkey', db: Knex) =>
    (except !== 'totp' && !!(await totp.findTotp(sub, db))?.secretEnc) || (await passkeys.count(sub, db)) > 0;

  const hasAny = async (sub: string) => !!(await totp.findTotp(sub))?.secretEnc || (await passkeys.count(sub)) > 0;

  return {
    async summary(sub: string): Promise<FactorSummary> {
      const [row, list, left] = await Promise.all([totp.findTotp(sub), passkeys.list(sub), totp.countUnusedCodes(sub)]);
      const enrolled = row?.secretEnc ? { confirmedAt: row.confirmedAt } : null;
      return {
        totp: enrolled,
        passkeys: list.map(({ id, name, createdAt, lastUsedAt }) => ({ id, name, createdAt, lastUsedAt })),
        recoveryCodesLeft: left,
        any: !!enrolled || list.length > 0,
      };
    },

    hasAny,

    /**
     * Whether `sub` may add a factor with the session they have: always when both factors were proven recently
     * (`fresh`), and without that only their first factor, exactly like enrolment on demand at sign-in (a password
     * alone must never add a factor beside, or instead of, an existing one).
     */
    /**
     * Whether `sub` may add a factor here now: with both factors proven recently, or, for a first factor, with the
     * level-1 session only when no proof besides the password is configured. Otherwise the person is sent through a
     * sign-in, which asks for that proof (src/mfa/enrolment-proof.service.ts) before enrolment on demand.
     */
    mayAdd: async (sub: string, fresh: boolean): Promise<boolean> => fresh || (!deps.firstFactorNeedsProof && !(await hasAny(sub))),

    /** One of `sub`'s passkeys; 404 for an unknown id or someone else's. */
    async passkey(sub: string, id: string) {
      const found = CREDENTIAL_ID.test(id) ? await passkeys.find(sub, id) : undefined;
      if (!found) throw notFound();
      return { id: found.id, name: found.name, createdAt: found.createdAt, lastUsedAt: found.lastUsedAt };
    },

    /** Whether removing this factor would leave `sub` without any (the confirmation page says what that means). */
    async wouldBeLast(sub: string, factor: 'totp' | 'passkey'): Promise<boolean> {
      if (factor === 'totp') return (await passkeys.count(sub)) === 0;
      return !(await totp.findTotp(sub))?.secretEnc && (await passkeys.count(sub)) <= 1;
    },

    async renamePasskey(sub: string, id: string, rawName: unknown, ctx: ChangeContext): Promise<void> {
      const to = passkeyName(rawName);
      await deps.knex.transaction(async (trx) => {
        const found = CREDENTIAL_ID.test(id) ? await passkeys.find(sub, id, trx) : undefined;
        if (!found) throw notFound();
        if (found.name === to) return;
        await passkeys.rename(sub, id, to, trx);
        await deps.audit.record({ event: 'mfa.webauthn_renamed', ...who(sub, ctx), details: { from: found.name, to } }, trx);
      });
    },

    async removePasskey(sub: string, id: string, ctx: ChangeContext): Promise<{ lastFactor: boolean }> {
      return deps.knex.transaction(async (trx) => {
        const found = CREDENTIAL_ID.test(id) ? await passkeys.find(sub, id, trx) : undefined;
        if (!found) throw notFound();
        await passkeys.remove(sub, id, trx);
        const lastFactor = !(await othersLeft(sub, 'passkey', trx));
        if (lastFactor) await totp.deleteCodes(sub, trx);
        await deps.audit.record({ event: 'mfa.webauthn_removed', ...who(sub, ctx), details: { name: found.name, lastFactor } }, trx);
        return { lastFactor };
      });
    },

    /** Removes the authenticator app (and an enrolment in progress). */
    async removeTotp(sub: string, ctx: ChangeContext): Promise<{ lastFactor: boolean }> {
      return deps.knex.transaction(async (trx) => {
        if (!(await totp.findTotp(sub, trx))?.secretEnc) throw new AppError('security.totp_not_enrolled', 404);
        await totp.deleteTotp(sub, trx);
        const lastFactor = !(await othersLeft(sub, 'totp', trx));
        if (lastFactor) await totp.deleteCodes(sub, trx);
        await deps.audit.record({ event: 'mfa.totp_removed', ...who(sub, ctx), details: { lastFactor } }, trx);
        return { lastFactor };
      });
    },

    /**
     * The administrator's reset: every TOTP secret (confirmed or pending), passkey and recovery code of `subject`
     * removed in one transaction with the audit record naming `actor` and the reason. Null when there was nothing to
     * remove (nothing is recorded then). The person enrols again at their next level-2 sign-in.
     */
    async reset(subject: string, actor: string, rawReason: unknown, ctx: ChangeContext): Promise<ResetOutcome | null> {
      const reason = resetReason(rawReason);
      return deps.knex.transaction(async (trx) => {
        const hadTotp = !!(await totp.findTotp(subject, trx))?.secretEnc;
        await totp.deleteTotp(subject, trx);
        const removed: ResetOutcome = { authenticatorApp: hadTotp, passkeys: await passkeys.removeAll(subject, trx), recoveryCodes: await totp.deleteCodes(subject, trx) };
        if (!removed.authenticatorApp && !removed.passkeys && !removed.recoveryCodes) return null;
        await deps.audit.record({ event: 'mfa.reset', actor, subject, clientId: ctx.clientId ?? null, ip: ctx.ip, details: { reason, removed } }, trx);
        return removed;
      });
    },
  };
};

/** The factors service's type, derived from its factory. */
export type FactorsService = ReturnType<typeof createFactorsService>;
