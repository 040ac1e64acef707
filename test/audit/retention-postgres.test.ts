import { expect } from 'chai';
import type { Knex } from 'knex';
import { loadConfig } from '../../src/config/load.ts';
import { createKnex, migrate } from '../../src/db/knex.ts';
import { grantServicePrivileges } from '../../src/db/privileges.ts';
import { startPostgres } from '../support/postgres.ts';
import { DAY, NOW, seed, seqs, world } from './retention-support.ts';

const refused = (promise: Promise<unknown>, pattern: RegExp) =>
  promise.then(
    () => expect.fail(`not refused (expected ${pattern})`),
    (err: Error) => expect(err.message).to.match(pattern),
  );

/**
 * The database's own guard around retention (migration 016): only rows inside a recorded archive may be deleted,
 * whoever asks (the owner too, short of disabling the trigger), and the service role may not delete at all.
 */
describe('audit retention guards on PostgreSQL', function () {
  this.timeout(60_000);
  const role = `svc_${Math.random().toString(36).slice(2, 8)}`;
  let knex: Knex;
  let service: Knex | undefined;
  let drop: () => Promise<void>;
  let url: string;

  before(async function () {
    const db = await (await startPostgres(this)).createDatabase();
    drop = db.drop;
    url = db.url;
    knex = createKnex(loadConfig({ SATU_AKUN_DB_CLIENT: 'pg', SATU_AKUN_DB_URL: url }));
    await migrate(knex);
    await seed(knex, 20, new Date(NOW.getTime() - 2200 * DAY), DAY);
    await seed(knex, 5, new Date(NOW.getTime() - DAY));
  });
  after(async () => {
    await service?.destroy();
    await knex?.destroy();
    await drop?.();
    // Roles are per cluster, which the test files share. The identifier is generated above from [a-z0-9_].
    const admin = createKnex(loadConfig({ SATU_AKUN_DB_CLIENT: 'pg', SATU_AKUN_DB_URL: url.replace(/\/[^/]+$/, '/postgres') }));
    await admin.raw(`drop role if exists ${role}`).finally(() => admin.destroy());
  });

  it('refuses the owner a DELETE of a record not yet archived; allows it once the archive is recorded', async () => {
    await refused(knex('audit_log').where({ seq: 1 }).delete(), /append-only: DELETE refused/);
    const w = world(knex);
    expect(await w.archive()).to.include({ kind: 'archived', fromSeq: 1, toSeq: 20, deleted: 20 });
    expect(await seqs(knex)).to.deep.equal([21, 22, 23, 24, 25, 26]);
    await refused(knex('audit_log').where({ seq: 21 }).delete(), /append-only: DELETE refused/);
    await refused(knex('audit_log').where('seq', '>', 0).delete(), /append-only: DELETE refused/);
    expect(await seqs(knex)).to.deep.equal([21, 22, 23, 24, 25, 26]);
  });

  it('still refuses UPDATE and TRUNCATE of the trail, and any change to the archive records', async () => {
    await refused(knex('audit_log').where({ seq: 21 }).update({ actor: 'x' }), /append-only: UPDATE refused/);
    await refused(knex.raw('truncate audit_log'), /append-only: TRUNCATE refused/);
    await refused(knex('audit_archives').update({ to_seq: 25 }), /audit_archives is append-only: UPDATE refused/);
    await refused(knex('audit_archives').delete(), /audit_archives is append-only: DELETE refused/);
    await refused(knex.raw('truncate audit_archives'), /audit_archives is append-only: TRUNCATE refused/);
  });

  it('gives the service role SELECT on audit_archives and no DELETE on audit_log: it verifies, it cannot cut', async () => {
    await knex.raw(`create role ${role} login`);
    await grantServicePrivileges(knex, role);
    const u = new URL(url);
    u.username = role;
    service = createKnex(loadConfig({ SATU_AKUN_DB_CLIENT: 'pg', SATU_AKUN_DB_URL: u.toString() }));
    await refused(service('audit_log').where('seq', '<=', 20).delete(), /permission denied/);
    await refused(service('audit_log').where({ seq: 21 }).delete(), /permission denied/);
    await refused(
      service('audit_archives').insert({ from_seq: 21, to_seq: 30, prev_hash: 'a', last_hash: 'b', record_count: 10, file_name: 'f', file_sha256: 'c', created_at: NOW.toISOString() }),
      /permission denied/,
    );
    const w = world(service);
    expect(await w.audit.verify()).to.include({ ok: true, count: 6 }).and.have.deep.property('archivedUpTo').that.includes({ seq: 20 });
    // And the archive command itself, run with the service's credentials, is refused by the database.
    w.clock.at = new Date(NOW.getTime() + 1900 * DAY);
    await refused(w.archive(), /permission denied/);
    expect(await seqs(knex)).to.deep.equal([21, 22, 23, 24, 25, 26]);
  });
});
