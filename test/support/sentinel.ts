import { spawn, type ChildProcess } from 'node:child_process';
import { once } from 'node:events';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { Redis } from 'ioredis';
import type { Context } from 'mocha';
import { serviceMissing } from './require-service.ts';
import { detach, findExecutable, freePort, waitForOutput, watchdog } from './processes.ts';

export const SENTINEL_NAME = 'mymaster';

/** A Redis master, one replica and three sentinels watching them, all on free ports of 127.0.0.1. */
export interface SentinelGroup {
  sentinels: { host: string; port: number }[];
  masterPort: number;
  replicaPort: number;
  /** A direct client of the current master or replica (for WAIT, CLIENT LIST): the caller quits it. */
  direct(port: number): Redis;
  /** The master's port as the sentinels see it now. */
  currentMaster(): Promise<number>;
  /** SIGKILL the first master: no shutdown, no last words to the replica. */
  killMaster(): void;
  /** The sentinels' last log lines, to say in a failure what they did (TILT, a failed election). */
  sentinelLog(): string;
  close(): Promise<void>;
}

/** Sentinel settings for a failover within seconds: down after 1 s, a failover given up after 4 s. */
const sentinelConfig = (port: number, masterPort: number, dir: string) => `port ${port}
bind 127.0.0.1
daemonize no
dir ${dir}
pidfile ${join(dir, `sentinel-${port}.pid`)}
sentinel monitor ${SENTINEL_NAME} 127.0.0.1 ${masterPort} 2
sentinel down-after-milliseconds ${SENTINEL_NAME} 1000
sentinel failover-timeout ${SENTINEL_NAME} 4000
sentinel parallel-syncs ${SENTINEL_NAME} 1
`;

/** Polls `check` every 100 ms until it is true or `ms` pass. */
const until = async (what: string, check: () => Promise<boolean>, ms: number) => {
  const end = Date.now() + ms;
  while (!(await check().catch(() => false))) {
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
    await sleep(100);
  }
};

/**
 * A real Sentinel group for a test of its own (never shared): `redis-server` twice (master, replica of it) and
 * `redis-sentinel` three times (quorum 2), in one temp dir removed at the end; skips (fails under CI) when the Debian
 * packages redis-server and redis-sentinel are missing. Resolves once the sentinels know the replica and each other,
 * so a failover can happen.
 */
export const startSentinelGroup = async (ctx: Context): Promise<SentinelGroup> => {
  const server = findExecutable('redis-server');
  const sentinel = findExecutable('redis-sentinel');
  if (!server || !sentinel) return serviceMissing(ctx, 'redis-sentinel', 'redis-server or redis-sentinel not found on PATH (Debian packages redis-server, redis-sentinel)');
  const dir = mkdtempSync(join(tmpdir(), 'satu-akun-sentinel-'));
  const children: ChildProcess[] = [];
  const logged: string[] = [];
  const killAll = () => {
    for (const child of children) if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
  };
  const exitHook = () => {
    killAll();
    rmSync(dir, { recursive: true, force: true });
  };
  process.on('exit', exitHook);

  const start = async (binary: string, args: string[], name: string, ready: RegExp) => {
    const pidFile = join(dir, `${name}.pid`);
    watchdog(dir, pidFile, 'KILL');
    const child = spawn(binary, args, { cwd: dir, stdio: ['ignore', 'pipe', 'pipe'] });
    children.push(child);
    await waitForOutput(child, ready, 10_000);
    detach(child);
    if (name.startsWith('sentinel')) {
      child.stdout?.on('data', (chunk: Buffer) => {
        for (const line of chunk.toString().split('\n')) if (line.trim()) logged.push(`${name}: ${line.trim()}`);
        logged.splice(0, logged.length - 60);
      });
    }
    return child;
  };
  const serverArgs = (port: number, name: string) => {
    mkdirSync(join(dir, name));
    return ['--port', String(port), '--bind', '127.0.0.1', '--save', '', '--appendonly', 'no', '--dir', join(dir, name), '--pidfile', join(dir, `${name}.pid`)];
  };

  try {
    const [masterPort, replicaPort] = [await freePort(), await freePort()];
    const master = await start(server, serverArgs(masterPort, 'master'), 'master', /Ready to accept connections/);
    await start(server, [...serverArgs(replicaPort, 'replica'), '--replicaof', '127.0.0.1', String(masterPort)], 'replica', /MASTER <-> REPLICA sync: Finished with success/);
    const sentinels: { host: string; port: number }[] = [];
    for (let i = 0; i < 3; i++) {
      const port = await freePort();
      const file = join(dir, `sentinel-${port}.conf`);
      writeFileSync(file, sentinelConfig(port, masterPort, dir));
      await start(sentinel, [file], `sentinel-${port}`, /\+monitor master/);
      sentinels.push({ host: '127.0.0.1', port });
    }
    const ask = async <T>(port: number, ...args: (string | number)[]) => {
      const client = new Redis({ port, host: '127.0.0.1', lazyConnect: true, maxRetriesPerRequest: 1 });
      try {
        await client.connect();
        return (await client.call('SENTINEL', ...args)) as T;
      } finally {
        client.disconnect();
      }
    };
    // A failover needs every sentinel to know the replica (from the master's INFO) and the others (hello messages).
    for (const s of sentinels) {
      await until('the sentinels to find the replica and each other', async () => (await ask<unknown[]>(s.port, 'REPLICAS', SENTINEL_NAME)).length === 1 && (await ask<unknown[]>(s.port, 'SENTINELS', SENTINEL_NAME)).length === 2, 15_000);
    }
    return {
      sentinels,
      masterPort,
      replicaPort,
      direct: (port) => new Redis({ port, host: '127.0.0.1', maxRetriesPerRequest: 1 }),
      currentMaster: async () => Number((await ask<string[]>(sentinels[0]!.port, 'GET-MASTER-ADDR-BY-NAME', SENTINEL_NAME))[1]),
      killMaster: () => void master.kill('SIGKILL'),
      sentinelLog: () => logged.join('\n'),
      close: async () => {
        process.off('exit', exitHook);
        for (const child of children) {
          if (child.exitCode !== null || child.signalCode !== null) continue;
          child.kill('SIGKILL');
          await once(child, 'exit');
        }
        rmSync(dir, { recursive: true, force: true });
      },
    };
  } catch (error) {
    process.off('exit', exitHook);
    exitHook();
    throw error;
  }
};
