import type { KoaContextWithOIDC, errors } from 'oidc-provider';
import type { Render } from '../http/render.ts';
import { translator } from '../i18n/index.ts';
import { requestLang } from '../http/render.ts';
import { createErrorPages, type ErrorPage } from '../http/error-page.ts';
import type { Logger } from '../shared/logger.ts';
import type { ClientRegistry } from '../clients/app.ts';
import { ZONES } from '../zones/zones.ts';

/** Satu Akun's own zones as apps: their sign-out needs no second question. */
const ZONE_CLIENT_IDS: ReadonlySet<string> = new Set(Object.values(ZONES).map((z) => z.clientId));

type ErrorOut = { error: string; error_description?: string };

/** Protocol errors that mean the app's registration and its request do not match: its people must fix the app. */
const APP_SETUP_ERRORS = new Set(['invalid_client', 'unauthorized_client', 'invalid_redirect_uri', 'unsupported_response_type', 'invalid_client_metadata']);

/**
 * The app a protocol error page leads back to: the registered app's name and the origin of its first registered
 * redirect URI — never a URL from the request, which has not been checked when the error is about it.
 */
const appOf = (ctx: KoaContextWithOIDC): ErrorPage['app'] => {
  const client = ctx.oidc?.client;
  const first = client?.redirectUris?.[0];
  if (!client || !first || !/^https?:/.test(first)) return undefined;
  return { name: client.clientName ?? client.clientId, url: `${new URL(first).origin}/` };
};

/**
 * Whether the logout request's `id_token_hint` (already verified by oidc-provider: signature, issuer, audience) names
 * this browser's session: the same person, and the same session id for that client (or the same sign-in time when
 * the token carries no `sid`). oidc-provider checks neither.
 */
const hintIsThisSession = (ctx: KoaContextWithOIDC, clientId: string): boolean => {
  const hint = (ctx.oidc.entities as { IdTokenHint?: { payload?: { sub?: unknown; sid?: unknown; auth_time?: unknown } } }).IdTokenHint?.payload;
  const session = ctx.oidc.session;
  if (!hint || !session?.accountId || hint.sub !== session.accountId) return false;
  // Apps with back-channel logout get a `sid` in their ID tokens; the zones do not, so their sign-in time tells.
  if (typeof hint.sid === 'string') return hint.sid === session.sidFor(clientId);
  return typeof hint.auth_time === 'number' && hint.auth_time === session.loginTs;
};

/** The pages oidc-provider renders itself, in Satu Akun's look and language. */
export const createProviderPages = (deps: { render: Render; logger: Logger; clients: ClientRegistry }) => {
  const show = createErrorPages(deps);
  return {
    /** Errors that cannot be redirected to the app (unknown client, bad redirect_uri, ...): the one error page. */
    async renderError(ctx: KoaContextWithOIDC, out: ErrorOut, error: errors.OIDCProviderError | Error) {
      const status = 'status' in error && typeof error.status === 'number' ? error.status : 500;
      const t = translator(requestLang(ctx));
      const developer = { error: out.error, ...(out.error_description ? { description: out.error_description } : {}) };
      if (out.error === 'temporarily_unavailable') return show(ctx, { status: 503, message: t('error.unavailable'), developer });
      if (status >= 500) return show(ctx, { status, message: t('error.internal') }, error);
      const message = APP_SETUP_ERRORS.has(out.error) ? t('error.oidc_app_setup') : t('error.oidc_request');
      show(ctx, { status, message, developer, app: appOf(ctx) });
    },

    /**
     * Confirmation before RP-initiated logout, naming the apps this sign-out reaches; `form` is oidc-provider's own
     * form with its anti-forgery token. Satu Akun's own pages (my account, the portals) ask nothing here: their
     * "Keluar" button was the question, so the page confirms itself (a button remains for browsers without scripts) —
     * only when the ID token hint was issued to this very session: a hint is visible in the address bar, and one of
     * another person's sessions must not sign this browser out unasked.
     */
    async logoutSource(ctx: KoaContextWithOIDC, form: string) {
      const clientId = ctx.oidc.client?.clientId;
      const fromZone = !!clientId && ZONE_CLIENT_IDS.has(clientId) && hintIsThisSession(ctx, clientId);
      const authorized = Object.keys((ctx.oidc.session as { authorizations?: Record<string, unknown> } | undefined)?.authorizations ?? {});
      const apps = (await Promise.all(authorized.filter((id) => !ZONE_CLIENT_IDS.has(id)).map((id) => deps.clients.find(id)))).flatMap((app) => (app ? [app.name] : []));
      deps.render(ctx, 'logout', { form, appName: fromZone ? undefined : ctx.oidc.client?.clientName, apps, auto: fromZone });
    },

    async postLogoutSuccessSource(ctx: KoaContextWithOIDC) {
      deps.render(ctx, 'logged-out');
    },
  };
};
