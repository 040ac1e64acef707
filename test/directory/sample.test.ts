import { expect } from 'chai';
import { createHash } from 'node:crypto';
import { inferEmployeeType } from '../../src/directory/ldap-entry.ts';
import { generateSampleStaff } from '../../src/directory/sample/generate.ts';
import { loadSampleStaff, SAMPLE_PEOPLE, SAMPLE_SERVICE_DN, sshaHash, toLdif } from '../../src/directory/sample/index.ts';

describe('directory: sample staff of Kabupaten Contoh', () => {
  const sample = loadSampleStaff();
  const staff = sample.staff;

  it('is exactly what the generator produces (regenerate staff.json after changing generate.ts)', () => {
    expect(generateSampleStaff(sample.seed)).to.deep.equal(sample);
  });
  it('has at least 220 people in at least 12 agencies, including the required ones and 3 kecamatan', () => {
    expect(staff.length).to.be.at.least(220);
    const codes = sample.agencies.map((a) => a.code);
    expect(codes.length).to.be.at.least(12);
    expect(codes).to.include.members(['SETDA', 'DISKOMINFO', 'DINKES', 'DISDIK', 'BKPSDM', 'BAPPEDA', 'INSPEKTORAT', 'DPUPR', 'BPKAD', 'DISDUKCAPIL']);
    expect(codes.filter((c) => c.startsWith('KEC-')).length).to.be.at.least(3);
    for (const code of codes) expect(staff.filter((p) => p.departmentNumber === code).length, code).to.be.at.least(5);
  });
  it('has unique uids, ids, e-mails and numbers', () => {
    for (const key of ['uid', 'entryUUID', 'mail'] as const) expect(new Set(staff.map((p) => p[key])).size, key).to.equal(staff.length);
    const numbers = staff.flatMap((p) => (p.employeeNumber ? [p.employeeNumber] : []));
    expect(new Set(numbers).size).to.equal(numbers.length);
  });
  it('mixes employee types: mostly PNS, about 15% PPPK, about 8% non-ASN', () => {
    const share = (t: string) => staff.filter((p) => p.employeeType === t).length / staff.length;
    expect(share('pppk')).to.be.within(0.1, 0.2);
    expect(share('non_asn')).to.be.within(0.05, 0.12);
  });
  it('gives each person a number and grade that fit the employee type (NIP/NI layout, golongan/PPPK grade)', () => {
    for (const p of staff) {
      expect(inferEmployeeType(p.employeeNumber), p.uid).to.equal(p.employeeType);
      if (p.employeeType === 'pns') expect(p.businessCategory, p.uid).to.match(/^(I|II|III|IV)\/[a-e]$/);
      if (p.employeeType === 'pppk') expect(p.businessCategory, p.uid).to.match(/^[IVX]+$/);
      if (p.employeeType === 'non_asn') expect(p, p.uid).not.to.have.any.keys('employeeNumber', 'businessCategory');
      expect(p.mail).to.equal(`${p.uid}@contoh.go.id`);
      expect(p.uid).to.match(/^[a-z]+\.[a-z]+\d*$/);
    }
  });
  it('contains the fixed people of the README with their roles', () => {
    const get = (uid: string) => staff.find((p) => p.uid === uid);
    expect(Object.keys(SAMPLE_PEOPLE)).to.have.members(['andi.wijaya', 'siti.rahmawati', 'dewi.lestari', 'bambang.susilo', 'rudi.hartono', 'yanti.pakpahan', 'darwis.hamzah']);
    expect(get('andi.wijaya')).to.include({ employeeType: 'pns', departmentNumber: 'DISKOMINFO', title: 'Pranata Komputer Ahli Madya', businessCategory: 'IV/a' });
    expect(get('siti.rahmawati')).to.include({ employeeType: 'pns', departmentNumber: 'DISKOMINFO', title: 'Analis Sistem Informasi', businessCategory: 'III/c' });
    expect(get('dewi.lestari')).to.include({ employeeType: 'pns', departmentNumber: 'DINKES', title: 'Pranata Komputer Ahli Pertama', businessCategory: 'III/a' });
    expect(get('bambang.susilo')).to.include({ employeeType: 'pns', departmentNumber: 'INSPEKTORAT', title: 'Auditor Ahli Muda', businessCategory: 'III/d' });
    expect(get('rudi.hartono')).to.include({ employeeType: 'pppk', departmentNumber: 'DISDIK', title: 'Guru Ahli Pertama', businessCategory: 'IX' });
    expect(get('yanti.pakpahan')).to.include({ employeeType: 'non_asn', title: 'Staf Pelaksana' });
    expect(get('darwis.hamzah')).to.include({ employeeType: 'pns', departmentNumber: 'DISKOMINFO', title: 'Pranata Komputer Ahli Pertama' });
    expect(get('yanti.pakpahan')?.departmentNumber).to.match(/^KEC-/);
    // The 15th digit of a NIP is the gender: 1 for Andi, 2 for Siti.
    expect(get('andi.wijaya')?.employeeNumber?.[14]).to.equal('1');
    expect(get('siti.rahmawati')?.employeeNumber?.[14]).to.equal('2');
  });
  it('hashes passwords as slapd {SSHA}: sha1(password + salt) + salt', () => {
    const salt = Buffer.from('0123456789abcdef', 'hex');
    const expected = Buffer.concat([createHash('sha1').update('Demo-2026').update(salt).digest(), salt]).toString('base64');
    expect(sshaHash('Demo-2026', salt)).to.equal(`{SSHA}${expected}`);
  });
  it('writes LDIF with the service account, every person and no plain-text password', () => {
    const ldif = toLdif();
    expect(ldif).to.include(`dn: ${SAMPLE_SERVICE_DN}`);
    expect(ldif.match(/^dn: uid=/gm)?.length).to.equal(staff.length);
    expect(ldif).not.to.include('Demo-2026');
    expect(ldif).not.to.include('dev-service-password');
    expect(toLdif(sample, { includeEntryUuid: false })).not.to.include('entryUUID');
  });
});
