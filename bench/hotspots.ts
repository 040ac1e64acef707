/**
 * Summarises a V8 `.cpuprofile` (from `npm run bench -- --profile`): self time by package or source file, and the
 * top functions. `tsx bench/hotspots.ts <file.cpuprofile> [top=25]`
 */
import { readFileSync } from 'node:fs';

interface Node { id: number; callFrame: { functionName: string; url: string; lineNumber: number }; children?: number[] }
interface Profile { nodes: Node[]; samples: number[]; timeDeltas: number[] }

/** Where a frame's code lives: `pkg:<name>` for dependencies, the path under src/ for ours, node internals as is. */
export const owner = (url: string): string => {
  const dep = /node_modules\/((?:@[^/]+\/)?[^/]+)/.exec(url);
  if (dep) return `pkg:${dep[1]}`;
  const ours = /\/(src|bench|migrations)\/(.*)$/.exec(url);
  if (ours) return `${ours[1]}/${ours[2]}`;
  return url ? url.replace(/^node:/, 'node:') : '(native/GC/idle)';
};

const [file, topArg = '25'] = process.argv.slice(2);
if (!file) throw new Error('usage: tsx bench/hotspots.ts <file.cpuprofile> [top]');
const profile = JSON.parse(readFileSync(file, 'utf8')) as Profile;
const byId = new Map(profile.nodes.map((n) => [n.id, n]));
const self = new Map<number, number>();
profile.samples.forEach((id, i) => self.set(id, (self.get(id) ?? 0) + (profile.timeDeltas[i] ?? 0)));
const total = [...self.values()].reduce((a, b) => a + b, 0);
const idle = [...self].filter(([id]) => byId.get(id)?.callFrame.functionName === '(idle)').reduce((a, [, t]) => a + t, 0);

const add = (map: Map<string, number>, key: string, t: number) => map.set(key, (map.get(key) ?? 0) + t);
const byOwner = new Map<string, number>();
const byFunction = new Map<string, number>();
for (const [id, t] of self) {
  const { functionName, url, lineNumber } = byId.get(id)!.callFrame;
  if (functionName === '(idle)') continue;
  add(byOwner, owner(url) === '(native/GC/idle)' ? functionName : owner(url), t);
  add(byFunction, `${functionName || '(anonymous)'} ${owner(url)}:${lineNumber + 1}`, t);
}
const busy = total - idle;
const show = (title: string, map: Map<string, number>) => {
  console.log(`\n${title} (share of busy time)`);
  for (const [k, t] of [...map].sort((a, b) => b[1] - a[1]).slice(0, Number(topArg))) console.log(`${((t / busy) * 100).toFixed(1).padStart(6)}%  ${k}`);
};
console.log(`${file}: ${(total / 1e6).toFixed(1)} s sampled, ${((idle / total) * 100).toFixed(0)}% idle`);
show('self time by package / file', byOwner);
show('self time by function', byFunction);
