/**
 * Security levels (DESIGN.md "Security levels"): what a sign-in must have proven for an app. 1: password; 2: password
 * and a second factor; 3: both within the app's window (15 minutes by default), from its networks if it lists any.
 */
export const MAX_LEVEL = 3;

const ACR = /^urn:satu-akun:loa:([1-3])$/;

/** The `acr` value of a level. */
export const acrOf = (level: number): string => `urn:satu-akun:loa:${level}`;

/** Every `acr` value Satu Akun can satisfy, for discovery. */
export const ACR_VALUES = Array.from({ length: MAX_LEVEL }, (_, i) => acrOf(i + 1));

/** The level an `acr` value stands for; 0 for none or an unknown value. */
export const levelOf = (acr: unknown): number => {
  const match = typeof acr === 'string' ? ACR.exec(acr) : null;
  return match ? Number(match[1]) : 0;
};

/** What an authorization request may ask for a level with: its `acr_values` and `claims` parameters, as received. */
export interface LevelRequest {
  acr_values?: unknown;
  /** The `claims` parameter: JSON text (as oidc-provider keeps it) or an object. */
  claims?: unknown;
}

/** The `claims` parameter's request for `acr` in the ID token, if there is one (JSON already checked by oidc-provider). */
const acrClaimOf = (claims: unknown): { value?: unknown; values?: unknown } | undefined => {
  let parsed = claims;
  if (typeof claims === 'string') {
    try {
      parsed = JSON.parse(claims);
    } catch {
      return undefined;
    }
  }
  const acr = (parsed as { id_token?: { acr?: unknown } } | null)?.id_token?.acr;
  return typeof acr === 'object' && acr !== null ? acr : undefined;
};

/**
 * The `acr` values a request asks for: `acr_values` (space-separated, OIDC Core 3.1.2.1) and the `claims` parameter's
 * `id_token.acr` with a `value` or `values` (Core 5.5.1.1), essential or not. Both are read here, so they raise the
 * level alike.
 */
export const askedAcrValues = (request: LevelRequest): string[] => {
  const fromAcrValues = typeof request.acr_values === 'string' ? request.acr_values.split(' ').filter(Boolean) : [];
  const claim = acrClaimOf(request.claims);
  const fromClaims = [claim?.value, ...(Array.isArray(claim?.values) ? claim.values : [])].filter((v): v is string => typeof v === 'string');
  return [...fromAcrValues, ...fromClaims];
};

/**
 * The level a sign-in must reach: the app's own, raised (never lowered) by the levels the request asks for (see
 * `askedAcrValues`), capped at the highest level Satu Akun can reach. Levels are ordered, so the highest asked counts:
 * a session at that level satisfies every lower value too (its `acr` says the level it reached).
 */
export const requiredLevel = (appLevel: number, request: LevelRequest = {}): number =>
  Math.min(MAX_LEVEL, Math.max(appLevel, ...askedAcrValues(request).map(levelOf)));

/**
 * Whether both factors of a session are recent enough for level 3. A session's `loginTs` is the time of its password
 * (a step-up keeps it), and a second factor is always proven after the password, so the password time decides.
 */
export const factorsRecent = (loginTs: number | undefined, nowSeconds: number, maxAgeMinutes: number): boolean =>
  loginTs !== undefined && nowSeconds - loginTs <= maxAgeMinutes * 60;

/** How the level was reached, as RFC 8176 `amr` values: `otp` for a code, `hwk` for a WebAuthn key. */
export const amrFor = (level: number, factor: 'otp' | 'hwk' = 'otp'): string[] => (level >= 2 ? ['pwd', factor, 'mfa'] : ['pwd']);
