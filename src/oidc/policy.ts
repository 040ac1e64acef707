import { interactionPolicy } from 'oidc-provider';
import type { AccountsService } from '../accounts/accounts.service.ts';
import type { ClientRegistry } from '../clients/clients.repo.ts';
import type { AccessService } from '../access/access.service.ts';
import { accessPrompt } from '../access/access-check.ts';
import { levelCheck } from '../levels/level-check.ts';

/**
 * The interaction policy, in order: login (oidc-provider's checks plus the security level), access rule, consent
 * (the first-time notice).
 */
export const createInteractionPolicy = (deps: { clients: ClientRegistry; accounts: AccountsService; access: AccessService }) => {
  const policy = interactionPolicy.base();
  policy.get('login')!.checks.add(levelCheck(deps.clients));
  policy.add(accessPrompt(deps), policy.indexOf(policy.get('consent')!));
  return policy;
};
