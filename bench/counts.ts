/**
 * What a server under test did per operation: SQL statements (knex `query` events) and Redis commands and round
 * trips, counted in the server's own ioredis client. ioredis has no events for commands, but every command passes
 * `sendCommand`; a pipeline (and `multi`, which is one) hands each of its commands over with the same pipeline
 * stream and writes them in one go, so a pipeline is one round trip however many commands it holds.
 * The server answers the IPC message `counts` with the totals so far; the load generator takes differences per round.
 */
import type { ChildProcess } from 'node:child_process';
import type { Knex } from 'knex';
import type { Redis } from 'ioredis';

export interface Counts {
  sql: number;
  redisCommands: number;
  redisRoundTrips: number;
  /** Cross-check from Redis's own `INFO stats`: commands it processed (MULTI and EXEC included). */
  redisServerCommands?: number;
  /** Read events Redis processed (`total_reads_processed`): one per batch of bytes that arrived, close to round trips. */
  redisServerReads?: number;
}

/** Starts counting in this server process and answers `counts` messages from the parent. */
export const countInServer = (knex: Knex | undefined, redis: Redis | undefined | null): void => {
  const counts: Counts = { sql: 0, redisCommands: 0, redisRoundTrips: 0 };
  knex?.on('query', () => counts.sql++);
  if (redis) {
    const pipelines = new WeakSet<object>();
    const send = redis.sendCommand.bind(redis);
    redis.sendCommand = (command, stream) => {
      counts.redisCommands++;
      const pipeline = (stream as { isPipeline?: boolean } | undefined)?.isPipeline ? (stream as object) : undefined;
      if (!pipeline) counts.redisRoundTrips++;
      else if (!pipelines.has(pipeline)) (pipelines.add(pipeline), counts.redisRoundTrips++);
      return send(command, stream);
    };
  }
  process.on('message', (message) => {
    if (message === 'counts') process.send?.({ counts });
  });
};

/** Asks a server started with IPC for its totals so far. */
export const askCounts = (child: ChildProcess): Promise<Counts> =>
  new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error('no counts from the server')), 5000);
    child.once('message', (message) => {
      clearTimeout(timer);
      resolve((message as { counts: Counts }).counts);
    });
    child.send('counts');
  });

export const minus = (a: Counts, b: Counts): Counts =>
  Object.fromEntries(Object.entries(a).map(([k, v]) => [k, v - (b[k as keyof Counts] ?? 0)])) as unknown as Counts;

/**
 * The server's counts plus Redis's own totals, read with `stats` (a connection of the load generator's). The
 * `INFO` that reads them is itself one command and one read, so each reading subtracts the readings before it.
 */
export const withRedisServer = (counts: () => Promise<Counts>, stats: Redis): (() => Promise<Counts>) => {
  let readings = 0;
  return async () => {
    const info = await stats.info('stats');
    const field = (name: string) => Number(new RegExp(`^${name}:(\\d+)`, 'm').exec(info)?.[1] ?? NaN);
    const own = readings++;
    return { ...(await counts()), redisServerCommands: field('total_commands_processed') - own, redisServerReads: field('total_reads_processed') - own };
  };
};
