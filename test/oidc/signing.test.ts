import { expect } from 'chai';
import { decodeProtectedHeader } from 'jose';
import * as oidc from 'openid-client';
import { rp, SECRET, startProvider, type TestProvider } from '../support/provider.ts';
import { newBrowser, signIn } from '../support/flow.ts';
import { actors, registration } from '../support/apps.ts';
import { startProviderOn, STORES } from '../support/stores.ts';

/** The `alg` and `kid` an ID token was signed with. */
const headerOf = (idToken: string | undefined) => decodeProtectedHeader(idToken!);

/**
 * Signing algorithms (OIDC Core §15.1, Discovery §3, Dynamic Client Registration §2): RS256 and ES256 keys side by
 * side, each app's ID tokens signed with the algorithm it chose, RS256 when it named none.
 */
describe('ID token signing algorithms (RS256 and ES256)', () => {
  let op: TestProvider;
  before(async () => {
    op = await startProvider();
  });
  after(() => op?.stop());

  it('lists RS256 and ES256 in discovery', async () => {
    const meta = (await rp(op.issuer, 'app-a')).serverMetadata();
    expect(meta.id_token_signing_alg_values_supported).to.include.members(['RS256', 'ES256']);
  });

  it('publishes an RSA key of at least 2048 bits and an EC P-256 key, with distinct kids and no private parts', async () => {
    const { keys } = (await (await fetch(`${op.issuer}/jwks`)).json()) as { keys: Record<string, string>[] };
    const rsa = keys.filter((k) => k.kty === 'RSA');
    const ec = keys.filter((k) => k.kty === 'EC');
    expect(rsa).to.have.length(1);
    expect(ec).to.have.length(1);
    expect(rsa[0]).to.include({ alg: 'RS256', use: 'sig' });
    expect(Buffer.from(rsa[0]!.n!, 'base64url').length * 8).to.be.at.least(2048);
    expect(ec[0]).to.include({ crv: 'P-256', alg: 'ES256', use: 'sig' });
    expect(new Set(keys.map((k) => k.kid)).size).to.equal(keys.length);
    for (const key of keys) for (const secret of ['d', 'p', 'q', 'dp', 'dq', 'qi']) expect(key, secret).not.to.have.property(secret);
  });

  it('signs the ID token of an app of the clients file that names no algorithm with RS256, verified by openid-client', async () => {
    const app = await rp(op.issuer, 'app-a');
    expect(app.clientMetadata().id_token_signed_response_alg).to.equal('RS256');
    const { tokens } = await signIn(app, newBrowser(), 'andi.wijaya');
    const { keys } = (await (await fetch(`${op.issuer}/jwks`)).json()) as { keys: Record<string, string>[] };
    const header = headerOf(tokens.id_token);
    expect(header.alg).to.equal('RS256');
    expect(keys.find((k) => k.kid === header.kid)?.kty).to.equal('RSA');
    expect(tokens.claims()!.aud).to.equal('app-a');
  });

  it('signs the ID token of an app that chose ES256 with ES256', async () => {
    const { tokens } = await signIn(await rp(op.issuer, 'app-b'), newBrowser(), 'siti.rahmawati');
    expect(headerOf(tokens.id_token).alg).to.equal('ES256');
    expect(tokens.claims()!.aud).to.equal('app-b');
  });

  it('is checked by the app: openid-client expecting ES256 refuses an RS256 ID token', async () => {
    const expectsEs256 = await oidc.discovery(new URL(op.issuer), 'app-a', { id_token_signed_response_alg: 'ES256', redirect_uri: 'https://a.contoh.go.id/cb' }, oidc.ClientSecretBasic(SECRET), {
      execute: [oidc.allowInsecureRequests],
    });
    const err = await signIn(expectsEs256, newBrowser(), 'andi.wijaya').catch((e: unknown) => e);
    expect(err).to.be.instanceOf(oidc.ClientError);
    const cause = (err as Error).cause as Error & { cause: { header: { alg: string }; expected: string } };
    expect(cause.message).to.equal('unexpected JWT "alg" header parameter');
    expect(cause.cause).to.deep.include({ expected: 'ES256' });
    expect(cause.cause.header.alg).to.equal('RS256');
  });
});

for (const backend of [STORES.SQLite, STORES['PostgreSQL + Redis']]) {
  describe(`ID token signing of registered apps on ${backend.name}`, () => {
    let op: TestProvider;
    const approve = { outcome: 'approved' as const, reason: 'Sesuai kebutuhan layanan puskesmas', level: 1 as const, scopes: ['openid', 'profile'], acceptedExceptions: [] };
    const scope = { scope: 'openid profile' };
    const rpFor = (clientId: string, secret: string, alg: string) =>
      oidc.discovery(new URL(op.issuer), clientId, { id_token_signed_response_alg: alg, redirect_uri: 'https://puskesmas.contoh.go.id/cb' }, oidc.ClientSecretBasic(secret), { execute: [oidc.allowInsecureRequests] });
    /** A registration submitted and approved, with its first secret. */
    const live = async (overrides: Record<string, unknown> = {}) => {
      const { apps } = op.satu;
      const clientId = await apps.createDraft(actors.developer, registration(overrides));
      await apps.submit(actors.developer, clientId);
      await apps.review(actors.reviewer, clientId, approve);
      return { clientId, secret: await apps.rotateSecret(actors.developer, clientId, 0) };
    };

    before(async function () {
      op = await startProviderOn(this, backend);
    });
    after(() => op?.stop());

    it('signs with RS256 for an app registered without a choice', async () => {
      const { clientId, secret } = await live();
      expect((await op.satu.clients.find(clientId))!.metadata.id_token_signed_response_alg).to.equal('RS256');
      const { tokens } = await signIn(await rpFor(clientId, secret, 'RS256'), newBrowser(), 'rudi.hartono', scope);
      expect(headerOf(tokens.id_token).alg).to.equal('RS256');
    });

    it('signs with ES256 for an app that chose it, and switches only when a change to RS256 is approved', async () => {
      const { clientId, secret } = await live({ id_token_signed_response_alg: 'ES256' });
      const es256 = await rpFor(clientId, secret, 'ES256');
      expect(headerOf((await signIn(es256, newBrowser(), 'rudi.hartono', scope)).tokens.id_token).alg).to.equal('ES256');

      await op.satu.apps.saveDraft(actors.developer, clientId, registration({ id_token_signed_response_alg: 'RS256' }));
      await op.satu.apps.submit(actors.developer, clientId);
      expect(headerOf((await signIn(es256, newBrowser(), 'rudi.hartono', scope)).tokens.id_token).alg, 'the live configuration while the change is reviewed').to.equal('ES256');
      await op.satu.apps.review(actors.reviewer, clientId, approve);
      expect(headerOf((await signIn(await rpFor(clientId, secret, 'RS256'), newBrowser(), 'rudi.hartono', scope)).tokens.id_token).alg).to.equal('RS256');
    });
  });
}
