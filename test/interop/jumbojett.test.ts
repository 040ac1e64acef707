import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { expect } from 'chai';
import { Browser } from '../support/browser.ts';
import { freePort } from '../support/processes.ts';
import { startProvider, testClients, type TestProvider } from '../support/provider.ts';
import { PHP_DIR, phpApp, requirePhp, result, signInThrough, signOutThrough, startPhpRp, type PhpRp } from './php-harness.ts';

const VENDORED = join(PHP_DIR, 'jumbojett');

/** PHP's warnings and notices print into the page; a clean page shows the library ran without any. */
const PHP_NOISE = /(Deprecated|Warning|Notice|Fatal error):/;

describe('the vendored jumbojett/OpenID-Connect-PHP 1.0.2', () => {
  it('is the published file, unmodified: its SHA-256 is the one its README records', () => {
    const readme = readFileSync(join(VENDORED, 'README.md'), 'utf8');
    const recorded = /SHA-256 of `OpenIDConnectClient\.php`: `([0-9a-f]{64})`/.exec(readme)?.[1];
    expect(recorded, 'the README records a SHA-256').to.be.a('string');
    const actual = createHash('sha256').update(readFileSync(join(VENDORED, 'OpenIDConnectClient.php'))).digest('hex');
    expect(actual).to.equal(recorded);
    expect(readFileSync(join(VENDORED, 'LICENSE'), 'utf8')).to.match(/Apache License\s+Version 2\.0/);
  });
});

/**
 * Issue 11: jumbojett/OpenID-Connect-PHP 1.0.2, unmodified, signs in with an RS256 app, used as the READMEs show
 * (test/interop/php/jumbojett-rp.php), and refuses an ES256 ID token, which is why PHP apps keep RS256.
 */
describe('jumbojett/OpenID-Connect-PHP 1.0.2 as a relying party', function () {
  let op: TestProvider;
  let rs256: PhpRp;
  let es256: PhpRp;

  before(async function () {
    requirePhp(this);
    const [rsPort, esPort] = [await freePort(), await freePort()];
    const apps = [phpApp('jumbojett-rs256', rsPort, 'RS256'), phpApp('jumbojett-es256', esPort, 'ES256')];
    op = await startProvider({}, { clients: [...testClients(), ...apps] });
    [rs256, es256] = await Promise.all([
      startPhpRp('jumbojett-rp.php', op.issuer, 'jumbojett-rs256', rsPort),
      startPhpRp('jumbojett-rp.php', op.issuer, 'jumbojett-es256', esPort),
    ]);
  });
  after(async () => {
    rs256?.close();
    es256?.close();
    await op?.stop();
  });

  it('signs in with code + PKCE, verifies the RS256 ID token, reads the name from userinfo and signs out', async () => {
    const browser = new Browser();
    // jumbojett sends a PKCE challenge only if discovery lists S256 among code_challenge_methods_supported.
    const start = new URL((await browser.request(`${rs256.url}/login`)).headers.get('location')!);
    expect(start.href.startsWith(`${op.issuer}/`), start.href).to.equal(true);
    expect(start.searchParams.get('code_challenge_method')).to.equal('S256');
    expect(start.searchParams.get('code_challenge')).to.match(/^[\w-]{43}$/);
    expect(start.searchParams.get('redirect_uri')).to.equal(`${rs256.url}/callback`);
    expect(start.searchParams.get('scope')).to.equal('profile email openid');

    const page = await signInThrough(browser, rs256);
    expect(page.status, page.html).to.equal(200);
    expect(page.html).to.not.match(PHP_NOISE);
    const { alg, claims, name } = result(page);
    expect(alg).to.equal('RS256');
    expect(claims.iss).to.equal(op.issuer);
    expect(claims.aud).to.equal('jumbojett-rs256');
    expect(claims.sub).to.be.a('string').and.not.equal('');
    expect(claims.acr).to.equal('urn:satu-akun:loa:1');
    expect(name).to.equal('Rudi Hartono');

    // signOut($idToken, $postLogoutUri): id_token_hint and post_logout_redirect_uri end the session at Satu Akun.
    await signOutThrough(browser, rs256);
  });

  it('refuses an ID token signed with ES256 with its own error', async () => {
    const page = await signInThrough(new Browser(), es256);
    expect(page.status).to.equal(400);
    expect(page.html).to.not.match(PHP_NOISE);
    // The message of verifyJWTSignature() in 1.0.2 for any algorithm but RS*, PS256, PS512 and HS*.
    expect(result(page)).to.deep.equal({ error: 'No support for signature type: ES256' });
  });
});
