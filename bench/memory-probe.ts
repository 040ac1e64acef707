/**
 * Preloaded into the provider by `bench/memory.ts` (`node --import tsx --import ./bench/memory-probe.ts src/main.ts`):
 * counts the modules loaded and, on SIGUSR2, prints one `MEMORY {json}` line on stderr with the process's figures.
 * With `--expose-gc` it prints a second line after two full collections (what is live, not what is merely uncollected).
 * Not part of the provider: nothing in src/ imports it.
 */
import * as nodeModule from 'node:module';
import { readFileSync } from 'node:fs';
import { getHeapSpaceStatistics } from 'node:v8';
import { MessageChannel } from 'node:worker_threads';

type LoadHook = (url: string, context: unknown, next: (url: string, context: unknown) => unknown) => unknown;
const hooks = nodeModule as unknown as { registerHooks?: (h: { load: LoadHook }) => void };
const require = nodeModule.createRequire(import.meta.url);
const urls = new Set<string>();

/** The module hooks thread's heap (Node 20, where tsx's loader runs there too), asked for over the hook's port. */
type Heap = { heapUsed: number; heapTotal: number };
let hooksHeap: ((gc: boolean) => Promise<Heap | undefined>) | undefined;
// ESM modules pass through a load hook: in this thread where Node has `registerHooks` (22.15+; tsx uses it from
// 22.22.3 and 24.11.1), else in the hooks thread, which reports each URL back over a port. CommonJS modules loaded by
// require() are in require.cache.
if (hooks.registerHooks) {
  hooks.registerHooks({ load: (url, context, next) => (urls.add(url), next(url, context)) });
} else {
  const { port1, port2 } = new MessageChannel();
  let answer: ((heap: Heap) => void) | undefined;
  port1.on('message', (m: string | Heap) => (typeof m === 'string' ? urls.add(m) : answer?.(m)));
  port1.unref();
  // The thread answers between loads; should it not within a second, the figure is left out rather than waited for.
  hooksHeap = (gc) => new Promise((resolve) => {
    answer = resolve;
    port1.postMessage(gc);
    setTimeout(() => resolve(undefined), 1000);
  });
  const hook = 'let port; export const initialize = (d) => { port = d.port; port.on("message", (gc) => {'
    + ' if (gc) globalThis.gc?.(); const m = process.memoryUsage(); port.postMessage({ heapUsed: m.heapUsed, heapTotal: m.heapTotal }); }); port.unref(); };'
    + ' export const load = (url, context, next) => { port.postMessage(url); return next(url, context); };';
  nodeModule.register(`data:text/javascript,${encodeURIComponent(hook)}`, { parentURL: import.meta.url, data: { port: port2 }, transferList: [port2] });
}

const kB = (status: string, field: string) => Number(status.match(new RegExp(`${field}:\\s+(\\d+) kB`))?.[1] ?? NaN);

/** Files (not node: built-ins) loaded so far, by package: the ten with the most files. */
const modules = () => {
  const files = new Set([...urls].filter((u) => u.startsWith('file:')).map((u) => new URL(u).pathname));
  for (const file of Object.keys(require.cache)) files.add(file);
  const byPackage = new Map<string, number>();
  for (const file of files) {
    const name = file.match(/.*\/node_modules\/((?:@[^/]+\/)?[^/]+)\//)?.[1] ?? '(own)';
    byPackage.set(name, (byPackage.get(name) ?? 0) + 1);
  }
  return { count: files.size, top: [...byPackage].sort((a, b) => b[1] - a[1]).slice(0, 10) };
};

const figures = async (label: string, gc: boolean) => {
  const loaderThread = await hooksHeap?.(gc);
  const status = readFileSync('/proc/self/status', 'utf8');
  const mem = process.memoryUsage();
  const code = getHeapSpaceStatistics().find((s) => s.space_name === 'code_space')?.space_used_size ?? 0;
  const maps = readFileSync('/proc/self/maps', 'utf8');
  const addons = [...new Set(maps.split('\n').map((l) => l.split(/\s+/)[5] ?? '').filter((f) => f.endsWith('.node')))];
  return {
    label,
    rssKb: kB(status, 'VmRSS'),
    hwmKb: kB(status, 'VmHWM'),
    anonKb: kB(status, 'RssAnon'),
    fileKb: kB(status, 'RssFile'),
    threads: Number(status.match(/Threads:\s+(\d+)/)?.[1]),
    heapUsed: mem.heapUsed,
    heapTotal: mem.heapTotal,
    external: mem.external,
    arrayBuffers: mem.arrayBuffers,
    codeSpace: code,
    addons,
    modules: modules(),
    loaderThread,
  };
};

process.on('SIGUSR2', async () => {
  console.error(`MEMORY ${JSON.stringify(await figures('idle', false))}`);
  const gc = (globalThis as { gc?: () => void }).gc;
  if (!gc) return;
  gc();
  gc();
  console.error(`MEMORY ${JSON.stringify(await figures('after GC', true))}`);
});
