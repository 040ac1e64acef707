import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Context } from 'mocha';
import { serviceMissing } from './require-service.ts';
import { detach, findExecutable, freePort, waitForOutput, watchdog, type TestService } from './processes.ts';

export type { TestService };

let shared: Promise<TestService> | undefined;

const start = async (binary: string, port?: number): Promise<TestService> => {
  const dir = mkdtempSync(join(tmpdir(), 'satu-akun-redis-'));
  port ??= await freePort();
  const pidFile = join(dir, 'redis.pid');
  watchdog(dir, pidFile, 'KILL');
  const args = ['--port', String(port), '--bind', '127.0.0.1', '--save', '', '--appendonly', 'no', '--dir', dir];
  const child = spawn(binary, [...args, '--pidfile', pidFile], { cwd: dir, stdio: ['ignore', 'pipe', 'pipe'] });
  // mocha --exit ends the process without `after` hooks of other files; `exit` handlers still run, and stop the
  // server at once rather than at the watchdog's next poll.
  const kill = () => {
    child.kill('SIGKILL');
    rmSync(dir, { recursive: true, force: true });
  };
  process.on('exit', kill);
  try {
    await waitForOutput(child, /Ready to accept connections/, 10_000);
  } catch (error) {
    process.off('exit', kill);
    kill();
    throw error;
  }
  detach(child);
  return {
    url: `redis://127.0.0.1:${port}`,
    close: async () => {
      process.off('exit', kill);
      if (child.exitCode === null) {
        child.kill('SIGTERM');
        await once(child, 'exit');
      }
      rmSync(dir, { recursive: true, force: true });
    },
  };
};

/**
 * A real Redis for this test run: `TEST_REDIS_URL` if set, else a throwaway `redis-server` on a free port, started
 * once and shared by every test file. Call from a `before` hook; skips (or fails under CI) when Redis is missing.
 */
export const startRedis = async (ctx: Context): Promise<TestService> => {
  const given = process.env.TEST_REDIS_URL;
  if (given) return { url: given, close: async () => {} };
  const binary = findExecutable('redis-server');
  if (!binary) return serviceMissing(ctx, 'redis-server', 'not found on PATH (Debian package redis-server)');
  shared ??= start(binary).then(
    (service) => ({ ...service, close: async () => { shared = undefined; await service.close(); } }),
  ).catch((error: unknown) => {
    shared = undefined;
    throw error;
  });
  return shared;
};

/**
 * A Redis of the calling test's own (never shared, never `TEST_REDIS_URL`), for tests that stop and restart it.
 * Pass the port of a stopped one to start it again where clients expect it.
 */
export const startPrivateRedis = async (ctx: Context, port?: number): Promise<TestService & { port: number }> => {
  const binary = findExecutable('redis-server');
  if (!binary) return serviceMissing(ctx, 'redis-server', 'not found on PATH (Debian package redis-server)');
  const service = await start(binary, port);
  return { ...service, port: Number(new URL(service.url).port) };
};
