import type { Knex } from 'knex';
import type { AuthenticationResponseJSON, RegistrationResponseJSON } from '@simplewebauthn/server';
import type { AuditService } from '../audit/audit.service.ts';
import type { Clock } from '../shared/clock.ts';
import type { Logger } from '../shared/logger.ts';
import type { Limiter } from '../throttle/limiter.ts';
import { secondFactorKey } from './mfa.service.ts';
import type { WebauthnRepo } from './webauthn.repo.ts';

/** @simplewebauthn/server and its ASN.1 stack (some 200 modules) loaded at the first ceremony, not at start. */
const simplewebauthn = () => import('@simplewebauthn/server');

const b64 = (bytes: Uint8Array) => Buffer.from(bytes).toString('base64url');

/** Where a ceremony came from, for the audit trail. */
export interface CeremonyContext {
  ip: string;
  clientId?: string;
  /** A browser this person signed in from before (its own guessing budget). */
  device?: string | undefined;
}

/**
 * WebAuthn / passkeys as a second factor (@simplewebauthn/server does the verification). The relying party is the
 * issuer's host; a ceremony's challenge is kept by the caller (on the sign-in interaction) and used once.
 */
export const createWebauthnService = (deps: { knex: Knex; repo: WebauthnRepo; clock: Clock; audit: AuditService; logger: Logger; limiter: Limiter; issuer: string; rpName: string }) => {
  const { repo } = deps;
  const origin = new URL(deps.issuer).origin;
  const rpID = new URL(deps.issuer).hostname;
  const who = (sub: string, ctx: CeremonyContext) => ({ actor: sub, subject: sub, clientId: ctx.clientId ?? null, ip: ctx.ip });

  return {
    count: async (sub: string) => (await repo.list(sub)).length,

    /** Options for adding a credential (existing ones excluded so one authenticator is not registered twice). */
    async registrationOptions(sub: string, username: string, displayName: string) {
      return (await simplewebauthn()).generateRegistrationOptions({
        rpName: deps.rpName,
        rpID,
        userName: username,
        userDisplayName: displayName,
        userID: new TextEncoder().encode(sub),
        attestationType: 'none',
        excludeCredentials: (await repo.list(sub)).map((p) => ({ id: p.id, transports: p.transports })),
        authenticatorSelection: { residentKey: 'preferred', userVerification: 'preferred' },
      });
    },

    /** Verifies a registration against its challenge and stores the credential under `name`; false when refused. */
    async register(sub: string, response: RegistrationResponseJSON | undefined, challenge: string | undefined, name: string, ctx: CeremonyContext, trx?: Knex.Transaction): Promise<boolean> {
      const webauthn = await simplewebauthn();
      try {
        if (!challenge || !response) throw new Error('no ceremony was offered, or no response came back');
        const result = await webauthn.verifyRegistrationResponse({ response, expectedChallenge: challenge, expectedOrigin: origin, expectedRPID: rpID });
        if (!result.verified) throw new Error('not verified');
        const { credential } = result.registrationInfo;
        // The credential and its audit record commit together (in the caller's transaction when given one).
        const store = async (db: Knex.Transaction) => {
          await repo.insert({ id: credential.id, sub, publicKey: b64(credential.publicKey), counter: credential.counter, transports: credential.transports ?? [], name }, deps.clock.now(), db);
          await deps.audit.record({ event: 'mfa.webauthn_enrolled', ...who(sub, ctx), details: { name } }, db);
        };
        if (trx) await store(trx);
        else await deps.knex.transaction(store);
        return true;
      } catch (err) {
        deps.logger.info({ err: (err as Error).message }, 'webauthn registration refused');
        await deps.audit.record({ event: 'mfa.failed', ...who(sub, ctx), details: { method: 'webauthn', reason: 'invalid' } });
        return false;
      }
    },

    async authenticationOptions(sub: string) {
      return (await simplewebauthn()).generateAuthenticationOptions({ rpID, userVerification: 'preferred', allowCredentials: (await repo.list(sub)).map((p) => ({ id: p.id, transports: p.transports })) });
    },

    /**
     * Verifies an assertion by one of this person's credentials against its challenge; audited either way. A failure
     * spends the same guessing budget as a wrong code; `throttled` when the budget is spent (nothing is checked).
     */
    async authenticate(sub: string, response: AuthenticationResponseJSON | undefined, challenge: string | undefined, ctx: CeremonyContext): Promise<'ok' | 'invalid' | 'throttled'> {
      if ((await deps.limiter.take(secondFactorKey(sub, ctx))).retryAfterMs) {
        await deps.audit.record({ event: 'mfa.failed', ...who(sub, ctx), details: { method: 'webauthn', reason: 'throttled' } });
        return 'throttled';
      }
      const passkey = (await repo.list(sub)).find((p) => p.id === response?.id);
      // Loaded before the try: a library that cannot load is a server error, never a failed ceremony that costs budget.
      const webauthn = await simplewebauthn();
      try {
        if (!challenge || !response) throw new Error('no ceremony was offered, or no response came back');
        if (!passkey) throw new Error('unknown credential for this person');
        const result = await webauthn.verifyAuthenticationResponse({
          response,
          expectedChallenge: challenge,
          expectedOrigin: origin,
          expectedRPID: rpID,
          credential: { id: passkey.id, publicKey: Buffer.from(passkey.publicKey, 'base64url'), counter: passkey.counter, transports: passkey.transports },
        });
        if (!result.verified) throw new Error('not verified');
        const won = await deps.knex.transaction(async (trx) => {
          if (!(await repo.used(passkey.id, result.authenticationInfo.newCounter, deps.clock.now(), trx))) return false;
          await deps.audit.record({ event: 'mfa.verified', ...who(sub, ctx), details: { method: 'webauthn' } }, trx);
          return true;
        });
        if (!won) throw new Error('signature counter did not advance');
        await deps.limiter.clear(secondFactorKey(sub, ctx));
        return 'ok';
      } catch (err) {
        deps.logger.info({ err: (err as Error).message }, 'webauthn authentication refused');
        await deps.audit.record({ event: 'mfa.failed', ...who(sub, ctx), details: { method: 'webauthn', reason: 'invalid' } });
        return 'invalid';
      }
    },
  };
};

export type WebauthnService = ReturnType<typeof createWebauthnService>;
