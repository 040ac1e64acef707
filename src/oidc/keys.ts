import { chmodSync, existsSync, mkdirSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { calculateJwkThumbprint, exportJWK, generateKeyPair, type JWK } from 'jose';
import type { Config } from '../config/schema.ts';
import { ConfigError } from '../config/load.ts';
import type { Logger } from '../shared/logger.ts';

const DEV_KEY_FILE = 'dev-es256.jwk.json';

const isPrivateSigningKey = (k: JWK) => typeof k.d === 'string' && (k.kty === 'EC' || k.kty === 'OKP');

/**
 * The private signing keys, newest first: from `signingKeys` (a JWKS JSON), else every `*.jwk.json` in `keysDir`.
 * Outside production a development ES256 key is generated into `keysDir` on first run (ignored by git).
 * Every key gets a unique `kid` (its RFC 7638 thumbprint unless one is given).
 */
export const loadSigningKeys = async (config: Config, logger: Logger): Promise<JWK[]> => {
  let keys: JWK[] = [];
  if (config.signingKeys) {
    try {
      keys = (JSON.parse(config.signingKeys) as { keys: JWK[] }).keys;
    } catch {
      throw new ConfigError(['signingKeys (SATU_AKUN_SIGNING_KEYS): not a JWKS JSON document']);
    }
  } else if (existsSync(config.keysDir)) {
    const files = readdirSync(config.keysDir).filter((f) => f.endsWith('.jwk.json'));
    // A development key left beside real ones would sort first and sign: refuse it in production.
    if (config.env === 'production' && files.includes(DEV_KEY_FILE)) throw new ConfigError([`signing keys: remove the development key ${join(config.keysDir, DEV_KEY_FILE)}`]);
    keys = files
      .sort()
      .reverse()
      .map((f) => JSON.parse(readFileSync(join(config.keysDir, f), 'utf8')) as JWK);
  }
  if (!keys.length) {
    if (config.env === 'production') throw new ConfigError(['signing keys: none configured (SATU_AKUN_SIGNING_KEYS or keys/*.jwk.json)']);
    keys = [await generateDevKey(config.keysDir)];
    logger.warn({ file: join(config.keysDir, DEV_KEY_FILE) }, 'generated a development signing key');
  }
  const bad = keys.filter((k) => !isPrivateSigningKey(k));
  if (bad.length) throw new ConfigError([`signing keys: ${bad.length} key(s) are not private EC/OKP keys`]);
  const withKid = await Promise.all(keys.map(async (k) => ({ ...k, kid: k.kid ?? (await calculateJwkThumbprint(k)), use: 'sig' })));
  if (new Set(withKid.map((k) => k.kid)).size !== withKid.length) throw new ConfigError(['signing keys: duplicate kid']);
  return withKid;
};

const generateDevKey = async (dir: string): Promise<JWK> => {
  const { privateKey } = await generateKeyPair('ES256', { extractable: true });
  const jwk = { ...(await exportJWK(privateKey)), alg: 'ES256' };
  mkdirSync(dir, { recursive: true });
  const file = join(dir, DEV_KEY_FILE);
  writeFileSync(file, JSON.stringify(jwk, null, 2));
  chmodSync(file, 0o600);
  return jwk;
};
