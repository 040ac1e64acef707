import { spawn } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { expect } from 'chai';
import type { Context } from 'mocha';
import type { Browser, Page } from '../support/browser.ts';
import { submitLogin } from '../support/flow.ts';
import { findExecutable, waitForOutput } from '../support/processes.ts';
import { SECRET } from '../support/provider.ts';
import { serviceMissing } from '../support/require-service.ts';
import { clientsFileSchema, type ClientConfig } from '../../src/config/schema.ts';

/** The PHP relying parties of test/interop/php/. */
export const PHP_DIR = join(dirname(fileURLToPath(import.meta.url)), 'php');
const PHPSECLIB = '/usr/share/php/phpseclib3/autoload.php';

/** Skips (or under CI=true fails) the suite when php or Debian's phpseclib3 is not installed. */
export const requirePhp = (ctx: Context) => {
  if (!findExecutable('php')) serviceMissing(ctx, 'php', 'install the Debian packages php-cli, php-curl and php-phpseclib3');
  if (!existsSync(PHPSECLIB)) serviceMissing(ctx, 'php', 'install the Debian package php-phpseclib3');
};

/**
 * A PHP relying party (`script`, a router script of test/interop/php/) served by `php -S` on `port`, configured for
 * `clientId` at `issuer`; stopped by `close`. Its sessions live in a temporary folder of its own, so nothing depends on
 * the system's session folder being writable and nothing is left there.
 */
export const startPhpRp = async (script: string, issuer: string, clientId: string, port: number) => {
  const url = `http://127.0.0.1:${port}`;
  const sessions = mkdtempSync(join(tmpdir(), 'satu-akun-php-'));
  const env = {
    ...process.env,
    SATU_AKUN_ISSUER: issuer,
    SATU_AKUN_CLIENT_ID: clientId,
    SATU_AKUN_CLIENT_SECRET: SECRET,
    SATU_AKUN_REDIRECT_URI: `${url}/callback`,
    SATU_AKUN_POST_LOGOUT_REDIRECT_URI: `${url}/`,
  };
  const args = ['-d', `session.save_path=${sessions}`, '-S', `127.0.0.1:${port}`, join(PHP_DIR, script)];
  const child = spawn('php', args, { env, stdio: ['ignore', 'pipe', 'pipe'] });
  const stop = () => {
    child.kill();
    rmSync(sessions, { recursive: true, force: true });
  };
  process.once('exit', stop);
  await waitForOutput(child, /Development Server .* started/, 10_000);
  // Keep draining its request log so the pipe never fills.
  child.stdout.resume();
  child.stderr.resume();
  return { url, close: () => (process.off('exit', stop), stop()) };
};
export type PhpRp = Awaited<ReturnType<typeof startPhpRp>>;

/** An app of the clients file whose redirect URI is the PHP server's callback, signing ID tokens with `alg`. */
export const phpApp = (clientId: string, port: number, alg: 'RS256' | 'ES256'): ClientConfig =>
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
export const result = (page: Page) => JSON.parse(page.doc.querySelector('#result')!.text) as Record<string, any>;

/** A sign-in through the PHP app: its /login, Satu Akun's login page, the first-time notice, back to its /callback. */
export const signInThrough = async (browser: Browser, rp: PhpRp) => {
  let page = await browser.open(`${rp.url}/login`);
  expect(page.doc.querySelector('form[action$="/login"]'), "Satu Akun's login page").to.not.equal(null);
  page = await submitLogin(browser, page, 'rudi.hartono');
  page = await browser.submit(page, { decision: 'accept' }, '/notice');
  expect(page.url.startsWith(`${rp.url}/callback?`), page.url).to.equal(true);
  return page;
};

/** RP-initiated logout from the PHP app's /logout; Satu Akun's session ends, so its next /login asks for the password. */
export const signOutThrough = async (browser: Browser, rp: PhpRp) => {
  let logout = await browser.open(`${rp.url}/logout`);
  logout = await browser.submit(logout, { logout: 'yes' });
  expect(logout.url).to.equal(`${rp.url}/`);
  expect(logout.doc.querySelector('h1')?.text).to.equal('Signed out');
  const again = await browser.open(`${rp.url}/login`);
  expect(again.doc.querySelector('form[action$="/login"]'), 'password asked again').to.not.equal(null);
};
