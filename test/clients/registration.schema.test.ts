import { expect } from 'chai';
import { fieldErrors, registrationSchema } from '../../src/clients/registration.schema.ts';
import { enApps, idApps } from '../../src/i18n/messages-apps.ts';

const schema = registrationSchema(['contoh.go.id']);

/** A complete registration as a browser form submits it: every value a string, URIs in a textarea. */
const form = (): Record<string, unknown> => ({
  name: '  SIMPEG Kabupaten  ',
  description: 'Sistem informasi manajemen kepegawaian untuk seluruh OPD.',
  agency: 'bkpsdm',
  kind: 'umum',
  environment: 'production',
  level: '2',
  client_type: 'confidential',
  token_endpoint_auth_method: 'client_secret_basic',
  jwks_uri: '',
  jwks: '',
  redirect_uris: 'https://simpeg.contoh.go.id/callback\r\nhttps://simpeg.contoh.go.id/callback-mobile\r\n',
  post_logout_redirect_uris: 'https://simpeg.contoh.go.id/',
  redirect_justification: '',
  backchannel_logout_uri: 'https://simpeg.contoh.go.id/backchannel-logout',
  scopes: [
    { scope: 'profile', purpose: 'Menampilkan nama pegawai di dasbor.' },
    { scope: 'nip', purpose: 'Mencocokkan akun dengan data kepegawaian di SIMPEG.' },
  ],
  grant_types: ['authorization_code', 'refresh_token'],
  responsible_name: 'Siti Rahmawati',
  responsible_email: 'siti.rahmawati@contoh.go.id',
  responsible_phone: '+62 812-3456-7890',
  docs_repository: 'https://git.contoh.go.id/bkpsdm/simpeg',
  docs_manual: 'http://intranet.contoh.go.id/manual-simpeg.pdf',
  docs_security_report: '',
});

/** Errors by field for a submission that must fail. */
const errorsOf = (input: Record<string, unknown>) => {
  const result = schema.safeParse(input);
  if (result.success) throw new Error(`expected errors, parsed ${JSON.stringify(result.data)}`);
  return fieldErrors(result.error);
};

const parse = (input: Record<string, unknown>) => {
  const result = schema.safeParse(input);
  if (!result.success) throw new Error(`expected a registration, got ${JSON.stringify(fieldErrors(result.error))}`);
  return result.data;
};

/** A public mobile app and a JWKS, for the client authentication cases. */
const publicKey = { kty: 'EC', crv: 'P-256', x: 'f83OJ3D2xF1Bg8vub9tLe1gHMzV76e8Tus9uPHvRVEU', y: 'x_FEzRu9m36HLN_tue659LNpXW6pCyStikYjKIWI5a0' };

describe('app registration schema', () => {
  describe('a complete registration', () => {
    it('parses a form submission into typed, trimmed values', () => {
      const r = parse(form());
      expect(r).to.deep.include({
        name: 'SIMPEG Kabupaten',
        agency: 'BKPSDM',
        kind: 'umum',
        environment: 'production',
        level: 2,
        outside_party: false,
        redirect_uris: ['https://simpeg.contoh.go.id/callback', 'https://simpeg.contoh.go.id/callback-mobile'],
        post_logout_redirect_uris: ['https://simpeg.contoh.go.id/'],
        grant_types: ['authorization_code', 'refresh_token'],
      });
      for (const blank of ['jwks_uri', 'jwks', 'redirect_justification', 'docs_security_report']) {
        expect(r[blank as keyof typeof r], `${blank} is undefined when left blank`).to.equal(undefined);
      }
    });

    it('always includes openid, first', () => {
      expect(parse(form()).scopes.map((s) => s.scope)).to.deep.equal(['openid', 'profile', 'nip']);
      expect(parse({ ...form(), scopes: undefined }).scopes).to.deep.equal([{ scope: 'openid' }]);
      const withOpenid = parse({ ...form(), scopes: [{ scope: 'openid' }, { scope: 'email', purpose: 'Mengirim pemberitahuan dinas.' }] });
      expect(withOpenid.scopes.map((s) => s.scope)).to.deep.equal(['openid', 'email']);
    });

    it('records the verdict on each URI for the reviewer', () => {
      const r = parse(form());
      expect(r.redirect_verdicts).to.deep.equal([
        { uri: 'https://simpeg.contoh.go.id/callback', verdict: 'ok' },
        { uri: 'https://simpeg.contoh.go.id/callback-mobile', verdict: 'ok' },
      ]);
      expect(r.post_logout_verdicts).to.deep.equal([{ uri: 'https://simpeg.contoh.go.id/', verdict: 'ok' }]);
    });

    it('accepts URIs as an array and grant types as one checkbox value', () => {
      const r = parse({ ...form(), redirect_uris: [' https://simpeg.contoh.go.id/cb ', ''], post_logout_redirect_uris: [], grant_types: 'authorization_code' });
      expect(r.redirect_uris).to.deep.equal(['https://simpeg.contoh.go.id/cb']);
      expect(r.post_logout_redirect_uris).to.deep.equal([]);
      expect(r.grant_types).to.deep.equal(['authorization_code']);
    });

    it('defaults grant types to the sign-in grants', () => {
      expect(parse({ ...form(), grant_types: undefined }).grant_types).to.deep.equal(['authorization_code', 'refresh_token']);
    });

    it('strips fields it does not know, such as the CSRF token of the form', () => {
      expect(parse({ ...form(), _csrf: 'abc' })).not.to.have.property('_csrf');
    });
  });

  describe('required fields', () => {
    const required: [string, string][] = [
      ['name', 'apps.invalid.name'],
      ['description', 'apps.invalid.description'],
      ['agency', 'apps.invalid.agency'],
      ['kind', 'apps.invalid.kind'],
      ['environment', 'apps.invalid.environment'],
      ['level', 'apps.invalid.level'],
      ['client_type', 'apps.invalid.client_type'],
      ['token_endpoint_auth_method', 'apps.invalid.token_endpoint_auth_method'],
      ['redirect_uris', 'apps.redirect.list_empty'],
      ['responsible_name', 'apps.invalid.responsible_name'],
      ['responsible_email', 'apps.invalid.responsible_email'],
    ];
    for (const [field, key] of required) {
      it(`${field} missing or blank: ${key}`, () => {
        const missing = form();
        delete missing[field];
        expect(errorsOf(missing)).to.deep.equal({ [field]: [key] });
        expect(errorsOf({ ...form(), [field]: '   ' })).to.deep.equal({ [field]: [key] });
      });
    }

    it('reports every problem at once', () => {
      const errors = errorsOf({ ...form(), name: 'AB', level: '4', client_type: 'public', redirect_uris: 'https://x.contoh.go.id/#' });
      expect(errors).to.deep.equal({
        name: ['apps.invalid.name'],
        level: ['apps.invalid.level'],
        token_endpoint_auth_method: ['apps.invalid.public_needs_none'],
        'redirect_uris.0': ['apps.redirect.refused_fragment'],
      });
    });

    it('gives one key for input that is not a form at all', () => {
      expect(fieldErrors(schema.safeParse('name=x').error!)).to.deep.equal({ '': ['apps.invalid.form'] });
    });
  });

  describe('field formats', () => {
    const cases: [string, unknown, string][] = [
      ['name', 'A'.repeat(81), 'apps.invalid.name'],
      ['description', 'Pendek', 'apps.invalid.description'],
      ['agency', 'BKP SDM', 'apps.invalid.agency'],
      ['agency', 'B', 'apps.invalid.agency'],
      ['kind', 'pribadi', 'apps.invalid.kind'],
      ['environment', 'test', 'apps.invalid.environment'],
      ['level', 'dua', 'apps.invalid.level'],
      ['token_endpoint_auth_method', 'client_secret_jwt', 'apps.invalid.token_endpoint_auth_method'],
      ['grant_types.1', ['authorization_code', 'implicit'], 'apps.invalid.grant_types'],
      ['responsible_email', 'siti@', 'apps.invalid.responsible_email'],
      ['responsible_phone', '0812', 'apps.invalid.responsible_phone'],
      ['responsible_phone', 'telepon 0812345', 'apps.invalid.responsible_phone'],
      ['responsible_phone', '+ - - - - -', 'apps.invalid.responsible_phone'],
      ['docs_repository', 'git.contoh.go.id/simpeg', 'apps.invalid.docs_url'],
      ['docs_manual', 'ftp://files.contoh.go.id/manual.pdf', 'apps.invalid.docs_url'],
      ['outside_party', 'maybe', 'apps.invalid.outside_party'],
      ['redirect_justification', 'x'.repeat(2001), 'apps.invalid.redirect_justification'],
    ];
    for (const [field, value, key] of cases) {
      it(`${field} = ${JSON.stringify(value).slice(0, 40)}: ${key}`, () => {
        expect(errorsOf({ ...form(), [field.split('.')[0]!]: value })).to.deep.equal({ [field]: [key] });
      });
    }

    it('coerces the level and the checkbox', () => {
      expect(parse({ ...form(), level: 3 }).level).to.equal(3);
      expect(parse({ ...form(), outside_party: 'off' }).outside_party).to.equal(false);
    });
  });

  describe('client type and authentication', () => {
    it('refuses a public app with a client secret', () => {
      expect(errorsOf({ ...form(), client_type: 'public', token_endpoint_auth_method: 'client_secret_basic' })).to.deep.equal({
        token_endpoint_auth_method: ['apps.invalid.public_needs_none'],
      });
    });

    it('refuses a confidential app that does not authenticate', () => {
      expect(errorsOf({ ...form(), token_endpoint_auth_method: 'none' })).to.deep.equal({
        token_endpoint_auth_method: ['apps.invalid.confidential_needs_authentication'],
      });
    });

    it('accepts a public app with none', () => {
      expect(parse({ ...form(), client_type: 'public', token_endpoint_auth_method: 'none' }).client_type).to.equal('public');
    });

    it('refuses client_credentials for a public app', () => {
      const input = { ...form(), client_type: 'public', token_endpoint_auth_method: 'none', grant_types: ['authorization_code', 'client_credentials'] };
      expect(errorsOf(input)).to.deep.equal({ grant_types: ['apps.invalid.public_client_credentials'] });
    });

    describe('private_key_jwt', () => {
      const pkj = { ...form(), token_endpoint_auth_method: 'private_key_jwt' };

      it('needs the public keys', () => {
        expect(errorsOf(pkj)).to.deep.equal({ jwks_uri: ['apps.invalid.jwks_missing'] });
      });

      it('accepts a jwks_uri on https', () => {
        expect(parse({ ...pkj, jwks_uri: 'https://simpeg.contoh.go.id/jwks.json' }).jwks_uri).to.equal('https://simpeg.contoh.go.id/jwks.json');
        expect(errorsOf({ ...pkj, jwks_uri: 'http://simpeg.contoh.go.id/jwks.json' })).to.deep.equal({ jwks_uri: ['apps.invalid.jwks_uri'] });
      });

      it('accepts a pasted JWKS of public keys, parsed', () => {
        expect(parse({ ...pkj, jwks: JSON.stringify({ keys: [publicKey] }) }).jwks).to.deep.equal({ keys: [publicKey] });
      });

      it('refuses both sources at once', () => {
        const input = { ...pkj, jwks_uri: 'https://simpeg.contoh.go.id/jwks.json', jwks: JSON.stringify({ keys: [publicKey] }) };
        expect(errorsOf(input)).to.deep.equal({ jwks: ['apps.invalid.jwks_both'] });
      });

      for (const member of ['d', 'p', 'q', 'dp', 'dq', 'qi', 'k']) {
        it(`refuses a JWKS with the private member "${member}"`, () => {
          const leaked = { ...publicKey, [member]: 'c2VjcmV0' };
          expect(errorsOf({ ...pkj, jwks: JSON.stringify({ keys: [publicKey, leaked] }) })).to.deep.equal({
            jwks: ['apps.invalid.jwks_private_key'],
          });
        });
      }

      it('refuses a JWKS that is not JSON, has no keys list, or an empty one', () => {
        expect(errorsOf({ ...pkj, jwks: '{keys: [' }).jwks).to.deep.equal(['apps.invalid.jwks_json']);
        expect(errorsOf({ ...pkj, jwks: JSON.stringify(publicKey) }).jwks).to.deep.equal(['apps.invalid.jwks_json']);
        expect(errorsOf({ ...pkj, jwks: JSON.stringify({ keys: [{ x: 'no kty' }] }) }).jwks).to.deep.equal(['apps.invalid.jwks_json']);
        expect(errorsOf({ ...pkj, jwks: '{"keys":[]}' }).jwks).to.deep.equal(['apps.invalid.jwks_empty']);
      });
    });

    it('refuses keys for a method that does not use them', () => {
      expect(errorsOf({ ...form(), jwks: JSON.stringify({ keys: [publicKey] }) })).to.deep.equal({ jwks: ['apps.invalid.jwks_unused'] });
    });
  });

  describe('ID-token signing algorithm', () => {
    it('is RS256 when absent or blank (OIDC Dynamic Client Registration §2)', () => {
      expect(parse(form()).id_token_signed_response_alg).to.equal('RS256');
      expect(parse({ ...form(), id_token_signed_response_alg: '  ' }).id_token_signed_response_alg).to.equal('RS256');
    });

    it('accepts RS256 and ES256, and refuses anything else at the field', () => {
      expect(parse({ ...form(), id_token_signed_response_alg: 'ES256' }).id_token_signed_response_alg).to.equal('ES256');
      for (const alg of ['HS256', 'none', 'EdDSA', 'es256', 256]) {
        expect(errorsOf({ ...form(), id_token_signed_response_alg: alg }), String(alg)).to.deep.equal({ id_token_signed_response_alg: ['apps.invalid.id_token_signed_response_alg'] });
      }
    });
  });

  describe('requested data (the Walidata rule)', () => {
    it('refuses a scope without a purpose, or with a too short one', () => {
      const errors = errorsOf({ ...form(), scopes: [{ scope: 'email' }, { scope: 'kepegawaian', purpose: 'perlu' }] });
      expect(errors).to.deep.equal({ 'scopes.0.purpose': ['apps.invalid.scope_purpose'], 'scopes.1.purpose': ['apps.invalid.scope_purpose'] });
    });

    it('needs no purpose for openid', () => {
      expect(parse({ ...form(), scopes: [{ scope: 'openid', purpose: '' }] }).scopes).to.deep.equal([{ scope: 'openid' }]);
    });

    it('refuses unknown and repeated scopes', () => {
      const purpose = 'Menampilkan nama pegawai di dasbor.';
      expect(errorsOf({ ...form(), scopes: [{ scope: 'address', purpose }] })).to.deep.equal({ 'scopes.0.scope': ['apps.invalid.scope'] });
      expect(errorsOf({ ...form(), scopes: [{ scope: 'email', purpose }, { scope: 'email', purpose }] })).to.deep.equal({
        'scopes.1.scope': ['apps.invalid.scope_duplicate'],
      });
    });
  });

  describe('app roles (issue 10 §5)', () => {
    const operator = { name: 'operator', description: 'Mencatat layanan dan mencetak laporan harian.' };
    const head = { name: 'kepala_seksi', description: 'Menyetujui laporan bulanan sebelum dikirim ke dinas.' };

    it('declares none by default', () => {
      expect(parse(form()).app_roles).to.deep.equal([]);
    });

    it('accepts an array of roles, trimmed, dropping unknown members', () => {
      const r = parse({ ...form(), app_roles: [{ name: ' operator ', description: ` ${operator.description} `, holders: ['andi'] }, head] });
      expect(r.app_roles).to.deep.equal([operator, head]);
    });

    it('reads a textarea, one role per line "name: description", blank lines dropped', () => {
      const r = parse({ ...form(), app_roles: `operator: ${operator.description}\r\n\r\n  kepala_seksi :${head.description}\r\n` });
      expect(r.app_roles).to.deep.equal([operator, head]);
      // Only the first colon separates: a description may hold colons itself.
      const colon = parse({ ...form(), app_roles: 'admin.data: Mengelola data induk: unit, jabatan, dan lokasi.' });
      expect(colon.app_roles).to.deep.equal([{ name: 'admin.data', description: 'Mengelola data induk: unit, jabatan, dan lokasi.' }]);
    });

    it('accepts names of 1 to 40 characters in lower case, digits, _ . and -', () => {
      for (const name of ['a', '9', 'kepala-bidang.keuangan_2', 'a'.repeat(40)]) {
        expect(parse({ ...form(), app_roles: [{ ...operator, name }] }).app_roles[0]!.name, name).to.equal(name);
      }
    });

    it('refuses other names at the role', () => {
      for (const name of ['Operator', 'kepala seksi', '_operator', '-x', '.x', 'a'.repeat(41), 'operatör', '', 'admin:data']) {
        expect(errorsOf({ ...form(), app_roles: [operator, { ...head, name }] }), JSON.stringify(name)).to.deep.equal({ 'app_roles.1.name': ['apps.invalid.app_role_name'] });
      }
      // A textarea line without a colon is all name: its description is missing too.
      expect(errorsOf({ ...form(), app_roles: 'Operator puskesmas' })).to.deep.equal({
        'app_roles.0.name': ['apps.invalid.app_role_name'],
        'app_roles.0.description': ['apps.invalid.app_role_description'],
      });
    });

    it('refuses a description shorter than 10 or longer than 300 characters', () => {
      expect(errorsOf({ ...form(), app_roles: [{ name: 'operator', description: 'Mencatat' }] })).to.deep.equal({ 'app_roles.0.description': ['apps.invalid.app_role_description'] });
      expect(errorsOf({ ...form(), app_roles: 'operator:   ' })).to.deep.equal({ 'app_roles.0.description': ['apps.invalid.app_role_description'] });
      expect(errorsOf({ ...form(), app_roles: [{ name: 'operator', description: 'x'.repeat(301) }] })).to.deep.equal({ 'app_roles.0.description': ['apps.invalid.app_role_description'] });
      expect(parse({ ...form(), app_roles: [{ name: 'operator', description: 'x'.repeat(300) }] }).app_roles[0]!.description).to.have.length(300);
    });

    it('refuses a name used twice, at its second occurrence', () => {
      const lines = `operator: ${operator.description}\nkepala_seksi: ${head.description}\noperator: Mengubah data layanan yang sudah dicatat.`;
      expect(errorsOf({ ...form(), app_roles: lines })).to.deep.equal({ 'app_roles.2.name': ['apps.invalid.app_roles_duplicate'] });
    });

    it('refuses more than 30 roles, on the list', () => {
      const roles = (n: number) => Array.from({ length: n }, (_, i) => ({ name: `peran-${i}`, description: `Peran nomor ${i} di aplikasi.` }));
      expect(parse({ ...form(), app_roles: roles(30) }).app_roles).to.have.length(30);
      expect(errorsOf({ ...form(), app_roles: roles(31) })).to.deep.equal({ app_roles: ['apps.invalid.app_roles_too_many'] });
    });

    it('refuses a list that is not one of roles', () => {
      expect(errorsOf({ ...form(), app_roles: { operator: ['andi.wijaya'] } })).to.deep.equal({ app_roles: ['apps.invalid.app_roles'] });
      expect(errorsOf({ ...form(), app_roles: ['operator'] })).to.deep.equal({ 'app_roles.0': ['apps.invalid.app_roles'] });
    });

    it('needs at least one role when the app requests the roles scope', () => {
      const roles = { scope: 'roles', purpose: 'Menampilkan menu sesuai peran petugas.' };
      const withScope = { ...form(), scopes: [...(form().scopes as object[]), roles] };
      expect(errorsOf(withScope)).to.deep.equal({ app_roles: ['apps.invalid.app_roles_required'] });
      expect(errorsOf({ ...withScope, app_roles: '\n  \n' })).to.deep.equal({ app_roles: ['apps.invalid.app_roles_required'] });
      expect(parse({ ...withScope, app_roles: [operator] }).app_roles).to.deep.equal([operator]);
    });

    it('allows roles without the roles scope (the access rule "holders of its roles" reads them)', () => {
      const r = parse({ ...form(), app_roles: [operator] });
      expect(r.scopes.map((s) => s.scope)).not.to.include('roles');
      expect(r.app_roles).to.deep.equal([operator]);
    });

    it('reports a role problem with every other problem at once', () => {
      expect(errorsOf({ ...form(), name: 'AB', app_roles: [{ name: 'Operator', description: operator.description }] })).to.deep.equal({
        name: ['apps.invalid.name'],
        'app_roles.0.name': ['apps.invalid.app_role_name'],
      });
    });
  });

  describe('redirect policy', () => {
    it('refuses a refused URI at its index, with the reason', () => {
      const errors = errorsOf({ ...form(), redirect_uris: 'https://simpeg.contoh.go.id/cb\nhttps://*.contoh.go.id/cb\njavascript:alert(1)' });
      expect(errors).to.deep.equal({ 'redirect_uris.1': ['apps.redirect.refused_wildcard'], 'redirect_uris.2': ['apps.redirect.refused_scheme'] });
    });

    it('applies the environment of the registration', () => {
      const local = { ...form(), redirect_uris: 'http://localhost:8080/callback', post_logout_redirect_uris: '', backchannel_logout_uri: '' };
      expect(errorsOf(local)).to.deep.equal({ 'redirect_uris.0': ['apps.redirect.refused_loopback'] });
      expect(parse({ ...local, environment: 'development' }).redirect_verdicts).to.deep.equal([
        { uri: 'http://localhost:8080/callback', verdict: 'ok' },
      ]);
    });

    it('refuses post-logout URIs by the same rules', () => {
      expect(errorsOf({ ...form(), post_logout_redirect_uris: 'https://simpeg.contoh.go.id/#bye' })).to.deep.equal({
        'post_logout_redirect_uris.0': ['apps.redirect.refused_fragment'],
      });
    });

    it('reports list problems on the list, duplicates at the repeat', () => {
      const many = Array.from({ length: 11 }, (_, i) => `https://app${i}.contoh.go.id/cb`);
      expect(errorsOf({ ...form(), redirect_uris: many })).to.deep.equal({ redirect_uris: ['apps.redirect.list_too_many'] });
      expect(errorsOf({ ...form(), redirect_uris: ['https://a.contoh.go.id/cb', 'https://a.contoh.go.id/cb'] })).to.deep.equal({
        'redirect_uris.1': ['apps.redirect.list_duplicate'],
      });
    });

    it('refuses an exception without a justification', () => {
      for (const field of ['redirect_uris', 'post_logout_redirect_uris']) {
        const input = { ...form(), [field]: 'https://simpeg.example.com/callback' };
        expect(errorsOf(input), field).to.deep.equal({ redirect_justification: ['apps.redirect.justification_required'] });
        expect(errorsOf({ ...input, redirect_justification: 'Sudah diizinkan.' }), 'under 20 characters').to.deep.equal({
          redirect_justification: ['apps.redirect.justification_required'],
        });
      }
    });

    it('accepts an exception with a justification and records it as one', () => {
      const r = parse({
        ...form(),
        redirect_uris: 'https://simpeg.contoh.go.id/callback\nhttp://10.1.2.3/simpeg/callback',
        redirect_justification: 'Server SIMPEG lama di jaringan intranet BKPSDM belum punya sertifikat TLS; migrasi Desember.',
      });
      expect(r.redirect_verdicts).to.deep.equal([
        { uri: 'https://simpeg.contoh.go.id/callback', verdict: 'ok' },
        { uri: 'http://10.1.2.3/simpeg/callback', verdict: 'exception', reason: 'apps.redirect.exception_plain_http' },
      ]);
    });

    it('checks the back-channel logout URI: https anywhere, loopback only in development', () => {
      expect(parse({ ...form(), backchannel_logout_uri: 'https://partner.example.com/logout' }).backchannel_logout_uri).to.equal(
        'https://partner.example.com/logout',
      );
      expect(errorsOf({ ...form(), backchannel_logout_uri: 'http://simpeg.contoh.go.id/logout' })).to.deep.equal({
        backchannel_logout_uri: ['apps.invalid.backchannel_logout_uri'],
      });
      expect(errorsOf({ ...form(), backchannel_logout_uri: 'https://simpeg.contoh.go.id/logout#x' })).to.deep.equal({
        backchannel_logout_uri: ['apps.redirect.refused_fragment'],
      });
      expect(errorsOf({ ...form(), backchannel_logout_uri: 'http://localhost:8080/logout' })).to.deep.equal({
        backchannel_logout_uri: ['apps.redirect.refused_loopback'],
      });
      const dev = { ...form(), environment: 'development', backchannel_logout_uri: 'http://localhost:8080/logout' };
      expect(parse(dev).backchannel_logout_uri).to.equal('http://localhost:8080/logout');
    });
  });

  describe('outside parties', () => {
    it('need the cooperation agreement and its expiry', () => {
      expect(errorsOf({ ...form(), outside_party: 'on' })).to.deep.equal({
        agreement_reference: ['apps.invalid.agreement_reference'],
        agreement_expires: ['apps.invalid.agreement_expires'],
      });
    });

    it('refuses an impossible expiry date', () => {
      const input = { ...form(), outside_party: 'true', agreement_reference: 'PKS/045/BKPSDM/2025' };
      for (const date of ['2026-02-30', '31-12-2026', '2026-13-01']) {
        expect(errorsOf({ ...input, agreement_expires: date }), date).to.deep.equal({ agreement_expires: ['apps.invalid.agreement_expires'] });
      }
      expect(parse({ ...input, agreement_expires: '2028-02-29' })).to.include({ outside_party: true, agreement_expires: '2028-02-29' });
    });
  });

  describe('fieldErrors', () => {
    it('joins paths with dots and lists each key once', () => {
      const result = schema.safeParse({
        ...form(),
        name: '',
        scopes: [{ scope: 'email' }],
        redirect_uris: ['https://a.contoh.go.id/#', 'https://a.contoh.go.id/#'],
      });
      expect(fieldErrors(result.error!)).to.deep.equal({
        name: ['apps.invalid.name'],
        'scopes.0.purpose': ['apps.invalid.scope_purpose'],
        'redirect_uris.0': ['apps.redirect.refused_fragment'],
        'redirect_uris.1': ['apps.redirect.refused_fragment', 'apps.redirect.list_duplicate'],
      });
    });

    it('turns a message that is not a key into a generic one', () => {
      const error = schema.safeParse({ ...form(), name: '' }).error!;
      error.issues.push({ code: 'custom', path: ['name'], message: 'Invalid input', input: undefined });
      expect(fieldErrors(error).name).to.deep.equal(['apps.invalid.name', 'apps.invalid.value']);
    });
  });

  describe('messages', () => {
    it('has the same keys in Bahasa Indonesia and English', () => {
      expect(Object.keys(enApps).sort()).to.deep.equal(Object.keys(idApps).sort());
    });

    it('has no empty strings and no placeholders, since keys travel without parameters', () => {
      for (const [lang, dictionary] of Object.entries({ id: idApps, en: enApps })) {
        for (const [key, text] of Object.entries(dictionary)) {
          expect(text.trim(), `${lang} ${key}`).not.to.equal('');
          expect(text, `${lang} ${key}`).not.to.match(/\{\w+\}/);
        }
      }
    });

    it('names the limit it enforces', () => {
      expect(idApps['apps.redirect.list_too_many']).to.contain('10');
      expect(enApps['apps.redirect.refused_too_long']).to.contain('2000');
      for (const dictionary of [idApps, enApps]) {
        expect(dictionary['apps.invalid.app_roles_too_many']).to.contain('30');
        expect(dictionary['apps.invalid.app_role_name']).to.contain('1–40');
        expect(dictionary['apps.invalid.app_role_description']).to.contain('10–300');
      }
    });
  });
});
