import { mkdtempSync, readFileSync, readdirSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { expect } from 'chai';
import { createRemoteJWKSet, decodeProtectedHeader, jwtVerify, type JWK } from 'jose';
import { ConfigError } from '../../src/config/load.ts';
import { configSchema } from '../../src/config/schema.ts';
import { runKeys, KEYS_EXIT, PUBLISH_WAIT_MS } from '../../src/cli/keys.ts';
import { runCli } from '../../src/cli/satu-akun.ts';
import { loadSigningKeys } from '../../src/oidc/keys.ts';
import { createLogger } from '../../src/shared/logger.ts';
import { newBrowser, signIn } from '../support/flow.ts';
import { rp, startProvider, type TestProvider } from '../support/provider.ts';
import { captureOutput } from '../support/console.ts';

const logger = createLogger('silent');

/** Runs `satu-akun keys …` against `dir`, returning its exit code and what it printed. */
const keys = (dir: string, args: string[], now?: Date) => {
  const env = { SATU_AKUN_KEYS_DIR: dir, SATU_AKUN_DATA_DIR: join(dir, '..', 'data') };
  return captureOutput(() => (now ? runKeys(args, env, now) : runCli(['keys', ...args], env)));
};

const keysDir = () => join(mkdtempSync(join(tmpdir(), 'satu-akun-rotation-')), 'keys');
/** The `kid` a keys command printed for the key it wrote. */
const kidIn = (out: string) => /key ([\w-]{43}) /.exec(out)![1]!;
const lifeOf = (dir: string, kid: string) => {
  const file = readdirSync(dir).find((f) => (JSON.parse(readFileSync(join(dir, f), 'utf8')) as JWK).kid === kid)!;
  return (JSON.parse(readFileSync(join(dir, file), 'utf8')) as { satu_akun: { status: string; published_until?: string } }).satu_akun;
};

/** The published JWKS of a running provider. */
const jwks = async (op: TestProvider) => ((await (await fetch(`${op.local}/jwks`)).json()) as { keys: JWK[] }).keys;
/** Signs in to the RS256 app and returns the ID token. */
const idToken = async (op: TestProvider) => (await signIn(await rp(op.issuer, 'app-a'), newBrowser(), 'andi.wijaya')).tokens.id_token!;

describe('satu-akun keys: signing-key rotation without downtime', () => {
  it('publishes a new key before it signs, then signs with it while the old one still verifies, then withdraws the old one', async function () {
    this.timeout(120_000);
    const dir = keysDir();
    const first = await keys(dir, ['generate', '--alg', 'RS256']);
    expect(first.code).to.equal(KEYS_EXIT.ok);
    expect(first.out).to.contain('signs at once');
    const oldKid = kidIn(first.out);
    expect((await keys(dir, ['generate', '--alg', 'ES256'])).code).to.equal(KEYS_EXIT.ok);

    let op = await startProvider({ keysDir: dir });
    const oldToken = await idToken(op);
    expect(decodeProtectedHeader(oldToken).kid).to.equal(oldKid);

    // Step 1: the new key is published at the next start and does not sign yet.
    const second = await keys(dir, ['generate', '--alg', 'RS256']);
    expect(second.out).to.contain('not signing yet');
    const newKid = kidIn(second.out);
    await op.stop();
    op = await startProvider({ keysDir: dir });
    const published = await jwks(op);
    expect(published.find((k) => k.kid === newKid), 'the new key is in the JWKS').to.deep.include({ key_ops: ['verify'] });
    expect(published.find((k) => k.kid === oldKid)).to.not.have.property('key_ops');
    expect(published.every((k) => k.d === undefined), 'no private part is published').to.equal(true);
    expect(decodeProtectedHeader(await idToken(op)).kid, 'the old key still signs').to.equal(oldKid);

    // Step 2: activation waits until apps can have fetched the new JWKS, unless forced.
    const early = await keys(dir, ['activate', newKid]);
    expect(early.code).to.equal(KEYS_EXIT.refused);
    expect(early.out).to.contain('--force');
    const activated = await keys(dir, ['activate', newKid, '--force']);
    expect(activated.code, activated.out).to.equal(KEYS_EXIT.ok);
    expect(lifeOf(dir, oldKid).status).to.equal('retired');
    await op.stop();
    op = await startProvider({ keysDir: dir });
    const newToken = await idToken(op);
    expect(decodeProtectedHeader(newToken).kid, 'the new key signs').to.equal(newKid);
    // What the old key signed still verifies against the published JWKS (each test provider has its own port, so the
    // issuer differs; the signature is what matters here).
    const remote = createRemoteJWKSet(new URL(`${op.local}/jwks`));
    await jwtVerify(oldToken, remote);
    await jwtVerify(newToken, remote, { issuer: op.issuer });

    // The signing key is never retired alone; the old one leaves the JWKS at once with --now (a leaked key).
    expect((await keys(dir, ['retire', newKid])).code).to.equal(KEYS_EXIT.refused);
    expect((await keys(dir, ['retire', oldKid, '--now'])).code).to.equal(KEYS_EXIT.ok);
    await op.stop();
    op = await startProvider({ keysDir: dir });
    try {
      expect((await jwks(op)).map((k) => k.kid)).to.not.include(oldKid);
      const err = await jwtVerify(oldToken, createRemoteJWKSet(new URL(`${op.local}/jwks`))).catch((e: unknown) => e);
      expect(err, 'a withdrawn key no longer verifies').to.have.property('code', 'ERR_JWKS_NO_MATCHING_KEY');
      await jwtVerify(await idToken(op), createRemoteJWKSet(new URL(`${op.local}/jwks`)), { issuer: op.issuer });
    } finally {
      await op.stop();
    }
  });

  it('keeps a retired key published until what it signed has expired, then lists it as removable', async () => {
    const dir = keysDir();
    const now = new Date('2026-11-01T00:00:00Z');
    const oldKid = kidIn((await keys(dir, ['generate', '--alg', 'RS256'], now)).out);
    const newKid = kidIn((await keys(dir, ['generate', '--alg', 'RS256'], now)).out);
    const later = new Date(now.getTime() + PUBLISH_WAIT_MS);
    expect((await keys(dir, ['activate', newKid], later)).code, 'activation after the wait needs no --force').to.equal(KEYS_EXIT.ok);
    // The default absolute session lifetime (10 h) is longer than an ID token's hour: an id_token_hint stays valid that long.
    expect(lifeOf(dir, oldKid).published_until).to.equal(new Date(later.getTime() + 10 * 3600_000).toISOString());
    const config = configSchema.parse({ keysDir: dir, env: 'production' });
    const published = async (at: Date) => (await loadSigningKeys(config, logger, new Map([['RS256', []]]), at)).map((k) => k.kid);
    expect(await published(new Date(later.getTime() + 9 * 3600_000))).to.deep.equal([newKid, oldKid]);
    expect(await published(new Date(later.getTime() + 11 * 3600_000))).to.deep.equal([newKid]);
    const listed = await keys(dir, ['list'], new Date(later.getTime() + 11 * 3600_000));
    expect(listed.out).to.match(new RegExp(`${oldKid}  no longer published since .* may be deleted`));
    expect(listed.out).to.match(new RegExp(`${newKid}  signing since`));
  });

  it('refuses what would leave an algorithm without a signer or with two', async () => {
    const dir = keysDir();
    const now = new Date('2026-11-01T00:00:00Z');
    const kid = kidIn((await keys(dir, ['generate', '--alg', 'RS256'], now)).out);
    const file = join(dir, readdirSync(dir)[0]!);
    const key = JSON.parse(readFileSync(file, 'utf8')) as JWK & { satu_akun: { status: string } };
    // A published key alone does not sign: production names the command that makes it.
    writeFileSync(file, JSON.stringify({ ...key, satu_akun: { ...key.satu_akun, status: 'published' } }));
    const config = configSchema.parse({ keysDir: dir, env: 'production' });
    const refusal = (await loadSigningKeys(config, logger, new Map([['RS256', []]]), now).catch((e: unknown) => e)) as ConfigError;
    expect(refusal.problems[0]).to.contain(`keys activate ${kid}`);
    // Two active keys of one algorithm (a hand edit) are refused rather than one picked silently.
    const other = kidIn((await keys(dir, ['generate', '--alg', 'RS256'], now)).out);
    writeFileSync(file, JSON.stringify({ ...key, satu_akun: { ...key.satu_akun, status: 'active' } }));
    const otherFile = readdirSync(dir).map((f) => join(dir, f)).find((f) => f !== file)!;
    const otherKey = JSON.parse(readFileSync(otherFile, 'utf8')) as { satu_akun: object };
    writeFileSync(otherFile, JSON.stringify({ ...otherKey, satu_akun: { ...otherKey.satu_akun, status: 'active' } }));
    const twice = (await loadSigningKeys(config, logger, new Map([['RS256', []]]), now).catch((e: unknown) => e)) as ConfigError;
    expect(twice.problems[0]).to.contain('2 RS256 keys are active').and.contain(other);
  });

  it('changes nothing when keys come from SATU_AKUN_SIGNING_KEYS, and explains usage errors', async () => {
    const env = { SATU_AKUN_SIGNING_KEYS: '{"keys":[]}', SATU_AKUN_DATA_DIR: mkdtempSync(join(tmpdir(), 'satu-akun-')) };
    const out: string[] = [];
    const error = console.error;
    console.error = (...parts: unknown[]) => void out.push(parts.join(' '));
    try {
      expect(await runKeys(['generate', '--alg', 'RS256'], env)).to.equal(KEYS_EXIT.refused);
      expect(await runKeys(['generate', '--alg', 'HS256'], env)).to.equal(KEYS_EXIT.usage);
      expect(await runKeys(['rotate'], env)).to.equal(KEYS_EXIT.usage);
      // One kid in 64 begins with '-': it is still the kid, not an unknown option (refused here for the env's keys).
      expect(await runKeys(['retire', `-${'a'.repeat(42)}`, '--now'], env)).to.equal(KEYS_EXIT.refused);
    } finally {
      console.error = error;
    }
    expect(out[0]).to.contain('SATU_AKUN_SIGNING_KEYS');
    expect(out[1]).to.contain('keys generate --alg RS256|ES256');
  });
});
