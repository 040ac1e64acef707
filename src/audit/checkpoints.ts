import { appendFileSync, closeSync, existsSync, fstatSync, mkdirSync, openSync, readSync } from 'node:fs';
import { createPrivateKey, createPublicKey, sign, verify, type KeyObject } from 'node:crypto';
import { dirname } from 'node:path';
import type { Clock } from '../shared/clock.ts';
import type { Logger } from '../shared/logger.ts';
import type { AuditHead } from './audit.repo.ts';

/** The chain's head at a moment, signed with a key the database never sees. */
export interface Checkpoint {
  seq: number;
  hash: string;
  at: string;
  /** Ed25519 over `message(checkpoint)`, base64url. */
  sig: string;
}

// PKCS#8 wrapping of a raw Ed25519 seed (RFC 8410): this fixed prefix, then the 32 bytes.
const PKCS8_ED25519_PREFIX = Buffer.from('302e020100300506032b657004220420', 'hex');

// SPKI wrapping of a raw Ed25519 public key (RFC 8410): this fixed prefix, then the 32 bytes.
const SPKI_ED25519_PREFIX = Buffer.from('302a300506032b6570032100', 'hex');

/** The verifying key from its 32 raw bytes (base64url), as configured for verifiers. */
export const checkpointPublicKey = (raw: string): KeyObject => createPublicKey({ key: Buffer.concat([SPKI_ED25519_PREFIX, Buffer.from(raw, 'base64url')]), format: 'der', type: 'spki' });

/** The raw public key (base64url) of a signing key, to configure verifiers with. */
export const rawPublicKey = (key: KeyObject): string => (createPublicKey(key).export({ format: 'der', type: 'spki' }) as Buffer).subarray(SPKI_ED25519_PREFIX.length).toString('base64url');

/** The signing key from its 32-byte seed (base64url), as configured. */
export const checkpointKey = (seed: string): KeyObject =>
  createPrivateKey({ key: Buffer.concat([PKCS8_ED25519_PREFIX, Buffer.from(seed, 'base64url')]), format: 'der', type: 'pkcs8' });

const message = (c: Pick<Checkpoint, 'seq' | 'hash' | 'at'>) => Buffer.from(`satu-akun-audit-checkpoint:v1:${c.seq}:${c.hash}:${c.at}`);

export const signCheckpoint = (key: KeyObject, head: AuditHead, at: Date): Checkpoint => {
  const unsigned = { seq: head.seq, hash: head.hash, at: at.toISOString() };
  return { ...unsigned, sig: sign(null, message(unsigned), key).toString('base64url') };
};

/** True when `checkpoint` was signed by the private key behind `key` (a private key also gives its public half). */
export const checkpointSigned = (key: KeyObject, checkpoint: Checkpoint): boolean => {
  const publicKey = key.type === 'private' ? createPublicKey(key) : key;
  try {
    return verify(null, message(checkpoint), publicKey, Buffer.from(checkpoint.sig, 'base64url'));
  } catch {
    return false;
  }
};

/** An archive's place in the chain, as `audit_archives` records it: what `verify` starts from after the cut. */
export interface ArchiveAnchor {
  fromSeq: number;
  toSeq: number;
  prevHash: string;
  lastHash: string;
}

const anchorMessage = (a: ArchiveAnchor) => Buffer.from(`satu-akun-audit-archive:v1:${a.fromSeq}:${a.toSeq}:${a.prevHash}:${a.lastHash}`);

/**
 * Signs an archive's anchor with the checkpoint key. The row sits in the database it vouches for: without the
 * signature, whoever can write there could claim records 1..N archived, delete them, and the chain would still verify.
 */
export const signArchiveAnchor = (key: KeyObject, anchor: ArchiveAnchor): string => sign(null, anchorMessage(anchor), key).toString('base64url');

/** True when `sig` is the checkpoint key's signature of `anchor` (`key`: the public key, or the private one). */
export const archiveAnchorSigned = (key: KeyObject, anchor: ArchiveAnchor, sig: string): boolean => {
  try {
    return verify(null, anchorMessage(anchor), key.type === 'private' ? createPublicKey(key) : key, Buffer.from(sig, 'base64url'));
  } catch {
    return false;
  }
};

// A checkpoint line is about 250 bytes: the file's last 4 KiB always hold the last whole one.
const TAIL_BYTES = 4096;

/**
 * The last checkpoint in a checkpoints file (JSON lines), or undefined when there is none. Only the file's end is
 * read: it gains a line every few minutes for years, and the viewer asks on every page.
 */
export const latestCheckpoint = (file: string): Checkpoint | undefined => {
  if (!existsSync(file)) return undefined;
  const fd = openSync(file, 'r');
  try {
    const size = fstatSync(fd).size;
    const length = Math.min(size, TAIL_BYTES);
    const tail = Buffer.alloc(length);
    readSync(fd, tail, 0, length, size - length);
    const lines = tail.toString('utf8').split('\n').filter((l) => l.trim());
    // The first line of a cut tail may be a fragment; the last is whole unless it is being written.
    const last = lines.at(-1);
    return last ? (JSON.parse(last) as Checkpoint) : undefined;
  } finally {
    closeSync(fd);
  }
};

/**
 * Writes a signed checkpoint of the audit head every `intervalMs` (and at start), whenever the head has moved: one
 * JSON line appended to `file` and one log line. Someone who can rewrite the database can cut the chain's tail or
 * recompute it whole and it still verifies on its own; it no longer matches the last checkpoint outside it.
 */
export const createCheckpointer = (deps: { head: () => Promise<AuditHead>; key: KeyObject; file: string; clock: Clock; logger: Logger; intervalMs: number }) => {
  let last: number | undefined;
  let timer: NodeJS.Timeout | undefined;

  const write = async (): Promise<Checkpoint | undefined> => {
    const head = await deps.head();
    if (head.seq === last) return undefined;
    const checkpoint = signCheckpoint(deps.key, head, deps.clock.now());
    mkdirSync(dirname(deps.file), { recursive: true });
    appendFileSync(deps.file, `${JSON.stringify(checkpoint)}\n`, { mode: 0o640 });
    deps.logger.info({ auditCheckpoint: checkpoint }, 'audit checkpoint');
    last = head.seq;
    return checkpoint;
  };

  return {
    write,
    start() {
      // Verifiers are configured with this, never with the seed (SATU_AKUN_AUDIT_CHECKPOINT_PUBLIC_KEY).
      deps.logger.info({ auditCheckpointPublicKey: rawPublicKey(deps.key), file: deps.file }, 'audit checkpoints signed with this key');
      const run = () => void write().catch((err: unknown) => deps.logger.warn({ err }, 'audit checkpoint not written'));
      run();
      timer = setInterval(run, deps.intervalMs);
      timer.unref();
    },
    async close() {
      if (timer) clearInterval(timer);
      await write().catch((err: unknown) => deps.logger.warn({ err }, 'audit checkpoint not written'));
    },
  };
};
