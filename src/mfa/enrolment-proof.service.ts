import { createHmac, timingSafeEqual } from 'node:crypto';
import type { Knex } from 'knex';
import type { Account } from '../accounts/accounts.repo.ts';
import type { Config } from '../config/schema.ts';
import type { AuditService } from '../audit/audit.service.ts';
import { bilingual, translator } from '../i18n/index.ts';
import type { Message } from '../notify/outbox.repo.ts';
import type { Clock } from '../shared/clock.ts';
import type { Limiter } from '../throttle/limiter.ts';
import type { EnrolmentCodesRepo } from './enrolment-codes.repo.ts';
import { newRecoveryCode, normaliseRecovery, RECOVERY_SHAPE, secondFactorKey } from './mfa.service.ts';

/** What a person must show, besides the password, before their first second factor (configuration). */
export type FirstFactorProof = 'none' | 'email' | 'code';

/**
 * The configured proof, or the default: none with the embedded sample directory (the quick start has no mail), a code
 * by e-mail when SMTP is configured, else a code from an administrator (an e-mail that never leaves would lock out
 * everyone without a second factor).
 */
export const firstFactorProofOf = (config: Pick<Config, 'mfaEnrolment' | 'directory' | 'mail'>): FirstFactorProof =>
  config.mfaEnrolment.firstFactorProof ?? (config.directory.mode === 'embedded' ? 'none' : config.mail.smtpUrl ? 'email' : 'code');

const EMAIL_VALID_MS = 15 * 60_000;
/** An administrator hands the code over in person or by phone: it lasts a working week. */
const ADMIN_VALID_MS = 7 * 24 * 3600_000;
/** A new e-mail no sooner than this after the last one: a page reload must not flood the person's mailbox. */
const RESEND_AFTER_MS = 60_000;

/** `d***i@contoh.go.id`: enough for the person to recognise their address, not enough to harvest it. */
export const maskEmail = (email: string): string => {
  const [local = '', domain = ''] = email.split('@');
  return `${local.slice(0, 1)}***${local.length > 1 ? local.slice(-1) : ''}@${domain}`;
};

interface Deps {
  knex: Knex;
  repo: EnrolmentCodesRepo;
  clock: Clock;
  audit: AuditService;
  limiter: Limiter;
  mode: FirstFactorProof;
  /**
   * Key the stored hash, so a copy of the table alone does not give the codes away: the first hashes new codes, every
   * one is tried when checking, so rotating the (cookie) keys by prepending does not void codes already handed out.
   */
  hashKeys: string[];
  enqueue: (messages: Message[], trx: Knex) => Promise<void>;
  flush: () => Promise<unknown>;
}

/**
 * The first second factor is not set up on the password alone (issue 8 §4): whoever merely knows a person's password
 * would otherwise bind their own authenticator to the account. The person first types a code that reached them
 * another way: sent to their official e-mail (`email`), or handed over by an administrator (`code`; also possible in
 * `email` mode, for someone without an e-mail address). Codes are single-use, expire, and spend the person's
 * second-factor guessing budget.
 */
export const createEnrolmentProof = (deps: Deps) => {
  const hashWith = (key: string, directoryId: string, code: string) => createHmac('sha256', key).update(`enrolment:${directoryId}:${normaliseRecovery(code)}`).digest();
  const hash = (directoryId: string, code: string) => hashWith(deps.hashKeys[0]!, directoryId, code).toString('hex');
  const now = () => deps.clock.now().getTime();

  /** Stores a fresh code for the person (replacing any other), returns it in clear, once. */
  const store = async (directoryId: string, channel: 'email' | 'admin', issuedBy: string | null, validMs: number, db: Knex) => {
    const code = newRecoveryCode();
    await deps.repo.put({ directoryId, codeHash: hash(directoryId, code), channel, issuedBy, createdAt: now(), expiresAt: now() + validMs }, db);
    return code;
  };

  return {
    required: deps.mode !== 'none',
    mode: deps.mode,

    /**
     * E-mail mode: sends a code to the person's official address unless one went out in the last minute. Returns
     * where it went (masked), or `no_email` when the directory has no address for them (an administrator's code helps).
     */
    async send(account: Account, ctx: { ip: string; clientId?: string }): Promise<{ sentTo: string } | { problem: 'no_email' }> {
      const email = account.profile.email;
      if (!email) return { problem: 'no_email' };
      if (!(await deps.repo.sentSince(account.directoryId, 'email', now() - RESEND_AFTER_MS))) {
        await deps.knex.transaction(async (trx) => {
          const code = await store(account.directoryId, 'email', null, EMAIL_VALID_MS, trx);
          const params = { code, minutes: EMAIL_VALID_MS / 60_000 };
          const body = `${translator('id')('enrolment_proof.mail.body', params)}\n\n${translator('en')('enrolment_proof.mail.body', params)}\n`;
          const message = { recipient: email, subject: bilingual('enrolment_proof.mail.subject'), body, sensitive: true };
          await deps.enqueue([message], trx);
          await deps.audit.record({ event: 'mfa.enrolment_code_sent', actor: account.sub, subject: account.sub, clientId: ctx.clientId ?? null, ip: ctx.ip, details: { channel: 'email' } }, trx);
        });
        await deps.flush();
      }
      return { sentTo: maskEmail(email) };
    },

    /** An administrator's code for the person with `directoryId` (their account `sub`, if any, for the trail). */
    async issue(admin: { sub: string }, person: { directoryId: string; sub?: string }, ctx: { ip: string; clientId?: string }): Promise<string> {
      return deps.knex.transaction(async (trx) => {
        const code = await store(person.directoryId, 'admin', admin.sub, ADMIN_VALID_MS, trx);
        await deps.audit.record({ event: 'mfa.enrolment_code_issued', actor: admin.sub, subject: person.sub ?? `directory:${person.directoryId}`, clientId: ctx.clientId ?? null, ip: ctx.ip, details: { validDays: ADMIN_VALID_MS / (24 * 3600_000) } }, trx);
        return code;
      });
    },

    /** Checks and uses up a code: `ok` once, `invalid` for a wrong, used or expired one, `throttled` past the budget. */
    async verify(account: Account, code: unknown, ctx: { ip: string; clientId?: string; device?: string | undefined }): Promise<'ok' | 'invalid' | 'throttled'> {
      const who = { actor: account.sub, subject: account.sub, clientId: ctx.clientId ?? null, ip: ctx.ip };
      if ((await deps.limiter.take(secondFactorKey(account.sub, ctx))).retryAfterMs) {
        await deps.audit.record({ event: 'mfa.failed', ...who, details: { method: 'enrolment_code', reason: 'throttled' } });
        return 'throttled';
      }
      const typed = typeof code === 'string' && code.length <= 64 ? normaliseRecovery(code) : '';
      const rows = RECOVERY_SHAPE.test(typed) ? await deps.repo.forPerson(account.directoryId) : [];
      const given = deps.hashKeys.map((key) => hashWith(key, account.directoryId, typed));
      const row = rows.find((r) => r.expiresAt > now() && given.some((g) => timingSafeEqual(Buffer.from(r.codeHash, 'hex'), g)));
      // Conditional on the same hash: of two concurrent uses of one code, one wins.
      const won = !!row && (await deps.repo.take(account.directoryId, row.channel, row.codeHash));
      if (!won) {
        await deps.audit.record({ event: 'mfa.failed', ...who, details: { method: 'enrolment_code', reason: 'invalid' } });
        return 'invalid';
      }
      await deps.limiter.clear(secondFactorKey(account.sub, ctx));
      await deps.audit.record({ event: 'mfa.enrolment_code_used', ...who, details: { channel: row!.channel === 'admin' ? 'admin' : 'email' } });
      return 'ok';
    },
  };
};

export type EnrolmentProof = ReturnType<typeof createEnrolmentProof>;
