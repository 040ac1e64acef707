import { readFileSync } from 'node:fs';
import { expect } from 'chai';
import type { BrowserContext, Page } from 'playwright-core';
import { clientsFileSchema, type ClientConfig } from '../../src/config/schema.ts';
import { startDemoApp } from '../../src/demo/demo-app.ts';
import { signInAs, startChromium } from '../support/chromium.ts';
import { freePort } from '../support/processes.ts';
import { SECRET, startProvider, testClients, type TestProvider } from '../support/provider.ts';
import { requireApache, startApacheRp, type ApacheRp } from './apache/apache-rp.ts';
import { requireAuthlib, startAuthlibRp, type AuthlibRp } from './authlib/authlib-rp.ts';

const ALGS = ['RS256', 'ES256'] as const;
type Alg = (typeof ALGS)[number];

/** mod_auth_openidc's registration: its callback doubles as the RP-initiated and back-channel logout endpoint. */
const apacheApp = (clientId: string, name: string, port: number, alg: Alg): ClientConfig =>
  clientsFileSchema.parse([
    {
      client_id: clientId,
      client_name: name,
      client_secret: SECRET,
      scopes: ['openid', 'profile', 'email'],
      redirect_uris: [`http://127.0.0.1:${port}/redirect_uri`],
      post_logout_redirect_uris: [`http://127.0.0.1:${port}/`],
      backchannel_logout_uri: `http://127.0.0.1:${port}/redirect_uri?logout=backchannel`,
      id_token_signed_response_alg: alg,
    },
  ])[0]!;

const authlibApp = (clientId: string, port: number, alg: Alg): ClientConfig =>
  clientsFileSchema.parse([
    {
      client_id: clientId,
      client_name: `Aplikasi Authlib ${alg}`,
      client_secret: SECRET,
      scopes: ['openid', 'profile', 'email'],
      redirect_uris: [`http://127.0.0.1:${port}/auth/callback`],
      post_logout_redirect_uris: [`http://127.0.0.1:${port}/`],
      id_token_signed_response_alg: alg,
    },
  ])[0]!;

/** Waits until the browser is at `url`; otherwise fails naming where it is and what it shows. */
const arriveAt = async (page: Page, url: string | RegExp) => {
  try {
    await page.waitForURL(url, { timeout: 10_000 });
  } catch {
    const body = await page.locator('body').innerText().catch(() => '');
    throw new Error(`expected to arrive at ${url}, but the browser shows ${page.url()}:\n${body.slice(0, 1000)}`);
  }
};

/** The openid-client app (Satu Akun's demo app, src/demo/demo-app.ts), told of logouts by back-channel logout. */
const nodeApp = (clientId: string, port: number, alg: Alg): ClientConfig =>
  clientsFileSchema.parse([
    {
      client_id: clientId,
      client_name: `Aplikasi Node ${alg}`,
      client_secret: SECRET,
      scopes: ['openid', 'profile', 'email'],
      redirect_uris: [`http://127.0.0.1:${port}/callback`],
      post_logout_redirect_uris: [`http://127.0.0.1:${port}/`],
      backchannel_logout_uri: `http://127.0.0.1:${port}/backchannel-logout`,
      id_token_signed_response_alg: alg,
    },
  ])[0]!;

/** Satu Akun's sign-in form is on the page (the person is asked for a password). */
const asksPassword = async (page: Page) => (await page.locator('input[type=password]').count()) > 0;

/** Satu Akun's first-time notice for an app ("Data yang dibagikan"): the person continues. */
const acceptNotice = async (page: Page, appName: string) => {
  await expect(await page.locator('h1').innerText()).to.equal('Data yang dibagikan');
  expect(await page.locator('main').innerText()).to.contain(appName);
  await page.getByRole('button', { name: 'Lanjutkan' }).click();
};

/** Satu Akun's logout confirmation, naming the app that asked: the person confirms. */
const confirmLogout = async (page: Page, appName: string) => {
  expect(await page.locator('h1').innerText()).to.equal('Keluar');
  expect(await page.locator('main').innerText()).to.contain(`${appName} meminta Anda keluar`);
  await page.getByRole('button', { name: 'Ya, keluar' }).click();
};

/** The `sub` mod_auth_openidc handed to the page behind /private/ (as REMOTE_USER and as OIDC_CLAIM_sub). */
const apacheUser = async (page: Page) => {
  const [remoteUser, sub, name, acr, idToken] = await Promise.all(['#remote-user', '#sub', '#name', '#acr', '#id-token'].map((s) => page.locator(s).innerText()));
  expect(remoteUser, 'REMOTE_USER is the sub').to.equal(sub);
  const { alg } = JSON.parse(Buffer.from(idToken!.split('.')[0]!, 'base64url').toString()) as { alg: string };
  return { sub, name, acr, alg };
};

/** The `sub` of the ID token the openid-client app shows, or null when nobody is signed in there. */
const nodeSub = async (page: Page) => {
  const cell = page.locator('table.claims').first().locator('tr', { has: page.locator('th', { hasText: /^sub$/ }) }).locator('td');
  return (await cell.count()) ? (JSON.parse(await cell.innerText()) as string) : null;
};

/** What the Authlib app shows for its signed-in person. */
const authlibResult = async (page: Page) => JSON.parse(await page.locator('#result').innerText()) as Record<string, string>;

/**
 * Issue 11 §2: relying parties of other stacks against a test instance, in headless Chromium — Apache with
 * mod_auth_openidc and a Flask app with Authlib (both from Debian's packages), and the openid-client app of the quick
 * start, each registered once with RS256 and once with ES256 ID tokens: sign-in at one, single sign-on at the others,
 * RP-initiated logout from Authlib (Apache and Node learn of it by back-channel logout) and from Apache (Authlib asks
 * for the password at its next sign-in), and a wrong client secret refused.
 */
describe('relying parties of other stacks in Chromium: Apache mod_auth_openidc, Python Authlib, Node openid-client', function () {
  this.timeout(60_000);
  let op: TestProvider;
  let chrome: Awaited<ReturnType<typeof startChromium>>;
  let apache: ApacheRp;
  const apacheUrl = {} as Record<Alg | 'wrong-secret', string>;
  const authlib = {} as Record<Alg, AuthlibRp>;
  const node = {} as Record<Alg, Awaited<ReturnType<typeof startDemoApp>>>;
  /** Rudi's `sub` as Satu Akun stored it (the account overlay is written at the first sign-in). */
  const rudiSub = async () => ((await op.satu.knex('accounts').where({ username: 'rudi.hartono' }).first()) as { sub: string }).sub;

  before(async function () {
    requireApache(this);
    requireAuthlib(this);
    chrome = await startChromium(this);
    const apachePorts = { RS256: await freePort(), ES256: await freePort(), 'wrong-secret': await freePort() };
    const authlibPorts = { RS256: await freePort(), ES256: await freePort() };
    const nodePorts = { RS256: await freePort(), ES256: await freePort() };
    const apps = ALGS.flatMap((alg) => [
      apacheApp(`apache-${alg}`, `Aplikasi Apache ${alg}`, apachePorts[alg], alg),
      authlibApp(`authlib-${alg}`, authlibPorts[alg], alg),
      nodeApp(`node-${alg}`, nodePorts[alg], alg),
    ]);
    op = await startProvider({}, { clients: [...testClients(), ...apps, apacheApp('apache-wrong-secret', 'Aplikasi Apache rahasia salah', apachePorts['wrong-secret'], 'RS256')] });
    const sites = [
      ...ALGS.map((alg) => ({ port: apachePorts[alg], clientId: `apache-${alg}`, clientSecret: SECRET })),
      { port: apachePorts['wrong-secret'], clientId: 'apache-wrong-secret', clientSecret: `not-${SECRET}` },
    ];
    const [started, ...pythons] = await Promise.all([
      startApacheRp(this, op.issuer, sites),
      ...ALGS.map((alg) => startAuthlibRp(this, op.issuer, authlibPorts[alg], `authlib-${alg}`, SECRET)),
    ]);
    apache = started;
    [apacheUrl.RS256, apacheUrl.ES256, apacheUrl['wrong-secret']] = apache.urls as [string, string, string];
    ALGS.forEach((alg, i) => (authlib[alg] = pythons[i]!));
    for (const alg of ALGS) {
      const client = apps.find((app) => app.client_id === `node-${alg}`)!;
      node[alg] = await startDemoApp({ issuer: op.issuer, client, port: nodePorts[alg], otherApps: [], render: op.satu.render, logger: op.satu.logger });
    }
  });
  afterEach(function () {
    // mod_auth_openidc says why it refused something only in its error log.
    if (this.currentTest?.state === 'failed' && apache) console.log(readFileSync(apache.errorLog, 'utf8').split('\n').slice(-30).join('\n'));
  });
  after(async () => {
    await Promise.all([apache?.close(), ...[...Object.values(authlib), ...Object.values(node)].map((rp) => rp.close())]);
    await chrome?.close();
    await op?.stop();
  });

  for (const alg of ALGS) {
    it(`${alg}: sign-in at Apache, single sign-on at Authlib and Node, logout from Authlib and from Apache`, async () => {
      const context: BrowserContext = await chrome.browser.newContext();
      const page = await context.newPage();
      const apacheName = `Aplikasi Apache ${alg}`;
      const authlibName = `Aplikasi Authlib ${alg}`;

      // Apache: the protected page sends the browser to Satu Akun, which asks for the password.
      await page.goto(`${apacheUrl[alg]}/private/`);
      expect(page.url().startsWith(`${op.issuer}/`), page.url()).to.equal(true);
      expect(await asksPassword(page), 'the password is asked').to.equal(true);
      await signInAs(page, 'rudi.hartono');
      await acceptNotice(page, apacheName);
      await arriveAt(page, `${apacheUrl[alg]}/private/`);
      const sub = await rudiSub();
      expect(sub).to.be.a('string').and.not.equal('');
      expect(await apacheUser(page)).to.deep.equal({ sub, name: 'Rudi Hartono', acr: 'urn:satu-akun:loa:1', alg });

      // Authlib: single sign-on, the first Satu Akun page is the notice for this app, not a password form.
      await page.goto(`${authlib[alg].url}/login`);
      expect(page.url().startsWith(`${op.issuer}/`), page.url()).to.equal(true);
      expect(await asksPassword(page), 'no password at the second app').to.equal(false);
      await acceptNotice(page, authlibName);
      await arriveAt(page, `${authlib[alg].url}/`);
      expect(await authlibResult(page)).to.deep.equal({ sub, name: 'Rudi Hartono', alg });

      // Node (openid-client): single sign-on as well, the ID token checked against the algorithm the app registered.
      await page.goto(`${node[alg].url}/login`);
      expect(await asksPassword(page), 'no password at the third app').to.equal(false);
      await acceptNotice(page, `Aplikasi Node ${alg}`);
      await arriveAt(page, `${node[alg].url}/`);
      expect(await nodeSub(page)).to.equal(sub);
      expect(await page.locator('main').innerText()).to.contain('Rudi Hartono');

      // Each app keeps its own session: Apache's page opens without a trip to Satu Akun.
      await page.goto(`${apacheUrl[alg]}/private/`);
      expect((await apacheUser(page)).sub).to.equal(sub);

      // Logout from Authlib (id_token_hint): Satu Akun asks, ends the session, and returns to the app.
      await page.goto(`${authlib[alg].url}/logout`);
      await confirmLogout(page, authlibName);
      await arriveAt(page, `${authlib[alg].url}/`);
      expect(await page.locator('h1').innerText()).to.equal('Signed out');

      // The apps that registered a back-channel logout URI were told: the Node app's session is gone, and so is
      // Apache's, which now sends the browser to Satu Akun, where the password is asked again.
      await page.goto(`${node[alg].url}/`);
      expect(await nodeSub(page), "the Node app's session ended").to.equal(null);
      expect(await page.getByRole('link', { name: 'Masuk dengan Satu Akun' }).count(), 'it offers a new sign-in').to.equal(1);
      await page.goto(`${apacheUrl[alg]}/private/`);
      expect(page.url().startsWith(`${op.issuer}/`), `Apache's session should have ended: ${page.url()}`).to.equal(true);
      expect(await asksPassword(page), 'the password is asked again').to.equal(true);
      await signInAs(page, 'rudi.hartono');
      await arriveAt(page, `${apacheUrl[alg]}/private/`);
      expect((await apacheUser(page)).sub).to.equal(sub);

      // Logout from Apache (mod_auth_openidc's ?logout=<url>): confirmed at Satu Akun, back to Apache's public page.
      await page.goto(`${apacheUrl[alg]}/redirect_uri?logout=${encodeURIComponent(`${apacheUrl[alg]}/`)}`);
      await confirmLogout(page, apacheName);
      await arriveAt(page, `${apacheUrl[alg]}/`);
      expect(await page.locator('h1').innerText()).to.equal('Signed out');

      // The SSO session is gone: a new sign-in at Authlib asks for the password.
      await page.goto(`${authlib[alg].url}/login`);
      expect(await asksPassword(page), 'the password is asked again at Authlib').to.equal(true);
      await context.close();
    });
  }

  it('an Apache site with a wrong client secret is refused at the token endpoint and signs nobody in', async () => {
    const context = await chrome.browser.newContext();
    const page = await context.newPage();
    const site = apacheUrl['wrong-secret'];
    await page.goto(`${site}/private/`);
    await signInAs(page, 'rudi.hartono');
    const callback = page.waitForResponse((response) => response.url().startsWith(`${site}/redirect_uri?code=`));
    await acceptNotice(page, 'Aplikasi Apache rahasia salah');
    await callback;
    expect(await page.locator('body').innerText()).to.contain('OpenID Connect Provider error');
    expect(await page.locator('#sub').count(), 'no signed-in page').to.equal(0);
    // Satu Akun's token endpoint said why, and mod_auth_openidc logged it.
    const log = readFileSync(apache.errorLog, 'utf8');
    expect(log).to.contain('"invalid_client"');
    expect(log).to.contain('"client authentication failed"');
    // Nobody is signed in at the site: the protected page goes to Satu Akun again (which, with its session alive,
    // sends a new code at once) and the site is refused again.
    await page.goto(`${site}/private/`);
    expect(page.url().startsWith(`${site}/redirect_uri?code=`), page.url()).to.equal(true);
    expect(await page.locator('#sub').count(), 'still no signed-in page').to.equal(0);
    expect(readFileSync(apache.errorLog, 'utf8').split('"invalid_client"').length - 1, 'refused twice').to.equal(2);
    await context.close();
  });
});
