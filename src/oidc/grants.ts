import type { KoaContextWithOIDC } from 'oidc-provider';
import type { ConsentService } from '../consent/consent.service.ts';
import type { ClientRegistry } from '../clients/app.ts';

/**
 * oidc-provider's `loadExistingGrant`: the grant of this SSO session for the app, else a new grant built from the
 * person's recorded decision when it covers every requested scope, so the notice is shown only the first time. Satu
 * Akun's own zones show no notice: nothing leaves Satu Akun.
 */
export const createLoadExistingGrant = (deps: { consent: ConsentService; clients: ClientRegistry }) => async (ctx: KoaContextWithOIDC) => {
  const { oidc } = ctx;
  const clientId = oidc.client!.clientId;
  const grantId = oidc.result?.consent?.grantId ?? oidc.session!.grantIdFor(clientId);
  if (grantId) return oidc.provider.Grant.find(grantId);

  const accountId = oidc.session?.accountId;
  if (!accountId) return undefined;
  const requested = [...oidc.requestParamOIDCScopes];
  const firstParty = (await deps.clients.find(clientId))?.firstParty;
  if (!firstParty && (await deps.consent.missing(accountId, clientId, requested)).length) return undefined;
  const grant = new oidc.provider.Grant({ accountId, clientId });
  grant.addOIDCScope(requested.join(' '));
  await grant.save();
  return grant;
};
