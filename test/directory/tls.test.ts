import { expect } from 'chai';
import { spawnSync } from 'node:child_process';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Config } from '../../src/config/schema.ts';
import { createLdapDirectory } from '../../src/directory/ldap.ts';
import { SAMPLE_PASSWORD, toLdif } from '../../src/directory/sample/index.ts';
import { createLogger } from '../../src/shared/logger.ts';
import { serviceMissing } from '../support/require-service.ts';
import { slapdAvailable, startSlapd, type Slapd } from '../support/slapd.ts';
import { directoryConfig, expectUnavailable } from './directory-behaviour.ts';

const logger = createLogger('silent');

describe('directory: TLS (ldaps and StartTLS) against slapd with a self-signed certificate', () => {
  let dir: string | undefined;
  let slapd: Slapd | undefined;
  let caFile: string;

  before(async function () {
    if (!slapdAvailable()) serviceMissing(this, 'slapd', 'install the Debian packages slapd and ldap-utils');
    dir = await mkdtemp(join(tmpdir(), 'satu-akun-tls-'));
    caFile = join(dir, 'cert.pem');
    const keyFile = join(dir, 'key.pem');
    const made = spawnSync('openssl', ['req', '-x509', '-newkey', 'rsa:2048', '-nodes', '-days', '1', '-subj', '/CN=localhost',
      '-addext', 'subjectAltName=IP:127.0.0.1,DNS:localhost', '-keyout', keyFile, '-out', caFile], { encoding: 'utf8' });
    if (made.error || made.status !== 0) serviceMissing(this, 'openssl', made.stderr || String(made.error));
    // `required`: slapd refuses binds on an unencrypted connection, so a passing StartTLS test proves TLS was used.
    slapd = await startSlapd({ ldif: toLdif(), tls: { certFile: caFile, keyFile, required: true } });
  });
  after(async () => {
    await slapd?.close();
    if (dir) await rm(dir, { recursive: true, force: true });
  });

  const withDirectory = async (overrides: Partial<Config['directory']>, use: (d: ReturnType<typeof createLdapDirectory>) => Promise<void>) => {
    const directory = createLdapDirectory(directoryConfig(overrides), logger);
    try {
      await use(directory);
    } finally {
      await directory.close();
    }
  };

  it('signs in over ldaps:// trusting the configured CA file', async () => {
    await withDirectory({ url: slapd!.ldapsUrl, tlsCaFile: caFile }, async (d) => {
      await d.check();
      expect((await d.authenticate('andi.wijaya', SAMPLE_PASSWORD))?.username).to.equal('andi.wijaya');
    });
  });
  it('signs in over ldap:// with StartTLS', async () => {
    await withDirectory({ url: slapd!.url, startTls: true, tlsCaFile: caFile }, async (d) => {
      expect((await d.authenticate('siti.rahmawati', SAMPLE_PASSWORD))?.username).to.equal('siti.rahmawati');
      expect(await d.authenticate('siti.rahmawati', 'salah')).to.equal(null);
    });
  });
  it('rejects an untrusted certificate as unavailable, for ldaps and StartTLS', async () => {
    await withDirectory({ url: slapd!.ldapsUrl }, (d) => expectUnavailable(d.authenticate('andi.wijaya', SAMPLE_PASSWORD)).then(() => undefined));
    await withDirectory({ url: slapd!.url, startTls: true }, (d) => expectUnavailable(d.check()).then(() => undefined));
  });
  it('accepts an untrusted certificate only when tlsRejectUnauthorized is false', async () => {
    await withDirectory({ url: slapd!.ldapsUrl, tlsRejectUnauthorized: false }, async (d) => {
      expect(await d.authenticate('dewi.lestari', SAMPLE_PASSWORD)).not.to.equal(null);
    });
  });
  it('reports a server that requires TLS, reached without it, as unavailable rather than a wrong password', async () => {
    await withDirectory({ url: slapd!.url }, async (d) => {
      await expectUnavailable(d.authenticate('andi.wijaya', SAMPLE_PASSWORD));
    });
  });
});
