import { pathToFileURL } from 'node:url';
import { ConfigError, loadConfig } from '../config/load.ts';
import { createKnex, migrate } from '../db/knex.ts';
import { bilingual } from '../i18n/index.ts';

/**
 * `satu-akun migrate` (also `npm run migrate`): brings the configured database's schema up to date and exits. Satu
 * Akun also migrates at start-up; this command lets an operator migrate as the schema owner while the service runs as
 * a less privileged role.
 */
export const runMigrate = async (_args: string[], env: NodeJS.ProcessEnv = process.env): Promise<number> => {
  let config;
  try {
    config = loadConfig(env);
  } catch (err) {
    if (!(err instanceof ConfigError)) throw err;
    console.error(err.message);
    return 2;
  }
  const knex = createKnex(config);
  try {
    const applied = await migrate(knex);
    console.log(applied.length ? bilingual('migrate.applied', { names: applied.join(', ') }) : bilingual('migrate.current'));
    return 0;
  } catch (err) {
    console.error(bilingual('migrate.failed', { message: (err as Error).message }));
    return 1;
  } finally {
    await knex.destroy();
  }
};

if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href) process.exitCode = await runMigrate(process.argv.slice(2));
