/**
 * Preloaded into the provider by bench/soak.ts (`node --expose-gc --import tsx --import ./bench/soak-probe.ts
 * bench/server.ts`), so the heap can be read from outside without touching src/: on SIGUSR2 it runs a full garbage
 * collection and writes `process.memoryUsage()` as JSON to the file named by SOAK_PROBE_FILE. The heap after a full
 * collection is what is still referenced, so it shows a leak where the heap between collections only shows noise.
 */
import { writeFileSync } from 'node:fs';

const file = process.env.SOAK_PROBE_FILE;
if (file) {
  process.on('SIGUSR2', () => {
    (globalThis as { gc?: () => void }).gc?.();
    writeFileSync(file, JSON.stringify({ at: Date.now(), ...process.memoryUsage() }));
  });
}
