import type { Knex } from 'knex';

/** A table privilege the service may hold, or USAGE on a sequence (what `INSERT` on a serial column needs). */
export type Privilege = 'SELECT' | 'INSERT' | 'UPDATE' | 'DELETE' | 'USAGE';

/** What the service role needs on an ordinary table: it reads, writes and prunes its rows. */
const READ_WRITE: readonly Privilege[] = ['SELECT', 'INSERT', 'UPDATE', 'DELETE'];

/**
 * Tables where the service needs less than READ_WRITE. Every other table of the schema, including those of later
 * migrations, needs READ_WRITE. The audit trail is appended to and its head moved forward (the triggers of migration
 * 003 refuse the rest anyway); the knex tables are only read, to check that the schema is current (see `migrate`).
 */
const LESS: Record<string, readonly Privilege[]> = {
  audit_log: ['SELECT', 'INSERT'],
  audit_head: ['SELECT', 'UPDATE'],
  // Written only by `audit archive`, as the owner; the service reads it to verify from the newest archive.
  audit_archives: ['SELECT'],
  // Outcomes of the console's chain checks (migration 015) are added, never changed.
  audit_verifications: ['SELECT', 'INSERT'],
  knex_migrations: ['SELECT'],
  knex_migrations_lock: ['SELECT'],
};

/** A privilege the service role lacks: `on` is a table or sequence of the schema, or the schema itself. */
export interface MissingPrivilege {
  privilege: Privilege;
  on: string;
  kind: 'table' | 'sequence' | 'schema';
}

interface Relation {
  name: string;
  kind: 'table' | 'sequence';
  /** For a sequence: the table whose serial or identity column it feeds. */
  table: string | null;
}

/** The tables and sequences of the schema the service uses (the first of its search_path), one catalog query. */
const RELATIONS = `
  select c.relname as name, case when c.relkind = 'S' then 'sequence' else 'table' end as kind, t.relname as "table",
    case when c.relkind = 'S' then has_sequence_privilege(c.oid, 'USAGE') end as "USAGE",
    case when c.relkind <> 'S' then has_table_privilege(c.oid, 'SELECT') end as "SELECT",
    case when c.relkind <> 'S' then has_table_privilege(c.oid, 'INSERT') end as "INSERT",
    case when c.relkind <> 'S' then has_table_privilege(c.oid, 'UPDATE') end as "UPDATE",
    case when c.relkind <> 'S' then has_table_privilege(c.oid, 'DELETE') end as "DELETE",
    has_schema_privilege(n.oid, 'USAGE') as schema_usage, n.nspname as schema
  from pg_class c
  join pg_namespace n on n.oid = c.relnamespace
  left join pg_depend d on c.relkind = 'S' and d.classid = 'pg_class'::regclass and d.objid = c.oid
    and d.refclassid = 'pg_class'::regclass and d.deptype in ('a', 'i')
  left join pg_class t on t.oid = d.refobjid
  where n.nspname = current_schema() and c.relkind in ('r', 'p', 'S')
  order by c.relname`;

/** What the service needs on one relation: a sequence needs USAGE when its table takes INSERTs. */
const needs = (relation: Relation): readonly Privilege[] => {
  if (relation.kind === 'table') return LESS[relation.name] ?? READ_WRITE;
  return relation.table && (LESS[relation.table] ?? READ_WRITE).includes('INSERT') ? ['USAGE'] : [];
};

/** The privileges the connected role lacks on the schema's tables and sequences (PostgreSQL; one query). */
export const missingPrivileges = async (knex: Knex): Promise<MissingPrivilege[]> => {
  const { rows } = (await knex.raw(RELATIONS)) as { rows: (Relation & Record<string, unknown>)[] };
  const missing: MissingPrivilege[] = [];
  if (rows[0] && !rows[0].schema_usage) missing.push({ privilege: 'USAGE', on: String(rows[0].schema), kind: 'schema' });
  for (const row of rows) for (const privilege of needs(row)) if (row[privilege] !== true) missing.push({ privilege, on: row.name, kind: row.kind });
  return missing;
};

/** `INSERT on apps, USAGE on sequence app_events_id_seq`: for the log and the readiness answer (no secrets in it). */
export const describeMissing = (missing: MissingPrivilege[]): string =>
  missing.map((m) => `${m.privilege} on ${m.kind === 'table' ? '' : `${m.kind} `}${m.on}`).join(', ');

const PROBE_CACHE_MS = 5000;

/**
 * The readiness probe of the service role's privileges: rejects naming every missing one. Readiness is asked often
 * (every few seconds by each load balancer), so an answer is reused for 5 s and concurrent asks share one query.
 */
export const createPrivilegesProbe = (knex: Knex, now: () => number = Date.now) => {
  let last: { at: number; missing: MissingPrivilege[] } | undefined;
  let running: Promise<MissingPrivilege[]> | undefined;
  return async (): Promise<void> => {
    if (!last || now() - last.at >= PROBE_CACHE_MS) {
      running ??= missingPrivileges(knex)
        .then((missing) => ((last = { at: now(), missing }), missing))
        .finally(() => (running = undefined));
      await running;
    }
    if (last!.missing.length) throw new Error(`the database role lacks: ${describeMissing(last!.missing)}`);
  };
};

/** A PostgreSQL role name this command accepts: an SQL identifier, not reserved, at most 63 bytes. */
export const ROLE_NAME = /^[A-Za-z_][A-Za-z0-9_]{0,62}$/;

/** Why `grantServicePrivileges` refused; `key` names the message in src/i18n/messages-cli.ts. */
export class GrantRefused extends Error {
  constructor(
    readonly key: 'migrate.grant.badRole' | 'migrate.grant.noRole' | 'migrate.grant.isOwner',
    readonly role: string,
  ) {
    super(`${key}: ${role}`);
  }
}

/** Refuses a role name that is not a plain identifier, `public`, or a reserved `pg_` name, before any query. */
export const checkRoleName = (role: string): void => {
  if (!ROLE_NAME.test(role) || /^pg_/i.test(role) || role.toLowerCase() === 'public') throw new GrantRefused('migrate.grant.badRole', role);
};

/**
 * Gives `role` exactly what the service needs on every table and sequence of the schema, and nothing else on them:
 * run by the schema owner after migrating. One transaction: the running service never sees a half-granted schema.
 * Identifiers are quoted by knex (`??`), the privileges come from the fixed lists above.
 */
export const grantServicePrivileges = async (knex: Knex, role: string): Promise<{ tables: number; sequences: number }> => {
  checkRoleName(role);
  return knex.transaction(async (trx) => {
    const found = (await trx.raw('select rolname = current_user as is_me from pg_roles where rolname = ?', [role])) as { rows: { is_me: boolean }[] };
    if (!found.rows.length) throw new GrantRefused('migrate.grant.noRole', role);
    const owns = (await trx.raw(
      `select 1 from pg_class c join pg_namespace n on n.oid = c.relnamespace
       where n.nspname = current_schema() and c.relkind in ('r', 'p', 'S') and c.relowner = (select oid from pg_roles where rolname = ?) limit 1`,
      [role],
    )) as { rows: unknown[] };
    // Revoking from the owner would strip the schema owner; the service must not own the tables (README, PostgreSQL).
    if (found.rows[0]!.is_me || owns.rows.length) throw new GrantRefused('migrate.grant.isOwner', role);

    const { rows } = (await trx.raw(RELATIONS)) as { rows: (Relation & { schema: string })[] };
    const schema = ((await trx.raw('select current_schema() as s')) as { rows: { s: string }[] }).rows[0]!.s;
    await trx.raw('grant usage on schema ?? to ??', [schema, role]);
    for (const relation of rows) {
      const kind = relation.kind === 'table' ? 'table' : 'sequence';
      await trx.raw(`revoke all on ${kind} ??.?? from ??`, [schema, relation.name, role]);
      const privileges = needs(relation);
      if (privileges.length) await trx.raw(`grant ${privileges.join(', ')} on ${kind} ??.?? to ??`, [schema, relation.name, role]);
    }
    return { tables: rows.filter((r) => r.kind === 'table').length, sequences: rows.filter((r) => r.kind === 'sequence').length };
  });
};
