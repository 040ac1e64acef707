/**
 * The audit viewer at scale (issue 13 §1): fills a database with N chained audit records (default 1,000,000) and
 * times the viewer's queries for each filter: the first page, a deep page through the seq cursor, and exports.
 *
 *   npm run bench:audit                                  # SQLite, 1,000,000 records, in a temporary directory
 *   npm run bench:audit -- --records 10000000            # 10 million
 *   npm run bench:audit -- --pg postgres://u:p@host/db   # also on an EMPTY PostgreSQL database (it is filled)
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import type { Knex } from 'knex';
import { configSchema } from '../src/config/schema.ts';
import { createKnex, migrate } from '../src/db/knex.ts';
import { GENESIS_HASH, hashRecord } from '../src/audit/audit.service.ts';
import type { AuditRow } from '../src/audit/audit.repo.ts';
import { createAuditViewRepo, type ViewQuery } from '../src/audit/audit-view.repo.ts';
import { jsonLine } from '../src/audit/audit-view.export.ts';
import { median } from './measure.ts';

const arg = (name: string) => {
  const at = process.argv.indexOf(`--${name}`);
  return at >= 0 ? process.argv[at + 1] : undefined;
};
const RECORDS = Number(arg('records') ?? 1_000_000);
const PEOPLE = 2000;
const AGENCIES = ['DINKES', 'DISDIK', 'DISKOMINFO', 'SETDA', 'BAPPEDA', 'DPMPTSP', 'INSPEKTORAT', 'KEC-SUKAMAJU', 'BPKAD', 'DISDUKCAPIL'];
const APPS = Array.from({ length: 20 }, (_, i) => `app-${i}`);
// A working day's mix: mostly sign-ins and second factors, some failures, a few administrative changes.
const MIX: [string, number][] = [['signin.success', 55], ['mfa.verified', 15], ['logout', 10], ['signin.failure', 8], ['consent.granted', 5], ['mfa.failed', 3], ['session.ended', 2], ['access.denied', 1], ['role.granted', 1]];
const EVENTS = MIX.flatMap(([e, n]) => Array<string>(n).fill(e));

/** A small deterministic generator, so every run (and both databases) holds the same trail. */
const random = (seed: number) => () => ((seed = (seed * 1103515245 + 12345) % 2 ** 31) / 2 ** 31);
const sub = (i: number) => `sub-${String(i).padStart(6, '0')}`;

const fill = async (knex: Knex) => {
  await knex.batchInsert(
    'accounts',
    Array.from({ length: PEOPLE }, (_, i) => ({ sub: sub(i), directory_id: `dir-${i}`, username: `person.${i}`, status: 'active', profile: JSON.stringify({ username: `person.${i}`, name: `Person ${i}`, agencyCode: AGENCIES[i % AGENCIES.length], agencyName: AGENCIES[i % AGENCIES.length] }), created_at: new Date().toISOString() })),
    200,
  );
  const rand = random(42);
  const start = Date.parse('2025-01-01T00:00:00.000Z');
  // One year of records, evenly spread: about 2,700 a day at a million.
  const step = (365 * 86_400_000) / RECORDS;
  let prev = GENESIS_HASH;
  const chunk = knex.client.dialect === 'postgresql' ? 1000 : 400;
  const perTransaction = 100_000;
  const t0 = performance.now();
  for (let from = 1; from <= RECORDS; from += perTransaction) {
    await knex.transaction(async (trx) => {
      let rows: AuditRow[] = [];
      for (let seq = from; seq < from + perTransaction && seq <= RECORDS; seq++) {
        const person = Math.floor(rand() * PEOPLE);
        const event = EVENTS[Math.floor(rand() * EVENTS.length)]!;
        const failedLogin = event === 'signin.failure';
        const unsealed = {
          seq,
          at: new Date(start + seq * step).toISOString(),
          event,
          actor: failedLogin ? `person.${person}` : sub(person),
          subject: failedLogin ? null : event === 'role.granted' ? `directory:dir-${(person + 1) % PEOPLE}` : sub(person),
          client_id: APPS[Math.floor(rand() * APPS.length)]!,
          ip: `10.${person % 250}.0.${seq % 250}`,
          details: failedLogin ? '{"reason":"invalid_credentials"}' : null,
          prev_hash: prev,
        };
        const row = { ...unsealed, hash: hashRecord(unsealed) };
        prev = row.hash;
        rows.push(row);
        if (rows.length === chunk) {
          await trx('audit_log').insert(rows);
          rows = [];
        }
      }
      if (rows.length) await trx('audit_log').insert(rows);
    });
    process.stdout.write(`\r  filled ${Math.min(from + perTransaction - 1, RECORDS).toLocaleString('en')} records`);
  }
  await knex('audit_head').where({ id: 1 }).update({ seq: RECORDS, hash: prev });
  console.log(` in ${((performance.now() - t0) / 1000).toFixed(0)} s`);
  if (knex.client.dialect === 'postgresql') await knex.raw('analyze audit_log');
  else await knex.raw('analyze');
};

/** Milliseconds of `fn`, the median of `times` runs after one warm-up. */
const time = async (fn: () => Promise<unknown>, times = 5) => {
  await fn();
  const ms: number[] = [];
  for (let i = 0; i < times; i++) {
    const t = performance.now();
    await fn();
    ms.push(performance.now() - t);
  }
  return median(ms);
};

const person = 777;
const FILTERS: [string, ViewQuery][] = [
  ['no filter', { criteria: {} }],
  ['event=signin.failure', { criteria: { event: { exact: 'signin.failure' } } }],
  ['event=mfa.*', { criteria: { event: { prefix: 'mfa.' } } }],
  ['result=failure', { criteria: { result: 'failure' } }],
  ['actor (one person)', { criteria: {}, actors: [`person.${person}`, sub(person), `directory:dir-${person}`] }],
  ['subject (one person)', { criteria: {}, subjects: [`person.${person}`, sub(person), `directory:dir-${person}`] }],
  ['app=app-7', { criteria: { app: 'app-7' } }],
  ['agency=DINKES', { criteria: {}, agencies: { codes: ['DINKES'], apps: [] } }],
  ['from/to: one day', { criteria: { fromAt: '2025-07-01T00:00:00.000Z', toAt: '2025-07-02T00:00:00.000Z' } }],
  ['subject + two days', { criteria: { fromAt: '2025-07-01T00:00:00.000Z', toAt: '2025-07-03T00:00:00.000Z' }, subjects: [sub(person), `directory:dir-${person}`] }],
  ['agency admin scope + signin.*', { criteria: { event: { prefix: 'signin.' } }, scope: { codes: ['DISDIK'], apps: [] } }],
];

const measure = async (name: string, knex: Knex) => {
  const repo = createAuditViewRepo(knex);
  console.log(`\n${name}: ${RECORDS.toLocaleString('en')} records`);
  console.log('| filter | first page (ms) | page at the middle (ms) | matching records | count (ms) |');
  console.log('|---|---:|---:|---:|---:|');
  for (const [label, query] of FILTERS) {
    const first = await time(() => repo.page(query, 51));
    const deep = await time(() => repo.page({ ...query, criteria: { ...query.criteria, before: Math.floor(RECORDS / 2) } }, 51));
    let n = 0;
    const countMs = await time(async () => (n = await repo.count(query, RECORDS)), 1);
    console.log(`| ${label} | ${first.toFixed(1)} | ${deep.toFixed(1)} | ${n.toLocaleString('en')} | ${countMs.toFixed(0)} |`);
  }
  for (const [label, query] of [FILTERS[0]!, FILTERS[5]!]) {
    const t = performance.now();
    let n = 0;
    let bytes = 0;
    for await (const batch of repo.batches(query, RECORDS)) {
      for (const r of batch) bytes += jsonLine(r).length;
      n += batch.length;
    }
    const s = (performance.now() - t) / 1000;
    console.log(`export (${label}, JSON Lines formatted): ${n.toLocaleString('en')} records, ${(bytes / 1e6).toFixed(0)} MB in ${s.toFixed(1)} s = ${Math.round(n / s).toLocaleString('en')} records/s`);
  }
};

const run = async (name: string, knex: Knex) => {
  try {
    await migrate(knex);
    const [{ n }] = (await knex('audit_log').count({ n: '*' })) as [{ n: unknown }];
    if (Number(n) !== 0) throw new Error(`${name}: the database already holds audit records; give an empty one`);
    console.log(`${name}: filling`);
    await fill(knex);
    await measure(name, knex);
  } finally {
    await knex.destroy();
  }
};

const dir = mkdtempSync(join(tmpdir(), 'satu-akun-bench-audit-'));
try {
  await run('SQLite', createKnex(configSchema.parse({ dataDir: dir, database: { client: 'sqlite', filename: 'audit.sqlite' } })));
  const pg = arg('pg');
  if (pg) await run('PostgreSQL', createKnex(configSchema.parse({ database: { client: 'pg', url: pg, poolMax: 2 } })));
} finally {
  rmSync(dir, { recursive: true, force: true });
}
