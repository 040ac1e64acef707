import { createHash, randomBytes } from 'node:crypto';
import { readFileSync } from 'node:fs';

/** An agency (OPD) of the fictional regency. */
export interface SampleAgency {
  /** Short code, e.g. `DISKOMINFO`, `KEC-SUKAMAJU`: stored in `departmentNumber`. */
  code: string;
  name: string;
}

/** One fictional staff member, with LDAP (inetOrgPerson) attribute names. */
export interface SamplePerson {
  uid: string;
  entryUUID: string;
  givenName: string;
  sn: string;
  cn: string;
  mail: string;
  /** NIP (PNS) or NI (PPPK); absent for non-ASN staff. */
  employeeNumber?: string;
  employeeType: 'pns' | 'pppk' | 'non_asn';
  departmentNumber: string;
  ou: string;
  title: string;
  /** Golongan (PNS, e.g. `III/a`) or PPPK grade (e.g. `IX`); absent for non-ASN staff. */
  businessCategory?: string;
}

/** The whole generated sample, as stored in `staff.json`. */
export interface SampleStaff {
  seed: number;
  agencies: SampleAgency[];
  staff: SamplePerson[];
}

/** Every sample person signs in with this password. Demo data only: never load it into a real directory. */
export const SAMPLE_PASSWORD = 'Demo-2026';

/** Layout of the sample tree; these match the `directory` configuration defaults. */
export const SAMPLE_BASE_DN = 'dc=contoh,dc=go,dc=id';
export const SAMPLE_PEOPLE_DN = `ou=people,${SAMPLE_BASE_DN}`;
export const SAMPLE_SERVICES_DN = `ou=services,${SAMPLE_BASE_DN}`;
export const SAMPLE_SERVICE_DN = `cn=satu-akun,${SAMPLE_SERVICES_DN}`;
export const SAMPLE_SERVICE_PASSWORD = 'dev-service-password';

/** The people the README and the tests rely on, with the role each plays in the demo. */
export const SAMPLE_PEOPLE = {
  'andi.wijaya': 'Administrator (Diskominfo, PNS) / administrator',
  'siti.rahmawati': 'Peninjau aplikasi (Diskominfo, PNS) / app reviewer',
  'dewi.lestari': 'Pengembang aplikasi (Dinas Kesehatan, PNS) / app developer',
  'bambang.susilo': 'Auditor (Inspektorat, PNS) / auditor',
  'rudi.hartono': 'Guru PPPK (Dinas Pendidikan) / PPPK teacher, ordinary staff',
  'yanti.pakpahan': 'Staf non-ASN (Kecamatan Sukamaju) / non-civil-servant staff',
  'darwis.hamzah': 'Helpdesk (Diskominfo, PNS) / helpdesk',
} as const satisfies Record<string, string>;

/** Reads the committed sample (`staff.json`). Read on each call: callers keep what they need, no module state. */
export const loadSampleStaff = (): SampleStaff =>
  JSON.parse(readFileSync(new URL('./staff.json', import.meta.url), 'utf8')) as SampleStaff;

/** DN of a sample person. uids are `[a-z0-9.]` only, so no RFC 4514 escaping is needed. */
export const samplePersonDn = (uid: string): string => `uid=${uid},${SAMPLE_PEOPLE_DN}`;

/** `{SSHA}` hash (salted SHA-1) as slapd verifies it: base64(sha1(password + salt) + salt). */
export const sshaHash = (password: string, salt: Buffer = randomBytes(8)): string =>
  `{SSHA}${Buffer.concat([createHash('sha1').update(password).update(salt).digest(), salt]).toString('base64')}`;

// RFC 2849: a value must be base64 ("::") when it is not a SAFE-STRING (non-ASCII, leading space, colon or "<").
const line = (name: string, value: string): string =>
  /^[\x01-\x09\x0b\x0c\x0e-\x1f\x21-\x39\x3b\x3d-\x7f][\x01-\x09\x0b\x0c\x0e-\x7f]*$/.test(value) && !value.endsWith(' ')
    ? `${name}: ${value}`
    : `${name}:: ${Buffer.from(value, 'utf8').toString('base64')}`;

const entry = (dn: string, attributes: [string, string | undefined][]): string =>
  [line('dn', dn), ...attributes.filter((a): a is [string, string] => a[1] !== undefined).map(([n, v]) => line(n, v))].join('\n');

/**
 * LDIF of the sample tree for `slapadd`: base entry, `ou=people` with every person, `ou=services` with the
 * service account. `entryUUID` is included so ids are stable across reloads; it is operational, so this LDIF is for
 * `slapadd` (offline), not `ldapadd`, unless `includeEntryUuid` is false.
 */
export const toLdif = (
  sample: SampleStaff = loadSampleStaff(),
  options: { password?: string; servicePassword?: string; includeEntryUuid?: boolean } = {},
): string => {
  const password = sshaHash(options.password ?? SAMPLE_PASSWORD);
  const withUuid = options.includeEntryUuid ?? true;
  const entries = [
    entry(SAMPLE_BASE_DN, [['objectClass', 'top'], ['objectClass', 'dcObject'], ['objectClass', 'organization'], ['dc', 'contoh'], ['o', 'Pemerintah Kabupaten Contoh']]),
    entry(SAMPLE_PEOPLE_DN, [['objectClass', 'organizationalUnit'], ['ou', 'people']]),
    entry(SAMPLE_SERVICES_DN, [['objectClass', 'organizationalUnit'], ['ou', 'services']]),
    entry(SAMPLE_SERVICE_DN, [
      ['objectClass', 'organizationalRole'],
      ['objectClass', 'simpleSecurityObject'],
      ['cn', 'satu-akun'],
      ['description', 'Satu Akun service account (read-only searches)'],
      ['userPassword', sshaHash(options.servicePassword ?? SAMPLE_SERVICE_PASSWORD)],
    ]),
    ...sample.staff.map((p) =>
      entry(samplePersonDn(p.uid), [
        ['objectClass', 'inetOrgPerson'],
        ['uid', p.uid],
        ['cn', p.cn],
        ['givenName', p.givenName],
        ['sn', p.sn],
        ['mail', p.mail],
        ['employeeNumber', p.employeeNumber],
        ['employeeType', p.employeeType],
        ['departmentNumber', p.departmentNumber],
        ['ou', p.ou],
        ['title', p.title],
        ['businessCategory', p.businessCategory],
        ['userPassword', password],
        ['entryUUID', withUuid ? p.entryUUID : undefined],
      ]),
    ),
  ];
  return `${entries.join('\n\n')}\n`;
};
