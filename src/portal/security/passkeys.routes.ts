import type Router from '@koa/router';
import type { Context, Middleware } from 'koa';
import { AppError } from '../../http/errors.ts';
import { jsonCookie } from '../../http/json-cookie.ts';
import { refusalMessage } from '../../http/refusal.ts';
import { passkeyName } from '../../mfa/factors.service.ts';
import { ZONES } from '../../zones/zones.ts';
import { BASE, fields, PASSKEY_PAGE, passkeyPage, type SecurityDeps, type SecurityShared } from './shared.ts';

/** The WebAuthn challenge of the ceremony offered on the page: signed, HttpOnly, short-lived, used once. */
const CEREMONY_COOKIE = 'sa_akun_webauthn';
const CEREMONY_MS = 5 * 60_000;

/** Passkeys in my security: add one (the ceremony runs in the page), rename and remove them. */
export const addPasskeyRoutes = (router: Router, form: Middleware, deps: SecurityDeps, shared: SecurityShared) => {
  const { render, factors } = deps;
  const { userOf, subOf, t, changeContext, posted, steppedUp, mayAdd, backToList, showCodes, confirm } = shared;

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
};
