import { expect } from 'chai';
import {
  checkPostLogoutUris,
  checkRedirectUri,
  checkRedirectUris,
  MAX_REDIRECT_URIS,
  type Environment,
  type RedirectContext,
} from '../../src/clients/redirect-policy.ts';

const production: RedirectContext = { environment: 'production', domains: ['contoh.go.id'] };
const development: RedirectContext = { environment: 'development', domains: ['contoh.go.id'] };

/** The verdict and reason only, for compact assertions. */
const decide = (uri: string, ctx: RedirectContext = production) => {
  const { verdict, ...rest } = checkRedirectUri(uri, ctx);
  return { verdict, reason: 'reason' in rest ? rest.reason : undefined };
};

/** What may be registered as a redirect URI (DESIGN.md "App registration"); exact matching is oidc-provider's job. */
describe('redirect URI policy', () => {
  describe('https on the regency domain is ok', () => {
    for (const uri of [
      'https://contoh.go.id/callback',
      'https://simpeg.contoh.go.id/callback',
      'https://a.b.contoh.go.id:8443/auth/cb',
      'https://SIMPEG.Contoh.GO.ID/callback',
      'https://simpeg.contoh.go.id./callback',
      'https://simpeg.contoh.go.id/callback?tenant=bkpsdm&x=1',
      'https://simpeg.contoh.go.id/.well-known/cb',
    ]) {
      it(uri, () => expect(decide(uri)).to.deep.equal({ verdict: 'ok', reason: undefined }));
    }

    it('matches any of several regency domains, written loosely in configuration', () => {
      const ctx: RedirectContext = { environment: 'production', domains: ['kutaitimurkab.go.id', ' KUTIMKAB.GO.ID. '] };
      expect(decide('https://app.kutimkab.go.id/cb', ctx).verdict).to.equal('ok');
      expect(decide('https://app.kutaitimurkab.go.id/cb', ctx).verdict).to.equal('ok');
    });

    it('returns the URI exactly as given', () => {
      const uri = 'https://SIMPEG.contoh.go.id/cb';
      expect(checkRedirectUri(uri, production)).to.deep.equal({ uri, verdict: 'ok' });
    });
  });

  describe('look-alike domains need an exception, never ok', () => {
    for (const uri of [
      'https://contoh.go.id.evil.com/callback',
      'https://evilcontoh.go.id/callback',
      'https://contoh-go.id/callback',
      'https://contoh.go.id-evil.com/callback',
      'https://xcontoh.go.id./callback',
    ]) {
      it(uri, () => expect(decide(uri)).to.deep.equal({ verdict: 'exception', reason: 'apps.redirect.exception_outside_domain' }));
    }
  });

  describe('loopback is ok in development only', () => {
    const loopbacks = [
      'http://localhost/callback',
      'http://localhost:8080/callback',
      'http://127.0.0.1:3000/callback',
      'http://127.10.20.30/callback',
      'http://[::1]:5173/callback',
      'http://LOCALHOST:8080/cb',
    ];
    for (const uri of loopbacks) {
      it(`${uri} in development`, () => expect(decide(uri, development)).to.deep.equal({ verdict: 'ok', reason: undefined }));
    }
    for (const environment of ['staging', 'production'] as Environment[]) {
      for (const uri of [...loopbacks, 'https://localhost:8443/callback']) {
        it(`${uri} refused in ${environment}`, () =>
          expect(decide(uri, { environment, domains: ['contoh.go.id'] })).to.deep.equal({
            verdict: 'refused',
            reason: 'apps.redirect.refused_loopback',
          }));
      }
    }
  });

  describe('other hosts and schemes need a reviewed exception', () => {
    const cases: [string, string][] = [
      ['https://partner.example.com/callback', 'apps.redirect.exception_outside_domain'],
      ['https://10.20.30.40/callback', 'apps.redirect.exception_ip_host'],
      ['https://[2001:db8::1]/callback', 'apps.redirect.exception_ip_host'],
      ['http://simpeg.contoh.go.id/callback', 'apps.redirect.exception_plain_http'],
      ['http://intranet.local:8080/callback', 'apps.redirect.exception_plain_http'],
      ['http://10.20.30.40/callback', 'apps.redirect.exception_plain_http'],
      ['id.go.contoh.simpeg:/callback', 'apps.redirect.exception_custom_scheme'],
      ['com.example.app://oauth/callback', 'apps.redirect.exception_custom_scheme'],
    ];
    for (const [uri, reason] of cases) {
      it(`${uri}: ${reason}`, () => expect(decide(uri)).to.deep.equal({ verdict: 'exception', reason }));
    }

    it('plain http stays an exception in development unless it is loopback', () => {
      expect(decide('http://dev.contoh.go.id/callback', development).reason).to.equal('apps.redirect.exception_plain_http');
    });
  });

  describe('refused whatever the justification', () => {
    const cases: [string, string, string][] = [
      ['a fragment', 'https://simpeg.contoh.go.id/callback#section', 'apps.redirect.refused_fragment'],
      ['an empty fragment', 'https://simpeg.contoh.go.id/callback#', 'apps.redirect.refused_fragment'],
      ['user and password', 'https://user:pass@simpeg.contoh.go.id/callback', 'apps.redirect.refused_userinfo'],
      ['a user name', 'https://user@simpeg.contoh.go.id/callback', 'apps.redirect.refused_userinfo'],
      ['a look-alike user-info host', 'https://simpeg.contoh.go.id@evil.com/callback', 'apps.redirect.refused_userinfo'],
      ['an empty user-info', 'https://@simpeg.contoh.go.id/callback', 'apps.redirect.refused_userinfo'],
      ['a wildcard host', 'https://*.contoh.go.id/callback', 'apps.redirect.refused_wildcard'],
      ['a wildcard path', 'https://simpeg.contoh.go.id/*', 'apps.redirect.refused_wildcard'],
      ['javascript:', 'javascript:alert(document.cookie)', 'apps.redirect.refused_scheme'],
      ['JavaScript: in capitals', 'JavaScript:alert(1)//', 'apps.redirect.refused_scheme'],
      ['data:', 'data:text/html,<script>alert(1)</script>', 'apps.redirect.refused_scheme'],
      ['file:', 'file:///etc/passwd', 'apps.redirect.refused_scheme'],
      ['ftp:', 'ftp://files.contoh.go.id/callback', 'apps.redirect.refused_scheme'],
      ['a custom scheme without a dot', 'simpeg:/callback', 'apps.redirect.refused_custom_scheme'],
      ['traversal', 'https://simpeg.contoh.go.id/callback/../admin', 'apps.redirect.refused_traversal'],
      ['a dot segment', 'https://simpeg.contoh.go.id/./callback', 'apps.redirect.refused_traversal'],
      ['trailing traversal', 'https://simpeg.contoh.go.id/callback/..', 'apps.redirect.refused_traversal'],
      ['percent-encoded traversal', 'https://simpeg.contoh.go.id/callback/%2e%2e/admin', 'apps.redirect.refused_traversal'],
      ['mixed-case encoded traversal', 'https://simpeg.contoh.go.id/callback/.%2E/admin', 'apps.redirect.refused_traversal'],
      ['double-encoded traversal', 'https://simpeg.contoh.go.id/callback/%252e%252e/admin', 'apps.redirect.refused_traversal'],
      ['traversal with path parameters', 'https://simpeg.contoh.go.id/callback/..;/admin', 'apps.redirect.refused_traversal'],
      ['traversal in a custom scheme', 'id.go.contoh.simpeg:/callback/../x', 'apps.redirect.refused_traversal'],
      ['a space', 'https://simpeg.contoh.go.id/call back', 'apps.redirect.refused_whitespace'],
      ['a tab', 'https://simpeg.contoh.go.id/\tcallback', 'apps.redirect.refused_whitespace'],
      ['a newline', 'https://simpeg.contoh.go.id/callback\n', 'apps.redirect.refused_whitespace'],
      ['a zero-width space', 'https://simpeg.contoh.go.id\u200b/callback', 'apps.redirect.refused_whitespace'],
      ['a bidi override', 'https://simpeg.contoh.go.id/\u202ecallback', 'apps.redirect.refused_whitespace'],
      ['a backslash', 'https://simpeg.contoh.go.id\\@evil.com/callback', 'apps.redirect.refused_backslash'],
      ['a relative URI', '/callback', 'apps.redirect.refused_not_url'],
      ['a bare host', 'simpeg.contoh.go.id/callback', 'apps.redirect.refused_not_url'],
      ['a host and port without a scheme', 'simpeg.contoh.go.id:8080/callback', 'apps.redirect.refused_not_url'],
      ['https without slashes', 'https:simpeg.contoh.go.id/callback', 'apps.redirect.refused_not_url'],
      ['https with an empty host', 'https:///simpeg.contoh.go.id/callback', 'apps.redirect.refused_not_url'],
      ['an unparseable host', 'https://simpeg.contoh.go.id:99999/callback', 'apps.redirect.refused_not_url'],
      ['the empty string', '', 'apps.redirect.refused_not_url'],
    ];
    for (const [what, uri, reason] of cases) {
      it(what, () => expect(decide(uri)).to.deep.equal({ verdict: 'refused', reason }));
    }

    it('a URI longer than 2000 characters', () => {
      const uri = `https://simpeg.contoh.go.id/${'a'.repeat(2000)}`;
      expect(decide(uri)).to.deep.equal({ verdict: 'refused', reason: 'apps.redirect.refused_too_long' });
      expect(decide(uri.slice(0, 2000)).verdict, '2000 characters are fine').to.equal('ok');
    });

    it('in development too', () => {
      expect(decide('http://localhost:3000/callback#', development).reason).to.equal('apps.redirect.refused_fragment');
      expect(decide('http://localhost:3000/../callback', development).reason).to.equal('apps.redirect.refused_traversal');
    });

    it('but a dot in a query value is no traversal', () => {
      expect(decide('https://simpeg.contoh.go.id/callback?next=../home').verdict).to.equal('ok');
    });
  });

  describe('lists', () => {
    it('gives one verdict per URI, in order', () => {
      const result = checkRedirectUris(['https://a.contoh.go.id/cb', 'http://a.contoh.go.id/cb', 'https://a.contoh.go.id/cb#'], production);
      expect(result.verdicts.map((v) => v.verdict)).to.deep.equal(['ok', 'exception', 'refused']);
      expect(result.problems).to.deep.equal([]);
    });

    it('needs at least one redirect URI', () => {
      expect(checkRedirectUris([], production).problems).to.deep.equal([{ reason: 'apps.redirect.list_empty' }]);
    });

    it(`accepts ${MAX_REDIRECT_URIS} URIs and refuses more`, () => {
      const uris = Array.from({ length: MAX_REDIRECT_URIS + 1 }, (_, i) => `https://app${i}.contoh.go.id/cb`);
      expect(checkRedirectUris(uris.slice(0, MAX_REDIRECT_URIS), production).problems).to.deep.equal([]);
      expect(checkRedirectUris(uris, production).problems).to.deep.equal([{ reason: 'apps.redirect.list_too_many' }]);
    });

    it('names each repeated URI at its second occurrence', () => {
      const uri = 'https://a.contoh.go.id/cb';
      expect(checkRedirectUris([uri, 'https://b.contoh.go.id/cb', uri, uri], production).problems).to.deep.equal([
        { reason: 'apps.redirect.list_duplicate', index: 2 },
        { reason: 'apps.redirect.list_duplicate', index: 3 },
      ]);
    });

    it('post-logout URIs follow the same rules but may be empty', () => {
      expect(checkPostLogoutUris([], production)).to.deep.equal({ verdicts: [], problems: [] });
      const uris = ['https://a.contoh.go.id/bye', 'https://other.example.com/bye', 'http://localhost/bye', 'https://a.contoh.go.id/bye'];
      const result = checkPostLogoutUris(uris, production);
      expect(result.verdicts).to.deep.equal(uris.map((uri) => checkRedirectUri(uri, production)));
      expect(result.verdicts.map((v) => v.verdict)).to.deep.equal(['ok', 'exception', 'refused', 'ok']);
      expect(result.problems).to.deep.equal([{ reason: 'apps.redirect.list_duplicate', index: 3 }]);
    });
  });
});
