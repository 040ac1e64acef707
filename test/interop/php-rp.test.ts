import { spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { expect } from 'chai';
import { Browser, type Page } from '../support/browser.ts';
import { submitLogin } from '../support/flow.ts';
import { findExecutable, freePort, waitForOutput } from '../support/processes.ts';
import { SECRET, startProvider, testClients, type TestProvider } from '../support/provider.ts';
import { serviceMissing } from '../support/require-service.ts';
import { clientsFileSchema, type ClientConfig } from '../../src/config/schema.ts';

const RP_SCRIPT = join(dirname(fileURLToPath(import.meta.url)), 'php', 'rp.php');
const PHPSECLIB = '/usr/share/php/phpseclib3/autoload.php';

/** A PHP relying party (test/interop/php/rp.php) served by `php -S` on a free port; stopped by `close`. */
const startPhpRp = async (issuer: string, clientId: string, port: number) => {
  const url = `http://127.0.0.1:${port}`;
  const env = {
    ...process.env,
    SATU_AKUN_ISSUER: issuer,
    SATU_AKUN_CLIENT_ID: clientId,
    SATU_AKUN_CLIENT_SECRET: SECRET,
    SATU_AKUN_REDIRECT_URI: `${url}/callback`,
    SATU_AKUN_POST_LOGOUT_REDIRECT_URI: `${url}/`,
  };
  const child = spawn('php', ['-S', `127.0.0.1:${port}`, RP_SCRIPT], { env, stdio: ['ignore', 'pipe', 'pipe'] });
  const stop = () => child.kill();
  process.once('exit', stop);
  await waitForOutput(child, /Development Server .* started/, 10_000);
  // Keep draining its request log so the pipe never fills.
  child.stdout.resume();
  child.stderr.resume();
  return { url, close: () => (process.off('exit', stop), stop()) };
};
type PhpRp = Awaited<ReturnType<typeof startPhpRp>>;

/** An app of the clients file whose redirect URI is the PHP server's callback, signing ID tokens with `alg`. */
const phpApp = (clientId: string, port: number, alg: 'RS256' | 'ES256'): ClientConfig =>
  clientsFileSchema.parse([
    {
      client_id: clientId,
      client_name: `Aplikasi PHP ${alg}`,
      client_secret: SECRET,
      scopes: ['openid', 'profile', 'email'],
      redirect_uris: [`http://127.0.0.1:${port}/callback`],
      post_logout_redirect_uris: [`http://127.0.0.1:${port}/`],
      id_token_signed_response_alg: alg,
    },
  ])[0]!;

/** What the PHP page printed (its `<pre id="result">` JSON). */
const result = (page: Page) => JSON.parse(page.doc.querySelector('#result')!.text) as Record<string, any>;

/** A sign-in through the PHP app: its /login, Satu Akun's login page, the first-time notice, back to its /callback. */
const signInThrough = async (browser: Browser, rp: PhpRp) => {
  let page = await browser.open(`${rp.url}/login`);
  expect(page.doc.querySelector('form[action$="/login"]'), "Satu Akun's login page").to.not.equal(null);
  page = await submitLogin(browser, page, 'rudi.hartono');
  page = await browser.submit(page, { decision: 'accept' }, '/notice');
  expect(page.url.startsWith(`${rp.url}/callback?`), page.url).to.equal(true);
  return page;
};

/**
 * Issue 11 §2: a PHP app built only from Debian's packages (php-cli, php-curl, php-phpseclib3) signs in with code +
 * PKCE and verifies the RS256 ID token against the JWKS itself, as jumbojett/OpenID-Connect-PHP does.
 */
describe('a plain PHP relying party (php-curl, phpseclib3)', function () {
  let op: TestProvider;
  let rs256: PhpRp;
  let es256: PhpRp;

  before(async function () {
    if (!findExecutable('php')) serviceMissing(this, 'php', 'install the Debian packages php-cli, php-curl and php-phpseclib3');
    if (!existsSync(PHPSECLIB)) serviceMissing(this, 'php', 'install the Debian package php-phpseclib3');
    const [rsPort, esPort] = [await freePort(), await freePort()];
    op = await startProvider({}, { clients: [...testClients(), phpApp('php-rs256', rsPort, 'RS256'), phpApp('php-es256', esPort, 'ES256')] });
    [rs256, es256] = await Promise.all([startPhpRp(op.issuer, 'php-rs256', rsPort), startPhpRp(op.issuer, 'php-es256', esPort)]);
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
    let logout = await browser.open(`${rs256.url}/logout`);
    logout = await browser.submit(logout, { logout: 'yes' });
    expect(logout.url).to.equal(`${rs256.url}/`);
    expect(logout.doc.querySelector('h1')?.text).to.equal('Signed out');
    const again = await browser.open(`${rs256.url}/login`);
    expect(again.doc.querySelector('form[action$="/login"]'), 'password asked again').to.not.equal(null);
  });

  it('refuses an ID token signed with ES256, as jumbojett does', async () => {
    const page = await signInThrough(new Browser(), es256);
    expect(page.status).to.equal(400);
    expect(result(page)).to.deep.equal({ error: 'alg ES256 is not accepted, only RS256' });
  });
});
