import type { Context } from 'koa';
import { z } from 'zod';
import { verifyCsrf } from '../../http/csrf.ts';
import { cappedText, readForm } from '../../http/form-fields.ts';
import { requestLang } from '../../http/render.ts';
import { translator, type MessageKey } from '../../i18n/index.ts';
import type { FactorsService } from '../../mfa/factors.service.ts';
import type { MfaService } from '../../mfa/mfa.service.ts';
import type { WebauthnService } from '../../mfa/webauthn.service.ts';
import type { Clock } from '../../shared/clock.ts';
import type { ZoneUser } from '../../zones/zone.ts';
import type { ZoneRouterDeps } from '../../zones/zone-router.ts';
import { ZONES } from '../../zones/zones.ts';

export const BASE = `${ZONES.account.base}/keamanan`;
export const TOTP_PAGE = `${BASE}/autentikator`;
export const REMOVE_TOTP_PAGE = `${BASE}/autentikator/hapus`;
export const PASSKEY_PAGE = `${BASE}/passkey`;
export const CODES_PAGE = `${BASE}/kode-pemulihan`;
/** The page of one of the person's passkeys. */
export const passkeyPage = (id: string, action: 'ubah' | 'hapus') => `${BASE}/passkey/${encodeURIComponent(id)}/${action}`;

/** What a redirect back to the list may announce (`?done=`). */
export const DONE = new Map<string, MessageKey>([
  ['totp_removed', 'security.done.totp_removed'],
  ['passkey_added', 'security.done.passkey_added'],
  ['passkey_renamed', 'security.done.passkey_renamed'],
  ['passkey_removed', 'security.done.passkey_removed'],
]);

/** The fields of my security's forms, length-capped; what they mean is the services' to decide. */
const securityForm = z.object({ code: cappedText(64), name: cappedText(200), response: cappedText(16_000) });
/** The fields of a form post of my security. */
export const fields = (body: Record<string, unknown>) => readForm(securityForm, body);

export type SecurityDeps = ZoneRouterDeps & { mfa: MfaService; webauthn: WebauthnService; factors: FactorsService; clock: Clock };

/** What every page of my security uses: who is signed in, the step-up rule, the shared pages. */
export const createSecurityShared = (deps: SecurityDeps) => {
  const { render, factors } = deps;
  const userOf = (ctx: Context) => ctx.state.user as ZoneUser;
  const subOf = (ctx: Context) => userOf(ctx).account.sub;
  const t = (ctx: Context) => translator(requestLang(ctx));
  const changeContext = (ctx: Context) => ({ ip: ctx.ip, clientId: ZONES.account.clientId });

  /** The fields of a form post, once its CSRF token is checked. */
  const posted = (ctx: Context): Record<string, unknown> => {
    const body = (ctx.request.body ?? {}) as Record<string, unknown>;
    verifyCsrf(ctx, body._csrf);
    return body;
  };

  /** Unless `allowed` (the first factor, see `mayAdd`), the zone's step-up rule; true when the person was sent. */
  const steppedUp = async (ctx: Context, page: string, allowed: boolean): Promise<boolean> => !allowed && deps.zone.requireFresh(ctx, page);
  const mayAdd = (ctx: Context) => factors.mayAdd(subOf(ctx), userOf(ctx).fresh);

  const backToList = (ctx: Context, done: string) => {
    ctx.status = 303;
    ctx.redirect(`${BASE}?done=${done}`);
  };

  /** The recovery codes, shown once; the page names the account and the time, for the printed or downloaded sheet. */
  const showCodes = (ctx: Context, codes: string[]) =>
    render(ctx, 'portal/security-codes', { codes, back: BASE, account: userOf(ctx).account.username, createdAt: deps.clock.now() });

  /** A page that says what a destructive change will do, with the form that does it and a way out. */
  const confirm = (ctx: Context, view: { title: string; lines: string[]; action: string; submit: string }) => render(ctx, 'portal/security-confirm', { ...view, cancel: BASE });

  return { userOf, subOf, t, changeContext, posted, steppedUp, mayAdd, backToList, showCodes, confirm };
};

export type SecurityShared = ReturnType<typeof createSecurityShared>;
