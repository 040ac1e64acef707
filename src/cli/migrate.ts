import { loadConfigOrExit } from '../config/load.ts';
import { createKnex, migrate } from '../db/knex.ts';
import { bilingual } from '../i18n/index.ts';

/**
 * `npm run migrate`: brings the configured database's schema up to date and exits. Satu Akun also migrates at
 * start-up; this command lets an operator migrate as the schema owner while the service runs as a less privileged role.
 */
const main = async (): Promise<number> => {
  const knex = createKnex(loadConfigOrExit());
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

process.exitCode = await main();
