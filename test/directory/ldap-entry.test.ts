import { expect } from 'chai';
import { employeeType, formatGuid, identifierValue, inferEmployeeType, parseGuid } from '../../src/directory/ldap-entry.ts';

describe('directory: mapping of entries', () => {
  describe('employee type from the directory value', () => {
    for (const [raw, expected] of [
      ['pns', 'pns'], ['PNS', 'pns'], [' Pppk ', 'pppk'], ['PPPK', 'pppk'], ['non_asn', 'non_asn'],
      ['NON-ASN', 'non_asn'], ['Non ASN', 'non_asn'], ['honorer', 'non_asn'], ['Honorer', 'non_asn'],
    ] as const) {
      it(`maps ${JSON.stringify(raw)} to ${expected} whatever the number says`, () => {
        expect(employeeType(raw, '199602282024211002')).to.equal(expected);
        expect(employeeType(raw, undefined)).to.equal(expected);
      });
    }
    it('infers from the number when the value is missing or unknown', () => {
      expect(employeeType(undefined, '198108232016091001')).to.equal('pns');
      expect(employeeType('pegawai', '199602282024211002')).to.equal('pppk');
      expect(employeeType('', undefined)).to.equal('non_asn');
    });
  });

  describe('employee type inferred from an 18-digit number', () => {
    it('recognises a NIP: birth date, TMT year and month, gender 1 or 2', () => {
      expect(inferEmployeeType('198108232016091001')).to.equal('pns');
      expect(inferEmployeeType('197612022006102002')).to.equal('pns');
    });
    it('recognises a PPPK NI by the "21" where a NIP has the month', () => {
      expect(inferEmployeeType('199602282024211002')).to.equal('pppk');
    });
    for (const [number, why] of [
      ['19810823201609100', '17 digits'],
      ['1981082320160910011', '19 digits'],
      ['19810823201609100a', 'not all digits'],
      ['198102302016091001', '30 February'],
      ['198108232016131001', 'month 13'],
      ['198108232016093001', 'gender digit 3'],
      ['198108231990091001', 'service before age 15'],
      ['', 'empty'],
    ]) {
      it(`treats ${JSON.stringify(number)} (${why}) as no ASN number`, () => {
        expect(inferEmployeeType(number)).to.equal('non_asn');
      });
    }
  });

  describe('objectGUID', () => {
    it('prints the first three groups little-endian, as Windows does', () => {
      expect(formatGuid(Buffer.from('00112233445566778899aabbccddeeff', 'hex'))).to.equal('33221100-5544-7766-8899-aabbccddeeff');
    });
    it('reads a printed GUID back into the 16 bytes the directory stores, in either case', () => {
      expect(parseGuid('33221100-5544-7766-8899-aabbccddeeff')?.toString('hex')).to.equal('00112233445566778899aabbccddeeff');
      expect(parseGuid('33221100-5544-7766-8899-AABBCCDDEEFF')?.toString('hex')).to.equal('00112233445566778899aabbccddeeff');
    });
    it('round-trips any 16 bytes through formatGuid and parseGuid', () => {
      for (const hex of ['00000000000000000000000000000000', 'ffffffffffffffffffffffffffffffff', '0102030405060708090a0b0c0d0e0f10', 'd5c3b2a1f0e9d8c7b6a5948372615041']) {
        expect(parseGuid(formatGuid(Buffer.from(hex, 'hex')))?.toString('hex'), hex).to.equal(hex);
      }
    });
    for (const text of ['', '33221100554477668899aabbccddeeff', '{33221100-5544-7766-8899-aabbccddeeff}', '33221100-5544-7766-8899-aabbccddeef', '3322110g-5544-7766-8899-aabbccddeeff', ' 33221100-5544-7766-8899-aabbccddeeff']) {
      it(`does not read ${JSON.stringify(text)} as a GUID`, () => {
        expect(parseGuid(text)).to.equal(undefined);
      });
    }
    it('searches a GUID attribute for bytes and any other id attribute for the text', () => {
      const guid = '33221100-5544-7766-8899-aabbccddeeff';
      expect(identifierValue(guid, 'objectGUID')).to.deep.equal(Buffer.from('00112233445566778899aabbccddeeff', 'hex'));
      expect(identifierValue(guid, 'objectguid')).to.deep.equal(Buffer.from('00112233445566778899aabbccddeeff', 'hex'));
      expect(identifierValue(guid, 'entryUUID')).to.equal(guid);
      // A binary id that is not 16 bytes long is printed as hex (see `identifier`): read back the same way.
      expect(identifierValue('0a0b0c', 'GUID')).to.deep.equal(Buffer.from([10, 11, 12]));
      expect(identifierValue('awijaya', 'objectGUID')).to.equal('awijaya');
    });
  });
});
