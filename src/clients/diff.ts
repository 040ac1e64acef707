import { appRolesOf, signingAlgOf, type Registration } from './registration.schema.ts';

/** Fields a reviewer compares, in the order of the registration form; the redirect verdicts are derived, not compared. */
export const DIFF_FIELDS = [
  'name',
  'description',
  'agency',
  'kind',
  'environment',
  'level',
  'client_type',
  'token_endpoint_auth_method',
  'jwks_uri',
  'jwks',
  'id_token_signed_response_alg',
  'redirect_uris',
  'post_logout_redirect_uris',
  'redirect_justification',
  'backchannel_logout_uri',
  'scopes',
  'app_roles',
  'grant_types',
  'responsible_name',
  'responsible_email',
  'responsible_phone',
  'docs_repository',
  'docs_manual',
  'docs_security_report',
  'outside_party',
  'agreement_reference',
  'agreement_expires',
] as const satisfies readonly (keyof Registration)[];

export type DiffField = (typeof DIFF_FIELDS)[number];

/** A value as a page shows it: text, a level, a yes/no; a JWKS is compared and shown as JSON. */
export type DiffValue = string | number | boolean;

/**
 * One difference between two registrations. For a list field, `item` names the entry (a URI, a grant type, a scope,
 * an app role) and `before`/`after` hold that entry (for a scope: its purpose; for a role: its description), so a
 * reviewer sees exactly which address, data item or role came, went or changed.
 */
export interface FieldChange {
  field: DiffField;
  item?: string;
  before?: DiffValue;
  after?: DiffValue;
  kind: 'added' | 'removed' | 'changed';
}

/** JSON with object keys sorted, so two JWKS with the same keys in another order compare equal. */
const canonical = (value: unknown): string =>
  JSON.stringify(value, (_key, v: unknown) =>
    v && typeof v === 'object' && !Array.isArray(v) ? Object.fromEntries(Object.entries(v as Record<string, unknown>).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))) : v,
  );

const scalar = (value: unknown): DiffValue | undefined =>
  value === undefined || value === null ? undefined : typeof value === 'object' ? canonical(value) : (value as DiffValue);

const compareScalar = (field: DiffField, before: DiffValue | undefined, after: DiffValue | undefined): FieldChange[] => {
  if (before === after) return [];
  if (before === undefined) return [{ field, after, kind: 'added' }];
  if (after === undefined) return [{ field, before, kind: 'removed' }];
  return [{ field, before, after, kind: 'changed' }];
};

/** Entries of a list keyed by `key`: removed ones in the old order, then added ones in the new order, then changed. */
const compareList = <T>(field: DiffField, before: T[], after: T[], key: (item: T) => string, value: (item: T) => DiffValue | undefined): FieldChange[] => {
  const old = new Map(before.map((item) => [key(item), item]));
  const now = new Map(after.map((item) => [key(item), item]));
  const changes: FieldChange[] = [];
  for (const [k, item] of old) if (!now.has(k)) changes.push({ field, item: k, ...defined('before', value(item)), kind: 'removed' });
  for (const [k, item] of now) if (!old.has(k)) changes.push({ field, item: k, ...defined('after', value(item)), kind: 'added' });
  for (const [k, item] of now) {
    const previous = old.get(k);
    if (previous === undefined) continue;
    const [b, a] = [value(previous), value(item)];
    if (b !== a) changes.push({ field, item: k, ...defined('before', b), ...defined('after', a), kind: 'changed' });
  }
  return changes;
};

const defined = <K extends 'before' | 'after'>(name: K, value: DiffValue | undefined) => (value === undefined ? {} : ({ [name]: value } as Record<K, DiffValue>));

const LIST_FIELDS = new Set<DiffField>(['redirect_uris', 'post_logout_redirect_uris', 'grant_types', 'scopes', 'app_roles']);

/**
 * What a change request changes: every field that differs between the live registration (`before`; none for a first
 * registration, where everything is `added`) and the new one. List fields are compared item by item — redirect URIs and
 * grant types by value, requested data by scope with its purpose, app roles by name with their description — so a
 * reordered list is no change.
 */
export const diffRegistrations = (before: Registration | undefined, after: Registration): FieldChange[] =>
  DIFF_FIELDS.flatMap((field): FieldChange[] => {
    if (field === 'scopes') {
      return compareList(field, before?.scopes ?? [], after.scopes, (s) => s.scope, (s) => s.purpose);
    }
    if (field === 'app_roles') {
      return compareList(field, before ? appRolesOf(before) : [], appRolesOf(after), (role) => role.name, (role) => role.description);
    }
    if (field === 'id_token_signed_response_alg') {
      return compareScalar(field, before && signingAlgOf(before), signingAlgOf(after));
    }
    if (LIST_FIELDS.has(field)) {
      const list = (r: Registration | undefined) => (r?.[field] as string[] | undefined) ?? [];
      return compareList(field, list(before), list(after), (uri) => uri, (uri) => uri);
    }
    return compareScalar(field, scalar(before?.[field]), scalar(after[field]));
  });
