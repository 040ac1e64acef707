import { expect } from 'chai';
import { createLdapDirectory } from '../../src/directory/ldap.ts';
import { SAMPLE_PASSWORD } from '../../src/directory/sample/index.ts';
import { createLogger } from '../../src/shared/logger.ts';
import { directoryConfig, expectUnavailable } from './directory-behaviour.ts';
import { closedPort, startSilentServer } from './tcp-tools.ts';

const logger = createLogger('silent');

/** Milliseconds `promise` takes to settle. */
const elapsed = async (promise: Promise<unknown>): Promise<number> => {
  const start = performance.now();
  await promise.catch(() => undefined);
  return performance.now() - start;
};

describe('directory: unreachable or hung server', () => {
  it('rejects with DirectoryUnavailableError at once when nothing listens on the port', async () => {
    const directory = createLdapDirectory(directoryConfig({ url: `ldap://127.0.0.1:${await closedPort()}`, timeoutMs: 1000 }), logger);
    try {
      const error = await expectUnavailable(directory.authenticate('andi.wijaya', SAMPLE_PASSWORD));
      expect(error.message).to.match(/ECONNREFUSED/);
      expect(await elapsed(directory.findUser('andi.wijaya'))).to.be.below(500);
      await expectUnavailable(directory.check());
    } finally {
      await directory.close();
    }
  });

  it('gives up after timeoutMs when the server accepts connections but never answers', async () => {
    const silent = await startSilentServer();
    const directory = createLdapDirectory(directoryConfig({ url: silent.url, timeoutMs: 300 }), logger);
    try {
      const took = await elapsed(expectUnavailable(directory.authenticate('andi.wijaya', SAMPLE_PASSWORD)));
      expect(took).to.be.within(250, 1000);
      expect(await elapsed(expectUnavailable(directory.check()))).to.be.within(250, 1000);
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
