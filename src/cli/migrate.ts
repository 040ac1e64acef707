import { pathToFileURL } from 'node:url';
import { parseArgs } from 'node:util';
import { loadConfigOrReport } from '../config/load.ts';
import { createKnex, migrate } from '../db/knex.ts';
import { checkRoleName, GrantRefused, grantServicePrivileges } from '../db/privileges.ts';
import { bilingual } from '../i18n/index.ts';

/** Exit code of a command line this command cannot run (sysexits EX_USAGE, as `satu-akun` without a command). */
const USAGE = 64;

/** The options, or the reason they are refused. */
const parse = (args: string[]): { grantTo?: string } | { problem: string } => {
  try {
    const { values } = parseArgs({ args, options: { 'grant-to': { type: 'string' } }, strict: true, allowPositionals: false });
    return { grantTo: values['grant-to'] };
  } catch (err) {
    return { problem: (err as Error).message };
  }
};

/**
 * `satu-akun migrate [--grant-to ROLE]` (also `npm run migrate`): brings the configured database's schema up to date
 * and exits. Satu Akun also migrates at start-up; this command lets an operator migrate as the schema owner while the
 * service runs as a less privileged role, which `--grant-to` then gives exactly what the service needs
 * (src/db/privileges.ts). Exit codes: 0 done, 1 migration or grant failed, 2 invalid configuration, 64 bad options.
 */
export const runMigrate = async (args: string[], env: NodeJS.ProcessEnv = process.env): Promise<number> => {
  const options = parse(args);
  if ('problem' in options) {
    console.error(bilingual('migrate.usage', { problem: options.problem }));
    return USAGE;
  }
  const config = loadConfigOrReport(env);
  if (!config) return 2;
  const role = options.grantTo;
  if (role !== undefined) {
    // Both refusals come before anything is migrated.
    if (config.database.client !== 'pg') {
      console.error(bilingual('migrate.grant.sqlite'));
      return USAGE;
    }
    try {
      checkRoleName(role);
    } catch (err) {
      if (!(err instanceof GrantRefused)) throw err;
      console.error(bilingual(err.key, { role }));
      return USAGE;
    }
  }
  const knex = createKnex(config);
  try {
    try {
      const applied = await migrate(knex);
      console.log(applied.length ? bilingual('migrate.applied', { names: applied.join(', ') }) : bilingual('migrate.current'));
    } catch (err) {
      console.error(bilingual('migrate.failed', { message: (err as Error).message }));
      return 1;
    }
    if (role === undefined) return 0;
    try {
      const granted = await grantServicePrivileges(knex, role);
      console.log(bilingual('migrate.grant.done', { role, tables: granted.tables, sequences: granted.sequences }));
      return 0;
    } catch (err) {
      console.error(err instanceof GrantRefused ? bilingual(err.key, { role }) : bilingual('migrate.grant.failed', { message: (err as Error).message }));
      return 1;
    }
  } finally {
    await knex.destroy();
  }
};

if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href) process.exitCode = await runMigrate(process.argv.slice(2));
