import type { Readable } from 'node:stream';
import { personNames } from '../accounts/person-names.ts';
import type { Profile } from '../accounts/accounts.repo.ts';
import type { ClientRegistry } from '../clients/app.ts';
import { AppError } from '../http/errors.ts';
import type { Agencies } from '../roles/agencies.ts';
import type { RoleGrant } from '../roles/roles.service.ts';
import type { Clock } from '../shared/clock.ts';
import type { Logger } from '../shared/logger.ts';
import { GENESIS_HASH, hashRecord, type AuditService } from './audit.service.ts';
import type { AuditRow } from './audit.repo.ts';
import { resultOf } from './audit-view.events.ts';
import { diff, type Change } from './audit-view.diff.ts';
import { EXPORT_FORMAT, exportStream, type ExportFormat } from './audit-view.export.ts';
import type { Criteria, RawFilter } from './audit-view.filter.ts';
import type { AgencySet, AuditViewRepo, ViewQuery } from './audit-view.repo.ts';

export const PAGE_SIZE = 50;

/** Who reads the trail: their account and global roles. */
export interface Viewer {
  account: { sub: string };
  roles: RoleGrant[];
}

/** Where a reading comes from, for its own audit record. */
export interface ReadContext {
  ip: string;
  clientId: string;
}

/** One record as a list row: people and the app named when Satu Akun knows them. */
export interface RecordLine {
  seq: number;
  at: Date;
  event: string;
  actor: string | null;
  actorName?: string;
  subject: string | null;
  subjectName?: string;
  app: string | null;
  appName?: string;
  result: 'success' | 'failure';
}

/** A record's own page: every field, the details, the change it made, and its place in the chain. */
export interface RecordPage extends RecordLine {
  row: AuditRow;
  details: { field: string; value: unknown }[] | null;
  /** The details as stored when they are not JSON (a tampered record). */
  rawDetails?: string;
  changes?: Change[];
  /** The stored hash is the hash of the stored fields. */
  recomputes: boolean;
  /** The stored prev_hash is the previous record's hash (undefined: the previous record is gone). */
  follows?: boolean;
  previous?: number;
  next?: number;
}

const READ_ALL: readonly string[] = ['administrator', 'auditor'];

/**
 * The audit viewer's rules (issue 13 §1): who sees which records (administrators and auditors all of them, an agency
 * administrator those about people and apps of their agencies), people named by login resolved to what the trail
 * records, names for subs, and every reading recorded in the trail itself.
 */
export const createAuditViewService = (deps: { repo: AuditViewRepo; audit: AuditService; agencies: Agencies; clients: ClientRegistry; clock: Clock; logger: Logger }) => {
  const { repo } = deps;

  /** Agency codes with the configured apps they own (registered apps are found in SQL). */
  const agencySet = async (codes: string[]): Promise<AgencySet> => {
    const wanted = new Set(codes);
    const apps = (await deps.clients.list()).filter((a) => a.agency && wanted.has(a.agency.toUpperCase())).map((a) => a.clientId);
    return { codes, apps };
  };

  /** An agency administrator's agencies and those below them; undefined for those who read everything. */
  const scopeOf = async (viewer: Viewer): Promise<AgencySet | undefined> => {
    if (viewer.roles.some((g) => READ_ALL.includes(g.role))) return undefined;
    const own = viewer.roles.filter((g) => g.role === 'agencyAdministrator' && g.agency).map((g) => g.agency!);
    if (!own.length) throw new AppError('auditview.forbidden', 403);
    return agencySet([...(await deps.agencies.within(own))]);
  };

  /** The values a person may appear as in the trail: as given, and each account it names by sub and directory id. */
  const appearsAs = async (value: string): Promise<string[]> => {
    const accounts = await repo.accountsNamed(value);
    return [...new Set([value, ...accounts.flatMap((a) => [a.sub, `directory:${a.directory_id}`])])];
  };

  const queryOf = async (viewer: Viewer, c: Criteria): Promise<ViewQuery> => {
    const { actor, subject, agency, ...criteria } = c;
    return {
      criteria,
      ...(actor ? { actors: await appearsAs(actor) } : {}),
      ...(subject ? { subjects: await appearsAs(subject) } : {}),
      ...(agency ? { agencies: await agencySet([agency]) } : {}),
      ...(await scopeOf(viewer).then((scope) => (scope ? { scope } : {}))),
    };
  };

  /** Names for the people and apps of `rows`: "Dewi Lestari (Dinas Kesehatan)", the app's name. */
  const lines = async (rows: AuditRow[]): Promise<RecordLine[]> => {
    const who = rows.flatMap((r) => [r.actor, r.subject]).filter((v): v is string => !!v);
    const dirIds = who.filter((v) => v.startsWith('directory:')).map((v) => v.slice('directory:'.length));
    const found = await repo.profiles(who.filter((v) => !v.includes(':')), dirIds);
    const byKey = new Map<string, { profile: Profile }>();
    for (const a of found) {
      const entry = { profile: JSON.parse(a.profile) as Profile };
      byKey.set(a.sub, entry);
      byKey.set(`directory:${a.directory_id}`, entry);
    }
    const names = await personNames({ find: async (key) => byKey.get(key) }, who);
    const apps = new Map<string, string>();
    for (const id of new Set(rows.map((r) => r.client_id).filter((v): v is string => !!v))) {
      const app = await deps.clients.find(id);
      if (app) apps.set(id, app.name);
    }
    return rows.map((r) => ({
      seq: r.seq,
      at: new Date(r.at),
      event: r.event,
      actor: r.actor,
      subject: r.subject,
      app: r.client_id,
      result: resultOf(r.event),
      ...(r.actor && names.has(r.actor) ? { actorName: names.get(r.actor)! } : {}),
      ...(r.subject && names.has(r.subject) ? { subjectName: names.get(r.subject)! } : {}),
      ...(r.client_id && apps.has(r.client_id) ? { appName: apps.get(r.client_id)! } : {}),
    }));
  };

  /** The person a reading is about, for its record's subject: the account the subject filter names, else as typed. */
  const subjectOf = async (raw: RawFilter) => (raw.subject ? ((await repo.accountsNamed(raw.subject))[0]?.sub ?? raw.subject) : null);

  return {
    /** Whether this viewer may start a verification of the whole chain (it reads every record). */
    mayVerify: (viewer: Viewer) => viewer.roles.some((g) => READ_ALL.includes(g.role)),

    /** One page, newest first, and the cursor of the next; the reading is recorded. */
    async page(viewer: Viewer, raw: RawFilter, c: Criteria, by: ReadContext): Promise<{ lines: RecordLine[]; next?: number }> {
      const rows = await repo.page(await queryOf(viewer, c), PAGE_SIZE + 1);
      const shown = rows.slice(0, PAGE_SIZE);
      await deps.audit.record({ event: 'audit.viewed', actor: viewer.account.sub, subject: await subjectOf(raw), clientId: by.clientId, ip: by.ip, details: { filter: { ...raw, ...(c.before ? { before: String(c.before) } : {}) } } });
      return { lines: await lines(shown), ...(rows.length > PAGE_SIZE ? { next: shown.at(-1)!.seq } : {}) };
    },

    /** One record's page (404 when it does not exist or is outside the viewer's agencies); the reading is recorded. */
    async record(viewer: Viewer, seq: number, by: ReadContext): Promise<RecordPage> {
      const query = await queryOf(viewer, {});
      const row = await repo.one(seq, query);
      if (!row) throw new AppError('auditview.not_found', 404, { seq });
      const [line] = await lines([row]);
      const before = seq > 1 ? await repo.one(seq - 1, { criteria: {} }) : undefined;
      let parsed: unknown;
      let rawDetails: string | undefined;
      try {
        parsed = row.details === null ? null : JSON.parse(row.details);
      } catch {
        rawDetails = row.details!;
      }
      const obj = parsed && typeof parsed === 'object' && !Array.isArray(parsed) ? (parsed as Record<string, unknown>) : undefined;
      const changes = obj && 'after' in obj ? diff(obj.before, obj.after) : undefined;
      const details = obj ? Object.entries(obj).filter(([k]) => !changes || (k !== 'before' && k !== 'after')).map(([field, value]) => ({ field, value })) : parsed === null || parsed === undefined ? null : [{ field: '', value: parsed }];
      await deps.audit.record({ event: 'audit.viewed', actor: viewer.account.sub, subject: row.subject, clientId: by.clientId, ip: by.ip, details: { seq } });
      return {
        ...line!,
        row,
        details,
        ...(rawDetails !== undefined ? { rawDetails } : {}),
        ...(changes ? { changes } : {}),
        recomputes: hashRecord(row) === row.hash,
        ...(seq === 1 ? { follows: row.prev_hash === GENESIS_HASH } : before ? { follows: before.hash === row.prev_hash } : {}),
        ...(await repo.neighbour(seq, query, 'previous').then((s) => (s ? { previous: s } : {}))),
        ...(await repo.neighbour(seq, query, 'next').then((s) => (s ? { next: s } : {}))),
      };
    },

    /**
     * The filtered records, oldest first, as a stream, up to the head as it stood when the export began (its header
     * names that head). The export is recorded, with its record count, before the first byte is sent.
     */
    async export(viewer: Viewer, raw: RawFilter, c: Criteria, format: ExportFormat, by: ReadContext): Promise<{ stream: Readable; records: number }> {
      const query = await queryOf(viewer, c);
      const head = await deps.audit.head();
      const records = await repo.count(query, head.seq);
      const filter = { ...raw, ...(c.before ? { before: String(c.before) } : {}) };
      await deps.audit.record({ event: 'audit.exported', actor: viewer.account.sub, subject: await subjectOf(raw), clientId: by.clientId, ip: by.ip, details: { format, filter, records } });
      // An agency administrator's export holds their agencies' records only: the header says so, so the file is never
      // taken for the whole trail (where a gap would be a missing record).
      const scope = query.scope ? { scope: query.scope.codes } : {};
      const header = { format: EXPORT_FORMAT, exportedAt: deps.clock.now().toISOString(), filter, ...scope, head } as const;
      return { stream: exportStream(format, header, repo.batches(query, head.seq), deps.logger), records };
    },
  };
};

export type AuditViewService = ReturnType<typeof createAuditViewService>;
