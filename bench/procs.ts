import { execFileSync, spawn, type ChildProcess } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { createInterface } from 'node:readline';

export { freePort } from '../test/support/processes.ts';

/** `[taskset -c cpu] command args` as a spawn argument list (no pinning when `cpu` is undefined). */
export const pinned = (cpu: number | undefined, command: string, args: string[]): [string, string[]] =>
  cpu === undefined ? [command, args] : ['taskset', ['-c', String(cpu), command, ...args]];

/** Pins every thread of this process to `cpu` (util-linux `taskset`). */
export const pinSelf = (cpu: number) => execFileSync('taskset', ['-a', '-p', '-c', String(cpu), String(process.pid)], { stdio: 'ignore' });

/**
 * Spawns a child and resolves once a stdout line matches `ready` (with the match), rejecting if it exits first or
 * takes longer than `timeoutMs`. stderr is passed through so start-up failures are visible.
 */
export const spawnReady = (command: string, args: string[], ready: RegExp, timeoutMs = 30_000) =>
  new Promise<{ child: ChildProcess; match: RegExpMatchArray }>((resolve, reject) => {
    const child = spawn(command, args, { stdio: ['ignore', 'pipe', 'inherit'] });
    const timer = setTimeout(() => {
      child.kill('SIGKILL');
      reject(new Error(`${command} ${args.join(' ')}: not ready after ${timeoutMs} ms`));
    }, timeoutMs);
    const onExit = (code: number | null) => {
      clearTimeout(timer);
      reject(new Error(`${command} ${args.join(' ')} exited (${code}) before it was ready`));
    };
    child.once('exit', onExit);
    child.once('error', reject);
    const lines = createInterface({ input: child.stdout! });
    lines.on('line', (line) => {
      const match = line.match(ready);
      if (!match) return;
      clearTimeout(timer);
      child.off('exit', onExit);
      lines.removeAllListeners('line');
      child.stdout!.resume(); // keep draining so the child never blocks on a full pipe
      resolve({ child, match });
    });
  });

/** Sends SIGTERM and waits for the exit (SIGKILL after `graceMs`). */
export const stop = (child: ChildProcess, graceMs = 10_000) =>
  new Promise<void>((resolve) => {
    if (child.exitCode !== null || child.signalCode !== null) return resolve();
    const timer = setTimeout(() => child.kill('SIGKILL'), graceMs);
    child.once('exit', () => {
      clearTimeout(timer);
      resolve();
    });
    child.kill('SIGTERM');
  });

/** CPU seconds (user + system, all threads) a process has used so far, from `/proc/<pid>/stat`. */
export const cpuSeconds = (pid: number): number => {
  const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
  const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  // Fields after "(comm)" start at field 3 (state); utime and stime are fields 14 and 15, in clock ticks (USER_HZ = 100).
  return (Number(fields[11]) + Number(fields[12])) / 100;
};

/** Per-CPU jiffies from `/proc/stat`: busy (neither idle nor iowait), iowait and total. */
export const cpuTimes = (): { busy: number; iowait: number; total: number }[] =>
  readFileSync('/proc/stat', 'utf8')
    .split('\n')
    .filter((line) => /^cpu\d+ /.test(line))
    .map((line) => {
      const [user = 0, nice = 0, system = 0, idle = 0, iowait = 0, irq = 0, softirq = 0, steal = 0] = line.split(/\s+/).slice(1).map(Number);
      const total = user + nice + system + idle + iowait + irq + softirq + steal;
      return { busy: total - idle - iowait, iowait, total };
    });
