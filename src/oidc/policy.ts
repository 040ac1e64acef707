import { interactionPolicy } from 'oidc-provider';
import type { AccountsService } from '../accounts/accounts.service.ts';
import type { ClientRegistry } from '../clients/app.ts';
import type { AccessService } from '../access/access.service.ts';
import { accessPrompt } from '../access/access-check.ts';
import { networkPrompt } from '../access/network-check.ts';
import { levelChecks } from '../levels/level-check.ts';
import type { Clock } from '../shared/clock.ts';

/**
 * The interaction policy, in order: network ranges (level 3), login (oidc-provider's checks plus the security level),
 * access rule, consent (the first-time notice).
 */
export const createInteractionPolicy = (deps: { clients: ClientRegistry; accounts: AccountsService; access: AccessService; clock: Clock }) => {
  const policy = interactionPolicy.base();
  for (const check of levelChecks(deps.clients, deps.clock)) policy.get('login')!.checks.add(check);
  policy.add(networkPrompt(deps.clients), 0);
  policy.add(accessPrompt(deps), policy.indexOf(policy.get('consent')!));
  return policy;
};
