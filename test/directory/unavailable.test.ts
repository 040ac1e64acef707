import { mock } from 'node:test';
import { expect } from 'chai';
import { createLdapDirectory } from '../../src/directory/ldap.ts';
import { SAMPLE_PASSWORD } from '../../src/directory/sample/index.ts';
import { createLogger } from '../../src/shared/logger.ts';
import { directoryConfig, expectUnavailable } from './directory-behaviour.ts';
import { closedPort, startSilentServer } from './tcp-tools.ts';

const logger = createLogger('silent');

/**
 * Stops the timers the directory client sets (its connect and operation timeouts, both `timeoutMs`): they fire only
 * when the test moves time with `mock.timers.tick`, so no assertion depends on how fast the machine is. Sockets,
 * `setImmediate` and mocha's own timeout keep real time.
 */
const stopTime = () => mock.timers.enable({ apis: ['setTimeout'] });

/** Follows `promise` without waiting for it. */
const watch = (promise: Promise<unknown>) => {
  let settled = false;
  const result = promise.finally(() => void (settled = true));
  result.catch(() => undefined);
  return { result, settled: () => settled };
};

/** Lets pending I/O callbacks, and every promise they settle, run. */
const turn = () => new Promise((resolve) => setImmediate(resolve));

describe('directory: unreachable or hung server', () => {
  afterEach(() => mock.timers.reset());

  it('rejects with DirectoryUnavailableError at once when nothing listens on the port', async () => {
    const port = await closedPort();
    const directory = createLdapDirectory(directoryConfig({ url: `ldap://127.0.0.1:${port}`, timeoutMs: 1000 }), logger);
    // With time stopped no timeout can fire: each rejection comes from the refused connection itself (waiting for a
    // timeout instead would hang until mocha's own timeout fails the test).
    stopTime();
    try {
      const refused = `connect ECONNREFUSED 127.0.0.1:${port}`;
      expect((await expectUnavailable(directory.authenticate('andi.wijaya', SAMPLE_PASSWORD))).message).to.equal(`directory search failed: ${refused}`);
      expect((await expectUnavailable(directory.findUser('andi.wijaya'))).message).to.equal(`directory search failed: ${refused}`);
      expect((await expectUnavailable(directory.check())).message).to.equal(`directory check failed: ${refused}`);
    } finally {
      await directory.close();
    }
  });

  it('gives up after timeoutMs, not before, when the server accepts connections but never answers', async () => {
    const silent = await startSilentServer();
    const directory = createLdapDirectory(directoryConfig({ url: silent.url, timeoutMs: 300 }), logger);
    stopTime();
    try {
      const operations = [
        ['search', () => directory.authenticate('andi.wijaya', SAMPLE_PASSWORD)],
        ['check', () => directory.check()],
      ] as const;
      for (const [what, operation] of operations) {
        const asked = silent.nextRequest();
        const pending = watch(operation());
        await asked; // the service account's bind is out: its timeout runs from now
        mock.timers.tick(299);
        await turn();
        expect(pending.settled(), `${what}: still waiting 1 ms before timeoutMs`).to.equal(false);
        mock.timers.tick(1);
        await turn();
        expect(pending.settled(), `${what}: given up at timeoutMs`).to.equal(true);
        expect((await expectUnavailable(pending.result)).message).to.equal(`directory ${what} failed: BindRequest: Operation timed out`);
      }
      expect(silent.connections, 'one connection per operation: a timeout is not retried').to.equal(2);
    } finally {
      await directory.close();
      await silent.close();
    }
  });

  it('never reports an empty password as unavailable: it is refused before the directory is asked', async () => {
    const directory = createLdapDirectory(directoryConfig({ url: `ldap://127.0.0.1:${await closedPort()}` }), logger);
    try {
      expect(await directory.authenticate('andi.wijaya', '')).to.equal(null);
    } finally {
      await directory.close();
    }
  });
});
