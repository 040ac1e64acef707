import { expect } from 'chai';
import { decodeProtectedHeader } from 'jose';
import * as oidc from 'openid-client';
import { enApps } from '../../src/i18n/messages-apps.ts';
import { actors } from '../support/apps.ts';
import { steppingClock } from '../support/clock.ts';
import { newBrowser, signIn, authRequest } from '../support/flow.ts';
import { startProvider, type TestProvider } from '../support/provider.ts';

const { admin, reviewer } = actors;

const metadata = (overrides: Record<string, unknown> = {}) => ({
  client_name: 'Aplikasi Lapor Bencana',
  description: 'Laporan bencana dari kecamatan ke BPBD',
  kind: 'khusus',
  environment: 'production',
  level: 1,
  redirect_uris: ['https://lapor.contoh.go.id/cb'],
  grant_types: ['authorization_code', 'refresh_token'],
  token_endpoint_auth_method: 'client_secret_basic',
  scope: 'openid profile',
  scope_purposes: { profile: 'Menampilkan nama pelapor pada laporan' },
  responsible_name: 'Tim Aplikasi BPBD',
  contacts: ['aplikasi.bpbd@contoh.go.id'],
  ...overrides,
});

/** RFC 7591 registration with an initial access token, RFC 7592 management; through openid-client where it can. */
describe('dynamic client registration (RFC 7591/7592) tied to approval', () => {
  let op: TestProvider;
  const time = steppingClock();
  const register = (initialAccessToken: string | undefined, body = metadata()) =>
    oidc.dynamicClientRegistration(new URL(op.issuer), body as Partial<oidc.ClientMetadata>, undefined, { initialAccessToken, execute: [oidc.allowInsecureRequests] });
  const token = (uses = 1, days = 7) => op.satu.dcr.issueToken(admin, { issuedTo: 'sub-dewi', agency: 'BPBD', days, uses });

  before(async () => {
    op = await startProvider({}, { clock: time.clock });
  });
  after(() => op?.stop());

  it('advertises the registration endpoint in discovery', async () => {
    const discovery = (await (await fetch(`${op.issuer}/.well-known/openid-configuration`)).json()) as Record<string, unknown>;
    expect(discovery.registration_endpoint).to.equal(`${op.issuer}/register`);
  });

  it('refuses a registration without a valid initial access token', async () => {
    for (const initial of [undefined, 'sa_iat_forged']) {
      const err = (await register(initial).catch((e: unknown) => e)) as oidc.WWWAuthenticateChallengeError;
      expect(err.status).to.equal(401);
      expect(err.cause[0]!.parameters.error).to.equal('invalid_token');
    }
  });

  it('creates a submitted registration that cannot sign in until a reviewer approves it', async () => {
    const config = await register(await token());
    const client = config.clientMetadata();
    expect(client.client_secret).to.be.a('string');
    expect(client.satu_akun_status).to.equal('submitted');
    expect(client.id_token_signed_response_alg, 'DCR §2: RS256 when the metadata names none').to.equal('RS256');
    const rp = await oidc.discovery(new URL(op.issuer), client.client_id, { id_token_signed_response_alg: 'RS256', redirect_uri: 'https://lapor.contoh.go.id/cb' }, oidc.ClientSecretBasic(client.client_secret!), {
      execute: [oidc.allowInsecureRequests],
    });
    const { url } = await authRequest(rp, { scope: 'openid profile' });
    expect((await newBrowser().open(url.href)).html).to.contain('invalid_client');
    const tokenRefused = await oidc.clientCredentialsGrant(rp).catch((e: unknown) => e);
    expect(tokenRefused).to.be.instanceOf(oidc.WWWAuthenticateChallengeError);

    await op.satu.apps.review(reviewer, client.client_id, { outcome: 'approved', reason: 'Dibutuhkan BPBD untuk laporan', level: 1, scopes: ['openid', 'profile'], acceptedExceptions: [] });
    const { tokens } = await signIn(rp, newBrowser(), 'rudi.hartono', { scope: 'openid profile' });
    expect(tokens.claims()!.aud).to.equal(client.client_id);
    expect(decodeProtectedHeader(tokens.id_token!).alg).to.equal('RS256');
  });

  it('registers the ID-token algorithm an app asks for, RS256 or ES256, and refuses any other', async () => {
    const es256 = (await register(await token(), metadata({ id_token_signed_response_alg: 'ES256' }))).clientMetadata();
    expect(es256.id_token_signed_response_alg).to.equal('ES256');
    const read = await fetch(String(es256.registration_client_uri), { headers: { authorization: `Bearer ${String(es256.registration_access_token)}` } });
    expect(((await read.json()) as { id_token_signed_response_alg: string }).id_token_signed_response_alg).to.equal('ES256');
    await op.satu.apps.review(reviewer, es256.client_id, { outcome: 'approved', reason: 'Dibutuhkan BPBD untuk laporan', level: 1, scopes: ['openid', 'profile'], acceptedExceptions: [] });
    const rp = await oidc.discovery(new URL(op.issuer), es256.client_id, { id_token_signed_response_alg: 'ES256', redirect_uri: 'https://lapor.contoh.go.id/cb' }, oidc.ClientSecretBasic(es256.client_secret!), {
      execute: [oidc.allowInsecureRequests],
    });
    const { tokens } = await signIn(rp, newBrowser(), 'rudi.hartono', { scope: 'openid profile' });
    expect(decodeProtectedHeader(tokens.id_token!).alg).to.equal('ES256');

    for (const alg of ['HS256', 'none', 'PS256']) {
      const refused = (await register(await token(), metadata({ id_token_signed_response_alg: alg })).catch((e: unknown) => e)) as oidc.ResponseBodyError;
      expect(refused.error, alg).to.equal('invalid_client_metadata');
      expect(refused.error_description, alg).to.equal(`id_token_signed_response_alg: ${enApps['apps.invalid.id_token_signed_response_alg']}`);
    }
  });

  it('spends the token: a single-use token registers once; an expired one never', async () => {
    const once = await token(1);
    await register(once);
    expect(((await register(once).catch((e: unknown) => e)) as oidc.WWWAuthenticateChallengeError).status).to.equal(401);
    const shortLived = await token(5, 1);
    time.advance(2 * 24 * 60); // two days
    try {
      expect(((await register(shortLived).catch((e: unknown) => e)) as oidc.WWWAuthenticateChallengeError).status).to.equal(401);
    } finally {
      time.advance(-2 * 24 * 60);
    }
  });

  it('does not spend a use of the token on refused metadata', async () => {
    const once = await token(1);
    const refused = (await register(once, metadata({ redirect_uris: ['javascript:alert(1)'] })).catch((e: unknown) => e)) as oidc.ResponseBodyError;
    expect(refused.error).to.equal('invalid_redirect_uri');
    expect((await register(once)).clientMetadata().client_id).to.be.a('string');
  });

  it('answers bad metadata with the RFC 7591 error codes and a readable description', async () => {
    const badUri = (await register(await token(), metadata({ redirect_uris: ['https://lapor.contoh.go.id/cb#frag'] })).catch((e: unknown) => e)) as oidc.ResponseBodyError;
    expect(badUri.error).to.equal('invalid_redirect_uri');
    expect(badUri.error_description).to.contain('redirect_uris.0');
    const noPurpose = (await register(await token(), metadata({ scope_purposes: {} })).catch((e: unknown) => e)) as oidc.ResponseBodyError;
    expect(noPurpose.error).to.equal('invalid_client_metadata');
    expect(noPurpose.error_description).to.contain('scopes.1.purpose');
  });

  it('turns an RFC 7592 update into a change request while the live configuration keeps working', async () => {
    const config = await register(await token());
    const client = config.clientMetadata();
    await op.satu.apps.review(reviewer, client.client_id, { outcome: 'approved', reason: 'Dibutuhkan BPBD untuk laporan', level: 1, scopes: ['openid', 'profile'], acceptedExceptions: [] });
    const uri = String(client.registration_client_uri);
    const auth = { authorization: `Bearer ${String(client.registration_access_token)}` };

    const read = await fetch(uri, { headers: auth });
    expect(read.status).to.equal(200);
    expect(((await read.json()) as { redirect_uris: string[] }).redirect_uris).to.deep.equal(['https://lapor.contoh.go.id/cb']);

    const update = await fetch(uri, {
      method: 'PUT',
      headers: { ...auth, 'content-type': 'application/json' },
      body: JSON.stringify({ client_id: client.client_id, ...metadata({ redirect_uris: ['https://lapor.contoh.go.id/cb', 'https://lapor.contoh.go.id/cb2'] }) }),
    });
    expect(update.status).to.equal(200);
    expect(await update.json()).to.deep.include({ satu_akun_status: 'active', satu_akun_review: 'submitted' });
    const live = await op.satu.clients.find(client.client_id);
    expect(live!.metadata.redirect_uris, 'the live version is unchanged').to.deep.equal(['https://lapor.contoh.go.id/cb']);

    const wrong = await fetch(uri, { headers: { authorization: 'Bearer sa_rat_forged' } });
    expect(wrong.status).to.equal(401);
    expect(((await wrong.json()) as { error: string }).error).to.equal('invalid_token');

    const removed = await fetch(uri, { method: 'DELETE', headers: auth });
    expect(removed.status).to.equal(204);
    expect(await op.satu.clients.find(client.client_id)).to.equal(undefined);
    expect((await fetch(uri, { headers: auth })).status, 'a retired registration is gone for its token too').to.equal(401);
  });

  it('takes app roles as an array of { name, description }, echoes them, and releases them once approved', async () => {
    const roles = [
      { name: 'pelapor', description: 'Mengirim laporan bencana dari kecamatan' },
      { name: 'verifikator', description: 'Memeriksa laporan sebelum diteruskan ke BPBD' },
    ];
    const body = metadata({ scope: 'openid profile roles', scope_purposes: { profile: 'Menampilkan nama pelapor pada laporan', roles: 'Menampilkan menu sesuai peran petugas' }, app_roles: roles });
    const client = (await register(await token(), body)).clientMetadata();
    expect(client.app_roles).to.deep.equal(roles);
    const uri = String(client.registration_client_uri);
    const auth = { authorization: `Bearer ${String(client.registration_access_token)}` };
    expect(((await (await fetch(uri, { headers: auth })).json()) as { app_roles: unknown }).app_roles).to.deep.equal(roles);

    await op.satu.apps.review(reviewer, client.client_id, { outcome: 'approved', reason: 'Dibutuhkan BPBD untuk laporan', level: 1, scopes: ['openid', 'profile', 'roles'], acceptedExceptions: [] });
    expect((await op.satu.clients.find(client.client_id))!.roleDefinitions).to.deep.equal(roles);

    // An RFC 7592 update replaces the list: the change is reviewed, the approved roles stay in force meanwhile.
    const changed = [roles[0]!, { name: 'operator-bpbd', description: 'Menindaklanjuti laporan yang sudah diverifikasi' }];
    const update = await fetch(uri, { method: 'PUT', headers: { ...auth, 'content-type': 'application/json' }, body: JSON.stringify({ client_id: client.client_id, ...body, app_roles: changed }) });
    expect(update.status).to.equal(200);
    expect(((await update.json()) as { app_roles: unknown }).app_roles).to.deep.equal(changed);
    expect((await op.satu.clients.find(client.client_id))!.roleDefinitions, 'the live version is unchanged').to.deep.equal(roles);
  });

  it('refuses app roles that break the rules, naming the role, and the roles scope without roles', async () => {
    const badName = (await register(await token(), metadata({ app_roles: [{ name: 'Pelapor Kecamatan', description: 'Mengirim laporan bencana dari kecamatan' }] })).catch((e: unknown) => e)) as oidc.ResponseBodyError;
    expect(badName.error).to.equal('invalid_client_metadata');
    expect(badName.error_description).to.equal(`app_roles.0.name: ${enApps['apps.invalid.app_role_name']}`);
    const twice = [{ name: 'pelapor', description: 'Mengirim laporan bencana dari kecamatan' }, { name: 'pelapor', description: 'Mengirim laporan bencana dari desa' }];
    const duplicate = (await register(await token(), metadata({ app_roles: twice })).catch((e: unknown) => e)) as oidc.ResponseBodyError;
    expect(duplicate.error_description).to.equal(`app_roles.1.name: ${enApps['apps.invalid.app_roles_duplicate']}`);
    const scopeOnly = metadata({ scope: 'openid roles', scope_purposes: { roles: 'Menampilkan menu sesuai peran petugas' } });
    const noRoles = (await register(await token(), scopeOnly).catch((e: unknown) => e)) as oidc.ResponseBodyError;
    expect(noRoles.error).to.equal('invalid_client_metadata');
    expect(noRoles.error_description).to.equal(`app_roles: ${enApps['apps.invalid.app_roles_required']}`);
  });

  it('keeps the administrator who issued the token from approving what it registered', async () => {
    const client = (await register(await token())).clientMetadata();
    const decision = { outcome: 'approved' as const, reason: 'Disetujui oleh penerbit token', level: 1 as const, scopes: ['openid', 'profile'], acceptedExceptions: [] };
    const err = await op.satu.apps.review(admin, client.client_id, decision).catch((e: unknown) => e);
    expect((err as { code?: string }).code).to.equal('review.error.own_app');
  });

  it('answers malformed client ids in RFC 7592 requests with invalid_token', async () => {
    for (const id of ['abc%00def', 'a%20b', 'a'.repeat(100)]) {
      const res = await fetch(`${op.issuer}/register/${id}`, { headers: { authorization: 'Bearer sa_rat_x' } });
      expect(res.status, id).to.equal(401);
      expect(((await res.json()) as { error: string }).error).to.equal('invalid_token');
    }
  });

  it('answers a body that is not JSON with invalid_client_metadata, never a 500', async () => {
    const res = await fetch(`${op.issuer}/register`, { method: 'POST', headers: { authorization: `Bearer ${await token()}`, 'content-type': 'application/json' }, body: '{not json' });
    expect(res.status).to.equal(400);
    expect(((await res.json()) as { error: string }).error).to.equal('invalid_client_metadata');
  });
});
