import { bodyParser } from '@koa/bodyparser';
import { z } from 'zod';
import { cappedText, readForm } from '../http/form-fields.ts';
import type { Context } from 'koa';
import QRCode from 'qrcode';
import { AppError } from '../http/errors.ts';
import { refusalMessage } from '../http/refusal.ts';
import { verifyCsrf } from '../http/csrf.ts';
import { jsonCookie } from '../http/json-cookie.ts';
import { requestLang } from '../http/render.ts';
import { dateTimeFormatter } from '../i18n/dates.ts';
import { translator, type MessageKey } from '../i18n/index.ts';
import { passkeyName, type FactorsService } from '../mfa/factors.service.ts';
import type { MfaService } from '../mfa/mfa.service.ts';
import type { WebauthnService } from '../mfa/webauthn.service.ts';
import type { Clock } from '../shared/clock.ts';
import { ZONES } from '../zones/zones.ts';
import type { ZoneUser } from '../zones/zone.ts';
import { zoneRouter, type ZoneRouterDeps } from '../zones/zone-router.ts';

const BASE = `${ZONES.account.base}/keamanan`;
const TOTP_PAGE = `${BASE}/autentikator`;
const REMOVE_TOTP_PAGE = `${BASE}/autentikator/hapus`;
const PASSKEY_PAGE = `${BASE}/passkey`;
const CODES_PAGE = `${BASE}/kode-pemulihan`;
const passkeyPage = (id: string, action: 'ubah' | 'hapus') => `${BASE}/passkey/${encodeURIComponent(id)}/${action}`;

/** The WebAuthn challenge of the ceremony offered on the page: signed, HttpOnly, short-lived, used once. */
const CEREMONY_COOKIE = 'sa_akun_webauthn';
const CEREMONY_MS = 5 * 60_000;

/** What a redirect back to the list may announce (`?done=`). */
const DONE = new Map<string, MessageKey>([
  ['totp_removed', 'security.done.totp_removed'],
  ['passkey_added', 'security.done.passkey_added'],
  ['passkey_renamed', 'security.done.passkey_renamed'],
  ['passkey_removed', 'security.done.passkey_removed'],
]);

/** The fields of my security's forms, length-capped; what they mean is the services' to decide. */
const securityForm = z.object({ code: cappedText(64), name: cappedText(200), response: cappedText(16_000) });
const fields = (body: Record<string, unknown>) => readForm(securityForm, body);

/**
 * My security (issue 3): the person's second factors, and adding, replacing, renaming and removing them and renewing
 * recovery codes. The first factor may be added with the level-1 session (as enrolment on demand at sign-in); every
 * other change needs both factors proven within 15 minutes (`user.fresh`), else a step-up first. Removing and renewing
 * are confirmed on a page that says what will happen. The rules are in the factors service; this file parses and renders.
 */
export const createSecurityRoutes = (deps: ZoneRouterDeps & { mfa: MfaService; webauthn: WebauthnService; factors: FactorsService; clock: Clock }) => {
  const { render, factors } = deps;
  const router = zoneRouter(deps, { prefix: BASE, back: BASE });
  const form = bodyParser({ enableTypes: ['form'], formLimit: '16kb' });

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

  const showCodes = (ctx: Context, codes: string[]) => render(ctx, 'portal/security-codes', { codes, back: BASE });

  /** A page that says what a destructive change will do, with the form that does it and a way out. */
  const confirm = (ctx: Context, view: { title: string; lines: string[]; action: string; submit: string }) => render(ctx, 'portal/security-confirm', { ...view, cancel: BASE });

  // --- the list ---

  router.get('/', async (ctx) => {
    const user = userOf(ctx);
    const done = typeof ctx.query.done === 'string' ? DONE.get(ctx.query.done) : undefined;
    render(ctx, 'portal/security', {
      summary: await factors.summary(user.account.sub),
      fresh: user.fresh,
      done: done && t(ctx)(done),
      date: dateTimeFormatter(requestLang(ctx)),
      base: BASE,
    });
  });

  // --- authenticator app: add or replace (the confirmed one keeps working until the new one is confirmed) ---

  const showTotp = async (ctx: Context, error?: string) => {
    const { account } = userOf(ctx);
    // An enrolment in progress is shown again: the person may already have scanned it.
    const { secret, otpauthUri } = (await deps.mfa.pendingTotp(account.sub, account.username)) ?? (await deps.mfa.beginTotp(account.sub, account.username));
    const qr = `data:image/svg+xml;base64,${Buffer.from(await QRCode.toString(otpauthUri, { type: 'svg', margin: 1 })).toString('base64')}`;
    if (error) ctx.status = 401;
    render(ctx, 'portal/security-totp', {
      qr,
      secret: secret.replace(/(.{4})/g, '$1 ').trim(),
      replacing: (await deps.mfa.factors(account.sub)).totp,
      error,
      action: TOTP_PAGE,
      cancel: BASE,
    });
  };

  router.get('/autentikator', async (ctx) => {
    if (await steppedUp(ctx, TOTP_PAGE, await mayAdd(ctx))) return;
    await showTotp(ctx);
  });

  router.post('/autentikator', form, async (ctx) => {
    const body = posted(ctx);
    if (await steppedUp(ctx, TOTP_PAGE, await mayAdd(ctx))) return;
    const enrolled = await deps.mfa.confirmTotp(subOf(ctx), fields(body).code, changeContext(ctx));
    if (!enrolled) return showTotp(ctx, t(ctx)('mfa.invalid'));
    showCodes(ctx, enrolled.recoveryCodes);
  });

  // --- authenticator app: remove ---

  router.get('/autentikator/hapus', async (ctx) => {
    const sub = subOf(ctx);
    if (!(await deps.mfa.factors(sub)).totp) throw new AppError('security.totp_not_enrolled', 404);
    if (await deps.zone.requireFresh(ctx, REMOVE_TOTP_PAGE)) return;
    const tr = t(ctx);
    confirm(ctx, {
      title: tr('security.remove_totp.title'),
      lines: [tr('security.remove_totp.what'), tr((await factors.wouldBeLast(sub, 'totp')) ? 'security.remove.last' : 'security.remove.others')],
      action: REMOVE_TOTP_PAGE,
      submit: tr('security.remove.submit'),
    });
  });

  router.post('/autentikator/hapus', form, async (ctx) => {
    posted(ctx);
    if (await deps.zone.requireFresh(ctx, REMOVE_TOTP_PAGE)) return;
    await factors.removeTotp(subOf(ctx), changeContext(ctx));
    backToList(ctx, 'totp_removed');
  });

  // --- passkeys: add (the ceremony runs in the page; its challenge waits in a signed cookie) ---

  const ceremony = jsonCookie<{ sub?: unknown; challenge?: unknown; exp?: unknown }>(CEREMONY_COOKIE, { path: ZONES.account.base, sameSite: 'strict' });

  const offerCeremony = (ctx: Context, challenge: string) => ceremony.set(ctx, { sub: subOf(ctx), challenge, exp: deps.clock.now().getTime() + CEREMONY_MS }, CEREMONY_MS);

  /** The challenge offered to this person, if still valid; the cookie is cleared, so it answers one response only. */
  const takeChallenge = (ctx: Context): string | undefined => {
    const value = ceremony.take(ctx);
    const valid = value?.sub === subOf(ctx) && typeof value.challenge === 'string' && typeof value.exp === 'number' && value.exp > deps.clock.now().getTime();
    return valid ? (value.challenge as string) : undefined;
  };

  const showPasskey = async (ctx: Context, extra: { error?: string; name?: string } = {}) => {
    const { account } = userOf(ctx);
    const options = await deps.webauthn.registrationOptions(account.sub, account.username, account.profile.name);
    offerCeremony(ctx, options.challenge);
    if (extra.error) ctx.status = 400;
    render(ctx, 'portal/security-passkey', { webauthnOptions: JSON.stringify(options), error: extra.error, name: extra.name ?? '', action: PASSKEY_PAGE, cancel: BASE });
  };

  router.get('/passkey', async (ctx) => {
    if (await steppedUp(ctx, PASSKEY_PAGE, await mayAdd(ctx))) return;
    await showPasskey(ctx);
  });

  router.post('/passkey', form, async (ctx) => {
    const body = posted(ctx);
    if (await steppedUp(ctx, PASSKEY_PAGE, await mayAdd(ctx))) return;
    const sub = subOf(ctx);
    const challenge = takeChallenge(ctx);
    const typed = fields(body).name;
    let name: string;
    try {
      // No name: the one sign-in enrolment gives too.
      name = typed.trim() ? passkeyName(typed) : t(ctx)('webauthn.default_name');
    } catch (err) {
      if (err instanceof AppError) return showPasskey(ctx, { error: t(ctx)(err.code, err.params), name: typed });
      throw err;
    }
    let response: unknown;
    try {
      response = JSON.parse(fields(body).response);
    } catch {
      response = undefined;
    }
    if (!(await deps.webauthn.register(sub, response as never, challenge, name, changeContext(ctx)))) return showPasskey(ctx, { error: t(ctx)('webauthn.failed'), name });
    // Someone without recovery codes (this was their first factor) gets them now, shown once.
    if ((await deps.mfa.factors(sub)).recoveryCodesLeft === 0) return showCodes(ctx, await deps.mfa.regenerateRecoveryCodes(sub, changeContext(ctx)));
    backToList(ctx, 'passkey_added');
  });

  // --- passkeys: rename, remove (the id is always looked up with the person's sub: someone else's is a 404) ---

  const showRename = (ctx: Context, passkey: { id: string; name: string }, extra: { error?: string; name?: string } = {}) => {
    if (extra.error) ctx.status = 400;
    render(ctx, 'portal/security-rename', { current: passkey.name, name: extra.name ?? passkey.name, error: extra.error, action: passkeyPage(passkey.id, 'ubah'), cancel: BASE });
  };

  router.get('/passkey/:id/ubah', async (ctx) => {
    const passkey = await factors.passkey(subOf(ctx), ctx.params.id!);
    if (await deps.zone.requireFresh(ctx, passkeyPage(passkey.id, 'ubah'))) return;
    showRename(ctx, passkey);
  });

  router.post('/passkey/:id/ubah', form, async (ctx) => {
    const body = posted(ctx);
    const passkey = await factors.passkey(subOf(ctx), ctx.params.id!);
    if (await deps.zone.requireFresh(ctx, passkeyPage(passkey.id, 'ubah'))) return;
    try {
      await factors.renamePasskey(subOf(ctx), passkey.id, fields(body).name, changeContext(ctx));
    } catch (err) {
      return showRename(ctx, passkey, { error: refusalMessage(ctx, err), name: fields(body).name });
    }
    backToList(ctx, 'passkey_renamed');
  });

  router.get('/passkey/:id/hapus', async (ctx) => {
    const sub = subOf(ctx);
    const passkey = await factors.passkey(sub, ctx.params.id!);
    if (await deps.zone.requireFresh(ctx, passkeyPage(passkey.id, 'hapus'))) return;
    const tr = t(ctx);
    confirm(ctx, {
      title: tr('security.remove_passkey.title', { name: passkey.name }),
      lines: [tr('security.remove_passkey.what', { name: passkey.name }), tr((await factors.wouldBeLast(sub, 'passkey')) ? 'security.remove.last' : 'security.remove.others')],
      action: passkeyPage(passkey.id, 'hapus'),
      submit: tr('security.remove.submit'),
    });
  });

  router.post('/passkey/:id/hapus', form, async (ctx) => {
    posted(ctx);
    const passkey = await factors.passkey(subOf(ctx), ctx.params.id!);
    if (await deps.zone.requireFresh(ctx, passkeyPage(passkey.id, 'hapus'))) return;
    await factors.removePasskey(subOf(ctx), passkey.id, changeContext(ctx));
    backToList(ctx, 'passkey_removed');
  });

  // --- recovery codes: renew (the old ones void at once) ---

  const requireFactor = async (ctx: Context) => {
    if (!(await factors.hasAny(subOf(ctx)))) throw new AppError('security.codes.need_factor', 409);
  };

  router.get('/kode-pemulihan', async (ctx) => {
    await requireFactor(ctx);
    if (await deps.zone.requireFresh(ctx, CODES_PAGE)) return;
    const tr = t(ctx);
    confirm(ctx, { title: tr('security.regenerate.title'), lines: [tr('security.regenerate.what')], action: CODES_PAGE, submit: tr('security.regenerate.submit') });
  });

  router.post('/kode-pemulihan', form, async (ctx) => {
    posted(ctx);
    await requireFactor(ctx);
    if (await deps.zone.requireFresh(ctx, CODES_PAGE)) return;
    showCodes(ctx, await deps.mfa.regenerateRecoveryCodes(subOf(ctx), changeContext(ctx)));
  });

  return router;
};
