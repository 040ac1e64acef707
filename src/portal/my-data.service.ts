import type { Account } from '../accounts/accounts.repo.ts';
import type { AccountsService } from '../accounts/accounts.service.ts';
import type { AuditService } from '../audit/audit.service.ts';
import type { ClientRegistry } from '../clients/app.ts';
import { SCOPES } from '../clients/registration.schema.ts';
import type { ConsentService } from '../consent/consent.service.ts';
import { AppError } from '../http/errors.ts';
import type { FactorsService } from '../mfa/factors.service.ts';
import type { TotpRow } from '../mfa/mfa.repo.ts';
import type { AppRoleGrant } from '../roles/app-roles.repo.ts';
import type { RolesService } from '../roles/roles.service.ts';
import type { SessionsService, SessionView } from '../sessions/sessions.service.ts';
import type { Clock } from '../shared/clock.ts';

/** The newest audit records a download holds: enough for years of a person's own trail, served in well under a second. */
export const EXPORT_AUDIT_LIMIT = 1000;
/** Sessions listed in a download (a person has a handful; this bounds a pathological case). */
const EXPORT_SESSIONS_LIMIT = 500;
const TOTP_PERIOD_SECONDS = 30;

/** One scope an app receives, and why: the purpose approved in its review, or none stated (the clients file). */
export interface SharedScope {
  scope: string;
  purpose?: string;
}

/** One app in "Data saya". */
export interface AppData {
  clientId: string;
  name: string;
  agency?: string;
  /** The regency's own app: it receives the data without asking (issue 11 §6). */
  firstParty: boolean;
  /** No longer live (suspended or retired): it receives nothing now, though the agreement is still on record. */
  inactive: boolean;
  /** Where the purposes come from: the app's review, or Diskominfo's configuration (the clients file, no purposes). */
  purposesFrom: 'review' | 'diskominfo';
  /** The agreement on record (absent: used, but nothing agreed now — e.g. withdrawn). */
  consent?: { scopes: SharedScope[]; since: Date };
  signIns?: { firstAt: Date; lastAt: Date };
}

/** How the request came: recorded with the withdrawal and the export. */
export interface Where {
  ip: string;
  clientId?: string;
}

const order = (scopes: string[]) => [...scopes].sort((a, b) => (SCOPES as readonly string[]).indexOf(a) - (SCOPES as readonly string[]).indexOf(b));
const iso = (d: Date | null | undefined) => (d ? d.toISOString() : null);

/**
 * "Data saya" (UU 27/2022 on personal data protection): what each app receives of the person's data and why, since when
 * and last used; withdrawing an app's agreement; and everything Satu Akun holds about the person, as a download.
 */
export const createMyDataService = (deps: {
  clients: ClientRegistry;
  consent: ConsentService;
  accounts: Pick<AccountsService, 'appSignIns'>;
  sessions: SessionsService;
  factors: Pick<FactorsService, 'summary'>;
  /** The authenticator app's row, for its dates only: its secret never leaves this service. */
  totp: { findTotp(sub: string): Promise<TotpRow | undefined> };
  roles: Pick<RolesService, 'globalRoles'>;
  appRoleGrants: (directoryId: string, now: Date) => Promise<AppRoleGrant[]>;
  audit: AuditService;
  clock: Clock;
}) => {
  const overview = async (sub: string): Promise<AppData[]> => {
    const [records, signIns] = await Promise.all([deps.consent.records(sub), deps.accounts.appSignIns(sub)]);
    const ids = [...new Set([...records.map((r) => r.clientId), ...signIns.map((s) => s.clientId)])];
    const entries = await Promise.all(
      ids.map(async (clientId): Promise<AppData | undefined> => {
        const app = await deps.clients.find(clientId);
        // Satu Akun's own pages are not apps the person chose: nothing leaves Satu Akun there.
        if (app?.satuAkunZone) return undefined;
        const record = records.find((r) => r.clientId === clientId);
        const used = signIns.find((s) => s.clientId === clientId);
        const purposes = app?.purposes;
        return {
          clientId,
          name: app?.name ?? clientId,
          ...(app?.agency ? { agency: app.agency } : {}),
          firstParty: app?.firstParty ?? false,
          inactive: !app,
          purposesFrom: purposes ? 'review' : 'diskominfo',
          ...(record ? { consent: { scopes: order(record.scopes).map((scope) => ({ scope, ...(purposes?.[scope] ? { purpose: purposes[scope] } : {}) })), since: record.decidedAt } } : {}),
          ...(used ? { signIns: { firstAt: used.firstAt, lastAt: used.lastAt } } : {}),
        };
      }),
    );
    const last = (a: AppData) => a.signIns?.lastAt.getTime() ?? a.consent?.since.getTime() ?? 0;
    return entries.filter((e): e is AppData => !!e).sort((a, b) => last(b) - last(a) || a.name.localeCompare(b.name));
  };

  /** One app of the overview with an agreement on record; 404 otherwise (unknown, someone else's, already withdrawn). */
  const consented = async (sub: string, clientId: string): Promise<AppData & { consent: NonNullable<AppData['consent']> }> => {
    const entry = (await overview(sub)).find((a) => a.clientId === clientId);
    if (!entry?.consent) throw new AppError('data.no_consent', 404);
    return entry as AppData & { consent: NonNullable<AppData['consent']> };
  };

  /** Everything Satu Akun holds about the person, as one document (no secret: see README "My account and security"). */
  const everything = async (account: Account) => {
    const { sub } = account;
    const now = deps.clock.now();
    const sessions: SessionView[] = [];
    for (let offset = 0; offset < EXPORT_SESSIONS_LIMIT; offset += 50) {
      const page = await deps.sessions.list(sub, { offset, limit: 50 });
      sessions.push(...page.sessions);
      if (page.sessions.length < 50) break;
    }
    const [apps, factors, totpRow, globalRoles, appRoles, records] = await Promise.all([
      overview(sub),
      deps.factors.summary(sub),
      deps.totp.findTotp(sub),
      deps.roles.globalRoles(account),
      deps.appRoleGrants(account.directoryId, now),
      // Where they are actor or subject: their own actions, and others' about them (failed sign-ins before the account existed name the directory entry).
      deps.audit.list({ involving: [sub, `directory:${account.directoryId}`], limit: EXPORT_AUDIT_LIMIT }),
    ]);
    const appName = async (clientId: string | null) => (clientId ? ((await deps.clients.find(clientId))?.name ?? clientId) : null);
    return {
      format: 'satu-akun-data-export/1',
      exportedAt: now.toISOString(),
      account: {
        sub,
        username: account.username,
        profile: account.profile,
        createdAt: iso(account.createdAt),
        lastSignInAt: iso(account.lastLoginAt),
        state: {
          status: account.status,
          ...(account.statusChange ? { reason: account.statusChange.reason, until: iso(account.statusChange.until), changedAt: iso(account.statusChange.at), changedBy: account.statusChange.by } : {}),
          ...(account.sessionsCutAt !== undefined ? { allSessionsEndedAt: new Date(account.sessionsCutAt * 1000).toISOString() } : {}),
        },
      },
      secondFactors: [
        ...(factors.totp
          ? [{ type: 'totp', label: 'authenticator app', createdAt: iso(factors.totp.confirmedAt), lastUsedAt: totpRow?.lastUsedStep ? new Date(totpRow.lastUsedStep * TOTP_PERIOD_SECONDS * 1000).toISOString() : null }]
          : []),
        ...factors.passkeys.map((p) => ({ type: 'passkey', label: p.name, createdAt: iso(p.createdAt), lastUsedAt: iso(p.lastUsedAt) })),
      ],
      recoveryCodes: { unused: factors.recoveryCodesLeft },
      apps: apps.map((a) => ({
        clientId: a.clientId,
        name: a.name,
        agency: a.agency ?? null,
        firstParty: a.firstParty,
        active: !a.inactive,
        data: a.consent ? a.consent.scopes.map((s) => ({ scope: s.scope, purpose: s.purpose ?? null })) : [],
        purposesFrom: a.purposesFrom,
        consentSince: iso(a.consent?.since),
        firstSignInAt: iso(a.signIns?.firstAt),
        lastSignInAt: iso(a.signIns?.lastAt),
      })),
      sessions: sessions.map((s) => ({
        uid: s.uid,
        browser: s.device.browser ?? null,
        os: s.device.os ?? null,
        ip: s.ip ?? null,
        startedAt: iso(s.startedAt),
        lastActiveAt: iso(s.lastActiveAt),
        expiresAt: iso(s.expiresAt),
        level: s.level,
        apps: s.apps.map((a) => a.name),
      })),
      roles: {
        global: globalRoles.map((g) => ({ role: g.role, agency: g.agency ?? null, source: g.source ?? null, expiresAt: iso(g.expiresAt) })),
        apps: await Promise.all(
          appRoles.map(async (g) => ({ app: await appName(g.clientId), role: g.role, state: g.state, reason: g.reason, grantedAt: iso(g.grantedAt), expiresAt: iso(g.expiresAt) })),
        ),
      },
      auditRecords: {
        limit: EXPORT_AUDIT_LIMIT,
        complete: records.length < EXPORT_AUDIT_LIMIT,
        records: await Promise.all(
          records.map(async (r) => ({ seq: r.seq, at: r.at, event: r.event, app: await appName(r.client_id), actor: r.actor, subject: r.subject, ip: r.ip, details: r.details })),
        ),
      },
    };
  };

  return {
    overview,
    consented,

    /**
     * Withdraws the person's agreement for `clientId`: first every grant of theirs for the app is revoked (tokens with
     * it, the app told by back-channel logout), then the agreement is deleted with its audit record (`consent.withdrawn`),
     * so the notice is shown again at the next sign-in. 404 when there is no agreement.
     */
    async withdraw(sub: string, clientId: string, where: Where): Promise<AppData> {
      const entry = await consented(sub, clientId);
      const grants = await deps.sessions.endApp(sub, clientId);
      await deps.consent.withdraw({ sub, clientId, ip: where.ip, grants });
      return entry;
    },

    /** Everything held about the person, for a download or a page; the access is audited (`account.data_exported`). */
    async export(account: Account, format: 'json' | 'page', where: Where) {
      const data = await everything(account);
      await deps.audit.record({ event: 'account.data_exported', actor: account.sub, subject: account.sub, clientId: where.clientId ?? null, ip: where.ip, details: { format, auditRecords: data.auditRecords.records.length } });
      return data;
    },
  };
};

export type MyDataService = ReturnType<typeof createMyDataService>;
export type DataExport = Awaited<ReturnType<MyDataService['export']>>;
