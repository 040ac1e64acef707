/**
 * Security levels (DESIGN.md "Security levels"): what a sign-in must have proven for an app. Level 3 (recent factors,
 * network ranges) is not available yet, so the highest level Satu Akun can reach, and advertise, is 2.
 */
export const MAX_LEVEL = 2;

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

/** How the level was reached, as RFC 8176 `amr` values. */
export const amrFor = (level: number): string[] => (level >= 2 ? ['pwd', 'otp', 'mfa'] : ['pwd']);
