import { readFileSync } from 'node:fs';
import { configSchema, type Config } from './schema.ts';

/** Environment variables and the config path each one sets. Only these `SATU_AKUN_*` names are accepted. */
export const ENV_VARS: Record<string, string> = {
  SATU_AKUN_ENV: 'env',
  SATU_AKUN_LOG_LEVEL: 'logLevel',
  SATU_AKUN_PORT: 'port',
  SATU_AKUN_HOST: 'host',
  SATU_AKUN_ISSUER: 'issuer',
  SATU_AKUN_TRUST_PROXY: 'trustProxy',
  SATU_AKUN_METRICS_TOKEN: 'metricsToken',
  SATU_AKUN_DATA_DIR: 'dataDir',
  SATU_AKUN_REGENCY_NAME: 'regency.name',
  SATU_AKUN_REGENCY_SHORT_NAME: 'regency.shortName',
  SATU_AKUN_REGENCY_DOMAINS: 'regency.domains',
  SATU_AKUN_REGENCY_LOGO: 'regency.logoPath',
  SATU_AKUN_TIME_ZONE: 'regency.timeZone',
  SATU_AKUN_HELPDESK_WHATSAPP: 'regency.helpdesk.whatsapp',
  SATU_AKUN_HELPDESK_EMAIL: 'regency.helpdesk.email',
  SATU_AKUN_HELPDESK_HOURS: 'regency.helpdesk.hours',
  SATU_AKUN_HELPDESK_PASSWORD_HELP: 'regency.helpdesk.passwordHelp',
  SATU_AKUN_DB_CLIENT: 'database.client',
  SATU_AKUN_DB_FILE: 'database.filename',
  SATU_AKUN_DB_URL: 'database.url',
  SATU_AKUN_DB_POOL_MAX: 'database.poolMax',
  SATU_AKUN_REDIS_URL: 'redisUrl',
  SATU_AKUN_REDIS_SENTINELS: 'redisSentinel.hosts',
  SATU_AKUN_REDIS_SENTINEL_NAME: 'redisSentinel.name',
  SATU_AKUN_REDIS_SENTINEL_PASSWORD: 'redisSentinel.password',
  SATU_AKUN_REDIS_SENTINEL_MASTER_PASSWORD: 'redisSentinel.masterPassword',
  SATU_AKUN_LDAP_MODE: 'directory.mode',
  SATU_AKUN_LDAP_URL: 'directory.url',
  SATU_AKUN_LDAP_BIND_DN: 'directory.bindDn',
  SATU_AKUN_LDAP_BIND_PASSWORD: 'directory.bindPassword',
  SATU_AKUN_LDAP_BASE_DN: 'directory.baseDn',
  SATU_AKUN_LDAP_USER_FILTER: 'directory.userFilter',
  SATU_AKUN_LDAP_LOGIN_ATTRIBUTES: 'directory.loginAttributes',
  SATU_AKUN_LDAP_START_TLS: 'directory.startTls',
  SATU_AKUN_LDAP_TLS_CA_FILE: 'directory.tlsCaFile',
  SATU_AKUN_LDAP_TLS_REJECT_UNAUTHORIZED: 'directory.tlsRejectUnauthorized',
  SATU_AKUN_LDAP_TIMEOUT_MS: 'directory.timeoutMs',
  SATU_AKUN_LDAP_POOL_SIZE: 'directory.poolSize',
  SATU_AKUN_LDAP_EMBEDDED_PORT: 'directory.embeddedPort',
  SATU_AKUN_LDAP_ATTR_ID: 'directory.attributes.id',
  SATU_AKUN_LDAP_ATTR_NIP: 'directory.attributes.nip',
  SATU_AKUN_LDAP_ATTR_NAME: 'directory.attributes.name',
  SATU_AKUN_LDAP_ATTR_GIVEN_NAME: 'directory.attributes.givenName',
  SATU_AKUN_LDAP_ATTR_FAMILY_NAME: 'directory.attributes.familyName',
  SATU_AKUN_LDAP_ATTR_EMAIL: 'directory.attributes.email',
  SATU_AKUN_LDAP_ATTR_AGENCY_CODE: 'directory.attributes.agencyCode',
  SATU_AKUN_LDAP_ATTR_AGENCY_NAME: 'directory.attributes.agencyName',
  SATU_AKUN_LDAP_ATTR_POSITION: 'directory.attributes.position',
  SATU_AKUN_LDAP_ATTR_GRADE: 'directory.attributes.grade',
  SATU_AKUN_LDAP_ATTR_EMPLOYEE_TYPE: 'directory.attributes.employeeType',
  SATU_AKUN_LDAP_ATTR_GROUPS: 'directory.attributes.groups',
  SATU_AKUN_LDAP_SWEEP_MINUTES: 'directory.sweepMinutes',
  SATU_AKUN_COOKIE_KEYS: 'cookieKeys',
  SATU_AKUN_SIGNING_KEYS: 'signingKeys',
  SATU_AKUN_MFA_KEYS: 'mfaKeys',
  SATU_AKUN_CLIENT_SECRET_KEYS: 'clientSecretKeys',
  SATU_AKUN_AUDIT_CHECKPOINT_KEY: 'auditCheckpoint.key',
  SATU_AKUN_AUDIT_CHECKPOINT_PUBLIC_KEY: 'auditCheckpoint.publicKey',
  SATU_AKUN_AUDIT_CHECKPOINT_FILE: 'auditCheckpoint.file',
  SATU_AKUN_AUDIT_CHECKPOINT_INTERVAL_SECONDS: 'auditCheckpoint.intervalSeconds',
  SATU_AKUN_AUDIT_RETENTION_DAYS: 'auditRetention.days',
  SATU_AKUN_AUDIT_ARCHIVE_DIR: 'auditRetention.archiveDir',
  SATU_AKUN_KEYS_DIR: 'keysDir',
  SATU_AKUN_BACKUP_KEY: 'backupKey',
  SATU_AKUN_SESSION_IDLE_MINUTES: 'session.idleMinutes',
  SATU_AKUN_SESSION_ABSOLUTE_HOURS: 'session.absoluteHours',
  SATU_AKUN_ACCESS_TOKEN_SECONDS: 'accessTokenSeconds',
  SATU_AKUN_REFRESH_TOKEN_DAYS: 'refreshTokenDays',
  SATU_AKUN_CLIENTS_FILE: 'clientsFile',
  SATU_AKUN_DEMO_APPS: 'demoApps',
  SATU_AKUN_PORTAL_DEVELOPERS: 'portal.developers',
  SATU_AKUN_SMTP_URL: 'mail.smtpUrl',
  SATU_AKUN_MAIL_FROM: 'mail.from',
  SATU_AKUN_MAIL_REVIEWERS: 'mail.reviewers',
  SATU_AKUN_ROLE_ADMINISTRATORS: 'roles.administrator',
  SATU_AKUN_ROLE_REVIEWERS: 'roles.reviewer',
  SATU_AKUN_ROLE_DEVELOPERS: 'roles.developer',
  SATU_AKUN_ROLE_AUDITORS: 'roles.auditor',
  SATU_AKUN_ROLE_HELPDESK: 'roles.helpdesk',
  SATU_AKUN_ROLE_LEADERSHIP: 'roles.leadership',
  SATU_AKUN_REPORTS_DORMANT_DAYS: 'reports.dormantDays',
  SATU_AKUN_MFA_REQUIRED_BY: 'mfaEnrolment.allStaff',
  SATU_AKUN_MFA_FIRST_FACTOR_PROOF: 'mfaEnrolment.firstFactorProof',
  SATU_AKUN_THROTTLE_ACCOUNT_FAILURES: 'throttle.accountFailures',
  SATU_AKUN_THROTTLE_ADDRESS_FAILURES: 'throttle.addressFailures',
};

/** Path of the optional JSON configuration file; environment variables override it. */
export const CONFIG_FILE_VAR = 'SATU_AKUN_CONFIG';

const ROLE_PATHS = new Set(['roles.administrator', 'roles.reviewer', 'roles.developer', 'roles.auditor', 'roles.helpdesk', 'roles.leadership']);

export class ConfigError extends Error {
  constructor(readonly problems: string[]) {
    super(`Invalid configuration:\n${problems.map((p) => `  - ${p}`).join('\n')}`);
  }
}

const setPath = (target: Record<string, unknown>, path: string, value: unknown) => {
  const keys = path.split('.');
  let node = target;
  for (const key of keys.slice(0, -1)) {
    if (typeof node[key] !== 'object' || node[key] === null) node[key] = {};
    node = node[key] as Record<string, unknown>;
  }
  node[keys.at(-1)!] = value;
};

/**
 * Builds the configuration from an optional JSON file and the environment, reporting every problem at once.
 * Environment variables win over the file; unknown `SATU_AKUN_*` variables and unknown file keys are errors.
 */
export const loadConfig = (env: NodeJS.ProcessEnv = process.env): Config => {
  const problems: string[] = [];
  let raw: Record<string, unknown> = {};
  const file = env[CONFIG_FILE_VAR];
  if (file) {
    try {
      raw = JSON.parse(readFileSync(file, 'utf8')) as Record<string, unknown>;
    } catch (err) {
      problems.push(`${CONFIG_FILE_VAR}=${file}: cannot read JSON (${(err as Error).message})`);
    }
  }
  for (const [name, value] of Object.entries(env)) {
    if (!name.startsWith('SATU_AKUN_') || name === CONFIG_FILE_VAR || value === undefined) continue;
    const path = ENV_VARS[name];
    if (!path) {
      problems.push(`${name}: unknown variable`);
      continue;
    }
    // Role variables list logins; agency administrators need an agency each, so they come from the file.
    const parsed = ROLE_PATHS.has(path) ? value.split(',').map((login) => ({ login: login.trim() })).filter((g) => g.login) : value;
    setPath(raw, path, parsed);
  }
  // Checked before the schema, so this is reported with the schema's problems, all at once.
  if (raw.redisUrl !== undefined && raw.redisSentinel !== undefined) problems.push('redisUrl (SATU_AKUN_REDIS_URL) and redisSentinel (SATU_AKUN_REDIS_SENTINELS…): set one, a Redis reached directly or through Sentinel, not both');
  const result = configSchema.safeParse(raw);
  if (!result.success) {
    for (const issue of result.error.issues) {
      const path = issue.path.join('.');
      const envName = Object.keys(ENV_VARS).find((k) => ENV_VARS[k] === path);
      problems.push(`${path || '(root)'}${envName ? ` (${envName})` : ''}: ${issue.message}`);
    }
  }
  if (problems.length) throw new ConfigError(problems);
  const config = result.data!;
  const extra = checkConsistency(config);
  if (extra.length) throw new ConfigError(extra);
  return config;
};

/** For commands: the configuration, or every problem printed and the process ended with exit code 2. */
export const loadConfigOrExit = (env: NodeJS.ProcessEnv = process.env): Config => loadConfigOrReport(env) ?? process.exit(2);

/** For one command among others: the configuration, or undefined after printing every problem (no exit, no stack). */
export const loadConfigOrReport = (env: NodeJS.ProcessEnv = process.env): Config | undefined => {
  try {
    return loadConfig(env);
  } catch (err) {
    if (!(err instanceof ConfigError)) throw err;
    console.error(err.message);
    return undefined;
  }
};

/** Rules that span several fields. */
const checkConsistency = (config: Config): string[] => {
  const problems: string[] = [];
  if (config.auditCheckpoint.key !== undefined && Buffer.from(config.auditCheckpoint.key, 'base64url').length !== 32) problems.push('auditCheckpoint.key (SATU_AKUN_AUDIT_CHECKPOINT_KEY): must be 32 bytes in base64url (an Ed25519 seed, e.g. `openssl rand -base64 32 | tr "+/" "-_" | tr -d =`)');
  if (config.auditCheckpoint.publicKey !== undefined && Buffer.from(config.auditCheckpoint.publicKey, 'base64url').length !== 32) problems.push('auditCheckpoint.publicKey (SATU_AKUN_AUDIT_CHECKPOINT_PUBLIC_KEY): must be 32 bytes in base64url (the key logged as auditCheckpointPublicKey at start-up)');
  if (config.mfaEnrolment.firstFactorProof === 'email' && !config.mail.smtpUrl) problems.push('mfaEnrolment.firstFactorProof (SATU_AKUN_MFA_FIRST_FACTOR_PROOF): `email` needs SATU_AKUN_SMTP_URL, or nobody without a second factor could set one up (use `code` without mail)');
  if (config.mfaKeys?.some((k) => Buffer.from(k, 'base64url').length !== 32)) problems.push('mfaKeys (SATU_AKUN_MFA_KEYS): each key must be 32 bytes in base64url (e.g. `openssl rand -base64 32 | tr "+/" "-_" | tr -d =`)');
  if (config.clientSecretKeys?.some((k) => k.length < 32)) problems.push('clientSecretKeys (SATU_AKUN_CLIENT_SECRET_KEYS): each key needs at least 32 characters');
  if (config.backupKey !== undefined && !/^[A-Za-z0-9_-]{43}$/.test(config.backupKey)) problems.push('backupKey (SATU_AKUN_BACKUP_KEY): must be 32 bytes in base64url without padding (e.g. `openssl rand -base64 32 | tr "+/" "-_" | tr -d =`)');
  if (config.database.client === 'pg' && !config.database.url) problems.push('database.url (SATU_AKUN_DB_URL): required when database.client is pg');
  if (config.env === 'production') {
    if (!config.cookieKeys?.length) problems.push('cookieKeys (SATU_AKUN_COOKIE_KEYS): required in production');
    if (config.cookieKeys?.some((k) => k.length < 32)) problems.push('cookieKeys: each key needs at least 32 characters');
    if (!config.mfaKeys?.length) problems.push('mfaKeys (SATU_AKUN_MFA_KEYS): required in production');
    if (!config.clientSecretKeys?.length) problems.push('clientSecretKeys (SATU_AKUN_CLIENT_SECRET_KEYS): required in production');
    if (!config.auditCheckpoint.key) problems.push('auditCheckpoint.key (SATU_AKUN_AUDIT_CHECKPOINT_KEY): required in production (signs the audit checkpoints)');
    // The regulations want who-did-what provable for years; a short period is for tests and demonstrations only.
    if (config.auditRetention.days < 365) problems.push('auditRetention.days (SATU_AKUN_AUDIT_RETENTION_DAYS): at least 365 in production');
    if (!config.issuer.startsWith('https://')) problems.push('issuer (SATU_AKUN_ISSUER): must be https:// in production');
    if (config.directory.mode === 'embedded') problems.push('directory.mode (SATU_AKUN_LDAP_MODE): the embedded sample directory is not for production');
    if (config.demoApps) problems.push('demoApps (SATU_AKUN_DEMO_APPS): demo apps must be off in production');
  }
  return problems;
};

/** Loud warnings for development defaults, printed at start-up. */
export const developmentWarnings = (config: Config): string[] => {
  const warnings: string[] = [];
  if (config.env !== 'production') warnings.push(`SATU_AKUN_ENV=${config.env}: development defaults are in use`);
  if (!config.cookieKeys?.length) warnings.push('cookie keys are generated and kept in the data directory (set SATU_AKUN_COOKIE_KEYS)');
  if (!config.mfaKeys?.length) warnings.push('the key encrypting second-factor secrets is generated and kept in the data directory (set SATU_AKUN_MFA_KEYS)');
  if (!config.clientSecretKeys?.length) warnings.push('the key hashing client secrets is generated and kept in the data directory (set SATU_AKUN_CLIENT_SECRET_KEYS)');
  if (!config.auditCheckpoint.key) warnings.push('the key signing audit checkpoints is generated and kept in the data directory (set SATU_AKUN_AUDIT_CHECKPOINT_KEY)');
  if (config.directory.mode === 'embedded') warnings.push('the embedded SAMPLE directory of a fictional regency is serving sign-ins');
  if (config.demoApps) warnings.push('demo apps are registered');
  return warnings;
};
