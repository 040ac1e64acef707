import { spawn, type ChildProcess } from 'node:child_process';
import { accessSync, constants, readFileSync } from 'node:fs';
import { createServer, type Socket } from 'node:net';
import { delimiter, join } from 'node:path';

/** A real server started for the test run (or given by the environment). */
export interface TestService {
  url: string;
  /** Stops a server this run started; a no-op for one given by the environment. Also happens at process exit. */
  close(): Promise<void>;
}

/** Whether `port` can be bound on 127.0.0.1 right now. */
const bindable = (port: number): Promise<boolean> =>
  new Promise((resolve) => {
    const server = createServer();
    server.once('error', () => resolve(false));
    server.listen(port, '127.0.0.1', () => server.close(() => resolve(true)));
  });

/**
 * The ports the kernel never hands out by itself: below its ephemeral range, which `listen(0)` and every outgoing
 * connection draw from. A port chosen there cannot be taken by an embedded server or a client socket in the moment
 * between choosing it and binding it (CI once lost a run to exactly that: EADDRINUSE on a port freed a moment before).
 */
const quietPorts = (): [number, number] => {
  let low = 32768;
  try {
    low = Number(readFileSync('/proc/sys/net/ipv4/ip_local_port_range', 'utf8').trim().split(/\s+/)[0]) || low;
  } catch {
    // Not Linux: assume the usual range.
  }
  return [Math.max(1024, low - 12000), low - 1];
};

/** Ports already handed out in this run: a port is free again once released, before its taker binds it. */
const handedOut = new Set<number>();

/** A free port on 127.0.0.1 outside the kernel's ephemeral range, never one this run handed out before. */
export const freePort = async (): Promise<number> => {
  const [low, high] = quietPorts();
  for (;;) {
    const port = low + Math.floor(Math.random() * (high - low + 1));
    if (handedOut.has(port) || !(await bindable(port))) continue;
    handedOut.add(port);
    return port;
  }
};

/** The path of an executable, searched in `dirs` then on PATH; undefined when not installed. */
export const findExecutable = (name: string, dirs: string[] = []): string | undefined => {
  for (const dir of [...dirs, ...(process.env.PATH ?? '').split(delimiter)]) {
    try {
      accessSync(join(dir, name), constants.X_OK);
      return join(dir, name);
    } catch {
      // not in this directory
    }
  }
  return undefined;
};

/**
 * Resolves once `pattern` appears in the child's output; rejects if the child exits first or `ms` pass.
 * The output is kept so a failure says why the server did not start.
 */
export const waitForOutput = (child: ChildProcess, pattern: RegExp, ms: number): Promise<void> =>
  new Promise((resolve, reject) => {
    let output = '';
    const timer = setTimeout(() => finish(new Error(`server not ready after ${ms} ms:\n${output}`)), ms);
    const onData = (chunk: Buffer) => {
      output = (output + chunk.toString()).slice(-4000);
      if (pattern.test(output)) finish();
    };
    const onExit = (code: number | null) => finish(new Error(`server exited (${code}) before it was ready:\n${output}`));
    const finish = (error?: Error) => {
      clearTimeout(timer);
      child.stdout?.off('data', onData);
      child.stderr?.off('data', onData);
      child.off('exit', onExit);
      if (error) reject(error);
      else resolve();
    };
    child.stdout?.on('data', onData);
    child.stderr?.on('data', onData);
    child.once('exit', onExit);
  });

/** Lets the test process exit even while the server runs (the exit hook stops it); drains its further output. */
export const detach = (child: ChildProcess): void => {
  child.unref();
  for (const stream of [child.stdout, child.stderr]) {
    // An unread pipe fills up and blocks the server's logging, so keep it flowing into nowhere.
    stream?.resume();
    (stream as Socket | null)?.unref();
  }
};

/**
 * Stops the server and removes its directory once this test process is gone, however it ends: `exit` handlers do not
 * run when the process dies of a signal (Ctrl-C, a closed pipe), and an orphaned server would outlive the run.
 * Started before the server so an interrupted start-up is cleaned too; the server's own pid file names what to stop,
 * and servers delete it when they stop, so a stopped server's pid (perhaps reused) is never signalled.
 */
export const watchdog = (dir: string, pidFile: string, signal: 'KILL' | 'QUIT' | 'TERM'): void => {
  const script = [
    `while kill -0 ${process.pid} 2>/dev/null; do sleep 1; done`,
    `pid=$(head -n 1 '${pidFile}' 2>/dev/null)`,
    `if [ -n "$pid" ]; then kill -${signal} "$pid" 2>/dev/null; while kill -0 "$pid" 2>/dev/null; do sleep 0.2; done; fi`,
    `rm -rf '${dir}'`,
  ].join('\n');
  spawn('sh', ['-c', script], { detached: true, stdio: 'ignore' }).unref();
};

