import { spawn, type ChildProcess } from 'node:child_process';
import { once } from 'node:events';
import { chmodSync, existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { connect } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Context } from 'mocha';
import { serviceMissing } from './require-service.ts';
import { watchdog } from './processes.ts';

/** Debian's nginx (package nginx); outside Debian's layout, set NGINX_BIN. */
const NGINX = process.env.NGINX_BIN ?? '/usr/sbin/nginx';

export interface Nginx {
  /** nginx's error log so far, for failure messages. */
  errors(): string;
  close(): Promise<void>;
}

const answers = (port: number): Promise<boolean> =>
  new Promise((resolve) => {
    const socket = connect(port, '127.0.0.1');
    socket.once('connect', () => (socket.destroy(), resolve(true)));
    socket.once('error', () => resolve(false));
  });

/**
 * Runs nginx in the foreground with `site` (server and upstream blocks, as in /etc/nginx/sites-enabled) inside a
 * minimal main configuration whose pid file, logs and temporary paths are all in a temporary directory of its own;
 * resolves once `port` accepts connections. Skips (or fails under CI) when nginx is not installed.
 */
export const startNginx = async (ctx: Context, site: string, port: number): Promise<Nginx> => {
  if (!existsSync(NGINX)) serviceMissing(ctx, 'nginx', `${NGINX} not found (Debian package nginx)`);
  const dir = mkdtempSync(join(tmpdir(), 'satu-akun-nginx-'));
  // As root, nginx's workers run as `nobody`: they must be able to enter the directory for their temporary files.
  chmodSync(dir, 0o711);
  const errorLog = join(dir, 'error.log');
  const pidFile = join(dir, 'nginx.pid');
  writeFileSync(join(dir, 'site.conf'), site);
  writeFileSync(join(dir, 'nginx.conf'), [
    `pid ${pidFile};`,
    `error_log ${errorLog} warn;`,
    'worker_processes 1;',
    'events { worker_connections 256; }',
    'http {',
    `  access_log ${join(dir, 'access.log')};`,
    ...['client_body', 'proxy', 'fastcgi', 'uwsgi', 'scgi'].map((kind) => `  ${kind}_temp_path ${join(dir, `${kind}-temp`)};`),
    `  include ${join(dir, 'site.conf')};`,
    '}',
    '',
  ].join('\n'));
  const errors = () => (existsSync(errorLog) ? readFileSync(errorLog, 'utf8') : '');
  watchdog(dir, pidFile, 'QUIT');
  // -e: the error log before the configuration is read (otherwise /var/log/nginx/error.log, absent or not writable).
  const child: ChildProcess = spawn(NGINX, ['-p', dir, '-e', errorLog, '-c', join(dir, 'nginx.conf'), '-g', 'daemon off;'], { stdio: ['ignore', 'ignore', 'pipe'] });
  let stderr = '';
  child.stderr?.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
  // SIGTERM is nginx's fast shutdown; the master stops its workers before it exits.
  const kill = () => child.kill('SIGTERM');
  process.on('exit', kill);
  const deadline = Date.now() + 10_000;
  while (!(await answers(port))) {
    if (child.exitCode !== null || Date.now() > deadline) {
      process.off('exit', kill);
      kill();
      const log = errors();
      rmSync(dir, { recursive: true, force: true });
      throw new Error(`nginx did not start (exit ${child.exitCode}): ${stderr}\n${log}`);
    }
    await new Promise((r) => setTimeout(r, 50));
  }
  return {
    errors,
    close: async () => {
      process.off('exit', kill);
      if (child.exitCode === null && child.signalCode === null) {
        const exited = once(child, 'exit');
        kill();
        await exited;
      }
      rmSync(dir, { recursive: true, force: true });
    },
  };
};
