import { setTimeout as sleep } from 'node:timers/promises';
import { expect } from 'chai';
import * as oidc from 'openid-client';
import { isInfrastructureError } from '../../src/shared/infrastructure.ts';
import { authRequest, newBrowser, signIn, submitLogin } from '../support/flow.ts';
import { rp, startProvider, type TestProvider } from '../support/provider.ts';
import { startPrivateRedis } from '../support/redis.ts';

const errorText = (html: string) => /role="alert"[^>]*>([^<]*)</.exec(html)?.[1]?.trim();

describe('a store outage (Redis stopped and restarted)', () => {
  let op: TestProvider;
  let redis: Awaited<ReturnType<typeof startPrivateRedis>>;
  let app: oidc.Configuration;

  before(async function () {
    redis = await startPrivateRedis(this);
    op = await startProvider({ redisUrl: redis.url });
    app = await rp(op.issuer, 'app-a');
  });
  after(async () => {
    await op?.stop();
    await redis?.close();
  });

  it('answers temporarily_unavailable and clear 503 pages while down, and recovers by itself', async () => {
    const { tokens } = await signIn(app, newBrowser(), 'andi.wijaya');
    const midway = newBrowser();
    const loginPage = await midway.open((await authRequest(app)).url.href);
    await redis.close();

    const redirected = await newBrowser().open((await authRequest(app)).url.href);
    const unavailable = { error: 'temporarily_unavailable', error_description: 'the service is temporarily unavailable, try again shortly' };
    expect(Object.fromEntries(new URL(redirected.url).searchParams), 'authorization endpoint').to.deep.include(unavailable);

    // 503 with the OAuth error body: openid-client reports it as a non-conform response, so read the response itself.
    const refused = (await oidc.refreshTokenGrant(app, tokens.refresh_token!).catch((err: unknown) => err)) as oidc.ClientError;
    const response = refused.cause as Response;
    expect(response.status, 'token endpoint').to.equal(503);
    expect(await response.json()).to.deep.equal(unavailable);

    const page = await submitLogin(midway, loginPage, 'andi.wijaya');
    expect(page.status, 'sign-in form').to.equal(503);
    expect(errorText(page.html)).to.equal('Layanan sedang tidak tersedia. Coba beberapa saat lagi.');
    expect(page.html).not.to.match(/at .*\.ts:\d+/);

    const ready = await fetch(`${op.issuer}/readyz`);
    expect(ready.status).to.equal(503);
    expect(await ready.json()).to.nested.include({ status: 'down', 'checks.redis.status': 'down' });

    redis = await startPrivateRedis(this as unknown as Mocha.Context, redis.port);
    for (let i = 0; i < 50 && (await fetch(`${op.issuer}/readyz`)).status !== 200; i++) await sleep(100);
    const again = await signIn(app, newBrowser(), 'andi.wijaya');
    expect(again.tokens.access_token).to.be.a('string');
  });
});

describe('infrastructure error classification', () => {
  it('recognises store outages, including wrapped ones, and nothing else', () => {
    for (const err of [
      Object.assign(new Error('connect ECONNREFUSED 127.0.0.1:5432'), { code: 'ECONNREFUSED' }),
      Object.assign(new Error('terminating connection due to administrator command'), { code: '57P01' }),
      Object.assign(new Error('database is locked'), { code: 'SQLITE_BUSY' }),
      new Error("Stream isn't writeable and enableOfflineQueue options is false"),
      new Error('wrapped', { cause: Object.assign(new Error('x'), { name: 'KnexTimeoutError' }) }),
    ]) expect(isInfrastructureError(err), String(err)).to.equal(true);
    for (const err of [new TypeError("Cannot read properties of undefined (reading 'x')"), Object.assign(new Error('duplicate key'), { code: '23505' }), null, 'ECONNREFUSED']) {
      expect(isInfrastructureError(err), String(err)).to.equal(false);
    }
  });
});
