import type { Knex } from 'knex';
import { lockFor } from '../db/knex.ts';
import type { Account } from '../accounts/accounts.repo.ts';
import type { AccountsService } from '../accounts/accounts.service.ts';
import type { AuditService } from '../audit/audit.service.ts';
import type { Directory, DirectoryUser } from '../directory/directory.ts';
import { AppError } from '../http/errors.ts';
import { resetReason, type ChangeContext } from '../mfa/factors.service.ts';
import type { Message } from '../notify/outbox.repo.ts';
import type { Clock } from '../shared/clock.ts';
import type { Agencies } from './agencies.ts';
import { agencyCode } from './agencies.ts';
import type { RolesRepo, StoredGrant } from './roles.repo.ts';
import { GLOBAL_ROLES, isGlobalRole, type GlobalRole, type Holder, type RoleGrant, type RolesService } from './roles.service.ts';

/** What an administrator asks for when granting a global role. */
export interface GrantRequest {
  login: string;
  role: unknown;
  agency?: string;
  reason: unknown;
  until?: Date;
}

/** A grant ends at most this far ahead; longer is a grant without an end, decided as such. */
const GRANT_MAX_DAYS = 5 * 366;

/** A role as the audit trail's before/after lists it. */
const label = (g: { role: string; agency?: string | null }) => (g.agency ? `${g.role}:${g.agency}` : g.role);

/**
 * Global roles granted and ended in the admin console (issue 10 §3). Only administrators grant; nobody raises their
 * own rights (no grant or revocation for oneself); an agency administrator's agency must be a known, active agency.
 * A change is audited with the person's roles before and after, in one transaction with the change and the e-mail
 * that tells the person; it counts from their next request, since roles are read on every request.
 */
export const createGrantsService = (deps: {
  knex: Knex;
  repo: RolesRepo;
  roles: RolesService;
  agencies: Agencies;
  directory: Directory;
  accounts: AccountsService;
  audit: AuditService;
  clock: Clock;
  issuer: string;
  enqueue: (messages: Message[], trx: Knex) => Promise<unknown>;
  flush: () => Promise<unknown>;
}) => {
  const requireAdministrator = (admin: Holder) => {
    if (!admin.roles.some((g) => g.role === 'administrator')) throw new AppError('roles.forbidden', 403);
  };

  const personOf = async (login: string): Promise<DirectoryUser> => {
    const person = login && login.length <= 256 ? await deps.directory.findUser(login) : null;
    if (!person) throw new AppError('admin.people.not_found', 404, { login: login.slice(0, 64) });
    return person;
  };

  const rolesOf = async (person: DirectoryUser, trx?: Knex.Transaction): Promise<RoleGrant[]> =>
    deps.roles.globalRoles({ username: person.username, directoryId: person.id, profile: { groups: person.groups } }, trx);

  /** The e-mail that tells a person their roles changed (both languages: the outbox has no language preference). */
  const notice = (person: DirectoryUser, change: 'granted' | 'revoked', role: string, reason: string): Message[] =>
    person.email
      ? [
          {
            recipient: person.email,
            subject: change === 'granted' ? `Satu Akun: Anda mendapat peran ${role} / You were given the role ${role}` : `Satu Akun: peran ${role} Anda dicabut / Your role ${role} was removed`,
            body: [
              `Yth. ${person.name},`,
              '',
              change === 'granted' ? `Anda sekarang memegang peran "${role}" di Satu Akun.` : `Peran "${role}" Anda di Satu Akun telah dicabut.`,
              `Alasan: ${reason}`,
              `Lihat di ${new URL('/admin', deps.issuer).href}. Bila ini keliru, hubungi Diskominfo.`,
              '',
              change === 'granted' ? `You now hold the role "${role}" in Satu Akun.` : `Your role "${role}" in Satu Akun has been removed.`,
              `Reason: ${reason}`,
              'If this is a mistake, contact Diskominfo.',
            ].join('\n'),
          },
        ]
      : [];

  const subjectOf = async (person: DirectoryUser) => (await deps.accounts.findByDirectoryId(person.id))?.sub ?? `directory:${person.id}`;

  return {
    /** What the console's roles page shows: console grants (live and recently ended), and the read-only sources. */
    async overview(admin: Holder) {
      requireAdministrator(admin);
      const now = deps.clock.now();
      return { grants: await deps.repo.allLive(now), ended: await deps.repo.recentlyEnded(now, 20), configured: deps.roles.configured(), groups: deps.roles.groups(), agencies: await deps.agencies.list(), roles: GLOBAL_ROLES };
    },

    /** Grants `request.role` to the person `request.login` names. 400/403/404/409 as the rules above. */
    async grant(admin: Holder<Account>, request: GrantRequest, ctx: ChangeContext): Promise<StoredGrant> {
      requireAdministrator(admin);
      if (!isGlobalRole(request.role)) throw new AppError('roles.choose_role', 400);
      const role: GlobalRole = request.role;
      const reason = resetReason(request.reason);
      const person = await personOf(request.login);
      if (person.id === admin.account.directoryId) throw new AppError('roles.self', 403);
      let agency: string | null = null;
      if (role === 'agencyAdministrator') {
        if (!request.agency?.trim()) throw new AppError('roles.agency_required', 400);
        const known = await deps.agencies.find(request.agency);
        if (!known?.active) throw new AppError('roles.agency_unknown', 400, { agency: agencyCode(request.agency).slice(0, 64) });
        agency = known.code;
      }
      const now = deps.clock.now();
      if (request.until && !(request.until > now && request.until.getTime() - now.getTime() <= GRANT_MAX_DAYS * 86_400_000)) {
        throw new AppError('roles.until_invalid', 400);
      }
      const subject = await subjectOf(person);
      const grant = await deps.knex.transaction(async (trx) => {
        // Checked under the person's lock: the same grant sent twice at once is made once.
        await lockFor(trx, `role-grants:${person.id}`);
        const before = await rolesOf(person, trx);
        if (before.some((g) => g.source === 'console' && g.role === role && (g.agency ?? null) === agency)) throw new AppError('roles.already', 409);
        const fields = { directoryId: person.id, login: person.username, role, agency, reason, grantedBy: admin.account.sub, grantedAt: now, expiresAt: request.until ?? null };
        const id = await deps.repo.insert(fields, trx);
        const after = [...before.map(label), label({ role, agency })];
        await deps.audit.record(
          {
            event: 'role.granted',
            actor: admin.account.sub,
            subject,
            clientId: ctx.clientId ?? null,
            ip: ctx.ip,
            details: { grantId: id, role, ...(agency ? { agency } : {}), reason, ...(request.until ? { expiresAt: request.until.toISOString() } : {}), before: before.map(label), after },
          },
          trx,
        );
        await deps.enqueue(notice(person, 'granted', label({ role, agency }), reason), trx);
        return { ...fields, id, revokedAt: null, revokedBy: null, revokeReason: null, reviewNote: null };
      });
      void deps.flush().catch(() => undefined);
      return grant;
    },

    /** Keeps a grant flagged at the person's transfer (an administrator reviewed it): the flag goes, audited. */
    async keep(admin: Holder<Account>, id: number, ctx: ChangeContext): Promise<void> {
      requireAdministrator(admin);
      const grant = Number.isSafeInteger(id) ? await deps.repo.find(id) : undefined;
      if (!grant?.reviewNote) throw new AppError('roles.not_found', 404);
      if (grant.directoryId === admin.account.directoryId) throw new AppError('roles.self', 403);
      const subject = (await deps.accounts.findByDirectoryId(grant.directoryId))?.sub ?? `directory:${grant.directoryId}`;
      await deps.knex.transaction(async (trx) => {
        if (!(await deps.repo.keep(id, trx))) throw new AppError('roles.not_found', 404);
        await deps.audit.record(
          { event: 'role.kept', actor: admin.account.sub, subject, clientId: ctx.clientId ?? null, ip: ctx.ip, details: { grantId: id, role: grant.role, ...(grant.agency ? { agency: grant.agency } : {}), note: grant.reviewNote! } },
          trx,
        );
      });
    },

    /** Ends the console grant `id`, with a reason. 403 for one's own grant; 404 unknown; 409 ended already. */
    async revoke(admin: Holder<Account>, id: number, rawReason: unknown, ctx: ChangeContext): Promise<StoredGrant> {
      requireAdministrator(admin);
      const reason = resetReason(rawReason);
      const grant = Number.isSafeInteger(id) ? await deps.repo.find(id) : undefined;
      if (!grant) throw new AppError('roles.not_found', 404);
      if (grant.directoryId === admin.account.directoryId) throw new AppError('roles.self', 403);
      const person = await deps.directory.findUser(grant.login).catch(() => null);
      const before = person?.id === grant.directoryId ? await rolesOf(person) : [];
      const subject = person?.id === grant.directoryId ? await subjectOf(person) : `directory:${grant.directoryId}`;
      await deps.knex.transaction(async (trx) => {
        if (!(await deps.repo.revoke(id, admin.account.sub, reason, deps.clock.now(), trx))) throw new AppError('roles.ended_already', 409);
        const after = before.filter((g) => g.id !== id).map(label);
        await deps.audit.record(
          { event: 'role.revoked', actor: admin.account.sub, subject, clientId: ctx.clientId ?? null, ip: ctx.ip, details: { grantId: id, role: grant.role, ...(grant.agency ? { agency: grant.agency } : {}), reason, before: before.map(label), after } },
          trx,
        );
        if (person) await deps.enqueue(notice(person, 'revoked', label(grant), reason), trx);
      });
      void deps.flush().catch(() => undefined);
      return grant;
    },
  };
};

export type GrantsService = ReturnType<typeof createGrantsService>;
