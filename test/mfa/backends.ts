import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Knex } from 'knex';
import { loadConfig } from '../../src/config/load.ts';
import { createKnex } from '../../src/db/knex.ts';
import { manualClock } from '../support/clock.ts';
import { startPostgres } from '../support/postgres.ts';

/** The services' clock, moved only by the test; it starts 10 s into a 30 s TOTP time step. */
export const fakeClock = () => manualClock('2025-03-04T05:06:10Z');

/** A database the suite runs against: opened once in `before` (unmigrated), removed in `after`. */
export interface Backend {
  name: 'SQLite' | 'PostgreSQL';
  open(ctx: Mocha.Context): Promise<Knex>;
  close(): Promise<unknown>;
}

const sqlite = (): Backend => {
  const dir = mkdtempSync(join(tmpdir(), 'mfa-'));
  return {
    name: 'SQLite',
    open: async () => createKnex(loadConfig({ SATU_AKUN_DATA_DIR: dir, SATU_AKUN_DB_FILE: 'mfa.sqlite' })),
    close: async () => rmSync(dir, { recursive: true, force: true }),
  };
};

// A database of its own on the shared test server, with a pool large enough for the concurrency test.
const postgres = (): Backend => {
  let drop: (() => Promise<void>) | undefined;
  return {
    name: 'PostgreSQL',
    open: async (mocha) => {
      const db = await (await startPostgres(mocha)).createDatabase();
      drop = db.drop;
      return createKnex(loadConfig({ SATU_AKUN_DB_CLIENT: 'pg', SATU_AKUN_DB_URL: db.url, SATU_AKUN_DB_POOL_MAX: '8' }));
    },
    close: async () => drop?.(),
  };
};

/** Real SQLite and real PostgreSQL (skipped, or failed under CI, when PostgreSQL is not installed). */
export const backends = (): Backend[] => [sqlite(), postgres()];
