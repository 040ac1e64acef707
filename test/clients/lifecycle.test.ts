import { expect } from 'chai';
import { exportJWK, generateKeyPair } from 'jose';
import * as oidc from 'openid-client';
import type { Actor, ReviewInput } from '../../src/clients/apps.service.ts';
import { actors, registration } from '../support/apps.ts';
import { steppingClock } from '../support/clock.ts';
import { AppError } from '../../src/http/errors.ts';
import { authRequest, newBrowser, signIn } from '../support/flow.ts';
import { startProvider, type TestProvider } from '../support/provider.ts';

const { developer, otherDeveloper, reviewer } = actors;

const form = registration;

const approve = (reason = 'Sesuai kebutuhan layanan puskesmas', scopes = ['openid', 'profile', 'email', 'nip']): ReviewInput => ({
  outcome: 'approved',
  reason,
  level: 1,
  scopes,
  acceptedExceptions: [],
});

/** The error code an operation fails with. */
const refusal = async (operation: Promise<unknown>): Promise<string> => {
  try {
    await operation;
  } catch (err) {
    if (err instanceof AppError) return err.code;
    throw err;
  }
  throw new Error('expected a refusal');
};

/** App registration, review and lifecycle, seen by a real relying party (openid-client). */
describe('app lifecycle: registration, approval, change requests, secrets, suspension', () => {
  let op: TestProvider;
  const time = steppingClock();
  const rpFor = (clientId: string, secret: string, redirect_uri = 'https://puskesmas.contoh.go.id/cb') =>
    oidc.discovery(new URL(op.issuer), clientId, { id_token_signed_response_alg: 'RS256', redirect_uri }, oidc.ClientSecretBasic(secret), { execute: [oidc.allowInsecureRequests] });
  const scope = { scope: 'openid profile email nip' };

  before(async () => {
    op = await startProvider({}, { clock: time.clock });
  });
  after(() => op?.stop());

  /** A registered, submitted and approved app with its first secret. */
  const liveApp = async (overrides: Record<string, unknown> = {}, decision = approve()) => {
    const { apps } = op.satu;
    const clientId = await apps.createDraft(developer, form(overrides));
    await apps.submit(developer, clientId);
    await apps.review(reviewer, clientId, decision);
    const secret = await apps.rotateSecret(developer, clientId, 0);
    return { clientId, secret };
  };

  it('refuses sign-in for a submitted app, and allows it once approved', async () => {
    const { apps } = op.satu;
    const clientId = await apps.createDraft(developer, form());
    await apps.submit(developer, clientId);
    // Discovery works for anyone; the authorization request of a client not yet approved does not.
    const { url } = await authRequest(await rpFor(clientId, 'not-yet'), scope);
    const page = await newBrowser().open(url.href);
    expect(page.status).to.equal(400);
    expect(page.html).to.contain('invalid_client');

    await apps.review(reviewer, clientId, approve());
    const secret = await apps.rotateSecret(developer, clientId, 0);
    expect(secret).to.match(/^[A-Za-z0-9_-]{43}$/);
    const { tokens } = await signIn(await rpFor(clientId, secret), newBrowser(), 'rudi.hartono', scope);
    expect(tokens.claims()!.aud).to.equal(clientId);
  });

  it('stores only a keyed hash of the secret', async () => {
    const { clientId, secret } = await liveApp();
    const rows = (await op.satu.knex('app_secrets').where({ client_id: clientId })) as { hash: string }[];
    expect(rows).to.have.length(1);
    expect(rows[0]!.hash).to.match(/^hmac-sha256:/);
    expect(JSON.stringify(rows)).not.to.contain(secret);
    const audit = JSON.stringify(await op.satu.knex('audit_log').where({ client_id: clientId }));
    expect(audit).not.to.contain(secret);
  });

  it('releases only the data the reviewer granted, even when more was requested', async () => {
    const { clientId, secret } = await liveApp({}, approve('Cukup nama saja untuk tampilan', ['openid', 'profile']));
    const config = await rpFor(clientId, secret);
    const { tokens } = await signIn(config, newBrowser(), 'rudi.hartono', { scope: 'openid profile' });
    const info = await oidc.fetchUserInfo(config, tokens.access_token, tokens.claims()!.sub);
    expect(info.name).to.be.a('string');
    expect(info).not.to.have.property('email');
    expect(info).not.to.have.property('nip');
    expect(tokens.scope?.split(' ').sort()).to.deep.equal(['openid', 'profile']);
    // Asking for data that was not granted is a protocol error the developer sees at once, not a silent omission.
    const refused = await signIn(config, newBrowser(), 'rudi.hartono', scope).catch((err: unknown) => err);
    expect(refused).to.be.instanceOf(oidc.AuthorizationResponseError);
    expect((refused as oidc.AuthorizationResponseError).error).to.equal('invalid_scope');
  });

  it('keeps the live configuration working while a change request waits, and swaps it in on approval', async () => {
    const { apps } = op.satu;
    const { clientId, secret } = await liveApp();
    const newUri = 'https://puskesmas.contoh.go.id/callback-baru';
    await apps.saveDraft(developer, clientId, form({ redirect_uris: `https://puskesmas.contoh.go.id/cb\n${newUri}` }));
    await apps.submit(developer, clientId);

    const live = await rpFor(clientId, secret);
    await signIn(live, newBrowser(), 'rudi.hartono', scope);
    const proposed = await rpFor(clientId, secret, newUri);
    const { url } = await authRequest(proposed, scope);
    expect((await newBrowser().open(url.href)).html, 'the proposed URI is not live yet').to.contain('redirect_uri');

    await apps.review(reviewer, clientId, approve('Alamat baru untuk versi 2'));
    const { tokens } = await signIn(proposed, newBrowser(), 'rudi.hartono', scope);
    expect(tokens.access_token).to.be.a('string');
    const detail = await apps.detail(developer, clientId);
    expect(detail.versions.map((v) => v.state)).to.deep.equal(['superseded', 'approved']);
    expect(detail.app.status).to.equal('active');
  });

  it('accepts the old secret during the overlap after a rotation, and only the new one after it', async () => {
    const { apps } = op.satu;
    const { clientId, secret: old } = await liveApp({ grant_types: ['client_credentials'], redirect_uris: 'https://puskesmas.contoh.go.id/cb' });
    const fresh = await apps.rotateSecret(developer, clientId, 1);
    for (const secret of [old, fresh]) {
      const tokens = await oidc.clientCredentialsGrant(await rpFor(clientId, secret), { scope: 'openid' });
      expect(tokens.access_token, 'both work during the overlap').to.be.a('string');
    }
    time.advance(61);
    try {
      const err = await oidc.clientCredentialsGrant(await rpFor(clientId, old), { scope: 'openid' }).catch((e: unknown) => e);
      expect(err).to.be.instanceOf(oidc.WWWAuthenticateChallengeError);
      expect((err as oidc.WWWAuthenticateChallengeError).cause[0]!.parameters.error).to.equal('invalid_client');
      expect((await oidc.clientCredentialsGrant(await rpFor(clientId, fresh), { scope: 'openid' })).access_token).to.be.a('string');
    } finally {
      time.advance(-61);
    }
  });

  it('stops sign-ins and refuses the refresh token of a suspended app at once, also after reinstatement', async () => {
    const { apps } = op.satu;
    const { clientId, secret } = await liveApp({ grant_types: ['authorization_code', 'refresh_token'] }, approve());
    const config = await rpFor(clientId, secret);
    const { tokens } = await signIn(config, newBrowser(), 'rudi.hartono', scope);
    expect(tokens.refresh_token, 'a refresh token was issued').to.be.a('string');

    await apps.control(reviewer, clientId, 'suspend', 'Ditemukan kebocoran data, ditangguhkan');
    // While suspended the app itself is unknown to the token endpoint.
    const refused = await oidc.refreshTokenGrant(config, tokens.refresh_token!).catch((e: unknown) => e);
    expect(refused).to.be.instanceOf(oidc.WWWAuthenticateChallengeError);
    expect((refused as oidc.WWWAuthenticateChallengeError).cause[0]!.parameters.error).to.equal('invalid_client');
    const { url } = await authRequest(config, scope);
    expect((await newBrowser().open(url.href)).html).to.contain('invalid_client');

    await apps.control(reviewer, clientId, 'reinstate', 'Perbaikan sudah diverifikasi');
    const stillRefused = await oidc.refreshTokenGrant(config, tokens.refresh_token!).catch((e: unknown) => e);
    expect(stillRefused, 'tokens issued before the suspension stay revoked').to.be.instanceOf(oidc.ResponseBodyError);
    expect((stillRefused as oidc.ResponseBodyError).error).to.equal('invalid_grant');
    expect((await signIn(config, newBrowser(), 'rudi.hartono', scope)).tokens.access_token).to.be.a('string');
  });

  // Issue 9 §1: the decision form carried only the version number, checked in the route before the service wrote.
  it('decides only on the submission the reviewer saw: a resubmission of the same version in between is refused', async () => {
    const { apps } = op.satu;
    const clientId = await apps.createDraft(developer, form());
    await apps.submit(developer, clientId);
    const shown = (await apps.detail(reviewer, clientId)).open!;
    const seen = { version: shown.version, submittedAt: shown.submittedAt!.toISOString() };
    await apps.review(actors.admin, clientId, { outcome: 'changes_requested', reason: 'Lengkapi tujuan penggunaan data' });
    await apps.saveDraft(developer, clientId, form({ description: 'Layanan puskesmas, diperbaiki sesuai permintaan peninjau Diskominfo' }));
    await apps.submit(developer, clientId);
    const again = (await apps.detail(reviewer, clientId)).open!;
    expect(again.version, 'the same version number, resubmitted').to.equal(shown.version);
    expect(await refusal(apps.review(reviewer, clientId, { ...approve(), seen }))).to.equal('review.error.state');
    await apps.review(reviewer, clientId, { ...approve(), seen: { version: again.version, submittedAt: again.submittedAt!.toISOString() } });
    expect((await apps.detail(reviewer, clientId)).app.status).to.equal('active');
  });

  // Issue 8 §4: reinstatement used to keep the suspension's revocation time, so a token an instance issued while it
  // had missed the suspension started working again once the app was reinstated.
  it('keeps revoked, after reinstatement, a token issued during the suspension by an instance that missed it', async () => {
    const { apps, provider } = op.satu;
    const { clientId } = await liveApp({ grant_types: ['client_credentials'] }, approve());
    await apps.control(reviewer, clientId, 'suspend', 'Ditemukan kebocoran data, ditangguhkan');
    await new Promise((resolve) => setTimeout(resolve, 1100)); // a later second than the suspension's
    // What a stale instance would have written to the shared store: a token of the app, issued now.
    const stale = new provider.ClientCredentials({ clientId, scope: 'openid', expiresIn: 600 } as never);
    const value = await stale.save();
    expect(await provider.ClientCredentials.find(value), 'issued after the suspension time, so readable now').to.not.equal(undefined);
    await apps.control(reviewer, clientId, 'reinstate', 'Perbaikan sudah diverifikasi');
    expect(await provider.ClientCredentials.find(value), 'issued before the reinstatement: revoked').to.equal(undefined);
  });

  it('authenticates an app with private_key_jwt against its registered public key (no secret at all)', async () => {
    const { apps } = op.satu;
    const { privateKey, publicKey } = await generateKeyPair('ES256', { extractable: true });
    const jwk = { ...(await exportJWK(publicKey)), kid: 'puskesmas-2026', alg: 'ES256', use: 'sig' };
    const clientId = await apps.createDraft(developer, form({ token_endpoint_auth_method: 'private_key_jwt', jwks: JSON.stringify({ keys: [jwk] }), grant_types: ['client_credentials'] }));
    await apps.submit(developer, clientId);
    await apps.review(reviewer, clientId, approve('Tingkat 3 dengan kunci privat aplikasi'));
    const config = await oidc.discovery(new URL(op.issuer), clientId, { token_endpoint_auth_method: 'private_key_jwt' }, oidc.PrivateKeyJwt({ key: privateKey, kid: jwk.kid }), {
      execute: [oidc.allowInsecureRequests],
    });
    expect((await oidc.clientCredentialsGrant(config, { scope: 'openid' })).access_token).to.be.a('string');
    const other = (await generateKeyPair('ES256')).privateKey;
    const forged = await oidc.discovery(new URL(op.issuer), clientId, {}, oidc.PrivateKeyJwt({ key: other, kid: jwk.kid }), { execute: [oidc.allowInsecureRequests] });
    const refused = await oidc.clientCredentialsGrant(forged, { scope: 'openid' }).catch((e: unknown) => e);
    expect(refused).to.be.instanceOf(oidc.ResponseBodyError);
    expect((refused as oidc.ResponseBodyError).error).to.equal('invalid_client');
  });

  it('suspends an outside party’s app once its cooperation agreement has ended', async () => {
    const { apps } = op.satu;
    const { clientId, secret } = await liveApp({ outside_party: 'on', agreement_reference: 'PKS/027/DINKES/2025', agreement_expires: '2026-01-31' });
    const suspended = await apps.suspendExpiredAgreements();
    expect(suspended).to.include(clientId);
    const { url } = await authRequest(await rpFor(clientId, secret), scope);
    expect((await newBrowser().open(url.href)).html).to.contain('invalid_client');
    const { events } = await apps.detail(developer, clientId);
    expect(events.at(-1)).to.include({ actor: 'system', action: 'suspended', reason: 'The cooperation agreement ended on 2026-01-31 / Perjanjian kerja sama berakhir pada 2026-01-31' });
  });

  it('lets no reviewer decide on a version they edited or submitted, even one someone else created', async () => {
    const { apps } = op.satu;
    const sameAgencyReviewer: Actor = { sub: 'sub-reviewer-dinkes', username: 'reviewer.dinkes', agency: 'DINKES', roles: [{ role: 'reviewer' }] };
    const clientId = await apps.createDraft(developer, form());
    await apps.saveDraft(sameAgencyReviewer, clientId, form({ redirect_uris: 'https://puskesmas.contoh.go.id/cb-lain' }));
    await apps.submit(sameAgencyReviewer, clientId);
    expect(await refusal(apps.review(sameAgencyReviewer, clientId, approve()))).to.equal('review.error.own_app');
    expect((await apps.detail(sameAgencyReviewer, clientId)).may.decide).to.equal(false);
    await apps.review(reviewer, clientId, approve());
  });

  it('stops every older secret when a rotation stops the current one at once', async () => {
    const { apps } = op.satu;
    const { clientId, secret: first } = await liveApp({ grant_types: ['client_credentials'] });
    const second = await apps.rotateSecret(developer, clientId, 24);
    const third = await apps.rotateSecret(developer, clientId, 0);
    const works = async (secret: string) => !!(await oidc.clientCredentialsGrant(await rpFor(clientId, secret), { scope: 'openid' }).catch(() => undefined));
    expect({ first: await works(first), second: await works(second), third: await works(third) }).to.deep.equal({ first: false, second: false, third: true });
  });

  it('lets nobody decide on their own app, and only reviewers decide at all', async () => {
    const { apps } = op.satu;
    const reviewerAsDeveloper: Actor = { ...reviewer, agency: 'DINKES', roles: [{ role: 'reviewer' }, { role: 'developer' }] };
    const own = await apps.createDraft(reviewerAsDeveloper, form());
    await apps.submit(reviewerAsDeveloper, own);
    expect(await refusal(apps.review(reviewerAsDeveloper, own, approve()))).to.equal('review.error.own_app');
    expect(await refusal(apps.review(developer, own, approve()))).to.equal('review.error.forbidden');
    expect(await refusal(apps.review(reviewer, own, { outcome: 'rejected', reason: 'short' }))).to.equal('review.error.reason');
  });

  it('withdraws an open change request when the app retires, and refuses to edit or submit a retired app', async () => {
    const { apps } = op.satu;
    const { clientId } = await liveApp();
    await apps.saveDraft(developer, clientId, form({ description: 'Versi kedua dengan laporan bulanan' }));
    await apps.control(developer, clientId, 'retire', 'Digantikan aplikasi provinsi');
    const { versions, app } = await apps.detail(developer, clientId);
    expect(app.status).to.equal('retired');
    expect(versions.map((v) => v.state)).to.deep.equal(['approved', 'withdrawn']);
    expect(await refusal(apps.submit(developer, clientId))).to.equal('review.error.forbidden');
    expect(await refusal(apps.saveDraft(developer, clientId, form()))).to.equal('review.error.forbidden');
  });

  it('shows developers their agency’s apps only', async () => {
    const { apps } = op.satu;
    const clientId = await apps.createDraft(developer, form());
    expect((await apps.listForAgency(developer)).map((a) => a.app.clientId)).to.include(clientId);
    expect((await apps.listForAgency(otherDeveloper)).map((a) => a.app.clientId)).not.to.include(clientId);
    expect(await refusal(apps.detail(otherDeveloper, clientId))).to.equal('review.error.not_found');
    expect(await refusal(apps.createDraft(otherDeveloper, form()))).to.equal('review.error.agency');
  });

  it('records every transition with actor, reason and before/after in history and audit trail', async () => {
    const { apps } = op.satu;
    const clientId = await apps.createDraft(developer, form());
    await apps.submit(developer, clientId);
    await apps.review(reviewer, clientId, { outcome: 'changes_requested', reason: 'Tujuan data NIP kurang jelas' });
    await apps.saveDraft(developer, clientId, form({ scopes: [{ scope: 'profile', purpose: 'Menampilkan nama petugas di layar' }] }));
    await apps.submit(developer, clientId);
    await apps.review(reviewer, clientId, { outcome: 'rejected', reason: 'Aplikasi sudah tersedia di SIMPUS provinsi' });
    const { events, app } = await apps.detail(developer, clientId);
    expect(app.status).to.equal('rejected');
    expect(events.map((e) => `${e.action}:${e.toStatus}`)).to.deep.equal(['created:draft', 'submitted:submitted', 'changes_requested:changes_requested', 'updated:changes_requested', 'submitted:submitted', 'rejected:rejected']);
    expect(events[2]).to.include({ actor: reviewer.sub, reason: 'Tujuan data NIP kurang jelas' });
    const records = (await op.satu.knex('audit_log').where({ client_id: clientId, event: 'app.changed' }).orderBy('seq')) as { actor: string; details: string }[];
    expect(records).to.have.length(6);
    const rejected = JSON.parse(records[5]!.details) as { action: string; reason: string; from: string; to: string; after: { decision: { outcome: string } } };
    expect(rejected).to.deep.include({ action: 'rejected', reason: 'Aplikasi sudah tersedia di SIMPUS provinsi', from: 'submitted', to: 'rejected' });
    expect(rejected.after.decision.outcome).to.equal('rejected');
  });
});
