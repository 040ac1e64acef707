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

/**
 * The level a sign-in must reach: the app's own, raised (never lowered) by the levels it asks for in `acr_values`,
 * capped at the highest level Satu Akun can reach (`acr_values` is a voluntary request, OIDC Core 3.1.2.1).
 */
export const requiredLevel = (appLevel: number, acrValues?: unknown): number => {
  const asked = typeof acrValues === 'string' ? acrValues.split(' ').map(levelOf) : [];
  return Math.min(MAX_LEVEL, Math.max(appLevel, ...asked));
};

/**
 * Whether both factors of a session are recent enough for level 3. A session's `loginTs` is the time of its password
 * (a step-up keeps it), and a second factor is always proven after the password, so the password time decides.
 */
export const factorsRecent = (loginTs: number | undefined, nowSeconds: number, maxAgeMinutes: number): boolean =>
  loginTs !== undefined && nowSeconds - loginTs <= maxAgeMinutes * 60;

/** How the level was reached, as RFC 8176 `amr` values: `otp` for a code, `hwk` for a WebAuthn key. */
export const amrFor = (level: number, factor: 'otp' | 'hwk' = 'otp'): string[] => (level >= 2 ? ['pwd', factor, 'mfa'] : ['pwd']);
