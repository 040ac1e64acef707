import type { Knex } from 'knex';
import { toDate } from '../db/knex.ts';
import { AppError } from '../http/errors.ts';
import type { AuditService } from '../audit/audit.service.ts';
import type { Clock } from '../shared/clock.ts';
import { lockFor } from '../db/knex.ts';

/** What an agency code may look like: `DINKES`, `KEC-SUKAMAJU`, `UPT-PUSKESMAS-1`. */
const CODE = /^[A-Z0-9][A-Z0-9_.-]{0,63}$/;

/** A regency agency (OPD): its code, name, and the agency it belongs to (a UPT under a Dinas, a Kelurahan under a Kecamatan). */
export interface Agency {
  code: string;
  name: string;
  parentCode: string | null;
  active: boolean;
  /** `directory`: first seen as a value in the directory; `console`: added or edited by an administrator. */
  source: 'directory' | 'console';
  updatedAt: Date;
}

interface Row {
  code: string;
  name: string;
  parent_code: string | null;
  active: boolean | number;
  source: string;
  updated_at: unknown;
}

const toAgency = (r: Row): Agency => ({ code: r.code, name: r.name, parentCode: r.parent_code, active: !!r.active, source: r.source as Agency['source'], updatedAt: toDate(r.updated_at)! });

/** An agency code as Satu Akun keeps it: trimmed, upper-case. */
export const agencyCode = (value: string): string => value.trim().toUpperCase();

/**
 * The agency list (issue 10 §4), in SQL: filled from the directory's values as people sign in (a new code is added,
 * an existing one is left as the administrators made it), editable by administrators (name, parent, active). Scopes
 * of agency administrators include the sub-units below their agency.
 */
export const createAgencies = (deps: { knex: Knex; clock: Clock; audit: AuditService }) => {
  const { knex } = deps;
  return {
    list: async (): Promise<Agency[]> => (await knex<Row>('agencies').orderBy('code')).map(toAgency),

    find: async (code: string): Promise<Agency | undefined> => {
      const row = await knex<Row>('agencies').where({ code: agencyCode(code) }).first();
      return row && toAgency(row);
    },

    /** Adds an agency the directory names, unless it is known already (the console's edits win). */
    async seen(code: string | undefined, name: string | undefined, db: Knex = knex): Promise<void> {
      // A value that cannot be an agency code (too long, odd characters) is not listed: a sign-in never fails for it.
      if (!code || !CODE.test(agencyCode(code))) return;
      await db('agencies')
        .insert({ code: agencyCode(code), name: (name?.trim() || agencyCode(code)).slice(0, 255), parent_code: null, active: true, source: 'directory', updated_at: deps.clock.now().toISOString() })
        .onConflict('code')
        .ignore();
    },

    /**
     * An administrator's edit (or addition) of one agency: 400 for a malformed code or name, or a parent that is
     * unknown, itself, or below it (a circle).
     */
    async save(agency: { code: string; name: string; parentCode: string | null; active: boolean }, by: { actor: string; ip: string; clientId?: string }): Promise<void> {
      const code = agencyCode(agency.code);
      if (!CODE.test(code)) throw new AppError('agencies.invalid_code', 400);
      const name = agency.name.trim();
      if (!name || name.length > 255) throw new AppError('agencies.invalid_name', 400);
      const parent = agency.parentCode?.trim() ? agencyCode(agency.parentCode) : null;
      await knex.transaction(async (trx) => {
        // The parents are checked under one lock: two opposite parents saved at once cannot make a circle.
        await lockFor(trx, 'agencies');
        if (parent) {
          const parents = new Map(((await trx('agencies').select('code', 'parent_code')) as Pick<Row, 'code' | 'parent_code'>[]).map((a) => [a.code, a.parent_code]));
          let at: string | null | undefined = parent;
          const seen = new Set<string>();
          if (!parents.has(parent)) throw new AppError('agencies.invalid_parent', 400);
          while (at && !seen.has(at)) {
            if (at === code) throw new AppError('agencies.invalid_parent', 400);
            seen.add(at);
            at = parents.get(at);
          }
        }
        const before = await trx<Row>('agencies').where({ code }).first();
        const after = { name, parent, active: agency.active };
        await trx('agencies').insert({ code, name, parent_code: parent, active: agency.active, source: 'console', updated_at: deps.clock.now().toISOString() }).onConflict('code').merge();
        const was = before && { name: before.name, parent: before.parent_code, active: !!before.active };
        // `agency`, not `code`: the audit trail drops keys that read like secrets (`code`).
        await deps.audit.record({ event: 'agency.saved', actor: by.actor, subject: `agency:${code}`, clientId: by.clientId ?? null, ip: by.ip, details: { agency: code, ...(was ? { before: was } : {}), after } }, trx);
      });
    },

    /** `codes` and every agency below them (following parents, cycles ignored). */
    async within(codes: string[]): Promise<Set<string>> {
      const all = (await knex<Row>('agencies').select('code', 'parent_code')) as Pick<Row, 'code' | 'parent_code'>[];
      const children = new Map<string, string[]>();
      for (const a of all) if (a.parent_code) children.set(a.parent_code, [...(children.get(a.parent_code) ?? []), a.code]);
      const found = new Set(codes.map(agencyCode));
      const queue = [...found];
      while (queue.length) {
        for (const child of children.get(queue.shift()!) ?? []) {
          if (!found.has(child)) {
            found.add(child);
            queue.push(child);
          }
        }
      }
      return found;
    },
  };
};

export type Agencies = ReturnType<typeof createAgencies>;
