import { isIP } from 'node:net';
import { domainToASCII } from 'node:url';
import type { AppsMessageKey } from '../i18n/messages-apps.ts';

/**
 * Which redirect URIs an app may register. oidc-provider later enforces exact matching of what was registered
 * (RFC 6749 §3.1.2.2, OAuth 2.0 Security BCP RFC 9700 §4.1.3: no patterns, no partial matches); this module decides
 * what may be registered at all: `ok`, an `exception` a Diskominfo reviewer must accept with a justification, or
 * `refused`.
 */

/** Where an app runs; only development apps may redirect to the developer's own machine. */
export const ENVIRONMENTS = ['development', 'staging', 'production'] as const;
/** One of `ENVIRONMENTS`. */
export type Environment = (typeof ENVIRONMENTS)[number];

/** What the policy needs to know: the app's environment and the regency's own domains (e.g. `contoh.go.id`). */
export interface RedirectContext {
  environment: Environment;
  domains: string[];
}

/** Why a URI can never be registered; each is a message key. */
export type RefusalReason = Extract<AppsMessageKey, `apps.redirect.refused_${string}`>;
/** Why a URI needs a reviewed exception; each is a message key. */
export type ExceptionReason = Extract<AppsMessageKey, `apps.redirect.exception_${string}`>;
/** What is wrong with a list of URIs as a whole; each is a message key. */
export type ListReason = Extract<AppsMessageKey, `apps.redirect.list_${string}`>;

/** The decision on one URI, with the reason a person reads. */
export type RedirectVerdict =
  | { uri: string; verdict: 'ok' }
  | { uri: string; verdict: 'exception'; reason: ExceptionReason }
  | { uri: string; verdict: 'refused'; reason: RefusalReason };

/** A problem of the list; `index` names the entry concerned (the second of two duplicates). */
export interface ListProblem {
  reason: ListReason;
  index?: number;
}

/** The decision on each URI of a list, in order, plus what is wrong with the list as a whole. */
export interface RedirectListCheck {
  verdicts: RedirectVerdict[];
  problems: ListProblem[];
}

/** Longer URIs are refused: no legitimate callback needs more, and some proxies and browsers cut them. */
export const MAX_URI_LENGTH = 2000;
/** At most this many URIs per list, so a reviewer can actually review each one. */
export const MAX_REDIRECT_URIS = 10;

/**
 * Schemes that are not app callbacks. `javascript:`/`data:`/`vbscript:` would run script in the provider's origin
 * context; the rest are not web callbacks at all. Listed only to give a precise message: any other scheme without a
 * dot is refused too, as it is not a private-use scheme under RFC 8252 §7.1.
 */
const FORBIDDEN_SCHEMES = new Set([
  'javascript', 'vbscript', 'data', 'file', 'ftp', 'blob', 'about', 'filesystem', 'view-source', 'ws', 'wss', 'mailto',
  'tel', 'sms',
]);

/** Whitespace, controls and invisible formatting characters (zero-width, bidi overrides) that disguise an address. */
const INVISIBLE = /[\s\p{Cc}\p{Cf}]/u;
const SCHEME = /^([a-zA-Z][a-zA-Z0-9+.-]*):(.*)$/s;

const refused = (uri: string, reason: RefusalReason): RedirectVerdict => ({ uri, verdict: 'refused', reason });
const exception = (uri: string, reason: ExceptionReason): RedirectVerdict => ({ uri, verdict: 'exception', reason });

/** The raw authority (between `//` and the path) and path of what follows the scheme, before any URL normalisation. */
const rawParts = (afterScheme: string): { authority?: string; path: string } => {
  const hier = afterScheme.split('?')[0] ?? '';
  if (!hier.startsWith('//')) return { path: hier };
  const end = hier.indexOf('/', 2);
  return end === -1 ? { authority: hier.slice(2), path: '' } : { authority: hier.slice(2, end), path: hier.slice(end) };
};

/**
 * `.` and `..` segments, also percent-encoded (even twice) or followed by `;` parameters. Checked on the raw string:
 * the URL parser resolves them away, but a server behind the callback may not, so `/cb/../admin` could land elsewhere
 * than the reviewer read.
 */
const hasTraversal = (path: string): boolean => {
  let decoded = path;
  for (let i = 0; i < 3 && /%25/i.test(decoded); i++) decoded = decoded.replace(/%25/gi, '%');
  decoded = decoded.replace(/%2e/gi, '.').replace(/%2f/gi, '/').replace(/%5c/gi, '/');
  return decoded.split('/').some((segment) => {
    const name = segment.split(';')[0];
    return name === '.' || name === '..';
  });
};

/** Host as the browser will use it: lower-case (the URL parser does that), without the trailing dot of a FQDN. */
const normaliseHost = (hostname: string): string => hostname.replace(/\.$/, '');

/** The developer's own machine: `localhost` (and `*.localhost`, RFC 6761 §6.3), 127.0.0.0/8 and `[::1]`. */
const isLoopback = (host: string): boolean =>
  host === 'localhost' ||
  host.endsWith('.localhost') ||
  (isIP(host) === 4 && host.startsWith('127.')) ||
  host === '[::1]' ||
  /^\[::ffff:7f[0-9a-f]{2}:[0-9a-f]{1,4}\]$/.test(host);

const isIpLiteral = (host: string): boolean => host.startsWith('[') || isIP(host) === 4;

/** The host is one of the regency domains or below one; `evilcontoh.go.id` and `contoh.go.id.evil.com` are not. */
const inDomains = (host: string, domains: string[]): boolean =>
  domains
    .map((d) => domainToASCII(d.trim().toLowerCase().replace(/^\.+|\.+$/g, '')))
    .some((d) => d !== '' && (host === d || host.endsWith(`.${d}`)));

/**
 * Decides whether one URI may be registered as a redirect (or post-logout redirect) URI, and whether it needs a
 * reviewed exception. Checks run on the raw string first, because URL parsing normalises away exactly the tricks
 * (traversal, odd slashes) that would make the registered string mean something other than what a reviewer read.
 */
export const checkRedirectUri = (uri: string, ctx: RedirectContext): RedirectVerdict => {
  if (uri.length > MAX_URI_LENGTH) return refused(uri, 'apps.redirect.refused_too_long');
  if (INVISIBLE.test(uri)) return refused(uri, 'apps.redirect.refused_whitespace');
  // RFC 6749 §3.1.2: the redirection endpoint URI MUST NOT include a fragment; an empty `#` counts.
  if (uri.includes('#')) return refused(uri, 'apps.redirect.refused_fragment');
  // Exact matching only (RFC 9700 §4.1.3): a pattern would let any sub-domain or path receive the code.
  if (uri.includes('*')) return refused(uri, 'apps.redirect.refused_wildcard');
  // WHATWG URL reads `\` as `/` in http(s) URLs while other parsers do not: a classic open-redirect differential.
  if (uri.includes('\\')) return refused(uri, 'apps.redirect.refused_backslash');

  const match = SCHEME.exec(uri);
  if (!match) return refused(uri, 'apps.redirect.refused_not_url');
  const scheme = match[1]!.toLowerCase();
  const { authority, path } = rawParts(match[2]!);
  const web = scheme === 'http' || scheme === 'https';
  // `https:host/` and `https:///host/` parse to `https://host/` but are not what they look like.
  if (web && !authority) return refused(uri, 'apps.redirect.refused_not_url');
  // `https://contoh.go.id@evil.com/` goes to evil.com; credentials have no place in a callback either.
  if (authority?.includes('@')) return refused(uri, 'apps.redirect.refused_userinfo');
  if (hasTraversal(path)) return refused(uri, 'apps.redirect.refused_traversal');

  let url: URL;
  try {
    url = new URL(uri);
  } catch {
    return refused(uri, 'apps.redirect.refused_not_url');
  }
  if (url.username || url.password) return refused(uri, 'apps.redirect.refused_userinfo');

  if (!web) {
    if (FORBIDDEN_SCHEMES.has(scheme)) return refused(uri, 'apps.redirect.refused_scheme');
    // `simpeg.contoh.go.id:8080/cb` is a host and port without `https://`, not a private-use scheme URI, whose path
    // starts with a slash (RFC 8252 §7.1: `com.example.app:/oauth2redirect/example-provider`).
    if (!match[2]!.startsWith('/')) return refused(uri, 'apps.redirect.refused_not_url');
    // RFC 8252 §7.1: a native app's private-use scheme is a reversed domain name it controls, so it contains a dot.
    if (!scheme.includes('.')) return refused(uri, 'apps.redirect.refused_custom_scheme');
    // Any app on the device may claim the same scheme (RFC 8252 §8.6), so a reviewer decides; PKCE is required anyway.
    return exception(uri, 'apps.redirect.exception_custom_scheme');
  }

  const host = normaliseHost(url.hostname);
  if (isLoopback(host)) {
    // RFC 8252 §7.3 loopback redirects are for a developer's machine; in staging or production the code would go to
    // whatever listens on the user's own computer.
    return ctx.environment === 'development' ? { uri, verdict: 'ok' } : refused(uri, 'apps.redirect.refused_loopback');
  }
  // The sign-in code would travel in clear text; RFC 6749 §3.1.2.1 asks for TLS on redirection endpoints.
  if (scheme === 'http') return exception(uri, 'apps.redirect.exception_plain_http');
  if (isIpLiteral(host)) return exception(uri, 'apps.redirect.exception_ip_host');
  if (!inDomains(host, ctx.domains)) return exception(uri, 'apps.redirect.exception_outside_domain');
  return { uri, verdict: 'ok' };
};

const checkList = (uris: string[], ctx: RedirectContext, allowEmpty: boolean): RedirectListCheck => {
  const problems: ListProblem[] = [];
  if (!uris.length && !allowEmpty) problems.push({ reason: 'apps.redirect.list_empty' });
  if (uris.length > MAX_REDIRECT_URIS) problems.push({ reason: 'apps.redirect.list_too_many' });
  const seen = new Set<string>();
  uris.forEach((uri, index) => {
    if (seen.has(uri)) problems.push({ reason: 'apps.redirect.list_duplicate', index });
    seen.add(uri);
  });
  return { verdicts: uris.map((uri) => checkRedirectUri(uri, ctx)), problems };
};

/** Checks the redirect URIs of a registration: one verdict per URI, plus list problems (empty, too many, duplicates). */
export const checkRedirectUris = (uris: string[], ctx: RedirectContext): RedirectListCheck => checkList(uris, ctx, false);

/**
 * Checks post-logout redirect URIs with the same rules as redirect URIs (they are open-redirect targets just the same,
 * OIDC RP-Initiated Logout 1.0 §3); an empty list is fine, since the provider then shows its own signed-out page.
 */
export const checkPostLogoutUris = (uris: string[], ctx: RedirectContext): RedirectListCheck => checkList(uris, ctx, true);
