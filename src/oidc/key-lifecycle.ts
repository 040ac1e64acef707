import { z } from 'zod';
import type { JWK } from 'jose';
import type { Config } from '../config/schema.ts';
import { createTtl } from './ttl.ts';

/**
 * Where a signing key is in its life (`satu-akun keys …`): `published` in the JWKS before it signs, so apps caching the
 * JWKS know it by the time it does; `active`, signing; `retired`, no longer signing but still published until
 * `published_until`, when nothing it signed is still in use. A key file without a lifecycle (one written by hand, as
 * before the command existed) keeps the old rule: the first of its algorithm, in reverse file-name order, signs.
 */
const lifecycle = z.strictObject({
  status: z.enum(['published', 'active', 'retired']),
  created_at: z.iso.datetime(),
  activated_at: z.iso.datetime().optional(),
  retired_at: z.iso.datetime().optional(),
  published_until: z.iso.datetime().optional(),
});
export type Lifecycle = z.infer<typeof lifecycle>;

/** The JWK member holding a key's lifecycle in its file; removed before the key reaches oidc-provider. */
export const LIFECYCLE_MEMBER = 'satu_akun';

/** A configured private key with its lifecycle (if it has one) and the file it came from (keys directory only). */
export interface StoredKey {
  jwk: JWK;
  life?: Lifecycle;
  file?: string;
}

/** Splits a key as written in a file or in SATU_AKUN_SIGNING_KEYS into the JWK and its lifecycle; throws on a bad one. */
export const storedKey = (raw: JWK & { [LIFECYCLE_MEMBER]?: unknown }, file?: string): StoredKey => {
  const { [LIFECYCLE_MEMBER]: life, ...jwk } = raw;
  if (life === undefined) return { jwk, ...(file ? { file } : {}) };
  const parsed = lifecycle.safeParse(life);
  if (!parsed.success) throw new Error(`${file ?? jwk.kid ?? 'a key'}: the "${LIFECYCLE_MEMBER}" lifecycle is not valid (${parsed.error.issues.map((i) => `${i.path.join('.')}: ${i.message}`).join('; ')})`);
  return { jwk, life: parsed.data, ...(file ? { file } : {}) };
};

/** The key as its file holds it: the JWK with its lifecycle. */
export const keyFileContent = (key: StoredKey): string => `${JSON.stringify({ ...key.jwk, ...(key.life ? { [LIFECYCLE_MEMBER]: key.life } : {}) }, null, 2)}\n`;

/**
 * How long a retired key stays published: what it signed must still verify until it expires. ID tokens live an hour,
 * and apps send an old ID token back as `id_token_hint` at logout for as long as a session lasts, so the longer of
 * the two.
 */
export const retentionMs = (config: Config): number => Math.max(createTtl(config).IdToken, config.session.absoluteHours * 3600) * 1000;

/** What a key does now: it signs, it is only published (verifies), or it is no longer published (and can be deleted). */
export type KeyUse = 'signs' | 'verifies' | 'unpublished';

export interface KeyState extends StoredKey {
  alg: string;
  kid: string;
  use: KeyUse;
}

/**
 * What each key does at `now`, in the given order (newest first): per algorithm, the one `active` key signs, or — when
 * no key of that algorithm has a lifecycle marking one active — the first key without a lifecycle. Returns problems
 * instead of states when an algorithm has two active keys.
 */
export const keyStates = (keys: (StoredKey & { alg: string; kid: string })[], now: Date): { states: KeyState[]; problems: string[] } => {
  const problems: string[] = [];
  const signer = new Map<string, string>();
  for (const alg of new Set(keys.map((k) => k.alg))) {
    const ofAlg = keys.filter((k) => k.alg === alg);
    const active = ofAlg.filter((k) => k.life?.status === 'active');
    if (active.length > 1) problems.push(`signing keys: ${active.length} ${alg} keys are active (${active.map((k) => k.kid).join(', ')}); exactly one may sign`);
    const chosen = active[0] ?? ofAlg.find((k) => !k.life);
    if (chosen) signer.set(alg, chosen.kid);
  }
  const states = keys.map((k): KeyState => {
    if (signer.get(k.alg) === k.kid) return { ...k, use: 'signs' };
    const until = k.life?.status === 'retired' ? k.life.published_until : undefined;
    return { ...k, use: until && Date.parse(until) <= now.getTime() ? 'unpublished' : 'verifies' };
  });
  return { states, problems };
};
