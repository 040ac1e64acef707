import { isIP } from 'node:net';
import { z } from 'zod';
import { ADMIN_SCOPES } from '../admin/api/scopes.ts';
import { DEFAULT_SIGNING_ALG, SIGNING_ALGS } from '../oidc/signing-algs.ts';

/** Whether `value` is an IPv4 or IPv6 CIDR range such as `10.20.0.0/16`. */
export const isCidr = (value: string): boolean => {
  const [address, prefix, ...rest] = value.split('/');
  const family = isIP(address ?? '');
  const bits = Number(prefix);
  return !rest.length && family !== 0 && Number.isInteger(bits) && bits >= 0 && bits <= (family === 4 ? 32 : 128);
};

/** `host:port` or `[v6]:port` of a Redis Sentinel, or undefined. */
const sentinelAddress = (value: string): { host: string; port: number } | undefined => {
  const m = /^(?:\[([0-9A-Fa-f:.]+)\]|([A-Za-z0-9.-]+)):(\d{1,5})$/.exec(value);
  const port = Number(m?.[3]);
  return m && port >= 1 && port <= 65535 ? { host: (m[1] ?? m[2])!, port } : undefined;
};

/** Comma-separated list from an environment variable, or a real array from the config file. */
const list = z.preprocess(
  (v) => (typeof v === 'string' ? v.split(',').map((s) => s.trim()).filter(Boolean) : v),
  z.array(z.string().min(1)),
);
const bool = z.preprocess((v) => (v === 'true' || v === '1' ? true : v === 'false' || v === '0' ? false : v), z.boolean());
const int = (min: number, max: number) => z.coerce.number().int().min(min).max(max);

const attributes = z.strictObject({
  id: z.string().default('entryUUID'),
  nip: z.string().default('employeeNumber'),
  name: z.string().default('cn'),
  givenName: z.string().default('givenName'),
  familyName: z.string().default('sn'),
  email: z.string().default('mail'),
  agencyCode: z.string().default('departmentNumber'),
  agencyName: z.string().default('ou'),
  position: z.string().default('title'),
  grade: z.string().default('businessCategory'),
  employeeType: z.string().default('employeeType'),
  /** Group membership (DNs), for roles granted to directory groups (`roleGroups`). */
  groups: z.string().default('memberOf'),
});

const directory = z.strictObject({
  /** Every this many minutes, each account is looked up in the directory by its id; people no longer there are disabled. */
  sweepMinutes: int(5, 7 * 24 * 60).default(60),
  /** `embedded` starts the built-in sample directory (quick start); `ldap` uses an existing server. */
  mode: z.enum(['embedded', 'ldap']).default('embedded'),
  url: z.string().default('ldap://127.0.0.1:1389'),
  bindDn: z.string().default('cn=satu-akun,ou=services,dc=contoh,dc=go,dc=id'),
  bindPassword: z.string().default('dev-service-password'),
  baseDn: z.string().default('ou=people,dc=contoh,dc=go,dc=id'),
  /** Extra filter every user must match, e.g. `(objectClass=inetOrgPerson)` or an AD group membership. */
  userFilter: z.string().default('(objectClass=inetOrgPerson)'),
  /** Attributes a person may type as their login, tried together: NIP, uid, mail, sAMAccountName, userPrincipalName. */
  loginAttributes: list.default(['uid', 'employeeNumber', 'mail']),
  /**
   * For directories that hold an agency's name but no code (`ou=Dinas Kesehatan`): name → code, e.g.
   * `{ "Dinas Kesehatan": "DINKES" }`. A name not listed gets a stable slug (`DINAS-KESEHATAN`). Configuration file only.
   */
  agencyCodes: z.record(z.string().min(1), z.string().regex(/^[A-Za-z0-9][A-Za-z0-9_-]{0,63}$/)).default({}),
  attributes: attributes.default(attributes.parse({})),
  startTls: bool.default(false),
  tlsCaFile: z.string().optional(),
  tlsRejectUnauthorized: bool.default(true),
  timeoutMs: int(100, 60_000).default(5000),
  poolSize: int(1, 64).default(4),
  /** Port of the embedded directory (mode `embedded`). */
  embeddedPort: int(0, 65535).default(1389),
});

/** Who may enter an app: all staff, staff of listed agencies (codes), holders of listed app roles, or listed users. */
const accessRule = z.discriminatedUnion('kind', [
  z.strictObject({ kind: z.literal('all') }),
  z.strictObject({ kind: z.literal('agencies'), agencies: z.array(z.string().min(1)).min(1) }),
  z.strictObject({ kind: z.literal('roles'), roles: z.array(z.string().min(1)).min(1) }),
  z.strictObject({ kind: z.literal('users'), users: z.array(z.string().min(1)).min(1) }),
]);
export type AccessRule = z.infer<typeof accessRule>;

const client = z
  .strictObject({
  client_id: z.string().min(1),
  client_name: z.string().min(1),
  client_secret: z.string().min(32).optional(),
  redirect_uris: z.array(z.url()).min(1),
  post_logout_redirect_uris: z.array(z.url()).default([]),
  /** OIDC Back-Channel Logout: the app is told when the person signs out of Satu Akun. */
  backchannel_logout_uri: z.url().optional(),
  /** Public clients (SPA, mobile) have no secret and must use PKCE. */
  token_endpoint_auth_method: z.enum(['client_secret_basic', 'client_secret_post', 'none']).default('client_secret_basic'),
  grant_types: z.array(z.enum(['authorization_code', 'refresh_token', 'client_credentials'])).default(['authorization_code', 'refresh_token']),
  /** How the app's ID tokens (and logout tokens) are signed: RS256 unless the app's library supports ES256. */
  id_token_signed_response_alg: z.enum(SIGNING_ALGS).default(DEFAULT_SIGNING_ALG),
  /** The admin API's scopes are the bootstrap path for the regency's own automation (issue 10 §7). */
  scopes: z.array(z.enum(['openid', 'offline_access', 'profile', 'email', 'nip', 'kepegawaian', 'roles', ...ADMIN_SCOPES])).default(['openid', 'profile', 'email']),
  agency: z.string().optional(),
  /** Security level: 1 password, 2 + second factor, 3 both recent (and, with `networks`, from those ranges). */
  level: int(1, 3).default(1),
  /** Level 3: how recent both factors must be, in minutes. */
  maxFactorAgeMinutes: int(5, 60).default(15),
  /** Level 3: client networks (CIDR, IPv4 or IPv6) the app may be opened from; empty means anywhere. */
  networks: z.array(z.string().refine(isCidr, 'not a CIDR range such as 10.20.0.0/16')).default([]),
  description: z.string().default(''),
  demo: z.boolean().default(false),
  /** The regency's own app (issue 11 §6): no first-time notice; what it receives is still recorded and shown in the portal. */
  first_party: z.boolean().default(false),
  access: accessRule.default({ kind: 'all' }),
  /** Whom a refused person should ask for access (shown on the refusal page), e.g. the app's owner and how to reach them. */
  contact: z.string().max(300).default(''),
  /** App roles for now: role name → usernames holding it (released with the `roles` scope). */
  roles: z.record(z.string().regex(/^[a-z0-9_.-]+$/), z.array(z.string().min(1))).default({}),
})
  .refine((c) => c.level === 3 || !c.networks.length, { message: 'networks apply to level-3 apps only', path: ['networks'] });
export type ClientConfig = z.infer<typeof client>;
export const clientsFileSchema = z.array(
  client.refine((c) => c.token_endpoint_auth_method === 'none' || !!c.client_secret, {
    message: 'a confidential app (token_endpoint_auth_method other than none) needs client_secret',
    path: ['client_secret'],
  }),
);

const roleGrant = z.strictObject({ login: z.string().min(1), agency: z.string().optional() });

export const configSchema = z.strictObject({
  env: z.enum(['development', 'production', 'test']).default('development'),
  logLevel: z.enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent']).default('info'),
  port: int(0, 65535).default(3000),
  host: z.string().default('0.0.0.0'),
  /** Public URL of the provider; `https://` in production (behind a TLS-terminating proxy). */
  issuer: z.url().default('http://localhost:3000'),
  /** Bearer token a Prometheus server sends to read `/metrics`; without it `/metrics` answers 404 (README "Metrics and logs"). */
  metricsToken: z.string().min(32, 'at least 32 characters (e.g. `openssl rand -hex 32`)').optional(),
  /** Trust `X-Forwarded-For`/`X-Forwarded-Proto` from the reverse proxy in front of Satu Akun. */
  trustProxy: bool.default(false),
  dataDir: z.string().default('data'),
  regency: z
    .strictObject({
      name: z.string().default('Kabupaten Contoh'),
      shortName: z.string().default('Contoh'),
      domains: list.default(['contoh.go.id']),
      logoPath: z.string().optional(),
      /** The regency's time zone (Indonesia has no daylight saving): when a day given as an end date ends. */
      timeZone: z.enum(['WIB', 'WITA', 'WIT']).default('WIB'),
      /** Where staff get help, shown on the sign-in, second-factor and error pages; nothing shown when none is set. */
      helpdesk: z
        .strictObject({
          /** A WhatsApp number in international form, e.g. +62 812-3456-7890 (linked as wa.me). */
          whatsapp: z
            .string()
            .regex(/^\+?[0-9][0-9 -]{7,19}$/, 'a phone number such as +62 812-3456-7890')
            .optional(),
          email: z.email().optional(),
          /** Opening hours as staff read them, e.g. "Senin–Jumat 07.30–16.00 WITA". */
          hours: z.string().max(120).optional(),
          /** What to do about a forgotten password in this regency (the directory owns passwords), in Bahasa Indonesia. */
          passwordHelp: z.string().max(500).optional(),
        })
        .default({}),
    })
    .default({ name: 'Kabupaten Contoh', shortName: 'Contoh', domains: ['contoh.go.id'], timeZone: 'WIB', helpdesk: {} }),
  database: z
    .strictObject({
      client: z.enum(['sqlite', 'pg']).default('sqlite'),
      /** SQLite file; relative paths are under `dataDir`. */
      filename: z.string().default('satu-akun.sqlite'),
      url: z.string().optional(),
      poolMax: int(1, 100).default(10),
    })
    .default({ client: 'sqlite', filename: 'satu-akun.sqlite', poolMax: 10 }),
  /** When set, oidc-provider state and throttle counts live in Redis (several instances); otherwise oidc-provider state
   * is in SQL and throttle counts in process memory (a single instance). */
  redisUrl: z.string().optional(),
  /**
   * Redis through Sentinel (a master, its replicas, three or more sentinels) instead of `redisUrl`: the sentinels'
   * `host:port` list, the master group they monitor, the sentinels' own password, and the Redis servers' password.
   */
  redisSentinel: z
    .strictObject({
      hosts: list.pipe(
        z
          .array(z.string())
          .min(1)
          .superRefine((hosts, ctx) => {
            const bad = hosts.filter((h) => !sentinelAddress(h));
            if (bad.length) ctx.addIssue({ code: 'custom', message: `each sentinel is host:port (e.g. 10.0.0.5:26379), not: ${bad.join(', ')}` });
          })
          .transform((hosts) => hosts.map((h) => sentinelAddress(h)!)),
      ),
      name: z.string().min(1).default('mymaster'),
      password: z.string().optional(),
      masterPassword: z.string().optional(),
    })
    .optional(),
  directory: directory.default(directory.parse({})),
  /** Keys that sign cookies, newest first; rotate by prepending a new one. */
  cookieKeys: list.optional(),
  /**
   * Keys that encrypt second-factor secrets at rest (AES-256-GCM), newest first: each 32 bytes, base64url. The first
   * encrypts; all decrypt, so a key is rotated by prepending a new one.
   */
  mfaKeys: list.optional(),
  /**
   * Keys of the keyed hash (HMAC-SHA-256) that stores client secrets, newest first, each at least 32 characters. New
   * secrets are hashed with the first; every key is tried when checking, so a key is rotated by prepending a new one
   * and dropped once every app has rotated its secret.
   */
  clientSecretKeys: list.optional(),
  /**
   * Audit checkpoints: the chain's head signed (Ed25519, a 32-byte seed in base64url, kept apart from the database)
   * every `intervalSeconds` and appended to `file` and the log, so `audit:verify` can tell a cut or recomputed chain.
   */
  auditCheckpoint: z
    .strictObject({
      key: z.string().optional(),
      /** The public half (32 bytes, base64url) for verifiers that must not hold the signing seed (`audit:verify`). */
      publicKey: z.string().optional(),
      file: z.string().optional(),
      intervalSeconds: int(10, 24 * 3600).default(300),
    })
    .default({ intervalSeconds: 300 }),
  /**
   * Audit retention (README "How long records are kept"): `audit archive` moves records older than `days` to
   * compressed files in `archiveDir` (default `<dataDir>/audit-archive`). Production refuses less than 365 days.
   */
  auditRetention: z
    .strictObject({
      days: int(1, 36500).default(1826),
      archiveDir: z.string().optional(),
    })
    .default({ days: 1826 }),
  /** Private signing keys as a JWKS JSON string; otherwise `*.jwk.json` files in `keysDir`. */
  signingKeys: z.string().optional(),
  keysDir: z.string().default('keys'),
  /** Key sealing backup archives (AES-256-GCM), 32 bytes in base64url; `backup` and `restore` need it (README "Backups"). */
  backupKey: z.string().optional(),
  session: z
    .strictObject({
      idleMinutes: int(1, 24 * 60).default(30),
      absoluteHours: int(1, 7 * 24).default(10),
    })
    .default({ idleMinutes: 30, absoluteHours: 10 }),
  accessTokenSeconds: int(30, 3600).default(300),
  refreshTokenDays: int(1, 90).default(14),
  /** JSON file with extra apps (relying parties); see README "Apps". */
  clientsFile: z.string().optional(),
  /** Register and serve the two demo apps of the quick start. */
  demoApps: bool.default(true),
  mail: z
    .strictObject({
      /** SMTP server, e.g. `smtp://user:password@mail.contoh.go.id:587`; without it notifications wait in the outbox. */
      smtpUrl: z.string().optional(),
      from: z.string().default('Satu Akun <no-reply@contoh.go.id>'),
      /** Addresses told when an app registration or change waits for review (the reviewers' shared mailbox). */
      reviewers: list.default([]),
    })
    .default({ from: 'Satu Akun <no-reply@contoh.go.id>', reviewers: [] }),
  portal: z
    .strictObject({
      /** Who may enter the developer portal: holders of the developer role, or all staff. */
      developers: z.enum(['role', 'all']).default('role'),
    })
    .default({ developers: 'role' }),
  /** Usage reports (issue 13 §2): an account with no sign-in for this many days counts as dormant. */
  reports: z.strictObject({ dormantDays: int(1, 3650).default(90) }).default({ dormantDays: 90 }),
  demoPorts: z.tuple([int(0, 65535), int(0, 65535)]).default([3001, 3002]),
  roles: z
    .strictObject({
      administrator: z.array(roleGrant).default([]),
      reviewer: z.array(roleGrant).default([]),
      developer: z.array(roleGrant).default([]),
      auditor: z.array(roleGrant).default([]),
      /** Diskominfo's helpdesk: looks people up, unlocks them and resets their second factors, nothing else. */
      helpdesk: z.array(roleGrant).default([]),
      agencyAdministrator: z.array(roleGrant.extend({ agency: z.string().min(1) })).default([]),
      /** Leadership (Bupati, Sekda; "pimpinan"): reads the usage reports in the console, nothing else. */
      leadership: z.array(roleGrant).default([]),
    })
    .default({ administrator: [], reviewer: [], developer: [], auditor: [], helpdesk: [], agencyAdministrator: [], leadership: [] }),
  /**
   * Directory groups (DNs, read from `memberOf` at sign-in) whose members hold a global role, e.g.
   * `{ "administrator": ["cn=admin-sso,ou=groups,dc=contoh,dc=go,dc=id"] }`. Not for agency administrators (they need
   * an agency). In the configuration file only: DNs contain commas.
   */
  roleGroups: z
    .strictObject({
      administrator: z.array(z.string().min(3)).optional(),
      reviewer: z.array(z.string().min(3)).optional(),
      developer: z.array(z.string().min(3)).optional(),
      auditor: z.array(z.string().min(3)).optional(),
      helpdesk: z.array(z.string().min(3)).optional(),
      leadership: z.array(z.string().min(3)).optional(),
    })
    .default({}),
  /**
   * Second-factor enrolment required by a date (YYYY-MM-DD, from 00:00 UTC): for all staff, or per agency code. Before
   * the date people without a second factor are reminded at sign-in; from the date they must enrol to sign in.
   */
  mfaEnrolment: z
    .strictObject({
      allStaff: z.iso.date().optional(),
      agencies: z.record(z.string().min(1), z.iso.date()).default({}),
      /**
       * What a person must show, besides the password, before their first second factor is set up: a code sent to
       * their official e-mail (`email`), a code an administrator gave them (`code`), or nothing (`none`). Unset:
       * `email`, or `none` with the embedded sample directory (the quick start has no mail).
       */
      firstFactorProof: z.enum(['none', 'email', 'code']).optional(),
    })
    .default({ agencies: {} }),
  throttle: z
    .strictObject({
      /**
       * Failed sign-ins per person (whatever login form was typed, from every address) in 15 minutes before strangers'
       * browsers wait; a browser the person signed in from before has a budget of its own. At most 10.
       */
      accountFailures: int(1, 10).default(10),
      /** Failed sign-ins per client address (IPv6: per /64) in 15 minutes, from browsers not known to the person. */
      addressFailures: int(1, 100000).default(50),
    })
    .default({ accountFailures: 10, addressFailures: 50 }),
});

export type Config = z.infer<typeof configSchema>;
