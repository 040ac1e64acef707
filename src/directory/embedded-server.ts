import { createHash, timingSafeEqual } from 'node:crypto';
import { createRequire } from 'node:module';
import type { Socket } from 'node:net';
import type ldapTypes from 'ldapjs';
import type { Logger } from '../shared/logger.ts';
import {
  loadSampleStaff,
  SAMPLE_BASE_DN,
  SAMPLE_PASSWORD,
  SAMPLE_PEOPLE_DN,
  SAMPLE_SERVICE_DN,
  SAMPLE_SERVICE_PASSWORD,
  SAMPLE_SERVICES_DN,
  samplePersonDn,
  type SampleStaff,
} from './sample/index.ts';

/** A running embedded directory. */
export interface EmbeddedDirectory {
  /** `ldap://host:port` with the real port (useful with port 0). */
  url: string;
  close(): Promise<void>;
}

interface StoredEntry {
  dn: string;
  /** Normalised (lower-case, as ldapjs prints it) DN and parent DN, for scope checks. */
  key: string;
  parent: string;
  /** User attributes, returned for `*` or by name. */
  attributes: Record<string, string[]>;
  /** Operational attributes, returned only when named or for `+`. */
  operational: Record<string, string[]>;
  password?: string;
}

// ldapjs 3 ships no types of its own and @types/ldapjs describes v2, so the few fields used are typed here.
interface LdapFilter { type: string; attribute?: string; value?: unknown; filters?: LdapFilter[]; filter?: LdapFilter; subInitial?: string; subAny?: string[]; subFinal?: string }
interface LdapRequest { dn: { toString(): string }; credentials: string; connection: Socket & { ldap: { bindDN: { toString(): string } } }; scopeName: 'base' | 'single' | 'subtree'; filter: LdapFilter; attributes: string[] }
interface LdapResponse { end(): void; send(entry: unknown): void; createSearchEntry(o: { objectName: string; attributes: unknown }): unknown }
type Next = (err?: unknown) => void;
const require = createRequire(import.meta.url);
let loaded: typeof ldapTypes | undefined;
/** ldapjs (about 100 modules) is required by the first embedded directory: with a real directory it is never loaded. */
const ldap = () => (loaded ??= require('ldapjs') as typeof ldapTypes);
const Attribute = () => ldap().Attribute as unknown as { fromObject(attributes: Record<string, string[]>): unknown };

const normalise = (dn: string): string => ldap().parseDN(dn).toString().toLowerCase();
const digest = (s: string) => createHash('sha256').update(s, 'utf8').digest();

/**
 * Filter evaluation over lower-cased names and values: uid, mail, employeeNumber, cn and objectClass are all
 * case-insensitive in LDAP, which ldapjs's own `matches()` is not (it compares values exactly).
 */
const matches = (f: LdapFilter, attrs: Map<string, string[]>): boolean => {
  const values = attrs.get(f.attribute?.toLowerCase() ?? '') ?? [];
  const value = String(f.value ?? '').toLowerCase();
  switch (f.type) {
    case 'AndFilter': return (f.filters ?? []).every((c) => matches(c, attrs));
    case 'OrFilter': return (f.filters ?? []).some((c) => matches(c, attrs));
    case 'NotFilter': return f.filter ? !matches(f.filter, attrs) : false;
    case 'PresenceFilter': return values.length > 0;
    case 'EqualityFilter':
    case 'ApproximateFilter': return values.includes(value);
    case 'GreaterThanEqualsFilter': return values.some((v) => v >= value);
    case 'LessThanEqualsFilter': return values.some((v) => v <= value);
    case 'SubstringFilter': {
      const esc = (s = '') => s.toLowerCase().replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
      const re = new RegExp(`^${esc(f.subInitial)}.*${(f.subAny ?? []).map(esc).join('.*')}${f.subAny?.length ? '.*' : ''}${esc(f.subFinal)}$`, 's');
      return values.some((v) => re.test(v));
    }
    default: return false; // extensible matches are not needed by Satu Akun
  }
};

const buildEntries = (sample: SampleStaff, password: string, servicePassword: string): StoredEntry[] => {
  const make = (dn: string, attributes: Record<string, string[]>, operational: Record<string, string[]> = {}, pw?: string): StoredEntry => {
    const parsed = ldap().parseDN(dn);
    return { dn, key: normalise(dn), parent: parsed.parent()?.toString().toLowerCase() ?? '', attributes, operational, ...(pw ? { password: pw } : {}) };
  };
  return [
    make(SAMPLE_BASE_DN, { objectClass: ['top', 'dcObject', 'organization'], dc: ['contoh'], o: ['Pemerintah Kabupaten Contoh'] }),
    make(SAMPLE_PEOPLE_DN, { objectClass: ['top', 'organizationalUnit'], ou: ['people'] }),
    make(SAMPLE_SERVICES_DN, { objectClass: ['top', 'organizationalUnit'], ou: ['services'] }),
    make(SAMPLE_SERVICE_DN, { objectClass: ['top', 'organizationalRole', 'simpleSecurityObject'], cn: ['satu-akun'] }, {}, servicePassword),
    ...sample.staff.map(({ entryUUID, ...p }) => {
      const attributes: Record<string, string[]> = { objectClass: ['top', 'person', 'organizationalPerson', 'inetOrgPerson'] };
      for (const [name, value] of Object.entries(p)) if (value !== undefined) attributes[name] = [value];
      return make(samplePersonDn(p.uid), attributes, { entryUUID: [entryUUID] }, password);
    }),
  ];
};

/** Attributes to return: RFC 4511 4.5.1.8 (none listed or `*` = all user attributes) and RFC 3673 (`+`). */
const selectAttributes = (entry: StoredEntry, requested: string[]): Record<string, string[]> => {
  const wanted = new Set(requested.map((a) => a.toLowerCase()));
  if (wanted.has('1.1') && wanted.size === 1) return {};
  const allUser = wanted.size === 0 || wanted.has('*');
  const out: Record<string, string[]> = {};
  for (const [name, values] of Object.entries(entry.attributes)) if (allUser || wanted.has(name.toLowerCase())) out[name] = values;
  for (const [name, values] of Object.entries(entry.operational)) if (wanted.has('+') || wanted.has(name.toLowerCase())) out[name] = values;
  return out;
};

/**
 * Starts an in-process LDAP server with the sample staff (quick start and tests). Every person's password is
 * `SAMPLE_PASSWORD`; the service account is the configuration default. Searches require a successful bind.
 */
export const startEmbeddedDirectory = async (options: {
  port: number;
  host?: string;
  staff?: SampleStaff;
  logger?: Logger;
}): Promise<EmbeddedDirectory> => {
  const host = options.host ?? '127.0.0.1';
  const log = options.logger?.child({ component: 'embedded-directory' });
  const entries = buildEntries(options.staff ?? loadSampleStaff(), SAMPLE_PASSWORD, SAMPLE_SERVICE_PASSWORD);
  const byKey = new Map(entries.map((e) => [e.key, e]));
  const dummy = digest('\0no-such-entry');
  // The DN each connection proved; a failed bind makes the connection anonymous again (RFC 4511 4.2.1).
  const bound = new WeakMap<object, string>();
  const { createServer, InvalidCredentialsError, InsufficientAccessRightsError, NoSuchObjectError } = ldap();
  // ldapjs logs whole requests (bind passwords included) at debug, so it gets no logger: only our own lines are logged.
  const server = createServer({});

  server.bind(SAMPLE_BASE_DN, (req: LdapRequest, res: LdapResponse, next: Next) => {
    bound.delete(req.connection);
    const entry = byKey.get(normalise(req.dn.toString()));
    // Always compare, even for an unknown DN, so the answer takes the same time either way.
    const ok = timingSafeEqual(digest(req.credentials), entry?.password ? digest(entry.password) : dummy) && !!entry?.password && req.credentials !== '';
    log?.debug({ dn: req.dn.toString(), ok }, 'bind');
    if (!ok || !entry) return next(new InvalidCredentialsError());
    bound.set(req.connection, entry.key);
    res.end();
    return next();
  });

  server.search(SAMPLE_BASE_DN, (req: LdapRequest, res: LdapResponse, next: Next) => {
    if (!bound.has(req.connection) || req.connection.ldap.bindDN.toString() === 'cn=anonymous') {
      return next(new InsufficientAccessRightsError('bind first'));
    }
    const base = normalise(req.dn.toString());
    if (!byKey.has(base)) return next(new NoSuchObjectError(req.dn.toString()));
    const inScope = (e: StoredEntry) =>
      req.scopeName === 'base' ? e.key === base : req.scopeName === 'single' ? e.parent === base : e.key === base || e.key.endsWith(`,${base}`);
    let sent = 0;
    for (const e of entries) {
      if (!inScope(e)) continue;
      const all = new Map<string, string[]>();
      for (const [n, v] of Object.entries({ ...e.attributes, ...e.operational })) all.set(n.toLowerCase(), v.map((x) => x.toLowerCase()));
      if (!matches(req.filter, all)) continue;
      // A ready-made entry skips ldapjs's own attribute filtering, which compares requested names case-sensitively.
      res.send(res.createSearchEntry({ objectName: e.dn, attributes: Attribute().fromObject(selectAttributes(e, req.attributes)) }));
      sent++;
    }
    log?.debug({ base, scope: req.scopeName, filter: String(req.filter), sent }, 'search');
    res.end();
    return next();
  });

  // ldapjs's close() waits for open client connections; track them so close() really stops the server.
  const sockets = new Set<Socket>();
  const net = (server as unknown as { server: import('node:net').Server }).server;
  net.on('connection', (s: Socket) => {
    // ldapjs writes each search entry and the final result separately; with Nagle's algorithm against the client's
    // delayed ACK every search would stall about 40 ms.
    s.setNoDelay(true);
    sockets.add(s);
    s.on('close', () => sockets.delete(s));
  });
  await new Promise<void>((resolve, reject) => {
    net.once('error', reject);
    server.listen(options.port, host, () => resolve());
  });
  const address = net.address();
  const port = typeof address === 'object' && address ? address.port : options.port;
  const url = `ldap://${host.includes(':') ? `[${host}]` : host}:${port}`;
  log?.debug({ url, entries: entries.length }, 'embedded directory listening');
  return {
    url,
    close: () =>
      new Promise<void>((resolve) => {
        for (const s of sockets) s.destroy();
        server.close(() => resolve());
      }),
  };
};
