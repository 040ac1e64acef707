import { interactionPolicy, type KoaContextWithOIDC } from 'oidc-provider';
import type { ClientRegistry } from '../clients/clients.repo.ts';
import { levelOf, requiredLevel } from './levels.ts';

const { Check } = interactionPolicy;

/** The reason oidc-provider reports when the SSO session is signed in but below the level this request needs. */
export const LEVEL_NOT_MET = 'satu_akun_level';

/** The level this authorization request needs: the app's, raised by `acr_values`. */
export const levelForRequest = async (clients: ClientRegistry, clientId: string, acrValues: unknown): Promise<number> =>
  requiredLevel((await clients.find(clientId))?.level ?? 1, acrValues);

/**
 * A login check: a session below the level the request needs goes back to the sign-in interaction, which asks only
 * for what is missing (step-up). With `prompt=none` the app gets `login_required`.
 */
export const levelCheck = (clients: ClientRegistry) =>
  new Check(LEVEL_NOT_MET, 'a higher security level is required', 'login_required', async (ctx: KoaContextWithOIDC) => {
    const { oidc } = ctx;
    if (!oidc.session?.accountId) return Check.NO_NEED_TO_PROMPT;
    const needed = await levelForRequest(clients, oidc.client!.clientId, oidc.params!.acr_values);
    return levelOf(oidc.session.acr) < needed ? Check.REQUEST_PROMPT : Check.NO_NEED_TO_PROMPT;
  });
