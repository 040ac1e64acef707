import { expect } from 'chai';
import type { Context } from 'mocha';
import { SAMPLE_PASSWORD, sshaHash, toLdif } from '../../src/directory/sample/index.ts';
import { createLdapDirectory } from '../../src/directory/ldap.ts';
import { createLogger } from '../../src/shared/logger.ts';
import { serviceMissing } from '../support/require-service.ts';
import { slapdAvailable, startSlapd, type Slapd } from '../support/slapd.ts';
import { directoryBehaviour, directoryConfig } from './directory-behaviour.ts';

const logger = createLogger('silent');
const requireSlapd = (ctx: Context) => {
  if (!slapdAvailable()) serviceMissing(ctx, 'slapd', 'install the Debian packages slapd and ldap-utils');
};

// The Active Directory attributes Satu Akun relies on, with AD's own OIDs, so slapd can play a domain controller.
const AD_SCHEMA = `
attributetype ( 1.2.840.113556.1.4.221 NAME 'sAMAccountName' EQUALITY caseIgnoreMatch SUBSTR caseIgnoreSubstringsMatch
  SYNTAX 1.3.6.1.4.1.1466.115.121.1.15 SINGLE-VALUE )
attributetype ( 1.2.840.113556.1.4.656 NAME 'userPrincipalName' EQUALITY caseIgnoreMatch SUBSTR caseIgnoreSubstringsMatch
  SYNTAX 1.3.6.1.4.1.1466.115.121.1.15 SINGLE-VALUE )
attributetype ( 1.2.840.113556.1.4.2 NAME 'objectGUID' EQUALITY octetStringMatch
  SYNTAX 1.3.6.1.4.1.1466.115.121.1.40 SINGLE-VALUE )
objectclass ( 1.2.840.113556.1.3.23 NAME 'container' SUP top STRUCTURAL MUST cn )
objectclass ( 1.3.6.1.4.1.4203.666.11.1 NAME 'satuAkunTestAdUser' SUP top AUXILIARY
  MAY ( sAMAccountName $ userPrincipalName $ objectGUID ) )
`;

const guid = (hex: string) => Buffer.from(hex, 'hex').toString('base64');
const adUser = (cn: string, sam: string, guidHex: string, extra: string[]) => `dn: CN=${cn},CN=Users,DC=contoh,DC=local
objectClass: inetOrgPerson
objectClass: satuAkunTestAdUser
cn: ${cn}
sn: ${cn.split(' ').at(-1)}
sAMAccountName: ${sam}
userPrincipalName: ${sam}@contoh.local
objectGUID:: ${guid(guidHex)}
userPassword: ${sshaHash(SAMPLE_PASSWORD)}
${extra.join('\n')}`;

const AD_LDIF = [
  'dn: DC=contoh,DC=local\nobjectClass: dcObject\nobjectClass: organization\ndc: contoh\no: Pemerintah Kabupaten Contoh',
  'dn: CN=Users,DC=contoh,DC=local\nobjectClass: container\ncn: Users',
  adUser('Andi Wijaya', 'awijaya', '00112233445566778899aabbccddeeff', ['employeeNumber: 198108232016091001', 'mail: andi.wijaya@contoh.go.id']),
  // No employeeType anywhere in this tree: the kind of staff is inferred from the number (a PPPK NI here).
  adUser('Rudi Hartono', 'rhartono', 'ffeeddccbbaa99887766554433221100', ['employeeNumber: 199602282024211002']),
  adUser('Yanti Pakpahan', 'ypakpahan', '0a0b0c0d0e0f10111213141516171819', []),
].join('\n\n') + '\n';

describe('directory: OpenLDAP slapd', () => {
  describe('with the sample LDIF', () => {
    directoryBehaviour(async (ctx) => {
      requireSlapd(ctx);
      return startSlapd({ ldif: toLdif() });
    });
  });

  describe('shaped like Active Directory (sAMAccountName, userPrincipalName, objectGUID)', () => {
    let slapd: Slapd | undefined;
    let directory: ReturnType<typeof createLdapDirectory>;
    before(async function () {
      requireSlapd(this);
      slapd = await startSlapd({ ldif: AD_LDIF, schemaExtra: AD_SCHEMA, suffix: 'DC=contoh,DC=local' });
      const defaults = directoryConfig({});
      directory = createLdapDirectory(
        directoryConfig({
          url: slapd.url,
          bindDn: slapd.rootDn,
          bindPassword: slapd.rootPw,
          baseDn: 'CN=Users,DC=contoh,DC=local',
          userFilter: '(objectClass=satuAkunTestAdUser)',
          loginAttributes: ['sAMAccountName', 'userPrincipalName'],
          attributes: { ...defaults.attributes, id: 'objectGUID' },
        }),
        logger,
      );
    });
    after(async () => {
      await directory?.close();
      await slapd?.close();
    });

    it('signs in by sAMAccountName and formats objectGUID as a GUID string', async () => {
      const user = await directory.authenticate('awijaya', SAMPLE_PASSWORD);
      expect(user).to.include({
        id: '33221100-5544-7766-8899-aabbccddeeff',
        username: 'awijaya',
        name: 'Andi Wijaya',
        employeeType: 'pns',
        nip: '198108232016091001',
      });
      // DNs compare case-insensitively; slapd answers with its own spelling of the attribute types.
      expect(user?.dn.toLowerCase()).to.equal('cn=andi wijaya,cn=users,dc=contoh,dc=local');
    });
    it('signs in by userPrincipalName, case-insensitively, to the same id', async () => {
      const user = await directory.authenticate('AWijaya@Contoh.Local', SAMPLE_PASSWORD);
      expect(user?.id).to.equal('33221100-5544-7766-8899-aabbccddeeff');
      expect(user?.username).to.equal('awijaya');
    });
    it('infers PPPK from an NI and non-ASN from no number when employeeType is absent', async () => {
      expect(await directory.findUser('rhartono')).to.include({ id: 'ccddeeff-aabb-8899-7766-554433221100', employeeType: 'pppk' });
      expect(await directory.findUser('ypakpahan@contoh.local')).to.include({ employeeType: 'non_asn' });
    });
    it('finds a person by objectGUID as printed, searching for the bytes (first three groups little-endian)', async () => {
      expect(await directory.findById('33221100-5544-7766-8899-aabbccddeeff')).to.include({ username: 'awijaya', name: 'Andi Wijaya' });
      expect(await directory.findById('CCDDEEFF-AABB-8899-7766-554433221100'), 'GUIDs print in either case').to.include({ username: 'rhartono' });
    });
    it('does not find a person by the GUID bytes read in plain order, or by an id that is no GUID', async () => {
      expect(await directory.findById('00112233-4455-6677-8899-aabbccddeeff')).to.equal(null);
      expect(await directory.findById('awijaya')).to.equal(null);
      expect(await directory.findById('*')).to.equal(null);
    });
    it('refuses a wrong password and an attribute the configuration does not allow as login', async () => {
      expect(await directory.authenticate('awijaya', 'salah')).to.equal(null);
      expect(await directory.authenticate('198108232016091001', SAMPLE_PASSWORD)).to.equal(null);
    });
  });
});
