/**
 * The algorithms an app may choose for its ID tokens (`id_token_signed_response_alg`). RS256 is what every OpenID
 * Connect library supports (Core §15.1: an OP MUST support it) and the default for an app that names none (Dynamic
 * Client Registration §2); ES256 is offered for libraries that support it (smaller keys and signatures).
 */
export const SIGNING_ALGS = ['RS256', 'ES256'] as const;
export type SigningAlg = (typeof SIGNING_ALGS)[number];

/** The algorithm of an app that names none. */
export const DEFAULT_SIGNING_ALG: SigningAlg = 'RS256';

/** Whether `value` is an algorithm an app may choose. */
export const isSigningAlg = (value: unknown): value is SigningAlg => (SIGNING_ALGS as readonly unknown[]).includes(value);
