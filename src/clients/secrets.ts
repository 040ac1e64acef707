import { createHmac, randomBytes, timingSafeEqual } from 'node:crypto';

/** A stored client secret: its keyed hash, and when it stops working (null: current). */
export interface StoredSecret {
  hash: string;
  expiresAt: Date | null;
}

/** 256 bits from the system's CSPRNG, base64url: 43 characters. */
const SECRET_BYTES = 32;
const PREFIX = 'hmac-sha256:';

/**
 * Client secrets are generated here with 256 bits of entropy, so a fast keyed hash stores them safely (DESIGN.md): a
 * slow password hash would cap the token endpoint near 40 requests per second per core and buy nothing, since nobody
 * can guess 256 bits. `keys` are the HMAC keys, newest first.
 */
export const createSecretHasher = (keys: string[]) => {
  if (!keys.length) throw new Error('client secret hashing needs at least one key');
  const hmac = (key: string, secret: string) => createHmac('sha256', key).update(secret, 'utf8').digest();

  return {
    /** A new secret, returned once, and its hash, which is all that is stored. */
    generate(): { secret: string; hash: string } {
      const secret = randomBytes(SECRET_BYTES).toString('base64url');
      return { secret, hash: this.hash(secret) };
    },

    hash: (secret: string): string => PREFIX + hmac(keys[0]!, secret).toString('base64url'),

    /** Whether `presented` matches a secret that has not expired at `now`; constant time per comparison. */
    matches(stored: readonly StoredSecret[], presented: unknown, now: Date): boolean {
      if (typeof presented !== 'string' || !presented || presented.length > 512) return false;
      const candidates = keys.map((key) => hmac(key, presented));
      let found = false;
      for (const s of stored) {
        if (s.expiresAt && s.expiresAt.getTime() <= now.getTime()) continue;
        if (!s.hash.startsWith(PREFIX)) continue;
        const expected = Buffer.from(s.hash.slice(PREFIX.length), 'base64url');
        // No early exit: the time taken does not tell which secret or key matched.
        for (const candidate of candidates) if (candidate.length === expected.length && timingSafeEqual(candidate, expected)) found = true;
      }
      return found;
    },
  };
};

export type SecretHasher = ReturnType<typeof createSecretHasher>;
