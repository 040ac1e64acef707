import { readdirSync } from 'node:fs';
import { dirname } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import type { Knex } from 'knex';

const here = dirname(fileURLToPath(import.meta.url));

/**
 * Migrations are the `NNN_name.ts` files beside this one, applied in name order. A custom source keeps knex away
 * from its own file loader, which does not know TypeScript under ESM.
 */
export const migrationSource: Knex.MigrationSource<string> = {
  getMigrations: async () => readdirSync(here).filter((f) => /^\d{3}_[a-z0-9_]+\.ts$/.test(f)).sort(),
  getMigrationName: (name) => name,
  getMigration: async (name) => (await import(pathToFileURL(`${here}/${name}`).href)) as Knex.Migration,
};
