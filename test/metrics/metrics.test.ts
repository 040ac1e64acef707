import { expect } from 'chai';
import * as oidc from 'openid-client';
import { generate } from 'otplib';
import { ConfigError, loadConfig } from '../../src/config/load.ts';
import { actors, registration } from '../support/apps.ts';
import type { Browser, Page } from '../support/browser.ts';
import { authRequest, newBrowser, signIn, stepOf, submitLogin } from '../support/flow.ts';
import { rp, startProvider, type TestProvider } from '../support/provider.ts';
import { startProviderOn, STORES } from '../support/stores.ts';
import { scrape } from './scrape.ts';

const TOKEN = 'metrics-token-0123456789-abcdefghijklmnop';

describe('SATU_AKUN_METRICS_TOKEN', () => {
  it('is optional, and when set needs at least 32 characters', () => {
    expect(loadConfig({}).metricsToken).to.equal(undefined);
    expect(loadConfig({ SATU_AKUN_METRICS_TOKEN: TOKEN }).metricsToken).to.equal(TOKEN);
    expect(() => loadConfig({ SATU_AKUN_METRICS_TOKEN: 'x'.repeat(31) }))
      .to.throw(ConfigError)
      .with.property('message')
      .that.contains('metricsToken (SATU_AKUN_METRICS_TOKEN): at least 32 characters');
  });
});

describe('/metrics without a token configured', () => {
  let op: TestProvider;
  before(async () => {
    op = await startProvider();
  });
  after(() => op?.stop());

  it('is the ordinary "page not found", token or not', async () => {
    for (const headers of [{}, { authorization: `Bearer ${TOKEN}` }] as Record<string, string>[]) {
      const res = await fetch(`${op.local}/metrics`, { headers: { accept: 'text/html', ...headers } });
      expect(res.status).to.equal(404);
      expect(res.headers.get('www-authenticate')).to.equal(null);
      expect(await res.text()).to.contain('<html');
    }
  });
});

for (const store of [STORES.SQLite, STORES['PostgreSQL + Redis']]) {
  describe(`/metrics on ${store.name}`, () => {
    let op: TestProvider;
    before(async function () {
      // Two failures block a login: enough to see a block start and an attempt refused.
      op = await startProviderOn(this, store, { metricsToken: TOKEN, throttle: { accountFailures: 2, addressFailures: 50 } });
    });
    after(() => op?.stop());

    it('refuses a scraper without the token, or with another one (401, WWW-Authenticate: Bearer)', async () => {
      for (const authorization of [undefined, `Bearer ${TOKEN}x`, `Bearer ${TOKEN.slice(0, -1)}`, `Basic ${Buffer.from(`x:${TOKEN}`).toString('base64')}`, 'Bearer']) {
        const res = await fetch(`${op.local}/metrics`, { headers: authorization ? { authorization } : {} });
        expect(res.status, String(authorization)).to.equal(401);
        expect(res.headers.get('www-authenticate')).to.match(/^Bearer realm="satu-akun-metrics"/);
        const body = await res.text();
        expect(body).not.to.contain('satu_akun_');
      }
      const wrong = await fetch(`${op.local}/metrics`, { headers: { authorization: 'Bearer not-the-token' } });
      expect(wrong.headers.get('www-authenticate')).to.contain('error="invalid_token"');
    });

    it('counts a real sign-in, its token grant and its store round trips, labelled with no person or token', async () => {
      const before = await scrape(op.local, TOKEN);
      const config = await rp(op.issuer, 'app-a');
      const { tokens } = await signIn(config, newBrowser(), 'rudi.hartono', { scope: 'openid profile' });
      const sub = tokens.claims()!.sub;
      const after = await scrape(op.local, TOKEN);

      const delta = (name: string, labels: Record<string, string>) => after.value(name, labels) - before.value(name, labels);
      expect(delta('satu_akun_signins_total', { result: 'success', level: '1' })).to.equal(1);
      expect(delta('satu_akun_token_grants_total', { grant_type: 'authorization_code', result: 'success' })).to.equal(1);
      expect(delta('satu_akun_http_requests_total', { route: 'oidc:token', method: 'POST', status: '200' })).to.equal(1);
      expect(delta('satu_akun_http_requests_total', { route: 'oidc:authorization', method: 'GET' })).to.be.at.least(1);
      expect(after.count('satu_akun_http_request_duration_seconds', { route: 'oidc:token' })).to.be.at.least(1);
      expect(after.count('satu_akun_store_duration_seconds', { store: 'sql', outcome: 'ok' })).to.be.greaterThan(before.count('satu_akun_store_duration_seconds', { store: 'sql', outcome: 'ok' }));
      expect(after.count('satu_akun_store_duration_seconds', { store: 'ldap', outcome: 'ok' })).to.be.greaterThan(before.count('satu_akun_store_duration_seconds', { store: 'ldap', outcome: 'ok' }));
      expect(after.value('satu_akun_store_up', { store: 'sql' })).to.equal(1);
      expect(after.value('satu_akun_store_up', { store: 'ldap' })).to.equal(1);
      if (op.satu.redis) {
        expect(after.count('satu_akun_store_duration_seconds', { store: 'redis', outcome: 'ok' })).to.be.greaterThan(before.count('satu_akun_store_duration_seconds', { store: 'redis', outcome: 'ok' }));
        expect(after.value('satu_akun_store_up', { store: 'redis' })).to.equal(1);
      } else {
        expect(after.samples('satu_akun_store_up', { store: 'redis' })).to.deep.equal([]);
      }
      expect(after.samples('satu_akun_outbox_pending')).to.have.length(1);
      expect(after.samples('satu_akun_process_cpu_user_seconds_total')).to.have.length(1);

      // Bounded labels: no login, sub, token or provider id (21+ random characters) in any label value.
      const secrets = ['rudi', sub, tokens.access_token, tokens.id_token!];
      for (const value of after.labelValues()) {
        for (const secret of secrets) expect(value.toLowerCase()).not.to.contain(secret.toLowerCase());
        // Words joined by underscores are names, not ids (V8's heap spaces on Node 24: shared_trusted_large_object).
        if (!/^[a-z]+(_[a-z]+)*$/.test(value)) expect(value).not.to.match(/[A-Za-z0-9_-]{21,}/);
      }
      const routes = new Set(after.samples('satu_akun_http_requests_total').map((s) => s.labels!.route!));
      for (const route of routes) expect(route).to.match(/^(oidc:[a-z_]+|\/[^?#]*|other)$/);
      expect([...routes].some((r) => r.startsWith('/interaction/:')), [...routes].join(', ')).to.equal(true);
    });

    it('counts refused sign-ins by reason, and the block they start', async () => {
      const before = await scrape(op.local, TOKEN);
      const config = await rp(op.issuer, 'app-a');
      for (let i = 0; i < 3; i++) {
        const browser = newBrowser();
        const page = await browser.open((await authRequest(config)).url.href);
        const answer = await submitLogin(browser, page, 'tidak.dikenal', 'salah-sekali');
        expect(answer.status).to.be.oneOf([401, 429, 200]);
      }
      const after = await scrape(op.local, TOKEN);
      const delta = (name: string, labels: Record<string, string>) => after.value(name, labels) - before.value(name, labels);
      expect(delta('satu_akun_signins_total', { result: 'invalid_credentials', level: '1' })).to.equal(2);
      expect(delta('satu_akun_signins_total', { result: 'throttled', level: '1' })).to.equal(1);
      expect(delta('satu_akun_throttle_blocks_total', { limiter: 'password', event: 'started' })).to.equal(1);
      expect(delta('satu_akun_throttle_blocks_total', { limiter: 'password', event: 'refused' })).to.equal(1);
      expect(after.labelValues().join(' ')).not.to.contain('tidak.dikenal');
    });

    it('counts token grants by type and result: a refresh, a refresh token replayed, client credentials', async () => {
      const app = await rp(op.issuer, 'app-a');
      const { tokens } = await signIn(app, newBrowser(), 'yanti.pakpahan');
      expect(tokens.refresh_token).to.be.a('string');
      const before = await scrape(op.local, TOKEN);
      const refreshed = await oidc.refreshTokenGrant(app, tokens.refresh_token!);
      const replayed = await oidc.refreshTokenGrant(app, tokens.refresh_token!).catch((err: unknown) => err);
      expect(replayed).to.have.property('error', 'invalid_grant');
      await oidc.clientCredentialsGrant(await rp(op.issuer, 'machine'));
      const after = await scrape(op.local, TOKEN);
      const delta = (labels: Record<string, string>) => after.value('satu_akun_token_grants_total', labels) - before.value('satu_akun_token_grants_total', labels);
      expect(delta({ grant_type: 'refresh_token', result: 'success' })).to.equal(1);
      expect(delta({ grant_type: 'refresh_token', result: 'error' })).to.equal(1);
      expect(delta({ grant_type: 'client_credentials', result: 'success' })).to.equal(1);
      expect(delta({ grant_type: 'authorization_code' })).to.equal(0);
      const labels = after.labelValues().join(' ');
      for (const token of [tokens.refresh_token!, refreshed.refresh_token!, refreshed.access_token]) expect(labels).not.to.contain(token);
    });

    it('counts a level-2 sign-in with its level, and a refused second factor', async () => {
      let secret = '';
      const enrol = async (browser: Browser, page: Page) => {
        const step = stepOf(page);
        if (step === 'enrol') {
          secret = page.doc.querySelector('#totp-secret')!.text.replace(/\s/g, '');
          return browser.submit(page, { code: await generate({ secret }) }, '/enrol');
        }
        expect(step).to.equal('recovery-codes');
        return browser.submit(page, {}, '/continue');
      };
      const before = await scrape(op.local, TOKEN);
      const level2 = await rp(op.issuer, 'app-l2');
      const { tokens } = await signIn(level2, newBrowser(), 'andi.wijaya', { scope: 'openid profile' }, enrol);
      expect(tokens.claims()!.acr).to.equal('urn:satu-akun:loa:2');
      const browser = newBrowser();
      const asked = await submitLogin(browser, await browser.open((await authRequest(level2)).url.href), 'andi.wijaya');
      expect(stepOf(asked)).to.equal('second-factor');
      await browser.submit(asked, { code: '000000' }, '/second-factor');
      const after = await scrape(op.local, TOKEN);
      const delta = (labels: Record<string, string>) => after.value('satu_akun_signins_total', labels) - before.value('satu_akun_signins_total', labels);
      expect(delta({ result: 'success', level: '2' })).to.equal(1);
      expect(delta({ result: 'success', level: '1' })).to.equal(0);
      expect(delta({ result: 'second_factor_refused', level: '2' })).to.equal(1);
    });

    it('counts the apps cache dropped when an app is approved', async () => {
      const before = await scrape(op.local, TOKEN);
      const { apps } = op.satu;
      const clientId = await apps.createDraft(actors.developer, registration());
      await apps.submit(actors.developer, clientId);
      await apps.review(actors.reviewer, clientId, { outcome: 'approved', reason: 'Sesuai kebutuhan layanan puskesmas', level: 1, scopes: ['openid', 'profile'], acceptedExceptions: [] });
      const after = await scrape(op.local, TOKEN);
      expect(after.value('satu_akun_cache_invalidations_total', { cache: 'apps', source: 'local' }) - before.value('satu_akun_cache_invalidations_total', { cache: 'apps', source: 'local' })).to.be.at.least(1);
    });
  });
}
