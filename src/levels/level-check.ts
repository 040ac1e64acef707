import { interactionPolicy, type KoaContextWithOIDC } from 'oidc-provider';
import type { App, ClientRegistry } from '../clients/app.ts';
import type { Clock } from '../shared/clock.ts';
import { factorsRecent, levelOf, requiredLevel, type LevelRequest } from './levels.ts';

const { Check } = interactionPolicy;

/** The session is signed in but below the level: ask only for the second factor (step-up). */
export const LEVEL_NOT_MET = 'satu_akun_level';
/** Level 3 and the session's factors are too old: ask for the password and the second factor again. */
export const FACTORS_TOO_OLD = 'satu_akun_factors_too_old';
/** Level 3 and the session's factors are recent: nothing to ask, the interaction only records level 3. */
export const LEVEL_CONFIRM = 'satu_akun_level_confirm';

/** The level this authorization request needs: the app's, raised by `acr_values` or an `acr` in the `claims` parameter. */
export const levelForRequest = async (clients: ClientRegistry, clientId: string, request: LevelRequest): Promise<number> =>
  requiredLevel((await clients.find(clientId))?.level ?? 1, request);

type Verdict = typeof LEVEL_NOT_MET | typeof FACTORS_TOO_OLD | typeof LEVEL_CONFIRM | undefined;

/** What a signed-in session lacks for `needed`, if anything. */
export const levelVerdict = (session: { acr?: string; loginTs?: number }, needed: number, app: App | undefined, nowSeconds: number): Verdict => {
  const has = levelOf(session.acr);
  if (needed < 3) return has >= needed ? undefined : LEVEL_NOT_MET;
  if (!factorsRecent(session.loginTs, nowSeconds, app?.maxFactorAgeMinutes ?? 15)) return FACTORS_TOO_OLD;
  if (has < 2) return LEVEL_NOT_MET;
  return has < 3 ? LEVEL_CONFIRM : undefined;
};

/**
 * Login checks for the security level. With `prompt=none` the app gets `login_required` when something must be
 * proven again (a step-up or too-old factors); recording level 3 for recent factors needs no person, but it is an
 * interaction too, so `prompt=none` gets `interaction_required` then.
 */
export const levelChecks = (clients: ClientRegistry, clock: Clock) => {
  // The three checks ask the same question of one request: answer it once.
  const verdicts = new WeakMap<object, Promise<Verdict>>();
  const verdictOf = (ctx: KoaContextWithOIDC): Promise<Verdict> => {
    let verdict = verdicts.get(ctx.oidc);
    if (!verdict) verdicts.set(ctx.oidc, (verdict = decide(ctx)));
    return verdict;
  };
  const decide = async (ctx: KoaContextWithOIDC): Promise<Verdict> => {
    const { oidc } = ctx;
    if (!oidc.session?.accountId) return undefined;
    const clientId = oidc.client!.clientId;
    const needed = await levelForRequest(clients, clientId, oidc.params!);
    return levelVerdict(oidc.session, needed, await clients.find(clientId), Math.floor(clock.now().getTime() / 1000));
  };
  const check = (reason: string, description: string, error: string) =>
    new Check(reason, description, error, async (ctx: KoaContextWithOIDC) => ((await verdictOf(ctx)) === reason ? Check.REQUEST_PROMPT : Check.NO_NEED_TO_PROMPT));
  return [
    check(FACTORS_TOO_OLD, 'both factors must be proven again for this level', 'login_required'),
    check(LEVEL_NOT_MET, 'a higher security level is required', 'login_required'),
    check(LEVEL_CONFIRM, 'the session meets level 3; record it', 'interaction_required'),
  ];
};
