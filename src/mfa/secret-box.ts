import { createCipheriv, createDecipheriv, createHash, randomBytes } from 'node:crypto';

const VERSION = 'v1';
const IV_BYTES = 12; // the GCM standard nonce size
const TAG_BYTES = 16;

/** A key's id in sealed values: a short SHA-256 prefix, so rotation needs no numbering and reveals nothing of the key. */
const keyId = (key: Buffer): string => createHash('sha256').update(key).digest().subarray(0, 6).toString('base64url');

/**
 * AES-256-GCM encryption of small secrets (TOTP seeds) at rest. `keys` are newest first: the first encrypts, any of
 * them decrypts, chosen by the key id carried in the value, so rotation is "prepend a key, later drop the old one
 * once nothing uses it". Format: `v1.<keyId>.<iv>.<tag>.<ciphertext>`, base64url parts.
 *
 * `context` is bound as associated data (with the version and key id): a value sealed for one account does not
 * open for another, so someone who can write the database cannot copy their own seed into a victim's row.
 */
export const createSecretBox = (keys: Buffer[]) => {
  if (!keys.length) throw new Error('secret box: at least one key is required');
  for (const key of keys) if (key.length !== 32) throw new Error('secret box: keys must be 32 bytes (AES-256)');
  const byId = new Map(keys.map((key) => [keyId(key), key] as const));
  const current = keys[0]!;
  const currentId = keyId(current);
  const aad = (kid: string, context: string) => Buffer.from(`${VERSION}.${kid}.${context}`, 'utf8');

  return {
    /** Encrypts `plaintext` with the newest key. */
    encrypt(plaintext: string, context = ''): string {
      const iv = randomBytes(IV_BYTES);
      const cipher = createCipheriv('aes-256-gcm', current, iv, { authTagLength: TAG_BYTES });
      cipher.setAAD(aad(currentId, context));
      const ciphertext = Buffer.concat([cipher.update(plaintext, 'utf8'), cipher.final()]);
      return [VERSION, currentId, iv.toString('base64url'), cipher.getAuthTag().toString('base64url'), ciphertext.toString('base64url')].join('.');
    },

    /** Decrypts a value from `encrypt`; throws if it is malformed, its key is unknown, or it was altered. */
    decrypt(sealed: string, context = ''): string {
      const [version, kid, iv, tag, ciphertext, ...rest] = sealed.split('.');
      if (version !== VERSION || kid === undefined || iv === undefined || tag === undefined || ciphertext === undefined || rest.length) {
        throw new Error('secret box: malformed value');
      }
      const key = byId.get(kid);
      if (!key) throw new Error('secret box: value was sealed with a key that is no longer configured');
      const tagBytes = Buffer.from(tag, 'base64url');
      // A shortened tag would weaken authentication; GCM would otherwise accept it.
      if (tagBytes.length !== TAG_BYTES) throw new Error('secret box: malformed value');
      const decipher = createDecipheriv('aes-256-gcm', key, Buffer.from(iv, 'base64url'), { authTagLength: TAG_BYTES });
      decipher.setAAD(aad(kid, context));
      decipher.setAuthTag(tagBytes);
      try {
        return Buffer.concat([decipher.update(Buffer.from(ciphertext, 'base64url')), decipher.final()]).toString('utf8');
      } catch {
        throw new Error('secret box: value failed authentication (altered, or sealed for another context)');
      }
    },
  };
};

/** The secret box's type, derived from its factory. */
export type SecretBox = ReturnType<typeof createSecretBox>;
