import { z } from 'zod';
import { blank, checkbox as checkboxField, choice, optionalText, text } from '../http/form-fields.ts';
import { ADMIN_SCOPES } from '../admin/api/scopes.ts';
import { DEFAULT_SIGNING_ALG, SIGNING_ALGS, type SigningAlg } from '../oidc/signing-algs.ts';
import { isAppsMessageKey, type AppsMessageKey } from '../i18n/messages-apps.ts';
import {
  checkPostLogoutUris,
  checkRedirectUri,
  checkRedirectUris,
  ENVIRONMENTS,
  type RedirectContext,
  type RedirectListCheck,
} from './redirect-policy.ts';

/**
 * What a developer submits to register an app (a draft), validated at the edge. Every error message is a message key
 * of `messages-apps.ts`, so a route translates `issue.message` (or the result of `fieldErrors`) with the translator.
 * Fields are snake_case like the OIDC client metadata they become, and form-friendly: strings are trimmed, blank
 * optional fields are absent, numbers and checkboxes arrive as strings.
 */

/** Shared app used across agencies ("aplikasi umum") or one agency's own ("aplikasi khusus"); labels `apps.kind.*`. */
export const KINDS = ['umum', 'khusus'] as const;
/** Confidential apps keep a secret on a server; public apps (SPA, mobile) cannot (RFC 6749 §2.1). */
export const CLIENT_TYPES = ['confidential', 'public'] as const;
/**
 * Data an app may request; `openid` is always included. The admin API's scopes (issue 10 §7) are requested and
 * reviewed the same way, with a purpose; they carry no claims and open the API to the app's client-credentials tokens.
 */
export const SCOPES = ['openid', 'profile', 'email', 'nip', 'kepegawaian', 'roles', 'offline_access', ...ADMIN_SCOPES] as const;
/** Grants an app may use; the implicit and password grants are not offered (RFC 9700 §2.1.2, §2.4). */
export const GRANT_TYPES = ['authorization_code', 'refresh_token', 'client_credentials'] as const;
/** How a confidential app proves who it is at the token endpoint; `none` is for public apps, which use PKCE. */
export const AUTH_METHODS = ['client_secret_basic', 'client_secret_post', 'private_key_jwt', 'none'] as const;

/** Whether an authentication method uses a client secret (the server generates, hashes and rotates it). */
export const usesSecret = (method: string): boolean => method === 'client_secret_basic' || method === 'client_secret_post';

/** What a registered app's client id looks like (`apps.client_id` holds 64 characters); anything else names no app. */
export const isClientId = (id: unknown): id is string => typeof id === 'string' && /^[A-Za-z0-9][A-Za-z0-9._-]{0,63}$/.test(id);

/** JWK members that hold private or symmetric key material (RFC 7518 §6.2.2, §6.3.2, §6.4.1). */
const PRIVATE_JWK_MEMBERS = ['d', 'p', 'q', 'dp', 'dq', 'qi', 'oth', 'k'];

/** A public key of the app's JWKS, as submitted. */
export interface PublicJwk {
  kty: string;
  [member: string]: unknown;
}

const key = (k: AppsMessageKey) => ({ error: k });

const parsedUrl = (value: string): URL | undefined => {
  try {
    return new URL(value);
  } catch {
    return undefined;
  }
};
const isWebUrl = (value: string) => ['http:', 'https:'].includes(parsedUrl(value)?.protocol ?? '');
const optionalWebUrl = (k: AppsMessageKey) =>
  z.preprocess(blank, z.string(key(k)).max(2000, key(k)).refine(isWebUrl, key(k)).optional());

/** A list of URIs: an array, or one URI per line from a textarea; blank lines dropped, each entry trimmed. */
const uriList = z.preprocess(
  (v) => {
    const items = v === undefined || v === null ? [] : typeof v === 'string' ? v.split('\n') : v;
    return Array.isArray(items) ? items.map(blank).filter((item) => item !== undefined) : items;
  },
  z.array(z.string(key('apps.redirect.refused_not_url')), key('apps.redirect.refused_not_url')),
);

const checkbox = checkboxField('apps.invalid.outside_party');

/** Parses a pasted JWKS; refuses private key material, since a private key sent to the regency is a leaked key. */
const parseJwks = (source: string): { keys: PublicJwk[] } | AppsMessageKey => {
  let value: unknown;
  try {
    value = JSON.parse(source);
  } catch {
    return 'apps.invalid.jwks_json';
  }
  const keys = (value as { keys?: unknown } | null)?.keys;
  if (typeof value !== 'object' || !Array.isArray(keys)) return 'apps.invalid.jwks_json';
  if (!keys.length) return 'apps.invalid.jwks_empty';
  for (const jwk of keys) {
    if (typeof jwk !== 'object' || jwk === null || typeof (jwk as { kty?: unknown }).kty !== 'string') return 'apps.invalid.jwks_json';
    if (PRIVATE_JWK_MEMBERS.some((member) => Object.hasOwn(jwk, member))) return 'apps.invalid.jwks_private_key';
  }
  return { keys: keys as PublicJwk[] };
};

const jwks = z.preprocess(
  (v) => (typeof v === 'object' && v !== null ? JSON.stringify(v) : blank(v)),
  z
    .string(key('apps.invalid.jwks_json'))
    .transform((source, ctx) => {
      const parsed = parseJwks(source);
      if (typeof parsed !== 'string') return parsed;
      ctx.addIssue({ code: 'custom', message: parsed });
      return z.NEVER;
    })
    .optional(),
);

const jwksUri = z.preprocess(
  blank,
  z
    .string(key('apps.invalid.jwks_uri'))
    .refine((v) => {
      const url = parsedUrl(v);
      return url?.protocol === 'https:' && !v.includes('#') && !url.username && !url.password;
    }, key('apps.invalid.jwks_uri'))
    .optional(),
);

/**
 * How the app's ID tokens are signed; absent or blank means RS256, the default of OIDC Dynamic Client Registration §2.
 * A registration stored before the choice existed was given ES256 by migration 013 (what it received until then).
 */
const signingAlg = z.preprocess((v) => blank(v) ?? DEFAULT_SIGNING_ALG, z.enum(SIGNING_ALGS, key('apps.invalid.id_token_signed_response_alg')));

/** The ID-token algorithm of a stored registration (RS256 for one that names none). */
export const signingAlgOf = (r: { id_token_signed_response_alg?: SigningAlg }): SigningAlg => r.id_token_signed_response_alg ?? DEFAULT_SIGNING_ALG;

/** One requested scope and why the app needs it: the Walidata rule releases data only for a stated purpose. */
const scopeRequest = z
  .object(
    {
      scope: choice(SCOPES, 'apps.invalid.scope'),
      purpose: z.preprocess(blank, z.string(key('apps.invalid.scope_purpose')).max(500, key('apps.invalid.scope_purpose')).optional()),
    },
    key('apps.invalid.scopes'),
  )
  .superRefine((request, ctx) => {
    if (request.scope !== 'openid' && (request.purpose ?? '').length < 10) {
      ctx.addIssue({ code: 'custom', message: 'apps.invalid.scope_purpose', path: ['purpose'] });
    }
  });

const scopes = z
  .preprocess((v) => v ?? [], z.array(scopeRequest, key('apps.invalid.scopes')))
  .superRefine((requests, ctx) => {
    const seen = new Set<string>();
    requests.forEach((request, index) => {
      if (seen.has(request.scope)) ctx.addIssue({ code: 'custom', message: 'apps.invalid.scope_duplicate', path: [index, 'scope'] });
      seen.add(request.scope);
    });
  })
  .transform((requests) => {
    const clean = requests.map(({ scope, purpose }) => (purpose === undefined ? { scope } : { scope, purpose }));
    return clean.some((r) => r.scope === 'openid') ? clean : [{ scope: 'openid' as const }, ...clean];
  });

/** How many roles an app may declare, and what a role's name looks like (it travels in the `roles` claim). */
export const APP_ROLE_LIMITS = { max: 30, name: /^[a-z0-9][a-z0-9_.-]{0,39}$/, description: { min: 10, max: 300 } } as const;

/** A role an app defines for its users (issue 10 §5): reviewed with the app, since its name is data the app receives. */
export interface AppRole {
  name: string;
  /** What holding the role lets a person do in the app. */
  description: string;
}

/** One textarea line `name: description` as a role; a line without a colon is all name (its description is missing). */
const roleOfLine = (line: string) => {
  const colon = line.indexOf(':');
  return colon < 0 ? { name: line } : { name: line.slice(0, colon), description: line.slice(colon + 1) };
};

const appRole = z.object(
  {
    name: z.preprocess(blank, z.string(key('apps.invalid.app_role_name')).regex(APP_ROLE_LIMITS.name, key('apps.invalid.app_role_name'))),
    description: text(APP_ROLE_LIMITS.description.min, APP_ROLE_LIMITS.description.max, 'apps.invalid.app_role_description'),
  },
  key('apps.invalid.app_roles'),
);

/**
 * The app's roles: an array of `{ name, description }` (DCR JSON), or one role per line `name: description` from a
 * textarea; blank lines dropped. Names are unique within the app; a duplicate is reported at its second occurrence.
 */
const appRoles = z
  .preprocess(
    (v) => (v === undefined || v === null ? [] : typeof v === 'string' ? v.split('\n').filter((line) => line.trim()).map(roleOfLine) : v),
    z.array(appRole, key('apps.invalid.app_roles')).max(APP_ROLE_LIMITS.max, key('apps.invalid.app_roles_too_many')),
  )
  .superRefine((roles, ctx) => {
    const seen = new Set<string>();
    roles.forEach((role, index) => {
      if (seen.has(role.name)) ctx.addIssue({ code: 'custom', message: 'apps.invalid.app_roles_duplicate', path: [index, 'name'] });
      seen.add(role.name);
    });
  })
  .transform((roles): AppRole[] => roles.map(({ name, description }) => ({ name, description })));

/** The roles a registration declares; one stored before app roles existed declares none. */
export const appRolesOf = (r: { app_roles?: AppRole[] }): AppRole[] => r.app_roles ?? [];

/** Grant types; a single checkbox arrives as a string; none chosen means the usual sign-in grants. */
const grantTypes = z
  .preprocess(
    (v) => {
      const list = typeof v === 'string' ? [v] : v;
      return list === undefined || list === null || (Array.isArray(list) && !list.length) ? ['authorization_code', 'refresh_token'] : list;
    },
    z.array(choice(GRANT_TYPES, 'apps.invalid.grant_types'), key('apps.invalid.grant_types')),
  )
  .transform((grants) => [...new Set(grants)]);

const draft = z.object(
  {
    name: text(3, 80, 'apps.invalid.name'),
    description: text(10, 2000, 'apps.invalid.description'),
    agency: z.preprocess(
      (v) => (typeof v === 'string' ? blank(v.toUpperCase()) : v),
      z
        .string(key('apps.invalid.agency'))
        .min(2, key('apps.invalid.agency'))
        .max(40, key('apps.invalid.agency'))
        .regex(/^[A-Z0-9_-]+$/, key('apps.invalid.agency')),
    ),
    kind: choice(KINDS, 'apps.invalid.kind'),
    environment: choice(ENVIRONMENTS, 'apps.invalid.environment'),
    level: z.preprocess((v) => (typeof v === 'string' && /^\s*\d+\s*$/.test(v) ? Number(v) : v), z.literal([1, 2, 3], key('apps.invalid.level'))),
    client_type: choice(CLIENT_TYPES, 'apps.invalid.client_type'),
    token_endpoint_auth_method: choice(AUTH_METHODS, 'apps.invalid.token_endpoint_auth_method'),
    jwks_uri: jwksUri,
    jwks,
    id_token_signed_response_alg: signingAlg,
    redirect_uris: uriList,
    post_logout_redirect_uris: uriList,
    redirect_justification: optionalText(1, 2000, 'apps.invalid.redirect_justification'),
    backchannel_logout_uri: z.preprocess(blank, z.string(key('apps.invalid.backchannel_logout_uri')).optional()),
    scopes,
    app_roles: appRoles,
    grant_types: grantTypes,
    responsible_name: text(3, 120, 'apps.invalid.responsible_name'),
    responsible_email: z.preprocess(blank, z.email(key('apps.invalid.responsible_email')).max(254, key('apps.invalid.responsible_email'))),
    responsible_phone: z.preprocess(
      blank,
      z
        .string(key('apps.invalid.responsible_phone'))
        .regex(/^[0-9+\s-]{6,20}$/, key('apps.invalid.responsible_phone'))
        .refine((v) => (v.match(/\d/g)?.length ?? 0) >= 6, key('apps.invalid.responsible_phone'))
        .optional(),
    ),
    docs_repository: optionalWebUrl('apps.invalid.docs_url'),
    docs_manual: optionalWebUrl('apps.invalid.docs_url'),
    docs_security_report: optionalWebUrl('apps.invalid.docs_url'),
    outside_party: checkbox,
    agreement_reference: optionalText(3, 200, 'apps.invalid.agreement_reference'),
    agreement_expires: z.preprocess(blank, z.iso.date(key('apps.invalid.agreement_expires')).optional()),
  },
  key('apps.invalid.form'),
);

type Draft = z.output<typeof draft>;
type Field = keyof Draft;

/** A rule across fields; it runs only when the fields it reads parsed on their own. */
interface Rule {
  fields: Field[];
  check: (draft: Draft, ctx: z.RefinementCtx<Draft>) => void;
}

const issue = (ctx: z.RefinementCtx<Draft>, path: (string | number)[], message: AppsMessageKey) =>
  ctx.addIssue({ code: 'custom', path, message });

const policyContext = (d: Draft, domains: string[]): RedirectContext => ({ environment: d.environment, domains });

/** Refused URIs at their index, list problems at the list (or at the duplicate). */
const reportList = (ctx: z.RefinementCtx<Draft>, field: Field, result: RedirectListCheck) => {
  result.verdicts.forEach((v, index) => {
    if (v.verdict === 'refused') issue(ctx, [field, index], v.reason);
  });
  for (const problem of result.problems) issue(ctx, problem.index === undefined ? [field] : [field, problem.index], problem.reason);
};

/** The cross-field rules of a registration, in the order a developer fills the form. */
const rules = (domains: string[]): Rule[] => [
  {
    // Public apps (SPA, mobile) cannot keep a secret (RFC 6749 §2.1), and confidential ones must authenticate.
    fields: ['client_type', 'token_endpoint_auth_method'],
    check: (d, ctx) => {
      if (d.client_type === 'public' && d.token_endpoint_auth_method !== 'none') {
        issue(ctx, ['token_endpoint_auth_method'], 'apps.invalid.public_needs_none');
      }
      if (d.client_type === 'confidential' && d.token_endpoint_auth_method === 'none') {
        issue(ctx, ['token_endpoint_auth_method'], 'apps.invalid.confidential_needs_authentication');
      }
    },
  },
  {
    // private_key_jwt verifies the app's signed assertion with exactly one source of its public keys. (A public app
    // choosing it is told to choose `none` by the rule above instead.)
    fields: ['client_type', 'token_endpoint_auth_method', 'jwks_uri', 'jwks'],
    check: (d, ctx) => {
      const sources = [d.jwks_uri, d.jwks].filter((s) => s !== undefined).length;
      if (d.token_endpoint_auth_method === 'private_key_jwt') {
        if (d.client_type === 'public') return;
        if (sources === 0) issue(ctx, ['jwks_uri'], 'apps.invalid.jwks_missing');
        if (sources === 2) issue(ctx, ['jwks'], 'apps.invalid.jwks_both');
      } else if (sources) {
        issue(ctx, [d.jwks_uri === undefined ? 'jwks' : 'jwks_uri'], 'apps.invalid.jwks_unused');
      }
    },
  },
  {
    fields: ['client_type', 'grant_types'],
    check: (d, ctx) => {
      if (d.client_type === 'public' && d.grant_types.includes('client_credentials')) {
        issue(ctx, ['grant_types'], 'apps.invalid.public_client_credentials');
      }
    },
  },
  {
    fields: ['environment', 'redirect_uris'],
    check: (d, ctx) => reportList(ctx, 'redirect_uris', checkRedirectUris(d.redirect_uris, policyContext(d, domains))),
  },
  {
    fields: ['environment', 'post_logout_redirect_uris'],
    check: (d, ctx) =>
      reportList(ctx, 'post_logout_redirect_uris', checkPostLogoutUris(d.post_logout_redirect_uris, policyContext(d, domains))),
  },
  {
    // An exception is decided by a reviewer, who needs the developer's reasons in writing.
    fields: ['environment', 'redirect_uris', 'post_logout_redirect_uris', 'redirect_justification'],
    check: (d, ctx) => {
      const policy = policyContext(d, domains);
      const uris = [...d.redirect_uris, ...d.post_logout_redirect_uris];
      const needsException = uris.some((uri) => checkRedirectUri(uri, policy).verdict === 'exception');
      if (needsException && (d.redirect_justification ?? '').length < 20) {
        issue(ctx, ['redirect_justification'], 'apps.redirect.justification_required');
      }
    },
  },
  {
    // OIDC Back-Channel Logout 1.0 §2.2: an absolute URI without a fragment; it is called by the provider, so https
    // (or loopback during development). A host outside the regency domain is fine here: nothing is handed to it.
    fields: ['environment', 'backchannel_logout_uri'],
    check: (d, ctx) => {
      if (d.backchannel_logout_uri === undefined) return;
      const v = checkRedirectUri(d.backchannel_logout_uri, policyContext(d, domains));
      if (v.verdict === 'refused') issue(ctx, ['backchannel_logout_uri'], v.reason);
      else if (v.verdict === 'exception' && v.reason !== 'apps.redirect.exception_outside_domain' && v.reason !== 'apps.redirect.exception_ip_host') {
        issue(ctx, ['backchannel_logout_uri'], 'apps.invalid.backchannel_logout_uri');
      }
    },
  },
  {
    // The `roles` scope releases the person's roles in this app: an app asking for it names the roles it means.
    // (Roles without the scope are fine: the access rule "holders of its roles" reads them.)
    fields: ['scopes', 'app_roles'],
    check: (d, ctx) => {
      if (d.scopes.some((s) => s.scope === 'roles') && !d.app_roles.length) issue(ctx, ['app_roles'], 'apps.invalid.app_roles_required');
    },
  },
  {
    // An outside party works under a cooperation agreement (PKS); its expiry is when the app's access is reviewed.
    fields: ['outside_party', 'agreement_reference', 'agreement_expires'],
    check: (d, ctx) => {
      if (!d.outside_party) return;
      if (d.agreement_reference === undefined) issue(ctx, ['agreement_reference'], 'apps.invalid.agreement_reference');
      if (d.agreement_expires === undefined) issue(ctx, ['agreement_expires'], 'apps.invalid.agreement_expires');
    },
  },
];

/**
 * The registration schema for a regency whose own domains are `domains` (redirects there need no exception). The
 * parsed value carries the verdict on each redirect and post-logout URI, so a reviewer sees which are exceptions.
 */
export const registrationSchema = (domains: string[]) => {
  const crossChecks = rules(domains);
  return draft
    .superRefine(
      (d, ctx) => {
        // Fields that failed on their own are skipped by the rules reading them, so every other problem is reported
        // at once; a rule's own issues do not stop the rules after it.
        const failed = new Set(ctx.issues.map((i) => i.path?.[0]));
        for (const rule of crossChecks) if (!rule.fields.some((field) => failed.has(field))) rule.check(d, ctx);
      },
      { when: (payload) => !payload.issues.some((i) => !i.path?.length) },
    )
    .transform((d) => {
      const policy = policyContext(d, domains);
      return {
        ...d,
        redirect_verdicts: checkRedirectUris(d.redirect_uris, policy).verdicts,
        post_logout_verdicts: checkPostLogoutUris(d.post_logout_redirect_uris, policy).verdicts,
      };
    });
};

/** A validated registration draft, with the redirect policy's verdicts. */
export type Registration = z.output<ReturnType<typeof registrationSchema>>;

/**
 * Messages per field for a form: path joined by `.` (`redirect_uris.2`, `scopes.1.purpose`; `''` for the whole form)
 * → message keys, each once. A message that is not a key (a zod default) becomes `apps.invalid.value`.
 */
export const fieldErrors = (error: z.ZodError): Record<string, AppsMessageKey[]> => {
  const errors: Record<string, AppsMessageKey[]> = {};
  for (const i of error.issues) {
    const path = i.path.map(String).join('.');
    const message = isAppsMessageKey(i.message) ? i.message : 'apps.invalid.value';
    const list = (errors[path] ??= []);
    if (!list.includes(message)) list.push(message);
  }
  return errors;
};
