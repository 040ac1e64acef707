import type { Translate } from '../i18n/index.ts';
import type { AppsMessageKey } from '../i18n/messages-apps.ts';
import type { ZoneUser } from '../zones/zone.ts';
import { DEFAULT_SIGNING_ALG } from '../oidc/signing-algs.ts';
import { appRolesOf, GRANT_TYPES, SCOPES, signingAlgOf, type Registration } from './registration.schema.ts';

/**
 * The developer portal's registration form as the developer filled it, and its mapping to and from the registration
 * schema: flat field names (no dots or brackets, which the form parser would nest), values kept as typed so a
 * refused form comes back exactly as it was, and the schema's messages placed at the fields they concern.
 */

/** Fields typed as text (inputs, textareas, selects), in the order of the form. */
const TEXT_FIELDS = [
  'name', 'description', 'agency', 'kind', 'environment', 'level',
  'client_type', 'token_endpoint_auth_method', 'jwks_uri', 'jwks', 'id_token_signed_response_alg',
  'redirect_uris', 'post_logout_redirect_uris', 'redirect_justification', 'backchannel_logout_uri',
  'app_roles',
  'responsible_name', 'responsible_email', 'responsible_phone',
  'docs_repository', 'docs_manual', 'docs_security_report',
  'agreement_reference', 'agreement_expires',
] as const;
type TextField = (typeof TEXT_FIELDS)[number];
type Scope = (typeof SCOPES)[number];
type Grant = (typeof GRANT_TYPES)[number];
/** Data the developer chooses; `openid` is always included. */
export const CHOSEN_SCOPES = SCOPES.filter((s): s is Exclude<Scope, 'openid'> => s !== 'openid');
type ChosenScope = (typeof CHOSEN_SCOPES)[number];

/** The form as the developer filled it: kept as typed, so a refused form comes back exactly as it was. */
export interface RegistrationForm {
  values: Record<TextField, string>;
  outsideParty: boolean;
  scopes: Record<ChosenScope, { on: boolean; purpose: string }>;
  grants: Record<Grant, boolean>;
}

/** Where each message of the form goes: the anchor of a field (`f-<key>`), in the order the form shows them. */
const FIELD_ORDER = [
  'form', 'name', 'description', 'agency', 'kind', 'environment', 'level',
  'client_type', 'token_endpoint_auth_method', 'jwks_uri', 'jwks', 'id_token_signed_response_alg', 'grant_types',
  'redirect_uris', 'post_logout_redirect_uris', 'redirect_justification', 'backchannel_logout_uri',
  'scopes', ...CHOSEN_SCOPES.flatMap((s) => [`scope_${s}`, `purpose_${s}`]),
  'app_roles',
  'responsible_name', 'responsible_email', 'responsible_phone',
  'docs_repository', 'docs_manual', 'docs_security_report',
  'outside_party', 'agreement_reference', 'agreement_expires',
];

/** A posted field as text (anything else, such as a repeated field, is empty), at most `max` characters. */
export const text = (value: unknown, max = 20_000) => (typeof value === 'string' ? value.slice(0, max) : '');
const ticked = (value: unknown) => value === 'on';
/** The non-blank lines of a textarea, as the schema numbers them. */
const lines = (value: string) => value.split('\n').map((line) => line.trim()).filter(Boolean);

/**
 * App roles are typed one per line, `name: description`, like the redirect URIs one per line: a developer adds,
 * changes and removes roles by editing lines, no script is needed, and a refused form comes back exactly as typed.
 */
const roleLines = (roles: { name: string; description: string }[]) => roles.map((r) => `${r.name}: ${r.description}`).join('\n');
/** How a message names the role of a line: its name, else the start of the line. */
const roleLabel = (line: string) => {
  const name = line.split(':')[0]!.trim() || line;
  return name.length > 40 ? `${name.slice(0, 40)}…` : name;
};

export const blankForm = (agency: string, user: ZoneUser): RegistrationForm => ({
  values: {
    ...(Object.fromEntries(TEXT_FIELDS.map((f) => [f, ''])) as Record<TextField, string>),
    agency,
    level: '1',
    client_type: 'confidential',
    token_endpoint_auth_method: 'client_secret_basic',
    id_token_signed_response_alg: DEFAULT_SIGNING_ALG,
    responsible_name: user.account.profile.name,
    responsible_email: user.account.profile.email ?? '',
  },
  outsideParty: false,
  scopes: Object.fromEntries(CHOSEN_SCOPES.map((s) => [s, { on: false, purpose: '' }])) as RegistrationForm['scopes'],
  grants: { authorization_code: true, refresh_token: true, client_credentials: false },
});

/** The posted form; `agency` fixed by the server unless the person may choose it. */
export const formFromBody = (body: Record<string, unknown>, agency: string | undefined): RegistrationForm => {
  const values = Object.fromEntries(TEXT_FIELDS.map((f) => [f, text(body[f])])) as Record<TextField, string>;
  if (agency !== undefined) values.agency = agency;
  return {
    values,
    outsideParty: ticked(body.outside_party),
    scopes: Object.fromEntries(CHOSEN_SCOPES.map((s) => [s, { on: ticked(body[`scope_${s}`]), purpose: text(body[`purpose_${s}`], 2000) }])) as RegistrationForm['scopes'],
    grants: Object.fromEntries(GRANT_TYPES.map((g) => [g, ticked(body[`grant_${g}`])])) as RegistrationForm['grants'],
  };
};

/** A stored registration as the form shows it, to edit a draft or propose a change. */
export const formFromRegistration = (r: Registration): RegistrationForm => {
  const optional = (v: string | undefined) => v ?? '';
  return {
    values: {
      name: r.name,
      description: r.description,
      agency: r.agency,
      kind: r.kind,
      environment: r.environment,
      level: String(r.level),
      client_type: r.client_type,
      token_endpoint_auth_method: r.token_endpoint_auth_method,
      jwks_uri: optional(r.jwks_uri),
      jwks: r.jwks ? JSON.stringify(r.jwks, null, 2) : '',
      id_token_signed_response_alg: signingAlgOf(r),
      redirect_uris: r.redirect_uris.join('\n'),
      post_logout_redirect_uris: r.post_logout_redirect_uris.join('\n'),
      redirect_justification: optional(r.redirect_justification),
      backchannel_logout_uri: optional(r.backchannel_logout_uri),
      app_roles: roleLines(appRolesOf(r)),
      responsible_name: r.responsible_name,
      responsible_email: r.responsible_email,
      responsible_phone: optional(r.responsible_phone),
      docs_repository: optional(r.docs_repository),
      docs_manual: optional(r.docs_manual),
      docs_security_report: optional(r.docs_security_report),
      agreement_reference: optional(r.agreement_reference),
      agreement_expires: optional(r.agreement_expires),
    },
    outsideParty: r.outside_party,
    scopes: Object.fromEntries(
      CHOSEN_SCOPES.map((s) => {
        const requested = r.scopes.find((x) => x.scope === s);
        return [s, { on: Boolean(requested), purpose: requested?.purpose ?? '' }];
      }),
    ) as RegistrationForm['scopes'],
    grants: Object.fromEntries(GRANT_TYPES.map((g) => [g, r.grant_types.includes(g)])) as RegistrationForm['grants'],
  };
};

/** The schema's input for a form, and which scope each index of `scopes` is (to place a message at its field). */
export const schemaInput = (form: RegistrationForm) => {
  const scopes = [{ scope: 'openid' }, ...CHOSEN_SCOPES.filter((s) => form.scopes[s].on).map((s) => ({ scope: s, purpose: form.scopes[s].purpose }))];
  return {
    input: { ...form.values, outside_party: form.outsideParty ? 'on' : '', scopes, grant_types: GRANT_TYPES.filter((g) => form.grants[g]) },
    scopeAt: scopes.map((s) => s.scope),
  };
};

/** A message shown at a field and in the summary at the top of the form. */
export interface Problem {
  field: string;
  label: string;
  message: string;
}

const isTextField = (key: string): key is TextField => (TEXT_FIELDS as readonly string[]).includes(key);

/**
 * The schema's messages (path → keys) placed at the fields of the form: `redirect_uris.2` at the redirect URIs,
 * naming the address; `scopes.1.purpose` at the purpose of the scope chosen second; `app_roles.1.name` at the roles,
 * naming the role of the second line.
 */
export const placeProblems = (errors: Record<string, AppsMessageKey[]>, form: RegistrationForm, scopeAt: string[], t: Translate): Problem[] => {
  const problems: Problem[] = [];
  for (const [path, keys] of Object.entries(errors)) {
    const [head = '', index, member] = path.split('.');
    for (const key of keys) {
      let message = t(key);
      let field = head;
      let label = isTextField(head) || head === 'grant_types' || head === 'outside_party' || head === 'scopes' ? t(`apps.field.${head}`) : '';
      if (head === 'scopes' && index !== undefined) {
        const scope = scopeAt[Number(index)] ?? '';
        field = member === 'purpose' ? `purpose_${scope}` : `scope_${scope}`;
        label = t('developer.form.scope_purpose_label', { scope });
      } else if ((head === 'redirect_uris' || head === 'post_logout_redirect_uris') && index !== undefined) {
        const uri = lines(form.values[head])[Number(index)];
        if (uri !== undefined) message = t('developer.form.uri_problem', { uri, message });
      } else if (head === 'app_roles' && index !== undefined) {
        const line = lines(form.values.app_roles)[Number(index)];
        if (line !== undefined) message = t('developer.form.role_problem', { role: roleLabel(line), message });
      } else if (!FIELD_ORDER.includes(head)) {
        field = 'form';
      }
      problems.push({ field, label, message });
    }
  }
  return problems.sort((a, b) => FIELD_ORDER.indexOf(a.field) - FIELD_ORDER.indexOf(b.field));
};

export const byField = (problems: Problem[]) => {
  const map: Record<string, string[]> = {};
  for (const p of problems) (map[p.field] ??= []).push(p.message);
  return map;
};

