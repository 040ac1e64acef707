import type Provider from 'oidc-provider';
import type { AuditEvent, AuditService } from '../audit/audit.service.ts';
import { levelOf } from '../levels/levels.ts';
import type { Limits, Take } from '../throttle/limiter.ts';
import type { Metrics } from './metrics.ts';

/** The grant types Satu Akun serves; anything else a client sends is counted as `other` (the label stays bounded). */
const GRANT_TYPES = new Set(['authorization_code', 'refresh_token', 'client_credentials']);

interface OidcCtx {
  oidc?: { route?: string; params?: { grant_type?: unknown }; result?: { login?: { acr?: unknown } } };
}

const grantType = (ctx: OidcCtx) => {
  const type = ctx.oidc?.params?.grant_type;
  return typeof type === 'string' && GRANT_TYPES.has(type) ? type : 'other';
};

/** A level as a label: 1 to 3, or `none` for an acr Satu Akun does not issue. */
const levelLabel = (acr: unknown) => String(levelOf(acr) || 'none');

/**
 * Counts from oidc-provider's own events: token grants by type and result, and completed sign-ins by the level they
 * reached. A sign-in is complete when the interaction hands a login back to the provider (`interaction.ended` on
 * resume, with the login result's `acr`): after the password alone, or after the second factor.
 */
export const observeProvider = (provider: Provider, metrics: Metrics): void => {
  provider.on('grant.success', (ctx: OidcCtx) => metrics.tokenGrants.inc({ grant_type: grantType(ctx), result: 'success' }));
  provider.on('grant.error', (ctx: OidcCtx) => metrics.tokenGrants.inc({ grant_type: grantType(ctx), result: 'error' }));
  provider.on('server_error', (ctx: OidcCtx) => {
    if (ctx.oidc?.route === 'token') metrics.tokenGrants.inc({ grant_type: grantType(ctx), result: 'error' });
  });
  provider.on('interaction.ended', (ctx: OidcCtx) => {
    const login = ctx.oidc?.result?.login;
    if (login) metrics.signins.inc({ result: 'success', level: levelLabel(login.acr) });
  });
};

/** The refused sign-ins, from the audit events that already record them: the reason, and the step's level. */
const refusal = (event: AuditEvent): { result: string; level: string } | undefined => {
  if (event.event === 'signin.failure') return { result: event.details.reason, level: '1' };
  if (event.event === 'signin.directory_unavailable') return { result: 'directory_unavailable', level: '1' };
  // A code given to prove the first factor before enrolling is not a sign-in step.
  if (event.event === 'mfa.failed' && event.details.method !== 'enrolment_code') return { result: 'second_factor_refused', level: '2' };
  return undefined;
};

/**
 * The audit service with refused sign-ins counted once their record is written. Only the event's name and its fixed
 * reason are read: never the actor, subject or address.
 */
export const observeAudit = (audit: AuditService, metrics: Metrics): AuditService => ({
  ...audit,
  record: async (event, trx) => {
    const written = await audit.record(event, trx);
    const counted = refusal(event);
    if (counted) metrics.signins.inc(counted);
    return written;
  },
});

/** The guessing limiters with their blocks counted: a block started, and each attempt refused while one lasts. */
export const observeLimits = (limits: Limits, metrics: Metrics): Limits => {
  const observe = (limiter: string, inner: Limits[keyof Limits]): Limits[keyof Limits] => ({
    ...inner,
    take: async (key: string): Promise<Take> => {
      const taken = await inner.take(key);
      if (taken.retryAfterMs) metrics.throttleBlocks.inc({ limiter, event: 'refused' });
      else if (taken.left === 0) metrics.throttleBlocks.inc({ limiter, event: 'started' });
      return taken;
    },
  });
  return { password: observe('password', limits.password), address: observe('address', limits.address), secondFactor: observe('second_factor', limits.secondFactor) };
};
