import type { Context } from 'mocha';
import { startDemoApps } from '../../src/demo/demo-app.ts';
import { startChromium } from './chromium.ts';
import { freePort } from './processes.ts';
import { startProvider, type TestProvider } from './provider.ts';

/** What a browser test needs: Satu Akun with the quick-start demo apps, and Chromium. */
export interface DemoWorld {
  op: TestProvider;
  demos: Awaited<ReturnType<typeof startDemoApps>>;
  chrome: Awaited<ReturnType<typeof startChromium>>;
  close(): Promise<void>;
}

/** Starts the quick start (demo apps on free ports) and headless Chromium; call from a `before` hook. */
export const startDemoWorld = async (ctx: Context): Promise<DemoWorld> => {
  const chrome = await startChromium(ctx);
  const op = await startProvider({ demoApps: true, demoPorts: [await freePort(), await freePort()] });
  const demos = await startDemoApps(op.satu);
  return {
    op,
    demos,
    chrome,
    close: async () => {
      await chrome.close();
      await Promise.all(demos.map((d) => d.close()));
      await op.stop();
    },
  };
};
