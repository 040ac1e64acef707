import { spawn } from 'node:child_process';
import { existsSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { BackupError } from './errors.ts';

/**
 * A PostgreSQL client tool (`pg_dump`, `pg_restore`): Debian installs each major under /usr/lib/postgresql/<major>/bin,
 * often outside PATH; the newest major wins, since a newer pg_dump reads older servers but not the reverse. Without
 * one there, the tool on PATH.
 */
export const pgTool = (name: 'pg_dump' | 'pg_restore'): string => {
  const root = '/usr/lib/postgresql';
  const majors = existsSync(root) ? readdirSync(root).filter((m) => /^\d+$/.test(m)).sort((a, b) => Number(b) - Number(a)) : [];
  return majors.map((m) => join(root, m, 'bin', name)).find((path) => existsSync(path)) ?? name;
};

/**
 * The connection URL without its password, and the password as `PGPASSWORD`: a password on a command line is
 * readable by every user of the host (`ps`), the environment of a process only by its owner.
 */
const connection = (url: string): { dbname: string; env: Record<string, string> } => {
  const parsed = new URL(url);
  const password = decodeURIComponent(parsed.password);
  parsed.password = '';
  return { dbname: parsed.toString(), env: password ? { PGPASSWORD: password } : {} };
};

/** Runs a client tool against `url`; a failure is a `BackupError` carrying the tool's last lines of stderr. */
const run = (name: 'pg_dump' | 'pg_restore', url: string, args: string[]): Promise<void> => {
  const { dbname, env } = connection(url);
  const tool = pgTool(name);
  return new Promise((resolve, reject) => {
    const child = spawn(tool, ['--dbname', dbname, ...args], { stdio: ['ignore', 'ignore', 'pipe'], env: { ...process.env, ...env } });
    let stderr = '';
    child.stderr.on('data', (chunk: Buffer) => void (stderr = (stderr + chunk.toString()).slice(-4000)));
    child.on('error', (err: NodeJS.ErrnoException) =>
      reject(err.code === 'ENOENT' ? new BackupError('backup.pg_tool_missing', { tool: name }, 1) : err),
    );
    child.on('close', (code) => {
      if (code === 0) return resolve();
      const message = stderr.trim().split('\n').slice(-3).join(' ') || `exit ${code}`;
      reject(new BackupError('backup.pg_tool_failed', { tool: name, message }, 1));
    });
  });
};

/** A consistent snapshot of the database in pg_dump's custom format, uncompressed (the archive compresses it). */
export const pgDump = (url: string, file: string) => run('pg_dump', url, ['--format=custom', '--compress=0', '--file', file]);

/**
 * Loads a custom-format dump in one transaction (nothing stays behind when it fails). Owners and grants are left out:
 * the restoring role owns what it creates, and the grants of the service's role are applied again afterwards (README
 * "PostgreSQL"), so a restore also works where the original roles do not exist.
 */
export const pgRestore = (url: string, file: string) => run('pg_restore', url, ['--no-owner', '--no-privileges', '--exit-on-error', '--single-transaction', file]);
