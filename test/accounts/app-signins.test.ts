import { expect } from 'chai';
import { createAppSignIns, type AppSignIn } from '../../src/accounts/app-signins.ts';
import { createLogger } from '../../src/shared/logger.ts';

const at = (minute: number) => new Date(Date.UTC(2026, 10, 27, 8, minute));

describe('sign-ins to apps, written behind', () => {
  it('gathers sign-ins into one write per flush, one row per person and app with the first and the last time', async () => {
    const writes: AppSignIn[][] = [];
    const signIns = createAppSignIns({ write: async (batch) => void writes.push(batch), logger: createLogger('silent'), flushMs: 60_000 });
    signIns.record('sub-1', 'app-a', at(1));
    signIns.record('sub-1', 'app-a', at(3));
    signIns.record('sub-1', 'app-b', at(2));
    signIns.record('sub-2', 'app-a', at(4));
    expect(writes, 'nothing written before the flush').to.deep.equal([]);
    await signIns.flush();
    expect(writes).to.deep.equal([
      [
        { sub: 'sub-1', clientId: 'app-a', firstAt: at(1), lastAt: at(3) },
        { sub: 'sub-1', clientId: 'app-b', firstAt: at(2), lastAt: at(2) },
        { sub: 'sub-2', clientId: 'app-a', firstAt: at(4), lastAt: at(4) },
      ],
    ]);
    await signIns.flush();
    expect(writes, 'nothing pending, nothing written').to.have.length(1);
  });

  it('keeps a batch whose write failed and writes it with the next one', async () => {
    const writes: AppSignIn[][] = [];
    let fail = true;
    const signIns = createAppSignIns({
      write: async (batch) => {
        if (fail) throw new Error('database down');
        writes.push(batch);
      },
      logger: createLogger('silent'),
      flushMs: 60_000,
    });
    signIns.record('sub-1', 'app-a', at(1));
    await signIns.flush();
    fail = false;
    signIns.record('sub-1', 'app-a', at(5));
    await signIns.flush();
    expect(writes).to.deep.equal([[{ sub: 'sub-1', clientId: 'app-a', firstAt: at(1), lastAt: at(5) }]]);
  });

  it('writes at most 400 rows a statement, and drops a chunk that failed five times', async () => {
    const sizes: number[] = [];
    let failing = 0;
    const signIns = createAppSignIns({
      write: async (batch) => {
        if (failing-- > 0) throw new Error('constraint violated');
        sizes.push(batch.length);
      },
      logger: createLogger('silent'),
      flushMs: 60_000,
    });
    for (let i = 0; i < 1000; i++) signIns.record(`sub-${i}`, 'app-a', at(1));
    await signIns.flush();
    expect(sizes, "SQLite's compound SELECT takes 500 terms at most").to.deep.equal([400, 400, 200]);

    sizes.length = 0;
    signIns.record('sub-gone', 'app-a', at(2));
    for (let attempt = 0; attempt < 5; attempt++) {
      failing = 1;
      await signIns.flush();
    }
    await signIns.flush();
    expect(sizes, 'given up after five failed writes').to.deep.equal([]);
  });

  it('writes by itself after the gathering time', async () => {
    const writes: AppSignIn[][] = [];
    const signIns = createAppSignIns({ write: async (batch) => void writes.push(batch), logger: createLogger('silent'), flushMs: 20 });
    signIns.record('sub-1', 'app-a', at(1));
    for (let i = 0; i < 50 && !writes.length; i++) await new Promise((r) => setTimeout(r, 10));
    expect(writes).to.have.length(1);
  });
});
