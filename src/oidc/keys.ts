import { chmodSync, closeSync, existsSync, fsyncSync, mkdirSync, openSync, readdirSync, readFileSync, renameSync, writeSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { calculateJwkThumbprint, exportJWK, generateKeyPair, type JWK } from 'jose';
import type { Config } from '../config/schema.ts';
import { ConfigError } from '../config/load.ts';
import type { ClientRegistry } from '../clients/app.ts';
import type { Logger } from '../shared/logger.ts';
import { DEFAULT_SIGNING_ALG, SIGNING_ALGS } from './signing-algs.ts';
import { keyStates, storedKey, type KeyState, type Lifecycle, type StoredKey } from './key-lifecycle.ts';

/** The smallest RSA modulus accepted; new keys (the development one, the README's command) have 3072 bits. */
export const MIN_RSA_BITS = 2048;
export const NEW_RSA_BITS = 3072;

/** The development key of each algorithm an app may choose, generated into the keys directory outside production. */
const DEV_KEYS: Record<string, { file: string }> = { RS256: { file: 'dev-rs256.jwk.json' }, ES256: { file: 'dev-es256.jwk.json' } };
const DEV_FILES = new Set(Object.values(DEV_KEYS).map((k) => k.file));

/** The algorithms a new key can be generated for (`keys generate --alg`). */
export const GENERABLE_ALGS = ['RS256', 'ES256'] as const;

/** A new private key for `alg` (RSA 3072 for RS256, P-256 for ES256) with its `alg` and thumbprint `kid`. */
export const newKey = async (alg: (typeof GENERABLE_ALGS)[number]): Promise<JWK> => {
  const { privateKey } = await (alg === 'RS256' ? generateKeyPair('RS256', { modulusLength: NEW_RSA_BITS, extractable: true }) : generateKeyPair('ES256', { extractable: true }));
  const jwk = { ...(await exportJWK(privateKey)), alg };
  return { ...jwk, kid: await calculateJwkThumbprint(jwk) };
};

/**
 * Writes a private key file readable by its owner only (mode 0600), atomically: a temporary file beside it, flushed
 * to disk, then renamed over it. A crash or a full disk mid-write leaves the old key whole, and an instance starting
 * at that moment reads either the old file or the new one, never half of one.
 */
export const writeKeyFile = (path: string, content: string): void => {
  const temporary = `${path}.${process.pid}.tmp`;
  const fd = openSync(temporary, 'wx', 0o600);
  try {
    writeSync(fd, content);
    fsyncSync(fd);
  } finally {
    closeSync(fd);
  }
  chmodSync(temporary, 0o600);
  renameSync(temporary, path);
  const dir = openSync(dirname(path), 'r');
  try {
    fsyncSync(dir);
  } finally {
    closeSync(dir);
  }
};

/** What kind of key signs with each algorithm, for the refusal that names a missing one. */
const KEY_KIND: Record<string, string> = {
  RS256: `an RSA private key of at least ${MIN_RSA_BITS} bits`,
  ES256: 'an EC private key on the P-256 curve',
  EdDSA: 'an OKP Ed25519 private key',
};

/** The JWS algorithm a key signs with: its `alg`, else the one its type implies (RSA: RS256, P-256: ES256, Ed25519: EdDSA). */
export const algOfKey = (k: JWK): string | undefined => {
  if (k.alg) return k.alg;
  if (k.kty === 'RSA') return 'RS256';
  if (k.kty === 'EC' && k.crv === 'P-256') return 'ES256';
  if (k.kty === 'OKP' && k.crv === 'Ed25519') return 'EdDSA';
  return undefined;
};

const isPrivateSigningKey = (k: JWK) => typeof k.d === 'string' && (k.kty === 'RSA' || k.kty === 'EC' || k.kty === 'OKP');
/** An RSA key's modulus length in bits (a JWK's `n` carries no leading zero bytes). */
const rsaBits = (k: JWK) => Buffer.from(k.n ?? '', 'base64url').length * 8;

/**
 * Apps by the algorithm their ID tokens are signed with (an app naming none gets RS256). RS256 is always listed: an
 * OpenID provider must support it (Core §15.1, Discovery §3) and every app registered without a choice receives it.
 */
export const signingAlgsInUse = async (clients: ClientRegistry): Promise<Map<string, string[]>> => {
  const inUse = new Map<string, string[]>([[DEFAULT_SIGNING_ALG, []]]);
  for (const app of await clients.list()) {
    const alg = app.metadata.id_token_signed_response_alg ?? DEFAULT_SIGNING_ALG;
    inUse.set(alg, [...(inUse.get(alg) ?? []), app.clientId]);
  }
  return inUse;
};

const appList = (apps: string[]) => (apps.length > 5 ? `${apps.slice(0, 5).join(', ')} and ${apps.length - 5} more` : apps.join(', '));

/** The refusal for an algorithm without a key: which algorithm, what key it needs, and who needs it. */
const missingKey = (config: Config, alg: string, apps: string[], present: { kid: string; life?: Lifecycle }[]) => {
  const why = [alg === DEFAULT_SIGNING_ALG ? 'OpenID Connect requires RS256 and it is the default of apps that name no algorithm' : '', apps.length ? `used by ${appList(apps)}` : '']
    .filter(Boolean)
    .join('; ');
  const where = config.signingKeys ? 'SATU_AKUN_SIGNING_KEYS' : `SATU_AKUN_SIGNING_KEYS or ${join(config.keysDir, '*.jwk.json')}`;
  const waiting = present.find((k) => k.life?.status === 'published');
  if (waiting) return `signing keys: no ${alg} key signs (${why}); ${waiting.kid} is only published: run \`npm run satu-akun -- keys activate ${waiting.kid}\``;
  return `signing keys: no ${alg} key is configured (${why}); add ${KEY_KIND[alg] ?? `a key for ${alg}`} to ${where}${config.signingKeys ? '' : ` (\`npm run satu-akun -- keys generate --alg ${alg}\`)`}`;
};

/** The configured private keys with their lifecycles, newest first: `signingKeys` (a JWKS JSON), else every `*.jwk.json` in `keysDir`. */
export const configuredKeys = (config: Config): StoredKey[] => {
  const problems: string[] = [];
  const parse = (raw: JWK, file?: string) => {
    try {
      return [storedKey(raw, file)];
    } catch (err) {
      problems.push(`signing keys: ${(err as Error).message}`);
      return [];
    }
  };
  let keys: StoredKey[];
  if (config.signingKeys) {
    let jwks: { keys: JWK[] };
    try {
      jwks = JSON.parse(config.signingKeys) as { keys: JWK[] };
      if (!Array.isArray(jwks.keys)) throw new Error('no keys');
    } catch {
      throw new ConfigError(['signingKeys (SATU_AKUN_SIGNING_KEYS): not a JWKS JSON document']);
    }
    keys = jwks.keys.flatMap((k) => parse(k));
  } else {
    const files = keyFiles(config.keysDir);
    // A development key left beside real ones could sign: refuse it in production.
    const dev = files.filter((f) => DEV_FILES.has(f));
    if (config.env === 'production' && dev.length) throw new ConfigError(dev.map((f) => `signing keys: remove the development key ${join(config.keysDir, f)}`));
    keys = files.flatMap((f) => {
      const path = join(config.keysDir, f);
      try {
        return parse(JSON.parse(readFileSync(path, 'utf8')) as JWK, path);
      } catch (err) {
        problems.push(`signing keys: ${path} is not a JSON key (${(err as Error).message})`);
        return [];
      }
    });
  }
  if (problems.length) throw new ConfigError(problems);
  return keys;
};

/** The key files of a keys directory, newest first (reverse name order); none when it does not exist. */
export const keyFiles = (dir: string): string[] =>
  existsSync(dir)
    ? readdirSync(dir)
        .filter((f) => f.endsWith('.jwk.json'))
        .sort()
        .reverse()
    : [];

/** The start-up warning when development keys sign: none when keys are configured or provisioned in the keys directory. */
export const signingKeyWarnings = (config: Config): string[] => {
  if (config.signingKeys || config.env === 'production') return [];
  const files = keyFiles(config.keysDir);
  const provisioned = files.filter((f) => !DEV_FILES.has(f));
  if (provisioned.length && provisioned.length === files.length) return [];
  return [`development signing keys are generated in ${config.keysDir}/ (provision keys with \`npm run satu-akun -- keys generate\`)`];
};

/** What every configured key does at `now` (nothing is generated): for `satu-akun keys list` and the key commands. */
export const inspectKeys = async (config: Config, now: Date): Promise<{ states: KeyState[]; problems: string[] }> => keyStates(await identified(configuredKeys(config)), now);

/** Each key's algorithm and `kid` (its RFC 7638 thumbprint unless it has one). */
const identified = (keys: StoredKey[]) =>
  Promise.all(keys.map(async (k) => ({ ...k, alg: algOfKey(k.jwk) ?? '', kid: k.jwk.kid ?? (await calculateJwkThumbprint(k.jwk)) })));

/**
 * The private signing keys for oidc-provider: per algorithm the one that signs, then the ones only published (with
 * `key_ops: ["verify"]`, which oidc-provider never picks to sign with). RS256 (RSA) and ES256 (EC P-256) side by side,
 * EdDSA keys too when configured; which key signs follows the lifecycle of `key-lifecycle.ts`, and retired keys leave
 * the JWKS once `published_until` has passed. `inUse` (from `signingAlgsInUse`) names the algorithms apps sign with. In
 * production an algorithm without a signing key refuses the start, naming it; outside production a development RS256
 * and ES256 key is generated into `keysDir` when missing (ignored by git), also beside keys of the other type. Every
 * key gets an `alg` and a unique `kid`.
 */
export const loadSigningKeys = async (config: Config, logger: Logger, inUse: Map<string, string[]> = new Map([[DEFAULT_SIGNING_ALG, []]]), now = new Date()): Promise<JWK[]> => {
  const stored = configuredKeys(config);
  const problems: string[] = [];
  const notPrivate = stored.filter((k) => !isPrivateSigningKey(k.jwk));
  if (notPrivate.length) problems.push(`signing keys: ${notPrivate.length} key(s) are not private RSA, EC or OKP keys`);
  for (const { jwk: k } of stored) {
    if (k.kty === 'RSA' && rsaBits(k) < MIN_RSA_BITS) problems.push(`signing keys: the RSA key${k.kid ? ` ${k.kid}` : ''} has ${rsaBits(k)} bits; at least ${MIN_RSA_BITS} are required (${NEW_RSA_BITS} for a new key)`);
  }
  if (problems.length) throw new ConfigError(problems);

  let keys = await identified(stored);
  const signs = (alg: string) => keyStates(keys, now).states.some((k) => k.alg === alg && k.use === 'signs');
  const needed = config.env === 'production' ? [...inUse.keys()] : [...new Set([...SIGNING_ALGS, ...inUse.keys()])];
  const missing = needed.filter((alg) => !signs(alg));
  const generable = config.env !== 'production' ? missing.filter((alg) => DEV_KEYS[alg]) : [];
  const refused = missing.filter((alg) => !generable.includes(alg));
  if (refused.length) throw new ConfigError(refused.map((alg) => missingKey(config, alg, inUse.get(alg) ?? [], keys.filter((k) => k.alg === alg))));
  for (const alg of generable) {
    const { jwk, generated } = await devKey(config.keysDir, alg);
    keys = [...keys, ...(await identified([{ jwk }]))];
    if (generated) logger.warn({ file: join(config.keysDir, DEV_KEYS[alg]!.file), alg }, 'generated a development signing key');
  }

  const { states, problems: conflicts } = keyStates(keys, now);
  if (conflicts.length) throw new ConfigError(conflicts);
  if (new Set(states.map((k) => k.kid)).size !== states.length) throw new ConfigError(['signing keys: duplicate kid']);
  const jwk = (k: KeyState): JWK => ({ ...k.jwk, ...(k.alg ? { alg: k.alg } : {}), kid: k.kid, use: 'sig', ...(k.use === 'verifies' ? { key_ops: ['verify'] } : {}) });
  return [...states.filter((k) => k.use === 'signs'), ...states.filter((k) => k.use === 'verifies')].map(jwk);
};

/** The development key of `alg` in `dir`: the one generated on an earlier start, else a new one (mode 0600). */
const devKey = async (dir: string, alg: string): Promise<{ jwk: JWK; generated: boolean }> => {
  const path = join(dir, DEV_KEYS[alg]!.file);
  if (existsSync(path)) return { jwk: JSON.parse(readFileSync(path, 'utf8')) as JWK, generated: false };
  const { kid: _thumbprint, ...jwk } = await newKey(alg as (typeof GENERABLE_ALGS)[number]);
  mkdirSync(dir, { recursive: true });
  writeKeyFile(path, JSON.stringify(jwk, null, 2));
  return { jwk, generated: true };
};
