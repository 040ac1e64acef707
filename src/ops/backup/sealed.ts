import { createCipheriv, createDecipheriv, createHmac, randomBytes, timingSafeEqual } from 'node:crypto';
import { createReadStream, createWriteStream } from 'node:fs';
import { open } from 'node:fs/promises';
import { Readable, Transform } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { BackupError } from './errors.ts';

/*
 * The sealed archive: one AES-256-GCM encryption of the whole compressed tar, in this layout (README "Backups and
 * disaster recovery"):
 *
 *   "SATU-AKUN-BACKUP" (16 bytes) | version 0x01 | key id (8 bytes) | IV (12 bytes) | ciphertext | GCM tag (16 bytes)
 *
 * The 37-byte header is the additional authenticated data, so it cannot be altered either. The key id (the first 8
 * bytes of HMAC-SHA-256(key, "satu-akun-backup-key-id")) tells a wrong key from an altered archive; it reveals
 * nothing of the key. One archive must stay under 64 GiB, GCM's limit for one message.
 */
const MAGIC = Buffer.from('SATU-AKUN-BACKUP');
const VERSION = 1;
const HEADER_BYTES = MAGIC.length + 1 + 8 + 12;
const TAG_BYTES = 16;

const keyId = (key: Buffer) => createHmac('sha256', key).update('satu-akun-backup-key-id').digest().subarray(0, 8);

/** The 32-byte key from its base64url form (validated by the configuration). */
export const backupKey = (configured: string): Buffer => Buffer.from(configured, 'base64url');

/** A stream that encrypts what passes through it into a sealed archive: the header first, the tag last. */
export const sealer = (key: Buffer): Transform => {
  const iv = randomBytes(12);
  const header = Buffer.concat([MAGIC, Buffer.from([VERSION]), keyId(key), iv]);
  const cipher = createCipheriv('aes-256-gcm', key, iv);
  cipher.setAAD(header);
  let started = false;
  const start = (push: (b: Buffer) => void) => {
    if (!started) push(header);
    started = true;
  };
  return new Transform({
    transform(chunk: Buffer, _encoding, done) {
      start((b) => this.push(b));
      done(null, cipher.update(chunk));
    },
    flush(done) {
      start((b) => this.push(b));
      this.push(cipher.final());
      done(null, cipher.getAuthTag());
    },
  });
};

/**
 * Decrypts the sealed archive `file` into `plainFile` and verifies its tag. Throws a `BackupError` (exit 3) for a
 * file that is not an archive, a wrong key, or an archive altered or cut short; `plainFile` is then incomplete and
 * must be discarded, which the caller's temporary directory does.
 */
export const unseal = async (file: string, key: Buffer, plainFile: string): Promise<void> => {
  const handle = await open(file, 'r');
  let header: Buffer;
  let tag: Buffer;
  let size: number;
  try {
    size = (await handle.stat()).size;
    header = Buffer.alloc(HEADER_BYTES);
    await handle.read(header, 0, HEADER_BYTES, 0);
    tag = Buffer.alloc(TAG_BYTES);
    if (size >= HEADER_BYTES + TAG_BYTES) await handle.read(tag, 0, TAG_BYTES, size - TAG_BYTES);
  } finally {
    await handle.close();
  }
  if (size < HEADER_BYTES + TAG_BYTES || !header.subarray(0, MAGIC.length).equals(MAGIC)) throw new BackupError('restore.not_archive', {}, 3);
  if (header[MAGIC.length] !== VERSION) throw new BackupError('restore.unsupported_version', { version: header[MAGIC.length]! }, 3);
  if (!timingSafeEqual(header.subarray(MAGIC.length + 1, MAGIC.length + 9), keyId(key))) throw new BackupError('restore.wrong_key', {}, 3);
  const decipher = createDecipheriv('aes-256-gcm', key, header.subarray(MAGIC.length + 9));
  decipher.setAAD(header);
  decipher.setAuthTag(tag);
  const body = size - HEADER_BYTES - TAG_BYTES;
  // An empty body still goes through the decipher: its final() checks the tag.
  const source = body > 0 ? createReadStream(file, { start: HEADER_BYTES, end: HEADER_BYTES + body - 1 }) : Readable.from([]);
  try {
    await pipeline(source, decipher, createWriteStream(plainFile, { mode: 0o600 }));
  } catch (err) {
    if (/unable to authenticate|auth/i.test((err as Error).message)) throw new BackupError('restore.tampered', {}, 3);
    throw err;
  }
};
