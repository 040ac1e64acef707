import { expect } from 'chai';
import * as oidc from 'openid-client';
import { rp, startProvider, type TestProvider } from '../support/provider.ts';

describe('discovery and JWKS', () => {
  let op: TestProvider;
  before(async () => {
    op = await startProvider();
  });
  after(() => op?.stop());

  it('advertises exactly the flows, scopes, claims and levels Satu Akun supports', async () => {
    const meta = (await rp(op.issuer, 'app-a')).serverMetadata();
    expect(meta.issuer).to.equal(op.issuer);
    expect(meta.response_types_supported).to.deep.equal(['code']);
    expect(meta.code_challenge_methods_supported).to.deep.equal(['S256']);
    expect(meta.grant_types_supported).to.include.members(['authorization_code', 'refresh_token', 'client_credentials']);
    expect(meta.grant_types_supported).not.to.include('implicit');
    expect(meta.scopes_supported).to.include.members(['openid', 'profile', 'email', 'nip', 'kepegawaian', 'roles', 'offline_access']);
    expect(meta.claims_supported).to.include.members(['sub', 'nip', 'employee_type', 'agency_code', 'agency_name', 'position', 'grade', 'roles', 'acr', 'amr']);
    expect(meta.acr_values_supported).to.deep.equal(['urn:satu-akun:loa:1', 'urn:satu-akun:loa:2', 'urn:satu-akun:loa:3']);
    expect(meta.id_token_signing_alg_values_supported).to.deep.equal(['RS256', 'ES256']);
    for (const endpoint of ['userinfo_endpoint', 'introspection_endpoint', 'revocation_endpoint', 'end_session_endpoint', 'jwks_uri'] as const) {
      expect(meta[endpoint], endpoint).to.be.a('string').and.match(new RegExp(`^${op.issuer}/`));
    }
    expect(meta.backchannel_logout_supported).to.equal(true);
    expect(meta.claims_parameter_supported).to.equal(true);
  });

  it('publishes only public RS256 and ES256 keys, each with a kid', async () => {
    const jwks = (await (await fetch(`${op.issuer}/jwks`)).json()) as { keys: Record<string, string>[] };
    expect(jwks.keys.map((k) => k.alg).sort()).to.deep.equal(['ES256', 'RS256']);
    for (const key of jwks.keys) {
      expect(key).to.include(key.kty === 'RSA' ? { alg: 'RS256', use: 'sig' } : { kty: 'EC', crv: 'P-256', alg: 'ES256', use: 'sig' });
      expect(key.kid).to.be.a('string');
      expect(key).not.to.have.property('d');
    }
  });

  it('revokes an access token on request, and introspection then reports it inactive', async () => {
    const machine = await rp(op.issuer, 'machine');
    const { access_token } = await oidc.clientCredentialsGrant(machine);
    expect((await oidc.tokenIntrospection(machine, access_token)).active).to.equal(true);
    await oidc.tokenRevocation(machine, access_token);
    expect((await oidc.tokenIntrospection(machine, access_token)).active).to.equal(false);
  });

  it("lets an app introspect only its own tokens", async () => {
    const { access_token } = await oidc.clientCredentialsGrant(await rp(op.issuer, 'machine'));
    const other = await rp(op.issuer, 'app-a');
    expect((await oidc.tokenIntrospection(other, access_token)).active).to.equal(false);
  });
});
