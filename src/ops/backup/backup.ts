import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { copyFileSync, createWriteStream, existsSync, linkSync, mkdirSync, rmSync, unlinkSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { PassThrough, type Writable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { create as tarCreate } from 'tar';
import type { Config } from '../../config/schema.ts';
import { DATABASE_ENTRY, dumpDatabase } from './database.ts';
import { MANIFEST_ENTRY, stateFiles, type Manifest } from './contents.ts';
import { BackupError } from './errors.ts';
import { backupKey, sealer } from './sealed.ts';
import { withStaging } from './staging.ts';

/** Where the archive goes: a file (written beside it, then linked to its name), a command's stdin, or this process's stdout. */
export type Destination = { file: string } | { command: string } | { stdout: true };

/** What a backup wrote, for the operator's summary. */
export interface BackupSummary {
  bytes: number;
  manifest: Manifest;
}

export interface Sink {
  stream: Writable;
  /** Called once the archive is complete: the file gets its name, the command must exit 0. */
  finish(): Promise<void>;
  /** Called on failure: no partial archive is left under the file's name; a command is stopped. */
  abort(): void;
  /** After a broken pipe: the command's own failure, which explains it better (throws when the command failed). */
  explain(): Promise<void>;
}

/** `--to FILE`: refuses an existing file; the archive is written to `FILE.partial` and given its name when complete. */
export const fileSink = (file: string): Sink => {
  if (existsSync(file)) throw new BackupError('backup.exists', { file }, 1);
  const partial = `${file}.partial`;
  const stream = createWriteStream(partial, { flags: 'wx', mode: 0o600 });
  // A hard link, unlike a rename, fails (EEXIST) on a file created under the name since the check above.
  const finish = async () => {
    try {
      linkSync(partial, file);
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code === 'EEXIST') throw new BackupError('backup.exists', { file }, 1);
      throw err;
    }
    unlinkSync(partial);
  };
  return { stream, finish, abort: () => rmSync(partial, { force: true }), explain: async () => {} };
};

/**
 * The `--to-command`'s environment: this process's without any `SATU_AKUN_*` variable (the backup key, the database
 * URL with its password, the other secrets) and without `PG*` ones (`PGPASSWORD`); PATH, HOME, LANG, SSH_AUTH_SOCK
 * and the rest are kept.
 */
export const commandEnvironment = (env: NodeJS.ProcessEnv = process.env): NodeJS.ProcessEnv =>
  Object.fromEntries(Object.entries(env).filter(([name]) => !name.startsWith('SATU_AKUN_') && !name.startsWith('PG')));

/** `sh -c command`, fed the archive on stdin (e.g. `ssh backup@host 'cat > satu-akun.backup'`). */
const commandSink = (command: string): Sink => {
  const child = spawn('/bin/sh', ['-c', command], { stdio: ['pipe', 'inherit', 'inherit'], env: commandEnvironment() });
  const exited = once(child, 'close') as Promise<[number | null, NodeJS.Signals | null]>;
  // A command that exits early closes its stdin: the exit code below tells why, not the EPIPE.
  child.stdin.on('error', () => {});
  const finish = async () => {
    const [code, signal] = await exited;
    if (code !== 0) throw new BackupError('backup.command_failed', { code: code ?? String(signal) }, 1);
  };
  return { stream: child.stdin, finish, abort: () => void child.kill(), explain: finish };
};

const sinkFor = (to: Destination): Sink => {
  if ('file' in to) return fileSink(to.file);
  if ('command' in to) return commandSink(to.command);
  return { stream: process.stdout, finish: async () => {}, abort: () => {}, explain: async () => {} };
};

/**
 * Stages the state in a private temporary directory (the checkpoints before the database, so every checkpoint names a
 * record the snapshot holds), then streams it as one gzip-compressed tar, sealed with AES-256-GCM, to `to`. Interrupted
 * (SIGINT, SIGTERM, SIGHUP), it removes the staging directory and the partial file, and stops the command.
 */
export const createBackup = async (config: Config, to: Destination, now = new Date()): Promise<BackupSummary> =>
  withStaging('satu-akun-backup-', async (staging, onInterrupt) => {
    const files = stateFiles(config);
    for (const { entry, path } of files) {
      mkdirSync(dirname(join(staging, entry)), { recursive: true, mode: 0o700 });
      copyFileSync(path, join(staging, entry));
    }
    const database = config.database.client;
    await dumpDatabase(config, join(staging, DATABASE_ENTRY[database]));
    const manifest: Manifest = {
      format: 'satu-akun-backup',
      version: 1,
      createdAt: now.toISOString(),
      database,
      entries: [DATABASE_ENTRY[database], ...files.map((f) => f.entry)],
      signingKeysInEnvironment: Boolean(config.signingKeys),
    };
    writeFileSync(join(staging, MANIFEST_ENTRY), JSON.stringify(manifest, null, 2));

    let bytes = 0;
    const counter = new PassThrough().on('data', (chunk: Buffer) => void (bytes += chunk.length));
    const sink = sinkFor(to);
    onInterrupt(() => sink.abort());
    try {
      const tar = tarCreate({ gzip: true, cwd: staging, portable: true }, [MANIFEST_ENTRY, ...manifest.entries]);
      await pipeline(tar, sealer(backupKey(config.backupKey!)), counter, sink.stream).catch(async (err: unknown) => {
        await sink.explain();
        throw err;
      });
      await sink.finish();
    } catch (err) {
      sink.abort();
      throw err;
    }
    return { bytes, manifest };
  });
