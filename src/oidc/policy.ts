import { interactionPolicy, type KoaContextWithOIDC } from 'oidc-provider';
import type { AccountsService } from '../accounts/accounts.service.ts';
import type { ClientRegistry } from '../clients/app.ts';
import type { AccessService } from '../access/access.service.ts';
import { accessPrompt } from '../access/access-check.ts';
import { networkPrompt } from '../access/network-check.ts';
import { levelChecks } from '../levels/level-check.ts';
import type { Clock } from '../shared/clock.ts';

/**
 * A session whose account is no longer active (suspended, disabled, or suspended between the password and the second
 * factor): `findAccount` finds nobody, so the person is asked to sign in again, which tells them why they cannot.
 * Without this check oidc-provider would go on to the consent checks with no account and no grant.
 */
const accountInactive = new interactionPolicy.Check('satu_akun_account_inactive', 'the account of this session is not active', 'login_required', (ctx: KoaContextWithOIDC) =>
  ctx.oidc.session?.accountId && !ctx.oidc.account ? interactionPolicy.Check.REQUEST_PROMPT : interactionPolicy.Check.NO_NEED_TO_PROMPT,
);

/**
 * The interaction policy, in order: network ranges (level 3), login (oidc-provider's checks plus the security level),
 * access rule, consent (the first-time notice).
 *
 * Two of oidc-provider's checks give way to Satu Akun's own. An essential `acr` in the `claims` parameter is a level
 * the level checks enforce: oidc-provider's `essential_acr(s)` would ask for a new sign-in whenever the session's
 * `acr` is not that exact value, even when it is a higher level. And data is released by the scopes Diskominfo
 * approved, with the purpose the person was shown: a claim named in the `claims` parameter is not granted on its own,
 * so `op_claims_missing` would ask for a consent that never comes and send the browser round in circles.
 */
export const createInteractionPolicy = (deps: { clients: ClientRegistry; accounts: AccountsService; access: AccessService; clock: Clock }) => {
  const policy = interactionPolicy.base();
  for (const reason of ['essential_acr', 'essential_acrs']) policy.get('login')!.checks.remove(reason);
  policy.get('consent')!.checks.remove('op_claims_missing');
  policy.get('login')!.checks.add(accountInactive, 0);
  for (const check of levelChecks(deps.clients, deps.clock)) policy.get('login')!.checks.add(check);
  policy.add(networkPrompt(deps.clients), 0);
  policy.add(accessPrompt(deps), policy.indexOf(policy.get('consent')!));
  return policy;
};
