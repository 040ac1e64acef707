import { closeSync, openSync, readFileSync, rmSync, writeSync } from 'node:fs';
import { join } from 'node:path';
import { ArchiveRefused } from './archive-file.ts';

const alive = (pid: number): boolean => {
  try {
    process.kill(pid, 0);
    return true;
  } catch (err) {
    // EPERM: the process exists but belongs to someone else.
    return (err as NodeJS.ErrnoException).code === 'EPERM';
  }
};

/**
 * One archive run at a time per archive directory (a manual run while the timer's runs): two runs writing the same
 * file name would leave a file whose SHA-256 differs from the recorded one. The lock file holds the process id; one
 * left by a process that died is taken over. Returns the release.
 */
export const takeArchiveLock = (dir: string): (() => void) => {
  const path = join(dir, '.archive.lock');
  for (let attempt = 0; attempt < 2; attempt++) {
    try {
      const fd = openSync(path, 'wx', 0o640);
      writeSync(fd, String(process.pid));
      closeSync(fd);
      return () => rmSync(path, { force: true });
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code !== 'EEXIST') throw err;
      const pid = Number(readFileSync(path, 'utf8').trim());
      if (Number.isSafeInteger(pid) && pid > 0 && alive(pid)) throw new ArchiveRefused('archive.busy', { pid });
      rmSync(path, { force: true });
    }
  }
  throw new ArchiveRefused('archive.busy', { pid: '?' });
};
