import { expect } from 'chai';
import { Client, InsufficientAccessError, InvalidCredentialsError } from 'ldapts';
import { startEmbeddedDirectory } from '../../src/directory/embedded-server.ts';
import { SAMPLE_PASSWORD, SAMPLE_PEOPLE_DN, SAMPLE_SERVICE_DN, SAMPLE_SERVICE_PASSWORD, samplePersonDn } from '../../src/directory/sample/index.ts';
import { directoryBehaviour } from './directory-behaviour.ts';

describe('directory: embedded server (ldapjs)', () => {
  describe('through createLdapDirectory', () => {
    directoryBehaviour(() => startEmbeddedDirectory({ port: 0 }));
  });

  describe('as an LDAP server', () => {
    let server: Awaited<ReturnType<typeof startEmbeddedDirectory>>;
    let client: Client;
    before(async () => {
      server = await startEmbeddedDirectory({ port: 0 });
    });
    after(() => server.close());
    beforeEach(() => {
      client = new Client({ url: server.url, timeout: 2000 });
    });
    afterEach(() => client.unbind());

    it('listens on the real port when asked for port 0', () => {
      expect(server.url).to.match(/^ldap:\/\/127\.0\.0\.1:\d+$/);
      expect(server.url).not.to.match(/:0$/);
    });
    it('refuses an anonymous search', async () => {
      const error = await client.search(SAMPLE_PEOPLE_DN, { filter: '(uid=andi.wijaya)' }).catch((e: unknown) => e);
      expect(error).to.be.instanceOf(InsufficientAccessError);
    });
    it('makes the connection anonymous again after a failed bind', async () => {
      await client.bind(SAMPLE_SERVICE_DN, SAMPLE_SERVICE_PASSWORD);
      await client.bind(samplePersonDn('andi.wijaya'), 'salah').catch((e: unknown) => expect(e).to.be.instanceOf(InvalidCredentialsError));
      const error = await client.search(SAMPLE_PEOPLE_DN, { filter: '(uid=andi.wijaya)' }).catch((e: unknown) => e);
      expect(error).to.be.instanceOf(InsufficientAccessError);
    });
    it('refuses a bind with an empty password for an existing person', async () => {
      const error = await client.bind(samplePersonDn('andi.wijaya'), '').catch((e: unknown) => e);
      expect(error).to.be.instanceOf(InvalidCredentialsError);
    });
    it('returns entryUUID only when asked for it or for "+"', async () => {
      await client.bind(samplePersonDn('siti.rahmawati'), SAMPLE_PASSWORD);
      const search = (attributes: string[]) =>
        client.search(SAMPLE_PEOPLE_DN, { scope: 'one', filter: '(UID=Siti.Rahmawati)', attributes }).then((r) => r.searchEntries);
      const [plain] = await search([]);
      expect(plain).to.include({ uid: 'siti.rahmawati', departmentNumber: 'DISKOMINFO' });
      expect(plain).not.to.have.property('entryUUID');
      expect(plain).not.to.have.property('userPassword');
      const [named] = await search(['entryuuid', 'mail']);
      expect(Object.keys(named ?? {}).sort()).to.deep.equal(['dn', 'entryUUID', 'mail']);
      const [all] = await search(['*', '+']);
      expect(all).to.have.property('entryUUID').that.matches(/^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/);
    });
    it('honours scope and filters (substring, presence, not)', async () => {
      await client.bind(SAMPLE_SERVICE_DN, SAMPLE_SERVICE_PASSWORD);
      const count = async (base: string, scope: 'base' | 'one' | 'sub', filter: string) =>
        (await client.search(base, { scope, filter, attributes: ['1.1'] })).searchEntries.length;
      expect(await count('dc=contoh,dc=go,dc=id', 'base', '(objectClass=*)')).to.equal(1);
      expect(await count('dc=contoh,dc=go,dc=id', 'one', '(objectClass=organizationalUnit)')).to.equal(2);
      expect(await count('dc=contoh,dc=go,dc=id', 'one', '(uid=andi.wijaya)')).to.equal(0);
      expect(await count('dc=contoh,dc=go,dc=id', 'sub', '(uid=andi.wijaya)')).to.equal(1);
      expect(await count(SAMPLE_PEOPLE_DN, 'sub', '(&(departmentNumber=kec-*)(!(employeeNumber=*)))')).to.be.greaterThan(0);
      expect(await count(SAMPLE_PEOPLE_DN, 'sub', '(&(employeeType=pns)(!(employeeNumber=*)))')).to.equal(0);
    });
  });
});
