import { expect } from 'chai';
import { diffRegistrations } from '../../src/clients/diff.ts';
import { registration as sampleRegistration } from '../support/apps.ts';

const registration = (overrides: Record<string, unknown> = {}) =>
  sampleRegistration({
    redirect_uris: 'https://puskesmas.contoh.go.id/cb\nhttps://puskesmas.contoh.go.id/cb2',
    scopes: [
      { scope: 'profile', purpose: 'Menampilkan nama petugas di layar' },
      { scope: 'email', purpose: 'Mengirim notifikasi jadwal ke petugas' },
    ],
    ...overrides,
  });

/** What the reviewer compares when a live app asks for a change (pure: no database, no pages). */
describe('registration diff', () => {
  it('finds no difference between equal registrations, nor in a reordered list', () => {
    const a = registration();
    expect(diffRegistrations(a, registration())).to.deep.equal([]);
    const reordered = registration({
      redirect_uris: 'https://puskesmas.contoh.go.id/cb2\nhttps://puskesmas.contoh.go.id/cb',
      scopes: [
        { scope: 'email', purpose: 'Mengirim notifikasi jadwal ke petugas' },
        { scope: 'profile', purpose: 'Menampilkan nama petugas di layar' },
      ],
    });
    expect(diffRegistrations(a, reordered)).to.deep.equal([]);
  });

  it('reports a changed, an added and a removed single field', () => {
    const before = registration({ responsible_phone: '0541 123456' });
    const after = registration({ name: 'SI Puskesmas Terpadu', level: '2', docs_manual: 'https://docs.contoh.go.id/puskesmas' });
    expect(diffRegistrations(before, after)).to.deep.equal([
      { field: 'name', before: 'Sistem Informasi Puskesmas', after: 'SI Puskesmas Terpadu', kind: 'changed' },
      { field: 'level', before: 1, after: 2, kind: 'changed' },
      { field: 'responsible_phone', before: '0541 123456', kind: 'removed' },
      { field: 'docs_manual', after: 'https://docs.contoh.go.id/puskesmas', kind: 'added' },
    ]);
  });

  it('compares redirect URIs item by item', () => {
    const before = registration();
    const after = registration({ redirect_uris: 'https://puskesmas.contoh.go.id/cb\nhttps://baru.contoh.go.id/callback' });
    expect(diffRegistrations(before, after)).to.deep.equal([
      { field: 'redirect_uris', item: 'https://puskesmas.contoh.go.id/cb2', before: 'https://puskesmas.contoh.go.id/cb2', kind: 'removed' },
      { field: 'redirect_uris', item: 'https://baru.contoh.go.id/callback', after: 'https://baru.contoh.go.id/callback', kind: 'added' },
    ]);
  });

  it('compares requested data by scope, with its purpose', () => {
    const before = registration();
    const after = registration({
      scopes: [
        { scope: 'profile', purpose: 'Menampilkan nama dan jabatan petugas' },
        { scope: 'nip', purpose: 'Mencocokkan petugas dengan data kepegawaian' },
      ],
    });
    expect(diffRegistrations(before, after)).to.deep.equal([
      { field: 'scopes', item: 'email', before: 'Mengirim notifikasi jadwal ke petugas', kind: 'removed' },
      { field: 'scopes', item: 'nip', after: 'Mencocokkan petugas dengan data kepegawaian', kind: 'added' },
      { field: 'scopes', item: 'profile', before: 'Menampilkan nama petugas di layar', after: 'Menampilkan nama dan jabatan petugas', kind: 'changed' },
    ]);
  });

  it('compares app roles by name, with their description; a reordered list is no change', () => {
    const operator = { name: 'operator', description: 'Mencatat layanan pasien di puskesmas' };
    const head = { name: 'kepala', description: 'Menyetujui laporan bulanan puskesmas' };
    const before = registration({ app_roles: [operator, head] });
    expect(diffRegistrations(before, registration({ app_roles: [head, operator] }))).to.deep.equal([]);
    const after = registration({
      app_roles: [
        { name: 'operator', description: 'Mencatat dan mengubah layanan pasien' },
        { name: 'verifikator', description: 'Memeriksa laporan sebelum disetujui kepala' },
      ],
    });
    expect(diffRegistrations(before, after)).to.deep.equal([
      { field: 'app_roles', item: 'kepala', before: 'Menyetujui laporan bulanan puskesmas', kind: 'removed' },
      { field: 'app_roles', item: 'verifikator', after: 'Memeriksa laporan sebelum disetujui kepala', kind: 'added' },
      { field: 'app_roles', item: 'operator', before: 'Mencatat layanan pasien di puskesmas', after: 'Mencatat dan mengubah layanan pasien', kind: 'changed' },
    ]);
  });

  it('reads a live registration stored before app roles existed as declaring none', () => {
    const { app_roles: _none, ...stored } = registration();
    const after = registration({ app_roles: 'operator: Mencatat layanan pasien di puskesmas' });
    expect(diffRegistrations(stored as typeof after, after)).to.deep.equal([
      { field: 'app_roles', item: 'operator', after: 'Mencatat layanan pasien di puskesmas', kind: 'added' },
    ]);
  });

  it('compares the ID-token algorithm; a registration stored without one reads as RS256', () => {
    expect(diffRegistrations(registration(), registration({ id_token_signed_response_alg: 'ES256' }))).to.deep.equal([
      { field: 'id_token_signed_response_alg', before: 'RS256', after: 'ES256', kind: 'changed' },
    ]);
    const { id_token_signed_response_alg: _none, ...stored } = registration();
    expect(diffRegistrations(stored as ReturnType<typeof registration>, registration({ id_token_signed_response_alg: 'RS256' }))).to.deep.equal([]);
    expect(diffRegistrations(undefined, registration()).find((c) => c.field === 'id_token_signed_response_alg')).to.deep.equal({ field: 'id_token_signed_response_alg', after: 'RS256', kind: 'added' });
  });

  it('compares grant types and post-logout URIs item by item, and an outside party with its agreement', () => {
    const before = registration();
    const after = registration({
      grant_types: ['authorization_code', 'refresh_token', 'client_credentials'],
      post_logout_redirect_uris: 'https://puskesmas.contoh.go.id/bye',
      outside_party: 'on',
      agreement_reference: 'PKS/001/2026',
      agreement_expires: '2027-12-31',
    });
    expect(diffRegistrations(before, after)).to.deep.equal([
      { field: 'post_logout_redirect_uris', item: 'https://puskesmas.contoh.go.id/bye', after: 'https://puskesmas.contoh.go.id/bye', kind: 'added' },
      { field: 'grant_types', item: 'client_credentials', after: 'client_credentials', kind: 'added' },
      { field: 'outside_party', before: false, after: true, kind: 'changed' },
      { field: 'agreement_reference', after: 'PKS/001/2026', kind: 'added' },
      { field: 'agreement_expires', after: '2027-12-31', kind: 'added' },
    ]);
  });

  it('compares a pasted JWKS by content, not by key order', () => {
    const jwk = { kty: 'EC', crv: 'P-256', x: 'f83OJ3D2xF1Bg8vub9tLe1gHMzV76e8Tus9uPHvRVEU', y: 'x_FEzRu9m36HLN_tue659LNpXW6pCyStikYjKIWI5a0' };
    const base = { token_endpoint_auth_method: 'private_key_jwt' };
    const before = registration({ ...base, jwks: { keys: [jwk] } });
    const same = registration({ ...base, jwks: JSON.stringify({ keys: [{ y: jwk.y, x: jwk.x, crv: jwk.crv, kty: jwk.kty }] }) });
    expect(diffRegistrations(before, same)).to.deep.equal([]);
    const other = registration({ ...base, jwks: { keys: [{ ...jwk, kid: 'k2' }] } });
    const changes = diffRegistrations(before, other);
    expect(changes).to.have.length(1);
    expect(changes[0]).to.include({ field: 'jwks', kind: 'changed' });
    expect(changes[0]!.after).to.contain('"kid":"k2"');
  });

  it('shows everything as added for a first registration', () => {
    const changes = diffRegistrations(undefined, registration());
    expect(changes.every((c) => c.kind === 'added')).to.equal(true);
    expect(changes.filter((c) => c.field === 'redirect_uris').map((c) => c.item)).to.deep.equal(['https://puskesmas.contoh.go.id/cb', 'https://puskesmas.contoh.go.id/cb2']);
    expect(changes.filter((c) => c.field === 'scopes').map((c) => c.item)).to.deep.equal(['openid', 'profile', 'email']);
    expect(changes.find((c) => c.field === 'name')).to.deep.equal({ field: 'name', after: 'Sistem Informasi Puskesmas', kind: 'added' });
  });
});
