import { z } from 'zod';
import { blank, choice, text, wholeNumber } from '../../http/form-fields.ts';
import type { MessageKey } from '../../i18n/index.ts';
import { APP_ROLE_LIMITS } from '../../clients/registration.schema.ts';
import { GLOBAL_ROLES } from '../../roles/roles.service.ts';
import { SUSPENSION_MAX_DAYS } from '../people.service.ts';

/**
 * The admin API's request and response schemas (issue 10 §7). Requests are validated with these at the edge, and the
 * OpenAPI document is generated from the same objects (`z.toJSONSchema`), so the document cannot drift from what is
 * enforced. Responses are built by functions typed by their schema (`z.input<...>`): the compiler keeps them in step.
 * Fields shared with the console carry the console's message keys, so a refusal reads the same in both.
 */

const key = (k: MessageKey) => ({ error: k });

/** A reason, as the services require it (src/mfa/factors.service.ts `resetReason`: 10–500 characters, trimmed). */
export const REASON = { min: 10, max: 500 } as const;

/** Parameters of message keys whose text names a limit, for field errors (a zod issue carries the key alone). */
export const KEY_PARAMS: Partial<Record<MessageKey, Record<string, string | number>>> = {
  'admin.reset.reason_short': { min: REASON.min },
  'admin.state.until_invalid': { max: SUSPENSION_MAX_DAYS },
};

const reason = z
  .preprocess(blank, z.string(key('admin.reset.reason_short')).min(REASON.min, key('admin.reset.reason_short')).max(REASON.max))
  .meta({ description: `Why, in words a reader of the audit trail understands: ${REASON.min}–${REASON.max} characters.`, example: 'Dalam pemeriksaan Inspektorat (surat 700/123/2026)' });

/** A calendar date; a suspension or grant ends at the end of that day in WIB (UTC+7), as in the console. */
const lastDay = (k: MessageKey, what: string) =>
  z.preprocess(blank, z.iso.date(key(k)).optional()).meta({ description: `${what} (YYYY-MM-DD): it ends at the end of that day, WIB (UTC+7).`, example: '2026-12-31' });

const login = z.preprocess(blank, z.string().min(1).max(256)).meta({ description: 'The person: directory username (uid), NIP or official e-mail.', example: 'rudi.hartono' });
const agencyCode = z.string().regex(/^[A-Za-z0-9][A-Za-z0-9_-]{0,63}$/);

// ---- Requests ----

/** Path parameters. */
export const loginPath = z.strictObject({ login });
export const grantIdPath = z.strictObject({ id: z.string().regex(/^\d{1,9}$/).meta({ description: 'The grant id.' }) });
export const clientIdPath = z.strictObject({ clientId: z.string().min(1).max(255).meta({ description: 'The app (client id).' }) });
export const appGrantPath = z.strictObject({ clientId: clientIdPath.shape.clientId, id: grantIdPath.shape.id });
export const agencyPath = z.strictObject({ code: agencyCode.meta({ description: 'The agency code (case-insensitive).', example: 'DINKES' }) });

/** A cursor is the last `sub` of a page, opaque to callers (so its form stays ours to change). */
export const encodeCursor = (sub: string): string => Buffer.from(sub, 'utf8').toString('base64url');
export const decodeCursor = (cursor: string): string | undefined => {
  const sub = Buffer.from(cursor, 'base64url').toString('utf8');
  return /^[A-Za-z0-9_-]{1,64}$/.test(sub) ? sub : undefined;
};

export const PEOPLE_LIMIT = { default: 50, max: 100 } as const;
export const listPeopleQuery = z.strictObject({
  status: z.preprocess(blank, z.enum(['active', 'suspended', 'disabled'])).optional().meta({ description: 'Only accounts in this state now.' }),
  agency: z.preprocess(blank, agencyCode).optional().meta({ description: 'Only people of this agency (code), as of their last sign-in.' }),
  q: z.preprocess(blank, z.string().max(64)).optional().meta({ description: 'Only usernames that start with this (any case).' }),
  cursor: z
    .preprocess(blank, z.string().regex(/^[A-Za-z0-9_-]{1,200}$/, { abort: true }).refine((c) => decodeCursor(c) !== undefined, 'Not a cursor this API gave.'))
    .optional().meta({ description: 'Where the previous page ended: its `nextCursor`.' }),
  limit: wholeNumber(1, PEOPLE_LIMIT.max, 'error.bad_request').optional().meta({ description: `Accounts read for this page (default ${PEOPLE_LIMIT.default}).` }),
});

export const SESSIONS_LIMIT = { default: 20, max: 50 } as const;
export const sessionsQuery = z.strictObject({
  offset: wholeNumber(0, 1_000_000, 'error.bad_request').optional().meta({ description: 'Sessions to skip (most recently active first).' }),
  limit: wholeNumber(1, SESSIONS_LIMIT.max, 'error.bad_request').optional().meta({ description: `Sessions in this page (default ${SESSIONS_LIMIT.default}).` }),
});

/** A body with only a reason: reinstate, disable, unlock, reset. */
export const reasonBody = z.strictObject({ reason });
export const suspendBody = z.strictObject({ reason, until: lastDay('admin.state.until_invalid', `The last day of the suspension, at most ${SUSPENSION_MAX_DAYS} days away; without it, until reinstated`) });
export const endSessionsBody = z.strictObject({
  reason,
  uid: z.preprocess(blank, z.string().regex(/^[A-Za-z0-9_-]{1,64}$/)).optional().meta({ description: 'One session (its `uid`); without it, every session of the person.' }),
});
export const grantRoleBody = z
  .strictObject({
    login,
    role: choice(GLOBAL_ROLES as readonly [string, ...string[]], 'roles.choose_role'),
    agency: z.preprocess(blank, agencyCode).optional().meta({ description: 'For `agencyAdministrator` only: the agency administered.' }),
    reason,
    until: lastDay('roles.until_invalid', 'The last day of the grant, at most 5 years away; without it, until removed'),
  })
  .superRefine((b, ctx) => {
    if (b.role === 'agencyAdministrator' && !b.agency) ctx.addIssue({ code: 'custom', path: ['agency'], message: 'roles.agency_required' });
    if (b.role !== 'agencyAdministrator' && b.agency) ctx.addIssue({ code: 'custom', path: ['agency'], message: 'Only an agencyAdministrator grant names an agency.' });
  });
export const grantAppRoleBody = z.strictObject({
  login,
  role: z.string().regex(APP_ROLE_LIMITS.name).meta({ description: 'One of the roles the app defines.', example: 'verifikator' }),
  reason,
  until: lastDay('roles.until_invalid', 'The last day of the assignment, at most 5 years away; without it, until removed'),
});
export const saveAgencyBody = z.strictObject({
  name: text(1, 255, 'agencies.invalid_name'),
  parent: z.preprocess(blank, agencyCode.nullable()).optional().meta({ description: 'The agency it belongs to (a UPT under its Dinas); absent or null for none.' }),
  active: z.boolean().optional().meta({ description: 'Whether the agency is in use (default true).' }),
});

// ---- Responses ----

/** Times are ISO 8601 in UTC (`toISOString`). */
const dateTime = z.string().meta({ format: 'date-time' });
const nullableDateTime = dateTime.nullable();

export const problemSchema = z
  .object({
    type: z.string().meta({ description: 'What kind of problem: `<server>/problems/<code>`, or `about:blank`.' }),
    title: z.string(),
    status: z.int(),
    detail: z.string().optional(),
    code: z.string().optional().meta({ description: 'The message key of the refusal, e.g. `admin.state.already_active`.' }),
    errors: z
      .array(
        z.object({
          detail: z.string(),
          code: z.string().optional(),
          pointer: z.string().optional().meta({ description: 'The body member (JSON Pointer fragment), e.g. `#/reason`.' }),
          parameter: z.string().optional().meta({ description: 'The query or path parameter.' }),
          in: z.enum(['query', 'path']).optional(),
        }),
      )
      .optional()
      .meta({ description: 'Each invalid field (400).' }),
    reference: z.string().optional().meta({ description: 'For an unexpected error: quote it to Diskominfo.' }),
  })
  .meta({ description: 'RFC 9457 problem details (`application/problem+json`).' });

const statusEnum = z.enum(['active', 'suspended', 'disabled']);
const statusChange = z.object({ reason: z.string().nullable(), until: nullableDateTime, at: nullableDateTime, by: z.string().nullable() });

export const personSummarySchema = z.object({
  sub: z.string().meta({ description: 'The account id (`sub` in ID tokens); never the NIP.' }),
  username: z.string(),
  name: z.string(),
  email: z.string().optional(),
  agencyCode: z.string().optional(),
  agencyName: z.string().optional(),
  position: z.string().optional(),
  status: statusEnum,
  statusChange: statusChange.nullable(),
  createdAt: dateTime,
  lastSignInAt: nullableDateTime,
});

export const peoplePageSchema = z.object({
  items: z.array(personSummarySchema),
  nextCursor: z.string().nullable().meta({ description: 'Pass as `cursor` for the next page; null at the end. A page may hold fewer than `limit` people.' }),
});

const directoryRecord = z.object({
  id: z.string().meta({ description: 'The directory identifier (entryUUID).' }),
  username: z.string(),
  name: z.string(),
  givenName: z.string().optional(),
  familyName: z.string().optional(),
  email: z.string().optional(),
  nip: z.string().optional(),
  employeeType: z.enum(['pns', 'pppk', 'non_asn']),
  agencyCode: z.string().optional(),
  agencyName: z.string().optional(),
  position: z.string().optional(),
  grade: z.string().optional(),
});

const accountState = z.object({ sub: z.string(), status: statusEnum, statusChange: statusChange.nullable(), createdAt: dateTime, lastSignInAt: nullableDateTime });
const factorsSummary = z.object({
  authenticatorApp: z.boolean(),
  passkeys: z.array(z.object({ name: z.string(), createdAt: dateTime, lastUsedAt: nullableDateTime })),
  recoveryCodesLeft: z.int(),
  any: z.boolean().meta({ description: 'An authenticator app or a passkey: level 2 is reachable.' }),
});
const may = z.object({ view: z.boolean(), unlock: z.boolean(), reset: z.boolean(), sessions: z.boolean(), state: z.boolean() }).meta({ description: 'What this app may do about the person.' });

export const personSchema = z.object({
  person: directoryRecord,
  account: accountState.nullable().meta({ description: 'Null for someone who never signed in (and was never suspended).' }),
  factors: factorsSummary.nullable(),
  may,
});

const roleGrant = z.object({
  role: z.enum(GLOBAL_ROLES as readonly [string, ...string[]]),
  agency: z.string().optional(),
  source: z.enum(['config', 'console', 'group']).optional(),
  id: z.int().optional().meta({ description: 'The console grant id (for `revokeRole`).' }),
  expiresAt: nullableDateTime.optional(),
});

export const personDetailsSchema = personSchema.extend({
  roles: z.array(roleGrant).meta({ description: 'Global roles, from every source.' }),
  appRoles: z.array(
    z.object({
      clientId: z.string(),
      app: z.string(),
      role: z.string(),
      source: z.enum(['console', 'config']),
      state: z.enum(['active', 'pending']),
      grantId: z.int().optional(),
      expiresAt: nullableDateTime.optional(),
    }),
  ),
  apps: z.array(z.object({ clientId: z.string(), name: z.string(), firstSignInAt: dateTime, lastSignInAt: dateTime })).meta({ description: 'Apps signed in to, the most recent first.' }),
  lastSignInAt: nullableDateTime,
  sessions: z.int().meta({ description: 'Live SSO sessions.' }),
  recentAttempts: z
    .array(z.object({ at: dateTime, event: z.string(), clientId: z.string().nullable(), ip: z.string().nullable() }))
    .meta({ description: 'Recent sign-in attempts and account events: "why can\'t I sign in?".' }),
});

const sessionSchema = z.object({
  uid: z.string(),
  startedAt: dateTime,
  lastActiveAt: dateTime,
  expiresAt: dateTime,
  device: z.object({ browser: z.string().optional(), os: z.string().optional(), kind: z.enum(['mobile', 'tablet', 'desktop']).optional() }),
  ip: z.string().optional(),
  level: z.int(),
  apps: z.array(z.object({ clientId: z.string(), name: z.string() })),
});

export const sessionsPageSchema = z.object({ total: z.int(), offset: z.int(), limit: z.int(), sessions: z.array(sessionSchema) });
export const sessionsEndedSchema = z.object({ ended: z.int().meta({ description: 'How many sessions ended.' }) });
export const factorsResetSchema = z.object({ removed: z.object({ authenticatorApp: z.boolean(), passkeys: z.int(), recoveryCodes: z.int() }) });

export const storedRoleGrantSchema = z.object({
  id: z.int(),
  login: z.string(),
  role: z.string(),
  agency: z.string().nullable(),
  reason: z.string(),
  grantedBy: z.string(),
  grantedAt: dateTime,
  expiresAt: nullableDateTime,
  revokedAt: nullableDateTime,
  revokedBy: z.string().nullable(),
  revokeReason: z.string().nullable(),
  reviewNote: z.string().nullable().meta({ description: 'Set when the person moved agency: the grant waits for review.' }),
});

export const roleGrantsSchema = z.object({
  grants: z.array(storedRoleGrantSchema).meta({ description: 'Live console grants.' }),
  recentlyEnded: z.array(storedRoleGrantSchema),
  configured: z.array(z.object({ login: z.string(), grants: z.array(roleGrant) })).meta({ description: 'The configuration\'s grants (read-only: bootstrap and break-glass).' }),
  groups: z.record(z.string(), z.array(z.string())).meta({ description: 'Directory groups (DNs) that grant each role.' }),
  roles: z.array(z.string()),
});

export const appRoleGrantSchema = z.object({
  id: z.int(),
  clientId: z.string(),
  role: z.string(),
  login: z.string(),
  agency: z.string().nullable(),
  reason: z.string(),
  grantedBy: z.string(),
  grantedAt: dateTime,
  expiresAt: nullableDateTime,
  state: z.enum(['active', 'pending']).meta({ description: '`pending`: a level-3 app\'s assignment waits for a second person\'s approval in the console.' }),
  approvedBy: z.string().nullable(),
  approvedAt: nullableDateTime,
  revokedAt: nullableDateTime,
  revokedBy: z.string().nullable(),
  revokeReason: z.string().nullable(),
  reviewNote: z.string().nullable(),
});

export const appRolesSchema = z.object({
  app: z.object({ clientId: z.string(), name: z.string(), level: z.int(), agency: z.string().optional() }),
  definitions: z.array(z.object({ name: z.string(), description: z.string() })),
  grants: z.array(appRoleGrantSchema),
  assigns: z.object({ everyone: z.boolean(), agencies: z.array(z.string()).optional() }).meta({ description: 'Whom this app may assign roles to.' }),
  twoPerson: z.boolean().meta({ description: 'Level-3 app: every assignment waits for a second person.' }),
});

export const appsWithRolesSchema = z.object({
  items: z.array(z.object({ clientId: z.string(), name: z.string(), level: z.int(), definitions: z.array(z.object({ name: z.string(), description: z.string() })) })),
});

export const agencySchema = z.object({ code: z.string(), name: z.string(), parentCode: z.string().nullable(), active: z.boolean(), source: z.enum(['directory', 'console']), updatedAt: dateTime });
export const agenciesSchema = z.object({ items: z.array(agencySchema) });

/** Every named schema of the document, by its component name. */
export const COMPONENTS = {
  Problem: problemSchema,
  ReasonRequest: reasonBody,
  SuspendRequest: suspendBody,
  EndSessionsRequest: endSessionsBody,
  GrantRoleRequest: grantRoleBody,
  GrantAppRoleRequest: grantAppRoleBody,
  SaveAgencyRequest: saveAgencyBody,
  PersonSummary: personSummarySchema,
  PeoplePage: peoplePageSchema,
  Person: personSchema,
  PersonDetails: personDetailsSchema,
  SessionsPage: sessionsPageSchema,
  SessionsEnded: sessionsEndedSchema,
  FactorsReset: factorsResetSchema,
  StoredRoleGrant: storedRoleGrantSchema,
  RoleGrants: roleGrantsSchema,
  AppRoleGrant: appRoleGrantSchema,
  AppRoles: appRolesSchema,
  AppsWithRoles: appsWithRolesSchema,
  Agency: agencySchema,
  Agencies: agenciesSchema,
} as const;
