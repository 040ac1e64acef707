import { z } from 'zod';
import type { AccountsService } from '../../accounts/accounts.service.ts';
import type { ClientRegistry } from '../../clients/app.ts';
import { endOfDay, type TimeZone } from '../../http/form-fields.ts';
import { AppError } from '../../http/errors.ts';
import type { ChangeContext } from '../../mfa/factors.service.ts';
import type { Agencies } from '../../roles/agencies.ts';
import type { AppRolesRepo } from '../../roles/app-roles.repo.ts';
import type { AppRolesService } from '../../roles/app-roles.service.ts';
import type { GrantsService } from '../../roles/grants.service.ts';
import type { RolesService } from '../../roles/roles.service.ts';
import type { Clock } from '../../shared/clock.ts';
import { SUSPENSION_MAX_DAYS, type PeopleService, type StateChange } from '../people.service.ts';
import type { ApiClient } from './auth.ts';
import { createPeopleList } from './people-list.ts';
import { ApiProblem, problemType } from './problem.ts';
import type { AdminScope } from './scopes.ts';
import * as s from './schemas.ts';
import * as view from './views.ts';

/** One call as a handler sees it: validated input, the calling app, and where the change comes from. */
export interface Call<P, Q, B> {
  params: P;
  query: Q;
  body: B;
  client: ApiClient;
  change: ChangeContext;
}

/** What a handler answers: the body (none for 204), and whom a read concerned (the audit record's subject). */
export interface Answer<R> {
  body?: R;
  subject?: string;
}

/**
 * One operation of the API, the single source of its route, its check, its validation and its OpenAPI entry. Reads
 * are audited by the API (`admin_api.read`); changes by the services they call, with the app as actor.
 */
export interface Operation {
  operationId: string;
  method: 'get' | 'post' | 'put';
  /** Under the API's base, OpenAPI style: `/people/{login}`. */
  path: string;
  summary: string;
  description: string;
  scope: AdminScope;
  kind: 'read' | 'write';
  params: z.ZodType;
  query: z.ZodType;
  body?: z.ZodType;
  response: { status: 200 | 201 | 204; description: string; schema?: z.ZodType };
  /** Refusals beside those of every operation (400, 401, 403, 503). */
  refusals: number[];
  handle(call: Call<unknown, unknown, unknown>): Promise<Answer<unknown>>;
}

const noParams = z.strictObject({});
const noQuery = z.strictObject({});

/** An operation with its handler typed by its own schemas. */
const operation = <P extends z.ZodType, Q extends z.ZodType, B extends z.ZodType, R extends z.ZodType>(o: {
  operationId: string;
  method: Operation['method'];
  path: string;
  summary: string;
  description: string;
  scope: AdminScope;
  kind: Operation['kind'];
  params?: P;
  query?: Q;
  body?: B;
  response: { status: 200 | 201 | 204; description: string; schema?: R };
  refusals?: number[];
  handle(call: Call<z.output<P>, z.output<Q>, z.output<B>>): Promise<Answer<z.input<R>>>;
}): Operation => ({ ...o, params: o.params ?? noParams, query: o.query ?? noQuery, refusals: o.refusals ?? [], handle: o.handle as Operation['handle'] });

/** A typed `YYYY-MM-DD` as the end of that day in the regency's time zone, as the console reads it; `invalid` when it is no calendar day. */
const lastDayOf = (value: string | undefined, invalid: AppError, zone: TimeZone): Date | undefined => {
  const day = endOfDay(value ?? '', zone);
  if (day === null) throw invalid;
  return day;
};

/** The audit subject for a person: their account, or their directory entry when they have none. */
const subjectOf = (v: { person: { id: string }; account?: { sub: string } | undefined }) => v.account?.sub ?? `directory:${v.person.id}`;

/**
 * The operations of `/admin/api/v1` (issue 10 §7): every console action about people, sessions, global roles, app
 * roles and agencies, calling the same service functions as the pages with the app as the acting administrator. No
 * step-up: a token is not a person, and the app's approval for these scopes was the decision.
 */
export const createOperations = (deps: {
  base: string;
  people: PeopleService;
  accounts: AccountsService;
  grants: GrantsService;
  appRoles: AppRolesService;
  appRoleGrants: Pick<AppRolesRepo, 'ofPerson'>;
  agencies: Agencies;
  roles: RolesService;
  clients: ClientRegistry;
  clock: Clock;
  timeZone: TimeZone;
}): Operation[] => {
  const list = createPeopleList(deps);

  const stateChange = (operationId: string, path: string, to: 'suspended' | 'disabled' | 'active', summary: string, description: string) =>
    operation({
      operationId,
      method: 'post',
      path,
      summary,
      description,
      scope: 'admin:people:write',
      kind: 'write',
      params: s.loginPath,
      body: to === 'suspended' ? s.suspendBody : s.reasonBody,
      response: { status: 200, description: 'The person as they stand now.', schema: s.personSchema },
      refusals: [404, 409],
      async handle({ params, body, client, change }) {
        const { reason } = body;
        const typed = 'until' in body ? (body as z.output<typeof s.suspendBody>).until : undefined;
        const until = lastDayOf(typed, new AppError('admin.state.until_invalid', 400, { max: SUSPENSION_MAX_DAYS }), deps.timeZone);
        const request: StateChange = to === 'suspended' ? { to, reason, ...(until ? { until } : {}) } : { to, reason };
        const now = await deps.people.changeState(client.admin, params.login, request, change);
        return { body: view.person(now), subject: subjectOf(now) };
      },
    });

  return [
    operation({
      operationId: 'listPeople',
      method: 'get',
      path: '/people',
      summary: 'List the people Satu Akun holds an account for',
      description:
        'People who signed in at least once (or whose account an administrator changed), in a stable order, a page at a time: follow `nextCursor` until it is null. An agency-scoped app sees the people of its agency and sub-units (as of their last sign-in) who hold no global role.',
      scope: 'admin:people:read',
      kind: 'read',
      query: s.listPeopleQuery,
      response: { status: 200, description: 'One page of people.', schema: s.peoplePageSchema },
      async handle({ query, client }) {
        const page = await list.list(client.admin, { ...query, limit: query.limit ?? s.PEOPLE_LIMIT.default });
        return { body: { items: page.items.map(view.personSummary), nextCursor: page.nextCursor } };
      },
    }),
    operation({
      operationId: 'getPerson',
      method: 'get',
      path: '/people/{login}',
      summary: 'Look a person up by username, NIP or e-mail',
      description: 'The directory record, the account state, second factors, global and app roles, apps signed in to, live sessions and recent sign-in attempts: the console\'s person page.',
      scope: 'admin:people:read',
      kind: 'read',
      params: s.loginPath,
      response: { status: 200, description: 'The person.', schema: s.personDetailsSchema },
      refusals: [404],
      async handle({ params, client }) {
        const found = await deps.people.find(client.admin, params.login);
        const [details, grants, apps] = await Promise.all([deps.people.details(found), deps.appRoleGrants.ofPerson(found.person.id, deps.clock.now()), deps.clients.list()]);
        const roles = view.appRolesOfPerson(found.person, grants, apps.filter((a) => !a.satuAkunZone));
        return { body: view.personDetails(found, details, roles), subject: subjectOf(found) };
      },
    }),
    stateChange(
      'suspendPerson',
      '/people/{login}/suspend',
      'suspended',
      'Suspend a person (until a date, or until reinstated)',
      'They cannot sign in; every session ends, every grant and token is revoked and apps with back-channel logout are told, at once. Suspending a suspended person changes the end date.',
    ),
    stateChange('reinstatePerson', '/people/{login}/reinstate', 'active', 'Reinstate a suspended or disabled person', 'They can sign in again with their password and second factors. 409 when the account is active.'),
    stateChange('disablePerson', '/people/{login}/disable', 'disabled', 'Disable a person', 'As a suspension without an end: only reinstating opens the account again. 409 when it is disabled already.'),
    operation({
      operationId: 'listPersonSessions',
      method: 'get',
      path: '/people/{login}/sessions',
      summary: "List a person's live SSO sessions",
      description: 'The most recently active first: device, address, level reached, and the apps signed in through each.',
      scope: 'admin:people:read',
      kind: 'read',
      params: s.loginPath,
      query: s.sessionsQuery,
      response: { status: 200, description: 'One page of sessions.', schema: s.sessionsPageSchema },
      refusals: [404],
      async handle({ params, query, client }) {
        const offset = query.offset ?? 0;
        const limit = query.limit ?? s.SESSIONS_LIMIT.default;
        const { view: found, ...page } = await deps.people.sessions(client.admin, params.login, { offset, limit });
        return { body: view.sessionsPage(page, offset, limit), subject: subjectOf(found) };
      },
    }),
    operation({
      operationId: 'endPersonSessions',
      method: 'post',
      path: '/people/{login}/sessions/end',
      summary: "End one or every session of a person",
      description: 'The tokens issued through each session are revoked and apps with back-channel logout are told. 404 when the named session is not live; 409 for someone who never signed in.',
      scope: 'admin:sessions:write',
      kind: 'write',
      params: s.loginPath,
      body: s.endSessionsBody,
      response: { status: 200, description: 'How many sessions ended.', schema: s.sessionsEndedSchema },
      refusals: [404, 409],
      async handle({ params, body, client, change }) {
        const found = await deps.people.find(client.admin, params.login, 'sessions');
        if (!found.account) throw new ApiProblem({ type: problemType(deps.base, 'no_account'), title: 'Conflict', status: 409, detail: 'This person has never signed in: there is no session to end.', code: 'no_account' });
        const ended = await deps.people.endSessions(client.admin, params.login, body.uid, body.reason, change);
        if (body.uid && !ended) throw new ApiProblem({ type: problemType(deps.base, 'session_not_found'), title: 'Not Found', status: 404, detail: 'This person has no live session with that uid.', code: 'session_not_found' });
        return { body: { ended }, subject: found.account.sub };
      },
    }),
    operation({
      operationId: 'resetPersonFactors',
      method: 'post',
      path: '/people/{login}/factors/reset',
      summary: "Reset a person's second factors",
      description: 'Removes the authenticator app, every passkey and every recovery code, and ends every session and grant: what was proven with them no longer stands. Confirm who asks first. 409 when there is nothing to reset.',
      scope: 'admin:people:write',
      kind: 'write',
      params: s.loginPath,
      body: s.reasonBody,
      response: { status: 200, description: 'What was removed.', schema: s.factorsResetSchema },
      refusals: [404, 409],
      async handle({ params, body, client, change }) {
        const { view: found, removed } = await deps.people.resetFactors(client.admin, params.login, body.reason, change);
        return { body: { removed }, subject: subjectOf(found) };
      },
    }),
    operation({
      operationId: 'unlockPerson',
      method: 'post',
      path: '/people/{login}/unlock',
      summary: 'Unlock a person blocked by the guessing limit',
      description: 'Clears their password and second-factor guessing counts for unknown browsers. Never reveals nor sets a password.',
      scope: 'admin:people:write',
      kind: 'write',
      params: s.loginPath,
      body: s.reasonBody,
      response: { status: 200, description: 'The person.', schema: s.personSchema },
      refusals: [404],
      async handle({ params, body, client, change }) {
        const found = await deps.people.unlock(client.admin, params.login, body.reason, change);
        return { body: view.person(found), subject: subjectOf(found) };
      },
    }),
    operation({
      operationId: 'listRoleGrants',
      method: 'get',
      path: '/role-grants',
      summary: 'List global role grants',
      description: 'Grants made in the console or this API (live and recently ended), and the read-only grants of the configuration and directory groups. Apps acting for everyone only.',
      scope: 'admin:people:read',
      kind: 'read',
      response: { status: 200, description: 'The grants.', schema: s.roleGrantsSchema },
      async handle({ client }) {
        const o = await deps.grants.overview(client.admin);
        return {
          body: { grants: o.grants.map(view.storedGrant), recentlyEnded: o.ended.map(view.storedGrant), configured: view.configuredGrants(o.configured), groups: { ...o.groups }, roles: [...o.roles] },
        };
      },
    }),
    operation({
      operationId: 'grantRole',
      method: 'post',
      path: '/role-grants',
      summary: 'Grant a global role',
      description: 'With a reason and an optional end; the person is told by e-mail and holds the role from their next request. Apps acting for everyone only; nobody is given agency administration of an unknown or inactive agency.',
      scope: 'admin:roles:write',
      kind: 'write',
      body: s.grantRoleBody,
      response: { status: 201, description: 'The grant.', schema: s.storedRoleGrantSchema },
      refusals: [404, 409],
      async handle({ body, client, change }) {
        const until = lastDayOf(body.until, new AppError('roles.until_invalid', 400), deps.timeZone);
        const grant = await deps.grants.grant(client.admin, { login: body.login, role: body.role, ...(body.agency ? { agency: body.agency } : {}), reason: body.reason, ...(until ? { until } : {}) }, change);
        return { body: view.storedGrant(grant) };
      },
    }),
    operation({
      operationId: 'revokeRole',
      method: 'post',
      path: '/role-grants/{id}/revoke',
      summary: 'Remove a global role grant',
      description: 'With a reason; the person is told by e-mail and loses the role from their next request. 409 when it ended already.',
      scope: 'admin:roles:write',
      kind: 'write',
      params: s.grantIdPath,
      body: s.reasonBody,
      response: { status: 204, description: 'Removed.' },
      refusals: [404, 409],
      async handle({ params, body, client, change }) {
        await deps.grants.revoke(client.admin, Number(params.id), body.reason, change);
        return {};
      },
    }),
    operation({
      operationId: 'listAppsWithRoles',
      method: 'get',
      path: '/apps',
      summary: 'List the apps in which this app may assign roles',
      description: 'Apps that define roles; for an agency-scoped app, assignments are limited to its agency\'s staff.',
      scope: 'admin:people:read',
      kind: 'read',
      response: { status: 200, description: 'The apps and the roles they define.', schema: s.appsWithRolesSchema },
      async handle({ client }) {
        const apps = await deps.appRoles.appsFor(client.actor);
        return { body: { items: apps.map((a) => ({ clientId: a.clientId, name: a.name, level: a.level, definitions: a.roleDefinitions.map((d) => ({ name: d.name, description: d.description })) })) } };
      },
    }),
    operation({
      operationId: 'listAppRoles',
      method: 'get',
      path: '/apps/{clientId}/roles',
      summary: "List an app's roles and who holds them",
      description: 'The roles the app defines and the open assignments this app may manage (active, and pending a second person in level-3 apps).',
      scope: 'admin:people:read',
      kind: 'read',
      params: s.clientIdPath,
      response: { status: 200, description: 'The app\'s roles.', schema: s.appRolesSchema },
      refusals: [404],
      async handle({ params, client }) {
        return { body: view.appRoles(await deps.appRoles.view(client.actor, params.clientId)) };
      },
    }),
    operation({
      operationId: 'grantAppRole',
      method: 'post',
      path: '/apps/{clientId}/roles',
      summary: 'Assign an app role to a person',
      description:
        'Only a role the app defines, with a reason and an optional end. In a level-3 app the assignment is `pending` until a second person approves it in the console (two-person rule). An agency-scoped app assigns to its agency\'s staff only.',
      scope: 'admin:roles:write',
      kind: 'write',
      params: s.clientIdPath,
      body: s.grantAppRoleBody,
      response: { status: 201, description: 'The assignment.', schema: s.appRoleGrantSchema },
      refusals: [404, 409],
      async handle({ params, body, client, change }) {
        const until = lastDayOf(body.until, new AppError('roles.until_invalid', 400), deps.timeZone);
        const grant = await deps.appRoles.grant(client.actor, { clientId: params.clientId, role: body.role, login: body.login, reason: body.reason, ...(until ? { until } : {}) }, change);
        return { body: view.appRoleGrant(grant) };
      },
    }),
    operation({
      operationId: 'revokeAppRole',
      method: 'post',
      path: '/apps/{clientId}/roles/{id}/revoke',
      summary: 'End an app role assignment',
      description: 'Or withdraw a pending one, with a reason. 409 when it ended already.',
      scope: 'admin:roles:write',
      kind: 'write',
      params: s.appGrantPath,
      body: s.reasonBody,
      response: { status: 204, description: 'Ended.' },
      refusals: [404, 409],
      async handle({ params, body, client, change }) {
        const id = Number(params.id);
        // The assignment must be this app's, and one the caller may manage (the service checks the app it names).
        const open = await deps.appRoles.view(client.actor, params.clientId);
        if (!open.grants.some((g) => g.id === id)) throw new AppError('app_roles.not_found', 404);
        await deps.appRoles.revoke(client.actor, id, body.reason, change);
        return {};
      },
    }),
    operation({
      operationId: 'listAgencies',
      method: 'get',
      path: '/agencies',
      summary: 'List the agencies',
      description: 'Codes, names and parents of the regency\'s agencies (OPD), as agency administration and access rules use them.',
      scope: 'admin:people:read',
      kind: 'read',
      response: { status: 200, description: 'The agencies.', schema: s.agenciesSchema },
      async handle() {
        return { body: { items: (await deps.agencies.list()).map(view.agency) } };
      },
    }),
    operation({
      operationId: 'saveAgency',
      method: 'put',
      path: '/agencies/{code}',
      summary: 'Add or change an agency',
      description: 'Its name, parent agency and whether it is in use. Apps acting for everyone only.',
      scope: 'admin:roles:write',
      kind: 'write',
      params: s.agencyPath,
      body: s.saveAgencyBody,
      response: { status: 200, description: 'The agency as saved.', schema: s.agencySchema },
      async handle({ params, body, client, change }) {
        if (!client.everyone) throw new AppError('roles.forbidden', 403);
        await deps.agencies.save({ code: params.code, name: body.name, parentCode: body.parent ?? null, active: body.active ?? true }, { actor: client.admin.account.sub, ...change });
        const saved = await deps.agencies.find(params.code);
        if (!saved) throw new AppError('agencies.invalid_code', 400);
        return { body: view.agency(saved) };
      },
    }),
  ];
};
