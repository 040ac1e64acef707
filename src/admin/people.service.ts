import type { Knex } from 'knex';
import type { Account, AccountStatus, AppSignIns } from '../accounts/accounts.repo.ts';
import type { AccountsService } from '../accounts/accounts.service.ts';
import type { Directory, DirectoryUser } from '../directory/directory.ts';
import { AppError } from '../http/errors.ts';
import { resetReason, type ChangeContext, type FactorSummary, type FactorsService, type ResetOutcome } from '../mfa/factors.service.ts';
import { secondFactorKey } from '../mfa/mfa.service.ts';
import type { AuditRecord, AuditService } from '../audit/audit.service.ts';
import { personKey } from '../interaction/login.service.ts';
import type { Limits } from '../throttle/limiter.ts';
import type { GlobalRole, Holder, RoleGrant, RolesService } from '../roles/roles.service.ts';
import type { EnrolmentProof } from '../mfa/enrolment-proof.service.ts';
import type { SessionsService, SessionView } from '../sessions/sessions.service.ts';
import type { Clock } from '../shared/clock.ts';
import type { ClientRegistry } from '../clients/app.ts';
import type { Agencies } from '../roles/agencies.ts';

/** Someone acting in the admin console: their account and the global roles they hold on this request. */
export type Admin = Holder<Account>;

/**
 * Whose records someone may act on: everyone's, or the staff of the listed agencies. Only administrators act on
 * holders of global roles (`roleHolders`): the helpdesk may not reset an administrator's factors, nor may an agency
 * administrator touch anyone with a global role.
 */
export type PeopleScope = { everyone: true; roleHolders: boolean } | { everyone: false; agencies: string[] };

/**
 * What may be done about a person: look them up with their recent sign-in attempts, unblock them, reset their second
 * factors, see and end their sessions, change their account's state.
 */
export type PersonAction = 'view' | 'unlock' | 'reset' | 'sessions' | 'state';

/** Which global role may do what (DESIGN.md "The people"): the helpdesk only answers "why can't I sign in?". */
const ROLE_ACTIONS: Partial<Record<GlobalRole, readonly PersonAction[]>> = {
  administrator: ['view', 'unlock', 'reset', 'sessions', 'state'],
  agencyAdministrator: ['view', 'unlock', 'reset', 'sessions', 'state'],
  helpdesk: ['view', 'unlock', 'reset'],
};

/** Events that answer "why can't I sign in?", shown on a person's page. */
const ATTEMPT_EVENTS = ['signin.success', 'signin.failure', 'signin.unlocked', 'mfa.verified', 'mfa.failed', 'access.denied', 'access.network_denied', 'mfa.reset', 'session.ended', 'account.suspended', 'account.disabled', 'account.reinstated'];
const ATTEMPTS_SHOWN = 20;

/** A person as the admin console shows them: the directory's record, their account if they ever signed in. */
export interface PersonView {
  person: DirectoryUser;
  account?: Account;
  /** Absent for someone who never signed in: they have no factors. */
  factors?: FactorSummary;
  /** What the viewer may do about this person. */
  may: Record<PersonAction, boolean>;
}

/** The details of a person's page beyond the view: recent attempts, apps signed in to, the sessions' count. */
export interface PersonDetails {
  /** The person's global roles, from every source. */
  roles: RoleGrant[];
  attempts: AuditRecord[];
  apps: AppSignIns[];
  sessions: number;
  /** The names of the apps these name, by client id. */
  appNames: Record<string, string>;
}

/** A change of state as an administrator asks for it. */
export type StateChange = { to: 'suspended'; reason: unknown; until?: Date } | { to: 'disabled'; reason: unknown } | { to: 'active'; reason: unknown };

const MAX_LOGIN = 256;
/** A suspension with an end date ends within a year; longer absences are a disabling, or an open suspension. */
export const SUSPENSION_MAX_DAYS = 366;

/**
 * The admin console's rules about people (DESIGN.md "The people"): administrators act on everyone, agency
 * administrators on the staff of their own agency (the directory's current agency code) who hold no global role,
 * the helpdesk looks up, unblocks and resets; nobody changes their own account's state.
 */
export const createPeopleService = (deps: {
  knex: Knex;
  directory: Directory;
  accounts: AccountsService;
  roles: RolesService;
  factors: FactorsService;
  enrolmentProof: EnrolmentProof;
  sessions: SessionsService;
  clients: ClientRegistry;
  agencies: Agencies;
  limits: Limits;
  audit: AuditService;
  clock: Clock;
}) => {
  /** What `admin` may do, and for whom; undefined when their roles allow nothing about `action`. */
  const scopeOf = (admin: Admin, action: PersonAction): PeopleScope | undefined => {
    const grants = admin.roles.filter((g) => ROLE_ACTIONS[g.role]?.includes(action));
    if (grants.some((g) => g.role === 'administrator')) return { everyone: true, roleHolders: true };
    // Looking someone up harms nobody; acting on a holder of a global role is for administrators.
    if (grants.some((g) => g.role !== 'agencyAdministrator')) return { everyone: true, roleHolders: action === 'view' };
    const agencies = grants.filter((g) => g.agency).map((g) => g.agency!);
    return agencies.length ? { everyone: false, agencies } : undefined;
  };

  /** The scope of `admin` for `action`, or a 403 for someone whose roles do not allow it. */
  const requireScope = (admin: Admin, action: PersonAction = 'view'): PeopleScope => {
    const scope = scopeOf(admin, action);
    if (!scope) throw new AppError('admin.forbidden_role', 403);
    return scope;
  };

  /**
   * The agencies an agency administrator acts on: theirs and every agency below (a UPT under its Dinas). Every action
   * of theirs has this one scope, so the agency list is read once per lookup.
   */
  const agenciesBelow = async (admin: Admin): Promise<string[]> => {
    const own = admin.roles.filter((g) => g.role === 'agencyAdministrator' && g.agency).map((g) => g.agency!);
    return own.length ? [...(await deps.agencies.within(own))] : [];
  };
  const withSubUnits = (scope: PeopleScope, below: string[]): PeopleScope => (scope.everyone ? scope : { everyone: false, agencies: below });

  /** The global roles a directory person holds: agency administrators may not act on anyone holding one. */
  const rolesOf = (person: DirectoryUser) => deps.roles.globalRoles({ username: person.username, directoryId: person.id, profile: { groups: person.groups } });
  const inScope = (scope: PeopleScope, person: DirectoryUser, holdsGlobalRole: boolean) =>
    scope.everyone ? scope.roleHolders || !holdsGlobalRole : !!person.agencyCode && scope.agencies.includes(person.agencyCode.toUpperCase()) && !holdsGlobalRole;

  /** Looks `login` up (uid, NIP or e-mail) for `action`: 403 outside the viewer's scope, 404 when unknown. */
  const find = async (admin: Admin, login: string, action: PersonAction = 'view'): Promise<PersonView> => {
    const below = await agenciesBelow(admin);
    const scope = withSubUnits(requireScope(admin, action), below);
    const person = login && login.length <= MAX_LOGIN ? await deps.directory.findUser(login) : null;
    if (!person) throw new AppError('admin.people.not_found', 404, { login: login.slice(0, 64) });
    const holdsGlobalRole = (await rolesOf(person)).length > 0;
    if (!inScope(scope, person, holdsGlobalRole)) {
      if (scope.everyone) throw new AppError('admin.forbidden_role', 403);
      throw new AppError('admin.forbidden_agency', 403, { agencies: scope.agencies.join(', ') });
    }
    // Nobody acts on their own account from the console (their own security page is for that): no self-service
    // around the second factor, the guessing budget or a suspension.
    if (action !== 'view' && person.id === admin.account.directoryId) throw new AppError('admin.state.self', 403);
    const account = await deps.accounts.findByDirectoryId(person.id);
    const actions: PersonAction[] = ['view', 'unlock', 'reset', 'sessions', 'state'];
    const may = Object.fromEntries(
      actions.map((a) => {
        const s = scopeOf(admin, a);
        return [a, !!s && inScope(withSubUnits(s, below), person, holdsGlobalRole) && (a === 'view' || person.id !== admin.account.directoryId)];
      }),
    ) as Record<PersonAction, boolean>;
    return { person, account, factors: account && (await deps.factors.summary(account.sub)), may };
  };

  /** Sessions and grants of `sub` ended because their account changed: every app told, every token revoked. */
  const endEverything = (sub: string, admin: Admin, ctx: ChangeContext, reason: string) =>
    deps.sessions.endAll(sub, { actor: admin.account.sub, by: 'account', reason, ip: ctx.ip, clientId: ctx.clientId }, { everything: true });

  return {
    /** Whether `admin` may do `action` about anyone at all (the console shows the way there). */
    may: (admin: Admin, action: PersonAction): boolean => !!scopeOf(admin, action),

    requireScope,
    find,

    /** A person's page beyond the view: recent sign-in attempts, apps signed in to, how many live sessions. */
    async details(view: PersonView): Promise<PersonDetails> {
      const involving = [`directory:${view.person.id}`, ...(view.account ? [view.account.sub] : [])];
      const [roles, attempts, apps, sessions] = await Promise.all([
        rolesOf(view.person),
        deps.audit.list({ event: ATTEMPT_EVENTS, involving, limit: ATTEMPTS_SHOWN }),
        view.account ? deps.accounts.appSignIns(view.account.sub) : [],
        view.account && view.may.sessions ? deps.sessions.count(view.account.sub) : 0,
      ]);
      const ids = new Set([...apps.map((a) => a.clientId), ...attempts.flatMap((a) => (a.client_id ? [a.client_id] : []))]);
      const appNames = Object.fromEntries(await Promise.all([...ids].map(async (id) => [id, (await deps.clients.find(id))?.name ?? id] as const)));
      return { roles, attempts, apps, sessions, appNames };
    },

    /** Whether first second factors need a code besides the password (then the console offers to issue one). */
    issuesEnrolmentCodes: deps.enrolmentProof.required,

    /**
     * A set-up code for the first second factor of `login`, shown once to `admin` to hand over in person; 403/404 as
     * `find`, 409 when the person already has a second factor (a reset comes first).
     */
    async issueEnrolmentCode(admin: Admin, login: string, ctx: ChangeContext): Promise<{ view: PersonView; code: string }> {
      const view = await find(admin, login, 'reset');
      if (!deps.enrolmentProof.required) throw new AppError('error.bad_request', 400);
      if (view.factors?.any) throw new AppError('admin.code.has_factor', 409);
      const code = await deps.enrolmentProof.issue(admin.account, { directoryId: view.person.id, ...(view.account ? { sub: view.account.sub } : {}) }, ctx);
      return { view, code };
    },

    /**
     * Lets `login` try again from any browser: clears the person's password budget for strangers' browsers and their
     * second-factor budget, with a reason, audited as `signin.unlocked`. 403/404 as `find`. Known browsers keep theirs.
     */
    async unlock(admin: Admin, login: string, rawReason: unknown, ctx: ChangeContext): Promise<PersonView> {
      const view = await find(admin, login, 'unlock');
      const reason = resetReason(rawReason);
      await deps.limits.password.clear(personKey(view.person.id));
      if (view.account) await deps.limits.secondFactor.clear(secondFactorKey(view.account.sub));
      const subject = view.account?.sub ?? `directory:${view.person.id}`;
      await deps.audit.record({ event: 'signin.unlocked', actor: admin.account.sub, subject, clientId: ctx.clientId ?? null, ip: ctx.ip, details: { reason } });
      return view;
    },

    /**
     * Resets the second factors of `login` on behalf of `admin`, with a reason (at least 10 characters), and ends
     * every session and grant of the person: what was proven with the old factors no longer stands. 403/404 as
     * `find`; 409 when the person has nothing to reset.
     */
    async resetFactors(admin: Admin, login: string, reason: unknown, ctx: ChangeContext): Promise<{ view: PersonView; removed: ResetOutcome }> {
      const view = await find(admin, login, 'reset');
      if (!view.account) throw new AppError('admin.reset.nothing', 409);
      const removed = await deps.factors.reset(view.account.sub, admin.account.sub, reason, ctx);
      if (!removed) throw new AppError('admin.reset.nothing', 409);
      await endEverything(view.account.sub, admin, ctx, resetReason(reason));
      return { view, removed };
    },

    /** One page of the live sessions of `login`. 403/404 as `find`. */
    async sessions(admin: Admin, login: string, page: { offset: number; limit: number }): Promise<{ view: PersonView; total: number; sessions: SessionView[] }> {
      const view = await find(admin, login, 'sessions');
      if (!view.account) return { view, total: 0, sessions: [] };
      return { view, ...(await deps.sessions.list(view.account.sub, page)) };
    },

    /** Ends one session (`uid`) or, without one, every session of `login`, with a reason. Resolves to how many ended. */
    async endSessions(admin: Admin, login: string, uid: string | undefined, rawReason: unknown, ctx: ChangeContext): Promise<number> {
      const view = await find(admin, login, 'sessions');
      const reason = resetReason(rawReason);
      if (!view.account) return 0;
      const by = { actor: admin.account.sub, by: 'admin' as const, reason, ip: ctx.ip, clientId: ctx.clientId };
      if (uid) return (await deps.sessions.end(view.account.sub, uid, by)) ? 1 : 0;
      return deps.sessions.endAll(view.account.sub, by);
    },

    /**
     * Suspends (optionally until a date), disables or reinstates `login`, with a reason, audited with the state before;
     * a suspension or disabling ends every session and grant of the person at once. 403/404 as `find`; 403 for one's
     * own account; 409 when the account is in that state already.
     */
    async changeState(admin: Admin, login: string, change: StateChange, ctx: ChangeContext): Promise<PersonView> {
      const view = await find(admin, login, 'state');
      const reason = resetReason(change.reason);
      // The configuration's administrators are the break-glass path: no console change may lock them out.
      if (change.to !== 'active' && (await rolesOf(view.person)).some((g) => g.source === 'config' && g.role === 'administrator')) {
        throw new AppError('admin.state.break_glass', 403);
      }
      const until = change.to === 'suspended' ? change.until : undefined;
      if (until) {
        const days = (until.getTime() - deps.clock.now().getTime()) / 86_400_000;
        if (!(days > 0 && days <= SUSPENSION_MAX_DAYS)) throw new AppError('admin.state.until_invalid', 400, { max: SUSPENSION_MAX_DAYS });
      }
      const account = await deps.knex.transaction(async (trx) => {
        const current = await deps.accounts.ensure(view.person, trx);
        if (current.status === change.to && change.to !== 'suspended') throw new AppError(`admin.state.already_${change.to}`, 409);
        const from: AccountStatus = current.status;
        await deps.accounts.setStatus(current.sub, change.to, { reason, until: until ?? null, by: admin.account.sub }, trx);
        const who = { actor: admin.account.sub, subject: current.sub, clientId: ctx.clientId ?? null, ip: ctx.ip };
        if (change.to === 'suspended') await deps.audit.record({ event: 'account.suspended', ...who, details: { reason, from, ...(until ? { until: until.toISOString() } : {}) } }, trx);
        else if (change.to === 'disabled') await deps.audit.record({ event: 'account.disabled', ...who, details: { reason, from } }, trx);
        else await deps.audit.record({ event: 'account.reinstated', ...who, details: { reason, from } }, trx);
        return current;
      });
      if (change.to !== 'active') await endEverything(account.sub, admin, ctx, reason);
      return find(admin, login, 'view');
    },
  };
};

/** The people service's type, derived from its factory. */
export type PeopleService = ReturnType<typeof createPeopleService>;
