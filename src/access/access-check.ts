import { interactionPolicy, type KoaContextWithOIDC } from 'oidc-provider';
import type { AccountsService } from '../accounts/accounts.service.ts';
import type { ClientRegistry } from '../clients/app.ts';
import type { AccessService } from './access.service.ts';

const { Check, Prompt } = interactionPolicy;

/** The prompt shown when the signed-in person is outside the app's access rule. */
export const ACCESS_PROMPT = 'access';

/**
 * A prompt after login, checked on every authorization (also when single sign-on would show no page): a person
 * outside the app's rule is stopped at a page naming the app and whom to ask; with `prompt=none` the app gets
 * `access_denied`.
 */
export const accessPrompt = (deps: { clients: ClientRegistry; accounts: AccountsService; access: AccessService }) =>
  new Prompt(
    { name: ACCESS_PROMPT, requestable: false },
    new Check('satu_akun_access', 'the person is not allowed to use this app', 'access_denied', async (ctx: KoaContextWithOIDC) => {
      const sub = ctx.oidc.session?.accountId;
      if (!sub) return Check.NO_NEED_TO_PROMPT;
      const app = await deps.clients.find(ctx.oidc.client!.clientId);
      // Most apps are open to all staff: decide those without reading the account (every authorization passes here).
      if (app?.access.kind === 'all') return Check.NO_NEED_TO_PROMPT;
      const account = await deps.accounts.find(sub);
      if (!app || !account) return Check.REQUEST_PROMPT;
      return (await deps.access.allows(app, account)) ? Check.NO_NEED_TO_PROMPT : Check.REQUEST_PROMPT;
    }),
  );
