import type { Account } from '../accounts/accounts.repo.ts';
import type { AccountsService } from '../accounts/accounts.service.ts';
import type { Directory, DirectoryUser } from '../directory/directory.ts';
import { AppError } from '../http/errors.ts';
import { resetReason, type ChangeContext, type FactorSummary, type FactorsService, type ResetOutcome } from '../mfa/factors.service.ts';
import { secondFactorKey } from '../mfa/mfa.service.ts';
import type { AuditService } from '../audit/audit.service.ts';
import { personKey } from '../interaction/login.service.ts';
import type { Limits } from '../throttle/limiter.ts';
import type { RoleGrant, RolesService } from '../roles/roles.service.ts';
import type { EnrolmentProof } from '../mfa/enrolment-proof.service.ts';

/** Whose second factors an administrator may reset: everyone's, or the staff of the listed agencies. */
export type FactorScope = { everyone: true } | { everyone: false; agencies: string[] };

/** A person as the admin console shows them: the directory's record, their account if they ever signed in. */
export interface PersonView {
  person: DirectoryUser;
  account?: Account;
  /** Absent for someone who never signed in: they have no factors. */
  factors?: FactorSummary;
}

const MAX_LOGIN = 256;

/**
 * The admin console's rules about people (DESIGN.md "The people"): administrators may reset anyone's second factors,
 * agency administrators only those of the staff of their own agency (the directory's current agency code), other
 * roles nobody's.
 */
export const createPeopleService = (deps: {
  directory: Directory;
  accounts: AccountsService;
  roles: RolesService;
  factors: FactorsService;
  enrolmentProof: EnrolmentProof;
  limits: Limits;
  audit: AuditService;
}) => {
  const scopeOf = (admin: Account): FactorScope | undefined => {
    const grants = deps.roles.globalRoles(admin.username);
    if (grants.some((g) => g.role === 'administrator')) return { everyone: true };
    const agencies = grants.filter((g) => g.role === 'agencyAdministrator' && g.agency).map((g) => g.agency!);
    return agencies.length ? { everyone: false, agencies } : undefined;
  };

  /** The scope of `admin`, or a 403 for someone whose roles do not reset factors. */
  const requireScope = (admin: Account): FactorScope => {
    const scope = scopeOf(admin);
    if (!scope) throw new AppError('admin.forbidden_role', 403);
    return scope;
  };

  /** Looks `login` up (uid, NIP or e-mail) within what `admin` may see: 403 outside their scope, 404 when unknown. */
  const find = async (admin: Account, login: string): Promise<PersonView> => {
    const scope = requireScope(admin);
    const person = login && login.length <= MAX_LOGIN ? await deps.directory.findUser(login) : null;
    if (!person) throw new AppError('admin.people.not_found', 404, { login: login.slice(0, 64) });
    if (!scope.everyone && !(person.agencyCode && scope.agencies.includes(person.agencyCode))) {
      throw new AppError('admin.forbidden_agency', 403, { agencies: scope.agencies.join(', ') });
    }
    const account = await deps.accounts.findByDirectoryId(person.id);
    return { person, account, factors: account && (await deps.factors.summary(account.sub)) };
  };

  return {
    /** The global roles of `admin`, for the console's home page. */
    grants: (admin: Account): RoleGrant[] => deps.roles.globalRoles(admin.username),

    /** Whether `admin` may reset anyone's second factors at all (the console shows the link). */
    mayResetFactors: (admin: Account): boolean => !!scopeOf(admin),

    requireScope,
    find,

    /** Whether first second factors need a code besides the password (then the console offers to issue one). */
    issuesEnrolmentCodes: deps.enrolmentProof.required,

    /**
     * A set-up code for the first second factor of `login`, shown once to `admin` to hand over in person; 403/404 as
     * `find`, 409 when the person already has a second factor (a reset comes first).
     */
    async issueEnrolmentCode(admin: Account, login: string, ctx: ChangeContext): Promise<{ view: PersonView; code: string }> {
      const view = await find(admin, login);
      if (!deps.enrolmentProof.required) throw new AppError('error.bad_request', 400);
      if (view.factors?.any) throw new AppError('admin.code.has_factor', 409);
      const code = await deps.enrolmentProof.issue(admin, { directoryId: view.person.id, ...(view.account ? { sub: view.account.sub } : {}) }, ctx);
      return { view, code };
    },

    /**
     * Lets `login` try again from any browser: clears the person's password budget for strangers' browsers and their
     * second-factor budget, with a reason, audited as `signin.unlocked`. 403/404 as `find`. Known browsers keep theirs.
     */
    async unlock(admin: Account, login: string, rawReason: unknown, ctx: ChangeContext): Promise<PersonView> {
      const view = await find(admin, login);
      const reason = resetReason(rawReason);
      await deps.limits.password.clear(personKey(view.person.id));
      if (view.account) await deps.limits.secondFactor.clear(secondFactorKey(view.account.sub));
      const subject = view.account?.sub ?? `directory:${view.person.id}`;
      await deps.audit.record({ event: 'signin.unlocked', actor: admin.sub, subject, clientId: ctx.clientId ?? null, ip: ctx.ip, details: { reason } });
      return view;
    },

    /**
     * Resets the second factors of `login` on behalf of `admin`, with a reason (at least 10 characters). 403/404 as
     * `find`; 409 when the person has nothing to reset.
     */
    async resetFactors(admin: Account, login: string, reason: unknown, ctx: ChangeContext): Promise<{ view: PersonView; removed: ResetOutcome }> {
      const view = await find(admin, login);
      if (!view.account) throw new AppError('admin.reset.nothing', 409);
      const removed = await deps.factors.reset(view.account.sub, admin.sub, reason, ctx);
      if (!removed) throw new AppError('admin.reset.nothing', 409);
      return { view, removed };
    },
  };
};

/** The people service's type, derived from its factory. */
export type PeopleService = ReturnType<typeof createPeopleService>;
