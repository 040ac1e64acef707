import { generateKeyPairSync } from 'node:crypto';
import { existsSync, mkdtempSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { expect } from 'chai';
import { exportJWK, generateKeyPair, type JWK } from 'jose';
import { ConfigError } from '../../src/config/load.ts';
import { createConfigClientRegistry } from '../../src/clients/clients.repo.ts';
import { clientsFileSchema, configSchema } from '../../src/config/schema.ts';
import { loadSigningKeys, signingAlgsInUse, signingKeyWarnings } from '../../src/oidc/keys.ts';
import { internalClients } from '../../src/zones/zones.ts';
import { createLogger } from '../../src/shared/logger.ts';

const logger = createLogger('silent');
const es256 = async () => ({ ...(await exportJWK((await generateKeyPair('ES256', { extractable: true })).privateKey)), alg: 'ES256' });
/** RSA keys without `alg`, as `openssl genpkey` converted to a JWK would be: the type says RS256. */
const rsa = async (modulusLength = 2048) => exportJWK((await generateKeyPair('RS256', { modulusLength, extractable: true })).privateKey);
const keysDir = () => mkdtempSync(join(tmpdir(), 'satu-akun-keys-'));
const problemsOf = async (run: Promise<unknown>) => {
  const err = await run.catch((e: unknown) => e);
  expect(err).to.be.instanceOf(ConfigError);
  return (err as ConfigError).problems;
};
const bits = (k: JWK) => Buffer.from(k.n!, 'base64url').length * 8;
/** In production: apps by algorithm, as `signingAlgsInUse` reports them. */
const inUse = (entries: [string, string[]][]) => new Map(entries);

describe('signing keys', () => {
  describe('development', () => {
    it('generates an RS256 (RSA 3072) and an ES256 key once, readable only by their owner, and reuses them', async () => {
      const dir = keysDir();
      const config = configSchema.parse({ keysDir: dir });
      const first = await loadSigningKeys(config, logger);
      const rsaKey = first.find((k) => k.kty === 'RSA')!;
      const ecKey = first.find((k) => k.kty === 'EC')!;
      expect(rsaKey).to.include({ alg: 'RS256', use: 'sig' });
      expect(bits(rsaKey)).to.equal(3072);
      expect(ecKey).to.include({ crv: 'P-256', alg: 'ES256', use: 'sig' });
      expect(rsaKey.kid).to.be.a('string').with.length.greaterThan(20).and.not.equal(ecKey.kid);
      for (const file of ['dev-rs256.jwk.json', 'dev-es256.jwk.json']) expect(statSync(join(dir, file)).mode & 0o777, file).to.equal(0o600);
      const again = await loadSigningKeys(config, logger);
      expect(again.map((k) => k.kid).sort()).to.deep.equal(first.map((k) => k.kid).sort());
    });

    it('generates the missing RSA key when the folder holds only an EC key', async () => {
      const dir = keysDir();
      writeFileSync(join(dir, '2026-05.jwk.json'), JSON.stringify({ ...(await es256()), kid: 'ec-2026-05' }));
      const keys = await loadSigningKeys(configSchema.parse({ keysDir: dir }), logger);
      expect(keys.map((k) => [k.kty, k.alg])).to.deep.equal([['EC', 'ES256'], ['RSA', 'RS256']]);
      expect(keys[0]!.kid).to.equal('ec-2026-05');
      expect(existsSync(join(dir, 'dev-rs256.jwk.json'))).to.equal(true);
      expect(existsSync(join(dir, 'dev-es256.jwk.json')), 'no second EC key').to.equal(false);
    });

    it('generates the missing EC key when the folder holds only an RSA key', async () => {
      const dir = keysDir();
      writeFileSync(join(dir, '2026-05.jwk.json'), JSON.stringify(await rsa()));
      const keys = await loadSigningKeys(configSchema.parse({ keysDir: dir }), logger);
      expect(keys.map((k) => [k.kty, k.alg])).to.deep.equal([['RSA', 'RS256'], ['EC', 'ES256']]);
      expect(existsSync(join(dir, 'dev-es256.jwk.json'))).to.equal(true);
      expect(existsSync(join(dir, 'dev-rs256.jwk.json')), 'no second RSA key').to.equal(false);
    });
  });

  describe('production', () => {
    it('refuses to start without keys, naming each missing algorithm and who needs it, and generates none', async () => {
      const dir = keysDir();
      const problems = await problemsOf(loadSigningKeys(configSchema.parse({ env: 'production', keysDir: dir }), logger, inUse([['RS256', ['simpeg']], ['ES256', ['satu-akun-portal']]])));
      expect(problems).to.have.length(2);
      expect(problems[0]).to.match(/^signing keys: no RS256 key is configured \(OpenID Connect requires RS256 .*; used by simpeg\); add an RSA private key of at least 2048 bits/);
      expect(problems[1]).to.match(/^signing keys: no ES256 key is configured \(used by satu-akun-portal\); add an EC private key on the P-256 curve/);
      expect(existsSync(join(dir, 'dev-rs256.jwk.json'))).to.equal(false);
    });

    it('refuses to start when only the RS256 key is configured and an app signs with ES256', async () => {
      const signingKeys = JSON.stringify({ keys: [await rsa()] });
      const problems = await problemsOf(loadSigningKeys(configSchema.parse({ env: 'production', signingKeys }), logger, inUse([['RS256', []], ['ES256', ['satu-akun-admin', 'sppd']]])));
      expect(problems).to.deep.equal(['signing keys: no ES256 key is configured (used by satu-akun-admin, sppd); add an EC private key on the P-256 curve to SATU_AKUN_SIGNING_KEYS']);
    });

    it('refuses to start without an RS256 key even when no app uses it: OpenID Connect requires it', async () => {
      const signingKeys = JSON.stringify({ keys: [await es256()] });
      const problems = await problemsOf(loadSigningKeys(configSchema.parse({ env: 'production', signingKeys }), logger, inUse([['RS256', []], ['ES256', ['satu-akun-portal']]])));
      expect(problems).to.have.length(1);
      expect(problems[0]).to.contain('no RS256 key is configured (OpenID Connect requires RS256');
    });

    it("names the apps of the clients file and Satu Akun's own zones that need a missing key", async () => {
      const config = configSchema.parse({ env: 'production', signingKeys: JSON.stringify({ keys: [await rsa()] }) });
      const apps = clientsFileSchema.parse([
        { client_id: 'simpeg', client_name: 'SIMPEG', client_secret: 'x'.repeat(32), redirect_uris: ['https://simpeg.contoh.go.id/cb'] },
        { client_id: 'sppd', client_name: 'SPPD', client_secret: 'x'.repeat(32), redirect_uris: ['https://sppd.contoh.go.id/cb'], id_token_signed_response_alg: 'ES256' },
      ]);
      const registry = createConfigClientRegistry([...internalClients(config, 'k'.repeat(32)), ...apps], { hash: (s) => s });
      const inUseNow = await signingAlgsInUse(registry);
      expect(Object.fromEntries(inUseNow)).to.deep.equal({ RS256: ['simpeg'], ES256: ['satu-akun-portal', 'satu-akun-developer', 'satu-akun-admin', 'sppd'] });
      expect(await problemsOf(loadSigningKeys(config, logger, inUseNow))).to.deep.equal([
        'signing keys: no ES256 key is configured (used by satu-akun-portal, satu-akun-developer, satu-akun-admin, sppd); add an EC private key on the P-256 curve to SATU_AKUN_SIGNING_KEYS',
      ]);
    });

    it('starts with one key of each algorithm in use', async () => {
      const signingKeys = JSON.stringify({ keys: [await rsa(), await es256()] });
      const keys = await loadSigningKeys(configSchema.parse({ env: 'production', signingKeys }), logger, inUse([['RS256', []], ['ES256', ['satu-akun-portal']]]));
      expect(keys.map((k) => k.alg)).to.deep.equal(['RS256', 'ES256']);
    });

    it('refuses a development key left among production keys', async () => {
      const dir = keysDir();
      await loadSigningKeys(configSchema.parse({ keysDir: dir }), logger);
      writeFileSync(join(dir, '2026-11.jwk.json'), JSON.stringify(await es256()));
      const problems = await problemsOf(loadSigningKeys(configSchema.parse({ env: 'production', keysDir: dir }), logger));
      expect(problems).to.have.length(2);
      for (const p of problems) expect(p).to.contain('remove the development key');
    });
  });

  it('loads several keys from configuration with unique kids, and refuses public keys and RSA keys under 2048 bits', async () => {
    const keys = [await rsa(), await es256(), await es256()];
    const loaded = await loadSigningKeys(configSchema.parse({ env: 'production', signingKeys: JSON.stringify({ keys }) }), logger);
    expect(new Set(loaded.map((k) => k.kid)).size).to.equal(3);
    const { d: _d, ...publicOnly } = keys[1]!;
    expect((await problemsOf(loadSigningKeys(configSchema.parse({ signingKeys: JSON.stringify({ keys: [publicOnly] }) }), logger)))[0]).to.contain('not private');
    // jose refuses to generate a key this small; node:crypto still does, as old tools did.
    const small = { ...generateKeyPairSync('rsa', { modulusLength: 1024 }).privateKey.export({ format: 'jwk' }), kid: 'kecil' };
    expect(await problemsOf(loadSigningKeys(configSchema.parse({ signingKeys: JSON.stringify({ keys: [small] }) }), logger))).to.deep.equal([
      'signing keys: the RSA key kecil has 1024 bits; at least 2048 are required (3072 for a new key)',
    ]);
  });

  it('loads keys/*.jwk.json files, newest name first', async () => {
    const dir = keysDir();
    writeFileSync(join(dir, '2026-11.jwk.json'), JSON.stringify({ ...(await es256()), kid: 'kunci-2026-11' }));
    writeFileSync(join(dir, '2026-05.jwk.json'), JSON.stringify({ ...(await rsa()), kid: 'rsa-2026-05' }));
    const loaded = await loadSigningKeys(configSchema.parse({ env: 'production', keysDir: dir }), logger);
    expect(loaded.map((k) => k.kid)).to.deep.equal(['kunci-2026-11', 'rsa-2026-05']);
    expect(readFileSync(join(dir, '2026-11.jwk.json'), 'utf8')).to.contain('kunci-2026-11');
  });

  it('warns at start-up about development keys only when they are what signs', async () => {
    const dir = keysDir();
    expect(signingKeyWarnings(configSchema.parse({ keysDir: dir }))[0], 'nothing provisioned').to.contain('development signing keys');
    await loadSigningKeys(configSchema.parse({ keysDir: dir }), logger);
    expect(signingKeyWarnings(configSchema.parse({ keysDir: dir }))[0], 'generated development keys').to.contain('development signing keys');
    const provisioned = keysDir();
    writeFileSync(join(provisioned, '2026-11-rs256.jwk.json'), JSON.stringify(await rsa()));
    writeFileSync(join(provisioned, '2026-11-es256.jwk.json'), JSON.stringify(await es256()));
    expect(signingKeyWarnings(configSchema.parse({ keysDir: provisioned })), 'provisioned keys').to.deep.equal([]);
    expect(signingKeyWarnings(configSchema.parse({ signingKeys: '{"keys":[]}' })), 'keys from the environment').to.deep.equal([]);
    expect(signingKeyWarnings(configSchema.parse({ env: 'production', keysDir: dir })), 'production refuses development keys instead').to.deep.equal([]);
  });
});
