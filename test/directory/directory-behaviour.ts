import { expect } from 'chai';
import type { Context } from 'mocha';
import { configSchema, type Config } from '../../src/config/schema.ts';
import { type Directory, DirectoryUnavailableError } from '../../src/directory/directory.ts';
import { createLdapDirectory } from '../../src/directory/ldap.ts';
import { loadSampleStaff, SAMPLE_PASSWORD, samplePersonDn, type SamplePerson } from '../../src/directory/sample/index.ts';
import { createLogger } from '../../src/shared/logger.ts';
import { startTcpProxy } from './tcp-tools.ts';

/** A directory server holding the sample staff. */
export interface SampleServer {
  url: string;
  close(): Promise<void>;
}

const logger = createLogger('silent');
const sample = loadSampleStaff();
const person = (uid: string): SamplePerson => sample.staff.find((p) => p.uid === uid) as SamplePerson;

/** Directory configuration: the schema defaults (which match the sample tree) with overrides. */
export const directoryConfig = (overrides: Partial<Config['directory']>): Config['directory'] => ({
  ...configSchema.parse({}).directory,
  timeoutMs: 2000,
  ...overrides,
});

/** What `createLdapDirectory` must return for a sample person. */
const expectedUser = (p: SamplePerson) => ({
  id: p.entryUUID,
  dn: samplePersonDn(p.uid),
  username: p.uid,
  name: p.cn,
  givenName: p.givenName,
  familyName: p.sn,
  email: p.mail,
  ...(p.employeeNumber ? { nip: p.employeeNumber } : {}),
  employeeType: p.employeeType,
  agencyCode: p.departmentNumber,
  agencyName: p.ou,
  position: p.title,
  ...(p.businessCategory ? { grade: p.businessCategory } : {}),
});

/**
 * The behaviour every LDAP server holding the sample must show through `createLdapDirectory`.
 * `start` may skip the suite (`serviceMissing`) when the server is not installed.
 */
export const directoryBehaviour = (start: (ctx: Context) => Promise<SampleServer>): void => {
  let server: SampleServer | undefined;
  let directory: Directory;
  const andi = person('andi.wijaya');

  before(async function () {
    server = await start(this);
    directory = createLdapDirectory(directoryConfig({ url: server.url }), logger);
  });
  after(async () => {
    await directory?.close();
    await server?.close();
  });

  describe('authenticate', () => {
    it('signs in by uid and maps a PNS (NIP, golongan, agency, position)', async () => {
      expect(await directory.authenticate('andi.wijaya', SAMPLE_PASSWORD)).to.deep.equal(expectedUser(andi));
    });
    it('signs in by NIP', async () => {
      expect((await directory.authenticate(andi.employeeNumber as string, SAMPLE_PASSWORD))?.id).to.equal(andi.entryUUID);
    });
    it('signs in by e-mail, case-insensitively, ignoring surrounding spaces', async () => {
      const user = await directory.authenticate(`  ${andi.mail.toUpperCase()} `, SAMPLE_PASSWORD);
      expect(user?.id).to.equal(andi.entryUUID);
      expect(user?.username, 'username is the uid, not what was typed').to.equal('andi.wijaya');
    });
    it('maps a PPPK (NI and PPPK grade)', async () => {
      const rudi = person('rudi.hartono');
      const user = await directory.authenticate('rudi.hartono', SAMPLE_PASSWORD);
      expect(user).to.deep.equal(expectedUser(rudi));
      expect(user).to.include({ employeeType: 'pppk', grade: 'IX', nip: rudi.employeeNumber });
    });
    it('maps a non-ASN person without number or grade', async () => {
      const user = await directory.authenticate('yanti.pakpahan', SAMPLE_PASSWORD);
      expect(user).to.deep.equal(expectedUser(person('yanti.pakpahan')));
      expect(user?.employeeType).to.equal('non_asn');
      expect(user).not.to.have.property('nip');
      expect(user).not.to.have.property('grade');
    });
    it('refuses a wrong password', async () => {
      expect(await directory.authenticate('andi.wijaya', 'demo-2026')).to.equal(null);
    });
    it('refuses an unknown login', async () => {
      expect(await directory.authenticate('tidak.ada', SAMPLE_PASSWORD)).to.equal(null);
    });
    it('refuses an empty password (an empty simple bind would be anonymous)', async () => {
      expect(await directory.authenticate('andi.wijaya', '')).to.equal(null);
    });
    it('refuses an empty login', async () => {
      expect(await directory.authenticate('   ', SAMPLE_PASSWORD)).to.equal(null);
    });
    for (const login of ['*', 'andi*', '*)(uid=*', '\\', 'andi.wijaya)(|(uid=*', '*@contoh.go.id']) {
      it(`treats ${JSON.stringify(login)} as a literal value, not filter syntax`, async () => {
        expect(await directory.authenticate(login, SAMPLE_PASSWORD)).to.equal(null);
        expect(await directory.findUser(login)).to.equal(null);
      });
    }
  });

  describe('findUser', () => {
    it('finds a person by NIP without a password', async () => {
      expect(await directory.findUser(andi.employeeNumber as string)).to.deep.equal(expectedUser(andi));
    });
    it('returns null for an unknown login', async () => {
      expect(await directory.findUser('tidak.ada@contoh.go.id')).to.equal(null);
    });
  });

  describe('findById', () => {
    it('finds a person by their stable id (entryUUID), as a sign-in maps them', async () => {
      expect(await directory.findById(andi.entryUUID)).to.deep.equal(expectedUser(andi));
    });
    it('finds each person by id, not the first entry that has one', async () => {
      const people = sample.staff.slice(0, 10);
      const users = await Promise.all(people.map((p) => directory.findById(p.entryUUID)));
      expect(users.map((u) => u?.username)).to.deep.equal(people.map((p) => p.uid));
    });
    it('returns null for an id nobody has', async () => {
      expect(await directory.findById('6f1c2d3e-4b5a-4c6d-8e7f-0a1b2c3d4e5f')).to.equal(null);
    });
    for (const id of ['*', '*)(entryUUID=*', `${andi.entryUUID})(|(uid=*`, '\\', `${andi.entryUUID.slice(0, 8)}*`]) {
      it(`treats ${JSON.stringify(id)} as a literal value, not filter syntax`, async () => {
        expect(await directory.findById(id)).to.equal(null);
      });
    }
    it('applies the configured user filter, like a sign-in', async () => {
      const filtered = createLdapDirectory(directoryConfig({ url: server!.url, userFilter: '(departmentNumber=TIDAK-ADA)' }), logger);
      try {
        expect(await filtered.findById(andi.entryUUID)).to.equal(null);
      } finally {
        await filtered.close();
      }
    });
    it('rejects with DirectoryUnavailableError, never null, when the service account is refused', async () => {
      const broken = createLdapDirectory(directoryConfig({ url: server!.url, bindPassword: 'wrong' }), logger);
      try {
        await expectUnavailable(broken.findById(andi.entryUUID));
      } finally {
        await broken.close();
      }
    });
    it('rejects with DirectoryUnavailableError, never null, when the base DN does not exist', async () => {
      const lost = createLdapDirectory(directoryConfig({ url: server!.url, baseDn: 'ou=tidak-ada,dc=contoh,dc=go,dc=id' }), logger);
      try {
        await expectUnavailable(lost.findById(andi.entryUUID));
      } finally {
        await lost.close();
      }
    });
  });

  describe('check', () => {
    it('passes with the configured service account', async () => {
      await directory.check();
    });
    it('reports a rejected service account as unavailable, and sign-ins too (not as a wrong password)', async () => {
      const broken = createLdapDirectory(directoryConfig({ url: server!.url, bindPassword: 'wrong' }), logger);
      try {
        await expectUnavailable(broken.check());
        await expectUnavailable(broken.authenticate('andi.wijaya', SAMPLE_PASSWORD));
      } finally {
        await broken.close();
      }
    });
  });

  describe('connections', () => {
    it('reuses connections: 50 sign-ins open one search and one bind connection', async () => {
      const proxy = await startTcpProxy(server!.url);
      const reused = createLdapDirectory(directoryConfig({ url: proxy.url }), logger);
      try {
        for (let i = 0; i < 50; i++) {
          const p = sample.staff[i % sample.staff.length] as SamplePerson;
          expect((await reused.authenticate(p.uid, SAMPLE_PASSWORD))?.id, p.uid).to.equal(p.entryUUID);
        }
        expect(proxy.connections).to.equal(2);
      } finally {
        await reused.close();
        await proxy.close();
      }
    });
    it('serves 20 concurrent sign-ins correctly (binds never share a connection)', async () => {
      const people = sample.staff.slice(0, 20);
      const users = await Promise.all(people.map((p) => directory.authenticate(p.uid, SAMPLE_PASSWORD)));
      expect(users.map((u) => u?.id)).to.deep.equal(people.map((p) => p.entryUUID));
      const wrong = await Promise.all(people.map((p) => directory.authenticate(p.uid, 'salah')));
      expect(wrong.every((u) => u === null)).to.equal(true);
    });
    it('recovers when the server drops idle connections', async () => {
      const proxy = await startTcpProxy(server!.url);
      const dropped = createLdapDirectory(directoryConfig({ url: proxy.url }), logger);
      try {
        expect(await dropped.authenticate('dewi.lestari', SAMPLE_PASSWORD)).not.to.equal(null);
        proxy.dropAll();
        await new Promise((r) => setTimeout(r, 50));
        expect((await dropped.authenticate('dewi.lestari', SAMPLE_PASSWORD))?.username).to.equal('dewi.lestari');
        expect(proxy.connections).to.equal(4);
      } finally {
        await dropped.close();
        await proxy.close();
      }
    });
    it('retries once on a fresh connection when a pooled one dies mid-request', async () => {
      const proxy = await startTcpProxy(server!.url);
      const cut = createLdapDirectory(directoryConfig({ url: proxy.url }), logger);
      try {
        expect(await cut.authenticate('bambang.susilo', SAMPLE_PASSWORD)).not.to.equal(null);
        proxy.cutNextRequest(); // the search on the pooled service connection
        expect((await cut.authenticate('bambang.susilo', SAMPLE_PASSWORD))?.username).to.equal('bambang.susilo');
        proxy.cutNextRequest(); // the bind on the pooled user-bind connection
        expect((await cut.authenticate('bambang.susilo', SAMPLE_PASSWORD))?.username).to.equal('bambang.susilo');
        expect(proxy.connections).to.equal(4);
      } finally {
        await cut.close();
        await proxy.close();
      }
    });
  });
};

/** Asserts that `promise` rejects with `DirectoryUnavailableError`. */
export const expectUnavailable = async (promise: Promise<unknown>): Promise<DirectoryUnavailableError> => {
  try {
    await promise;
  } catch (error) {
    expect(error).to.be.instanceOf(DirectoryUnavailableError);
    return error as DirectoryUnavailableError;
  }
  expect.fail('expected DirectoryUnavailableError');
};
