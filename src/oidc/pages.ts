import type { KoaContextWithOIDC, errors } from 'oidc-provider';
import type { Render } from '../http/render.ts';
import { translator, pickLang } from '../i18n/index.ts';
import type { Logger } from '../shared/logger.ts';

type ErrorOut = { error: string; error_description?: string };

/** The pages oidc-provider renders itself, in Satu Akun's look and language. */
export const createProviderPages = (deps: { render: Render; logger: Logger }) => ({
  /** Errors that cannot be redirected to the app (unknown client, bad redirect_uri, ...). */
  async renderError(ctx: KoaContextWithOIDC, out: ErrorOut, error: errors.OIDCProviderError | Error) {
    const status = 'status' in error && typeof error.status === 'number' ? error.status : 500;
    if (status >= 500) deps.logger.error({ err: error }, 'provider error');
    const t = translator(pickLang(ctx.cookies.get('sa_lang', { signed: false })));
    const detail = out.error_description ? `${out.error}: ${out.error_description}` : out.error;
    const message = out.error === 'temporarily_unavailable' ? t('error.unavailable') : status >= 500 ? t('error.internal') : t('error.oidc', { error: detail });
    deps.render(ctx, 'error', { message });
  },

  /** Confirmation before RP-initiated logout; `form` is oidc-provider's own form with its anti-forgery token. */
  async logoutSource(ctx: KoaContextWithOIDC, form: string) {
    deps.render(ctx, 'logout', { form, appName: ctx.oidc.client?.clientName });
  },

  async postLogoutSuccessSource(ctx: KoaContextWithOIDC) {
    deps.render(ctx, 'logged-out');
  },
});
