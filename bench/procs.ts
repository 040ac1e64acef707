import { execFileSync, spawn, type ChildProcess } from 'node:child_process';
import { readdirSync, readFileSync } from 'node:fs';
import { createInterface } from 'node:readline';

export { freePort } from '../test/support/processes.ts';

/** `[taskset -c cpu] command args` as a spawn argument list (no pinning when `cpu` is undefined). */
export const pinned = (cpu: number | undefined, command: string, args: string[]): [string, string[]] =>
  cpu === undefined ? [command, args] : ['taskset', ['-c', String(cpu), command, ...args]];

/** Pins every thread of this process to `cpu` (util-linux `taskset`). */
export const pinSelf = (cpu: number) => execFileSync('taskset', ['-a', '-p', '-c', String(cpu), String(process.pid)], { stdio: 'ignore' });

/**
 * Spawns a child and resolves once a stdout line matches `ready` (with the match), rejecting if it exits first or
 * takes longer than `timeoutMs`. stderr is passed through so start-up failures are visible. With `ipc`, the child
 * (a node process, also through `taskset`, which keeps the channel's descriptor) can be asked for its counts.
 */
export const spawnReady = (command: string, args: string[], ready: RegExp, timeoutMs = 30_000, ipc = false) =>
  new Promise<{ child: ChildProcess; match: RegExpMatchArray }>((resolve, reject) => {
    const child = spawn(command, args, { stdio: ['ignore', 'pipe', 'inherit', ...(ipc ? (['ipc'] as const) : [])] });
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

/** Every process id in the trees rooted at `roots` (the roots included), from the parent ids in `/proc/<pid>/stat`. */
export const processTree = (roots: number[]): number[] => {
  const children = new Map<number, number[]>();
  for (const name of readdirSync('/proc')) {
    if (!/^\d+$/.test(name)) continue;
    try {
      const stat = readFileSync(`/proc/${name}/stat`, 'utf8');
      const ppid = Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[1]);
      children.set(ppid, [...(children.get(ppid) ?? []), Number(name)]);
    } catch {
      // the process ended while we looked
    }
  }
  const out: number[] = [];
  const visit = (pid: number) => {
    out.push(pid);
    (children.get(pid) ?? []).forEach(visit);
  };
  roots.forEach(visit);
  return out;
};

/** CPU seconds used so far by each process of the trees rooted at `roots`. */
export const treeCpu = (roots: number[]): Map<number, number> => {
  const out = new Map<number, number>();
  for (const pid of processTree(roots)) {
    try {
      out.set(pid, cpuSeconds(pid));
    } catch {
      // ended
    }
  }
  return out;
};

/** The program name of a process (`/proc/<pid>/comm`: node, postgres, redis-server, slapd), or '?' once it ended. */
export const programOf = (pid: number): string => {
  try {
    const name = readFileSync(`/proc/${pid}/comm`, 'utf8').trim();
    // Node.js 24 names its main thread, and with it the process's comm.
    return name === 'MainThread' ? 'node' : name;
  } catch {
    return '?';
  }
};

/** `cpuBetween`, by program name (every PostgreSQL backend under `postgres`). */
export const cpuBetweenBy = (before: Map<number, number>, after: Map<number, number>): Record<string, number> => {
  const out: Record<string, number> = {};
  for (const [pid, s] of after) {
    const name = programOf(pid);
    out[name] = (out[name] ?? 0) + s - (before.get(pid) ?? 0);
  }
  return out;
};

/**
 * CPU seconds the trees used between two `treeCpu` readings. A process that started in between counts whole; one
 * that ended in between is lost (PostgreSQL's pooled backends live as long as the provider's connections).
 */
export const cpuBetween = (before: Map<number, number>, after: Map<number, number>): number =>
  [...after].reduce((sum, [pid, s]) => sum + s - (before.get(pid) ?? 0), 0);

/** Resident memory of a process in MB: now (`VmRSS`) and its peak so far (`VmHWM`), from `/proc/<pid>/status`. */
export const rssMb = (pid: number): { rss: number; hwm: number } => {
  const status = readFileSync(`/proc/${pid}/status`, 'utf8');
  const kb = (field: string) => Number(new RegExp(`^${field}:\\s+(\\d+) kB`, 'm').exec(status)?.[1] ?? NaN);
  return { rss: kb('VmRSS') / 1024, hwm: kb('VmHWM') / 1024 };
};
