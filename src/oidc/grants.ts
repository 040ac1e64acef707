import type { KoaContextWithOIDC } from 'oidc-provider';
import type { ConsentService } from '../consent/consent.service.ts';
import type { ClientRegistry } from '../clients/app.ts';
import { SCOPE_CLAIMS } from './claims.ts';

/**
 * Claims the app named on their own (the `claims` parameter, e.g. `roles` in the ID token) that the grant's scopes
 * already release: granted with them, so they reach the ID token too. A claim no granted scope covers stays out.
 */
const namedClaimsOf = (ctx: KoaContextWithOIDC, scopes: Iterable<string>): string[] => {
  const covered = new Set([...scopes].flatMap((s) => (SCOPE_CLAIMS as Record<string, readonly string[] | null>)[s] ?? []));
  return [...ctx.oidc.requestParamClaims].filter((c) => covered.has(c));
};

/**
 * oidc-provider's `loadExistingGrant`: the grant of this SSO session for the app, else a new grant built from the
 * person's recorded decision when it covers every requested scope, so the notice is shown only the first time. Satu
 * Akun's own zones show no notice: nothing leaves Satu Akun. A first-party app of the regency is not short-cut here:
 * its first sign-in reaches the notice step, which records what the app receives without showing the page
 * (src/interaction/steps.ts), so the staff portal can show it.
 */
export const createLoadExistingGrant = (deps: { consent: ConsentService; clients: ClientRegistry }) => async (ctx: KoaContextWithOIDC) => {
  const { oidc } = ctx;
  const clientId = oidc.client!.clientId;
  const grantId = oidc.result?.consent?.grantId ?? oidc.session!.grantIdFor(clientId);
  if (grantId) {
    const grant = await oidc.provider.Grant.find(grantId);
    const named = grant ? namedClaimsOf(ctx, grant.getOIDCScope().split(' ')).filter((c) => !grant.getOIDCClaims().includes(c)) : [];
    if (grant && named.length) {
      grant.addOIDCClaims(named);
      await grant.save();
    }
    return grant;
  }

  const accountId = oidc.session?.accountId;
  if (!accountId) return undefined;
  const requested = [...oidc.requestParamOIDCScopes];
  const zone = (await deps.clients.find(clientId))?.satuAkunZone;
  if (!zone && (await deps.consent.missing(accountId, clientId, requested)).length) return undefined;
  const grant = new oidc.provider.Grant({ accountId, clientId });
  grant.addOIDCScope(requested.join(' '));
  const named = namedClaimsOf(ctx, requested);
  if (named.length) grant.addOIDCClaims(named);
  await grant.save();
  return grant;
};
