/**
 * The one-core layout's services: a throwaway PostgreSQL cluster, redis-server and OpenLDAP slapd with the bench
 * directory, all on the provider's CPU. They are started with the test suite's helpers while this process is pinned
 * to that CPU, so they inherit the affinity (and so do PostgreSQL's backends, forked later by the postmaster).
 */
import type { ChildProcess } from 'node:child_process';
import { toLdif, SAMPLE_PASSWORD } from '../src/directory/sample/index.ts';
import { findPostgresBinDir, startPostgresCluster, type PostgresService } from '../test/support/postgres.ts';
import { startSlapd, type Slapd } from '../test/support/slapd.ts';
import { freePort, pinSelf, spawnReady, stop } from './procs.ts';
import { benchStaff } from './staff.ts';

export interface Services {
  postgres: PostgresService;
  redisUrl: string;
  redis: ChildProcess;
  slapd: Slapd;
  /** uids of the directory's people, in a fixed order. */
  logins: string[];
  /** Process ids whose whole process trees make up the services. */
  pids(): number[];
  close(): Promise<void>;
}

/** The attributes Satu Akun and the bare engine search by, indexed as in a production directory. */
const INDEXED = ['uid', 'mail', 'employeeNumber', 'entryUUID', 'objectClass'];

export const startServices = async (options: { cpu: number | undefined; thenCpu: number | undefined; people: number; durable: boolean }): Promise<Services> => {
  const staff = benchStaff(options.people);
  if (options.cpu !== undefined) pinSelf(options.cpu);
  try {
    const binDir = findPostgresBinDir();
    if (!binDir) throw new Error('PostgreSQL (initdb, postgres) not found');
    const postgres = await startPostgresCluster(binDir, { durable: options.durable });
    const port = await freePort();
    let redis: ChildProcess | undefined;
    let slapd: Slapd;
    try {
      redis = (await spawnReady('redis-server', ['--port', String(port), '--bind', '127.0.0.1', '--save', '', '--appendonly', 'no'], /Ready to accept connections/)).child;
      slapd = await startSlapd({ ldif: toLdif(staff, { password: SAMPLE_PASSWORD }), equalityIndexes: INDEXED });
    } catch (error) {
      await Promise.all([postgres.close(), redis && stop(redis)]);
      throw error;
    }
    const redisUrl = `redis://127.0.0.1:${port}`;
    return {
      postgres,
      redisUrl,
      redis,
      slapd,
      logins: staff.staff.map((p) => p.uid),
      pids: () => [...(postgres.pid ? [postgres.pid] : []), redis.pid!, slapd.pid],
      close: async () => {
        await Promise.all([postgres.close(), stop(redis), slapd.close()]);
      },
    };
  } finally {
    if (options.thenCpu !== undefined) pinSelf(options.thenCpu);
  }
};
