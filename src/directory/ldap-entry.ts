import type { Entry } from 'ldapts';
import type { Config } from '../config/schema.ts';
import type { DirectoryUser, EmployeeType } from './directory.ts';

type Attributes = Config['directory']['attributes'];

/** Entry attributes by lower-cased name: servers answer in their own spelling (`employeenumber`, `objectGUID`). */
const byName = (entry: Entry): Map<string, Entry[string]> =>
  new Map(Object.entries(entry).map(([k, v]) => [k.toLowerCase(), v] as const));

const first = (value: Entry[string] | undefined): string | Buffer | undefined => {
  const v = Array.isArray(value) ? value[0] : value;
  return v === undefined || v === '' ? undefined : v;
};

const text = (value: Entry[string] | undefined): string | undefined => {
  const v = first(value);
  return v === undefined ? undefined : Buffer.isBuffer(v) ? v.toString('utf8') : v;
};

/** AD objectGUID: 16 bytes whose first three groups are little-endian (MS-DTYP 2.3.4.2). */
export const formatGuid = (b: Buffer): string => {
  const h = (from: number, to: number, reverse = false) => {
    const part = [...b.subarray(from, to)];
    return (reverse ? part.reverse() : part).map((x) => x.toString(16).padStart(2, '0')).join('');
  };
  return `${h(0, 4, true)}-${h(4, 6, true)}-${h(6, 8, true)}-${h(8, 10)}-${h(10, 16)}`;
};

/** The 16 bytes of a GUID printed by `formatGuid` (its inverse); `undefined` for anything that is not a GUID. */
export const parseGuid = (text: string): Buffer | undefined => {
  const groups = /^([0-9a-f]{8})-([0-9a-f]{4})-([0-9a-f]{4})-([0-9a-f]{4})-([0-9a-f]{12})$/i.exec(text)?.slice(1);
  if (!groups) return undefined;
  const bytes = groups.map((hex) => Buffer.from(hex, 'hex'));
  for (const little of bytes.slice(0, 3)) little.reverse();
  return Buffer.concat(bytes);
};

/**
 * The value to search for to find the entry whose id `identifier` printed as `id`: for a binary GUID attribute (AD
 * `objectGUID`) its bytes, since the server compares octets, not the text Windows prints; otherwise the text itself.
 */
export const identifierValue = (id: string, attribute: string): string | Buffer => {
  if (!/guid$/i.test(attribute)) return id;
  // `identifier` prints a binary id that is not 16 bytes long as hex.
  return parseGuid(id) ?? (/^(?:[0-9a-f]{2})+$/i.test(id) ? Buffer.from(id, 'hex') : id);
};

/** The id attribute is requested as a Buffer so a binary GUID survives; a textual id (entryUUID) is decoded back. */
const identifier = (value: Entry[string] | undefined, attribute: string): string | undefined => {
  const v = first(value);
  if (v === undefined || typeof v === 'string') return v;
  const binary = /guid$/i.test(attribute) || v.some((byte) => byte < 0x20 || byte > 0x7e);
  if (!binary) return v.toString('utf8');
  return v.length === 16 ? formatGuid(v) : v.toString('hex');
};

const validDate = (y: number, m: number, d: number): boolean => {
  const date = new Date(Date.UTC(y, m - 1, d));
  return date.getUTCFullYear() === y && date.getUTCMonth() === m - 1 && date.getUTCDate() === d;
};

/**
 * Reads an 18-digit number the way BKN lays it out: birth date (8), then either TMT CPNS year+month (PNS NIP) or
 * appointment year + "21" (PPPK NI), then gender 1/2 and a 3-digit sequence. Anything else is not an ASN number.
 */
export const inferEmployeeType = (number: string | undefined): EmployeeType => {
  if (!number || !/^\d{18}$/.test(number)) return 'non_asn';
  const n = (from: number, to: number) => Number(number.slice(from, to));
  const birthYear = n(0, 4);
  if (!validDate(birthYear, n(4, 6), n(6, 8)) || birthYear < 1940 || !'12'.includes(number[14] as string)) return 'non_asn';
  const year = n(8, 12);
  if (year < birthYear + 15 || year > new Date().getUTCFullYear() + 1) return 'non_asn';
  const month = number.slice(12, 14);
  if (month === '21') return 'pppk';
  return n(12, 14) >= 1 && n(12, 14) <= 12 ? 'pns' : 'non_asn';
};

/** Directory spellings of the employee type, case-insensitive: "PNS", "pppk", "NON-ASN", "honorer"... */
const TYPES: Record<string, EmployeeType> = {
  pns: 'pns', cpns: 'pns', pppk: 'pppk', p3k: 'pppk',
  non_asn: 'non_asn', nonasn: 'non_asn', honorer: 'non_asn', thl: 'non_asn', ptt: 'non_asn', kontrak: 'non_asn',
};

/** Maps a configured-but-free-form type; an unknown or missing value is inferred from the number. */
export const employeeType = (raw: string | undefined, number: string | undefined): EmployeeType =>
  TYPES[raw?.trim().toLowerCase().replace(/[\s-]+/g, '_') ?? ''] ?? inferEmployeeType(number);

/** The attributes a lookup must request. */
export const requestedAttributes = (attributes: Attributes, loginAttributes: string[]): string[] => [
  ...new Set([...Object.values(attributes), ...loginAttributes]),
];

/** A stable agency code from an agency's name: `Dinas Kesehatan` → `DINAS-KESEHATAN` (letters and digits, ≤ 64). */
export const agencySlug = (name: string): string =>
  name.normalize('NFKD').replace(/[\u0300-\u036f]/g, '').toUpperCase().replace(/[^A-Z0-9]+/g, '-').replace(/^-+|-+$/g, '').slice(0, 64).replace(/-+$/, '');

const agencyFromName = (name: string | undefined, codes: Record<string, string>): string | undefined => {
  if (!name) return undefined;
  const listed = Object.entries(codes).find(([n]) => n.trim().toLowerCase() === name.trim().toLowerCase())?.[1];
  return (listed ?? agencySlug(name)) || undefined;
};

const nonEmpty = (values: string[]): string[] | undefined => (values.length ? values : undefined);

/** Every value of a multi-valued attribute as text (group DNs). */
const texts = (value: Entry[string] | undefined): string[] =>
  (Array.isArray(value) ? value : value === undefined ? [] : [value]).map((v) => (Buffer.isBuffer(v) ? v.toString('utf8') : String(v)));

/**
 * Maps a search entry through the configured attribute names; `undefined` when it has no id (misconfiguration). A
 * directory with an agency name but no code gets the code from `agencyCodes` (name → code) or a slug of the name.
 */
export const toDirectoryUser = (entry: Entry, attributes: Attributes, loginAttributes: string[], agencyCodes: Record<string, string> = {}): DirectoryUser | undefined => {
  const a = byName(entry);
  const get = (name: string) => text(a.get(name.toLowerCase()));
  const id = identifier(a.get(attributes.id.toLowerCase()), attributes.id);
  if (!id) return undefined;
  const nip = get(attributes.nip);
  const givenName = get(attributes.givenName);
  const familyName = get(attributes.familyName);
  const username = loginAttributes.map(get).find((v) => v !== undefined) ?? entry.dn;
  const optional = {
    givenName,
    familyName,
    email: get(attributes.email),
    nip,
    agencyCode: get(attributes.agencyCode) ?? agencyFromName(get(attributes.agencyName), agencyCodes),
    agencyName: get(attributes.agencyName),
    position: get(attributes.position),
    grade: get(attributes.grade),
    groups: nonEmpty(attributes.groups ? texts(a.get(attributes.groups.toLowerCase())) : []),
  };
  return {
    id,
    dn: entry.dn,
    username,
    name: get(attributes.name) ?? ([givenName, familyName].filter(Boolean).join(' ') || username),
    employeeType: employeeType(get(attributes.employeeType), nip),
    // exactOptionalPropertyTypes-friendly: absent fields are left out, not set to undefined.
    ...Object.fromEntries(Object.entries(optional).filter(([, v]) => v !== undefined)),
  };
};
