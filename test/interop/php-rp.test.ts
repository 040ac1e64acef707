import { expect } from 'chai';
import { Browser } from '../support/browser.ts';
import { freePort } from '../support/processes.ts';
import { startProvider, testClients, type TestProvider } from '../support/provider.ts';
import { phpApp, requirePhp, result, signInThrough, signOutThrough, startPhpRp, type PhpRp } from './php-harness.ts';

/**
 * Issue 11 §2: a PHP app built only from Debian's packages (php-cli, php-curl, php-phpseclib3) signs in with code +
 * PKCE and verifies the RS256 ID token against the JWKS itself, as jumbojett/OpenID-Connect-PHP does.
 */
describe('a plain PHP relying party (php-curl, phpseclib3)', function () {
  let op: TestProvider;
  let rs256: PhpRp;
  let es256: PhpRp;

  before(async function () {
    requirePhp(this);
    const [rsPort, esPort] = [await freePort(), await freePort()];
    op = await startProvider({}, { clients: [...testClients(), phpApp('php-rs256', rsPort, 'RS256'), phpApp('php-es256', esPort, 'ES256')] });
    [rs256, es256] = await Promise.all([startPhpRp('rp.php', op.issuer, 'php-rs256', rsPort), startPhpRp('rp.php', op.issuer, 'php-es256', esPort)]);
  });
  after(async () => {
    rs256?.close();
    es256?.close();
    await op?.stop();
  });

  it('signs in with code + PKCE, verifies the RS256 ID token and reads userinfo', async () => {
    const browser = new Browser();
    const page = await signInThrough(browser, rs256);
    expect(page.status, page.html).to.equal(200);
    const { alg, id_token: claims, userinfo } = result(page);
    expect(alg).to.equal('RS256');
    expect(claims.iss).to.equal(op.issuer);
    expect(claims.aud).to.equal('php-rs256');
    expect(claims.sub).to.be.a('string').and.not.equal('');
    expect(claims.acr).to.equal('urn:satu-akun:loa:1');
    expect(userinfo.sub).to.equal(claims.sub);
    expect(userinfo.name).to.equal('Rudi Hartono');

    // The same token with one signature byte flipped is refused by the PHP verifier: the signature is really checked.
    const tampered = await browser.open(`${rs256.url}/verify-tampered`);
    expect(tampered.status).to.equal(400);
    expect(result(tampered)).to.deep.equal({ error: 'signature does not verify' });

    // RP-initiated logout with id_token_hint ends the session at Satu Akun.
    await signOutThrough(browser, rs256);
  });

  it('refuses an ID token signed with ES256, as jumbojett does', async () => {
    const page = await signInThrough(new Browser(), es256);
    expect(page.status).to.equal(400);
    expect(result(page)).to.deep.equal({ error: 'alg ES256 is not accepted, only RS256' });
  });
});
