import { chmodSync, existsSync, mkdirSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { calculateJwkThumbprint, exportJWK, generateKeyPair, type JWK } from 'jose';
import type { Config } from '../config/schema.ts';
import { ConfigError } from '../config/load.ts';
import type { ClientRegistry } from '../clients/app.ts';
import type { Logger } from '../shared/logger.ts';
import { DEFAULT_SIGNING_ALG, SIGNING_ALGS } from './signing-algs.ts';

/** The smallest RSA modulus accepted; new keys (the development one, the README's command) have 3072 bits. */
export const MIN_RSA_BITS = 2048;
export const NEW_RSA_BITS = 3072;

/** The development key of each algorithm an app may choose, generated into the keys directory outside production. */
const DEV_KEYS: Record<string, { file: string; generate: () => ReturnType<typeof generateKeyPair> }> = {
  RS256: { file: 'dev-rs256.jwk.json', generate: () => generateKeyPair('RS256', { modulusLength: NEW_RSA_BITS, extractable: true }) },
  ES256: { file: 'dev-es256.jwk.json', generate: () => generateKeyPair('ES256', { extractable: true }) },
};
const DEV_FILES = new Set(Object.values(DEV_KEYS).map((k) => k.file));

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
const missingKey = (config: Config, alg: string, apps: string[]) => {
  const why = [alg === DEFAULT_SIGNING_ALG ? 'OpenID Connect requires RS256 and it is the default of apps that name no algorithm' : '', apps.length ? `used by ${appList(apps)}` : '']
    .filter(Boolean)
    .join('; ');
  const where = config.signingKeys ? 'SATU_AKUN_SIGNING_KEYS' : `SATU_AKUN_SIGNING_KEYS or ${join(config.keysDir, '*.jwk.json')}`;
  return `signing keys: no ${alg} key is configured (${why}); add ${KEY_KIND[alg] ?? `a key for ${alg}`} to ${where}`;
};

/** The configured private keys, newest first: `signingKeys` (a JWKS JSON), else every `*.jwk.json` in `keysDir`. */
const configuredKeys = (config: Config): JWK[] => {
  if (config.signingKeys) {
    try {
      return (JSON.parse(config.signingKeys) as { keys: JWK[] }).keys;
    } catch {
      throw new ConfigError(['signingKeys (SATU_AKUN_SIGNING_KEYS): not a JWKS JSON document']);
    }
  }
  if (!existsSync(config.keysDir)) return [];
  const files = readdirSync(config.keysDir).filter((f) => f.endsWith('.jwk.json'));
  // A development key left beside real ones could sign: refuse it in production.
  const dev = files.filter((f) => DEV_FILES.has(f));
  if (config.env === 'production' && dev.length) throw new ConfigError(dev.map((f) => `signing keys: remove the development key ${join(config.keysDir, f)}`));
  return files
    .sort()
    .reverse()
    .map((f) => JSON.parse(readFileSync(join(config.keysDir, f), 'utf8')) as JWK);
};

/**
 * The private signing keys, newest first within each algorithm (oidc-provider signs with the first key of the
 * algorithm an app uses): RS256 (RSA) and ES256 (EC P-256) side by side, EdDSA keys too when configured. `inUse`
 * (from `signingAlgsInUse`) names the algorithms apps sign with. In production a missing one refuses the start, naming
 * the algorithm; outside production a development RS256 and ES256 key is generated into `keysDir` when missing (ignored
 * by git), also beside keys of the other type. Every key gets an `alg` and a unique `kid` (its RFC 7638 thumbprint
 * unless one is given).
 */
export const loadSigningKeys = async (config: Config, logger: Logger, inUse: Map<string, string[]> = new Map([[DEFAULT_SIGNING_ALG, []]])): Promise<JWK[]> => {
  const keys = configuredKeys(config);
  const problems: string[] = [];
  const notPrivate = keys.filter((k) => !isPrivateSigningKey(k));
  if (notPrivate.length) problems.push(`signing keys: ${notPrivate.length} key(s) are not private RSA, EC or OKP keys`);
  for (const k of keys) {
    if (k.kty === 'RSA' && rsaBits(k) < MIN_RSA_BITS) problems.push(`signing keys: the RSA key${k.kid ? ` ${k.kid}` : ''} has ${rsaBits(k)} bits; at least ${MIN_RSA_BITS} are required (${NEW_RSA_BITS} for a new key)`);
  }
  if (problems.length) throw new ConfigError(problems);

  const has = (alg: string) => keys.some((k) => algOfKey(k) === alg);
  const needed = config.env === 'production' ? [...inUse.keys()] : [...new Set([...SIGNING_ALGS, ...inUse.keys()])];
  const missing = needed.filter((alg) => !has(alg));
  const generable = config.env !== 'production' ? missing.filter((alg) => DEV_KEYS[alg]) : [];
  const refused = missing.filter((alg) => !generable.includes(alg));
  if (refused.length) throw new ConfigError(refused.map((alg) => missingKey(config, alg, inUse.get(alg) ?? [])));
  for (const alg of generable) {
    const { jwk, generated } = await devKey(config.keysDir, alg);
    keys.push(jwk);
    if (generated) logger.warn({ file: join(config.keysDir, DEV_KEYS[alg]!.file), alg }, 'generated a development signing key');
  }

  const complete = await Promise.all(
    keys.map(async (k) => {
      const alg = algOfKey(k);
      return { ...k, ...(alg ? { alg } : {}), kid: k.kid ?? (await calculateJwkThumbprint(k)), use: 'sig' };
    }),
  );
  if (new Set(complete.map((k) => k.kid)).size !== complete.length) throw new ConfigError(['signing keys: duplicate kid']);
  return complete;
};

/** The development key of `alg` in `dir`: the one generated on an earlier start, else a new one (mode 0600). */
const devKey = async (dir: string, alg: string): Promise<{ jwk: JWK; generated: boolean }> => {
  const { file, generate } = DEV_KEYS[alg]!;
  const path = join(dir, file);
  if (existsSync(path)) return { jwk: JSON.parse(readFileSync(path, 'utf8')) as JWK, generated: false };
  const { privateKey } = await generate();
  const jwk = { ...(await exportJWK(privateKey)), alg };
  mkdirSync(dir, { recursive: true });
  writeFileSync(path, JSON.stringify(jwk, null, 2), { mode: 0o600 });
  chmodSync(path, 0o600);
  return { jwk, generated: true };
};
