import { expect } from 'chai';
import * as oidc from 'openid-client';
import { actors, registration as sampleRegistration } from '../support/apps.ts';
import { authRequest, newBrowser, signIn } from '../support/flow.ts';
import { startPostgres } from '../support/postgres.ts';
import { startProvider, type TestProvider } from '../support/provider.ts';
import { startRedis } from '../support/redis.ts';

const { developer, reviewer } = actors;

/** Two instances behind one load balancer: PostgreSQL is the source of truth, Redis tells the other instance. */
describe('app changes take effect on every instance (PostgreSQL + Redis)', () => {
  let a: TestProvider;
  let b: TestProvider;
  let drop: (() => Promise<void>) | undefined;

  before(async function () {
    const db = await (await startPostgres(this)).createDatabase();
    drop = db.drop;
    const redis = await startRedis(this);
    const shared = { database: { client: 'pg', url: db.url }, redisUrl: redis.url, clientSecretKeys: ['shared-client-secret-key-0123456789abcdef'] };
    a = await startProvider(shared);
    b = await startProvider(shared);
  });
  after(async () => {
    await a?.stop();
    await b?.stop();
    await drop?.();
  });

  it('approval on one instance lets the app sign in on the other at once; suspension stops it at once', async () => {
    // Instance B has its registry cached before the change.
    expect(await b.satu.clients.find('no-such-app')).to.equal(undefined);
    const registration = sampleRegistration({
      name: 'Aplikasi Antar Instans',
      redirect_uris: ['https://instans.contoh.go.id/cb'],
      scopes: [{ scope: 'profile', purpose: 'Menampilkan nama pegawai' }],
    });
    const clientId = await a.satu.apps.createDraft(developer, registration);
    await a.satu.apps.submit(developer, clientId);
    await a.satu.apps.review(reviewer, clientId, { outcome: 'approved', reason: 'Disetujui untuk uji instans', level: 1, scopes: ['openid', 'profile'], acceptedExceptions: [] });
    const secret = await a.satu.apps.rotateSecret(developer, clientId, 0);

    const config = await oidc.discovery(new URL(b.issuer), clientId, { id_token_signed_response_alg: 'RS256', redirect_uri: 'https://instans.contoh.go.id/cb' }, oidc.ClientSecretBasic(secret), {
      execute: [oidc.allowInsecureRequests],
    });
    const { tokens } = await signIn(config, newBrowser(), 'rudi.hartono', { scope: 'openid profile' });
    expect(tokens.claims()!.aud).to.equal(clientId);

    await a.satu.apps.control(reviewer, clientId, 'suspend', 'Uji penangguhan antar instans');
    const { url } = await authRequest(config, { scope: 'openid profile' });
    expect((await newBrowser().open(url.href)).html).to.contain('invalid_client');
  });
});
