import { mkdtempSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { expect } from 'chai';
import { exportJWK, generateKeyPair } from 'jose';
import { configSchema } from '../../src/config/schema.ts';
import { ConfigError } from '../../src/config/load.ts';
import { loadSigningKeys } from '../../src/oidc/keys.ts';
import { createLogger } from '../../src/shared/logger.ts';

const logger = createLogger('silent');
const es256 = async () => ({ ...(await exportJWK((await generateKeyPair('ES256', { extractable: true })).privateKey)), alg: 'ES256' });

describe('signing keys', () => {
  it('generates a development ES256 key once, readable only by its owner, and reuses it', async () => {
    const keysDir = mkdtempSync(join(tmpdir(), 'satu-akun-keys-'));
    const config = configSchema.parse({ keysDir });
    const [first] = await loadSigningKeys(config, logger);
    expect(first).to.include({ kty: 'EC', crv: 'P-256', alg: 'ES256', use: 'sig' });
    expect(first!.kid).to.be.a('string').with.length.greaterThan(20);
    expect(statSync(join(keysDir, 'dev-es256.jwk.json')).mode & 0o777).to.equal(0o600);
    const [again] = await loadSigningKeys(config, logger);
    expect(again!.kid).to.equal(first!.kid);
  });

  it('refuses to generate keys in production', async () => {
    const keysDir = mkdtempSync(join(tmpdir(), 'satu-akun-keys-'));
    const err = await loadSigningKeys(configSchema.parse({ env: 'production', keysDir }), logger).catch((e: unknown) => e);
    expect(err).to.be.instanceOf(ConfigError);
  });

  it('loads several keys from configuration with unique kids, and refuses public keys', async () => {
    const keys = [await es256(), await es256()];
    const loaded = await loadSigningKeys(configSchema.parse({ env: 'production', signingKeys: JSON.stringify({ keys }) }), logger);
    expect(new Set(loaded.map((k) => k.kid)).size).to.equal(2);
    const { d: _d, ...publicOnly } = keys[0]!;
    const err = await loadSigningKeys(configSchema.parse({ signingKeys: JSON.stringify({ keys: [publicOnly] }) }), logger).catch((e: unknown) => e);
    expect((err as ConfigError).problems[0]).to.contain('not private');
  });

  it('refuses a development key left among production keys', async () => {
    const keysDir = mkdtempSync(join(tmpdir(), 'satu-akun-keys-'));
    await loadSigningKeys(configSchema.parse({ keysDir }), logger);
    writeFileSync(join(keysDir, '2026-11.jwk.json'), JSON.stringify(await es256()));
    const err = await loadSigningKeys(configSchema.parse({ env: 'production', keysDir }), logger).catch((e: unknown) => e);
    expect((err as ConfigError).problems[0]).to.contain('remove the development key');
  });

  it('loads keys/*.jwk.json files', async () => {
    const keysDir = mkdtempSync(join(tmpdir(), 'satu-akun-keys-'));
    writeFileSync(join(keysDir, '2026-11.jwk.json'), JSON.stringify({ ...(await es256()), kid: 'kunci-2026-11' }));
    const loaded = await loadSigningKeys(configSchema.parse({ env: 'production', keysDir }), logger);
    expect(loaded.map((k) => k.kid)).to.deep.equal(['kunci-2026-11']);
    expect(readFileSync(join(keysDir, '2026-11.jwk.json'), 'utf8')).to.contain('kunci-2026-11');
  });
});
