import { createHash, type KeyObject } from 'node:crypto';
import type { Knex } from 'knex';
import type { Clock } from '../shared/clock.ts';
import type { Logger } from '../shared/logger.ts';
import { archiveAnchorSigned, type Checkpoint } from './checkpoints.ts';
import type { AuditFilter, AuditHead, AuditRepo, AuditRow, FromChange, NewAuditRow } from './audit.repo.ts';

/**
 * Details carried by each audit event, by event name. Later issues add their events here (or by declaration
 * merging from their own concern: `declare module '../audit/audit.service.ts' { interface AuditEventDetails {...} }`).
 * A details type that admits `undefined` makes `details` optional for that event.
 */
export interface AuditEventDetails {
  /** `ua`: the browser's User-Agent, shortened, so the person's activity page names the browser. */
  'signin.success': { amr?: string[]; acr?: string; ua?: string } | undefined;
  'signin.failure': { reason: 'invalid_credentials' | 'throttled' | 'account_disabled' | 'account_suspended'; ua?: string };
  'signin.directory_unavailable': undefined;
  'signin.cancelled': undefined;
  'mfa.webauthn_enrolled': { name: string };
  'mfa.enrolment_postponed': { deadline: string };
  'access.network_denied': undefined;
  'access.denied': { rule: 'all' | 'agencies' | 'roles' | 'users' };
  logout: undefined;
  /** `firstParty`: the regency's own app, recorded without showing the notice (issue 11 §6). */
  'consent.granted': { scopes: string[]; firstParty?: true };
  'consent.denied': { scopes?: string[] } | undefined;
  /** The person withdrew their agreement in the staff portal; `grants`: their grants for the app revoked with it. */
  'consent.withdrawn': { scopes: string[]; grants: number };
  /** The person downloaded (`json`) or viewed (`page`) everything Satu Akun holds about them; `auditRecords`: how many of their records. */
  'account.data_exported': { format: 'json' | 'page'; auditRecords: number };
  /**
   * Sessions of the subject ended: by the person (`user`), by an administrator (`admin`, with a reason), or because
   * the account changed (`account`: a suspension, a reset). `grants`: grants revoked besides the sessions' own.
   */
  'session.ended': { by: 'user' | 'admin' | 'account'; sessions: number; grants?: number; reason?: string };
  /** The subject's account changed state (actor: the administrator); `until`: a suspension's end, ISO 8601. */
  'account.suspended': { reason: string; from: string; until?: string };
  'account.disabled': { reason: string; from: string };
  'account.reinstated': { reason: string; from: string };
  /** The directory moved the subject to another agency or position: their agency-bound grants wait for review. */
  'account.transferred': { from: { agency?: string; position?: string }; to: { agency?: string; position?: string }; flagged: number };
  /**
   * A global role granted or ended in the console (actor: the administrator, subject: the person's account or
   * `directory:<id>`). `before`/`after`: the person's global roles as `role` or `role:AGENCY`, from every source.
   */
  'role.granted': { grantId: number; role: string; agency?: string; reason: string; expiresAt?: string; before: string[]; after: string[] };
  'role.revoked': { grantId: number; role: string; agency?: string; reason: string; before: string[]; after: string[] };
  /** An administrator added or changed an agency (subject: `agency:<code>`). */
  'agency.saved': { agency: string; before?: { name: string; parent: string | null; active: boolean }; after: { name: string; parent: string | null; active: boolean } };
  /** An app role granted, approved by a second person (level-3 apps), or ended. */
  'app_role.granted': { grantId: number; role: string; reason: string; expiresAt?: string; pending: boolean };
  'app_role.approved': { grantId: number; role: string };
  'app_role.revoked': { grantId: number; role: string; reason: string };
  /** A grant flagged at a transfer was reviewed and kept (`note`: the transfer it was flagged for). */
  'app_role.kept': { grantId: number; role: string; note: string };
  'role.kept': { grantId: number; role: string; agency?: string; note: string };
  // Second factors (src/mfa). Never a code or a secret: only which method and why it failed.
  'mfa.totp_enrolled': { replaced: boolean };
  'mfa.verified': { method: 'totp' | 'recovery' | 'webauthn'; remaining?: number };
  'mfa.failed': { method: 'totp' | 'recovery' | 'webauthn' | 'enrolment_code'; reason: 'malformed' | 'invalid' | 'replayed' | 'throttled' | 'not_enrolled' };
  // Proof, besides the password, before a first second factor (src/mfa/enrolment-proof.service.ts). Never the code.
  'mfa.enrolment_code_sent': { channel: 'email' };
  'mfa.enrolment_code_issued': { validDays: number };
  'mfa.enrolment_code_used': { channel: 'email' | 'admin' };
  'mfa.recovery_codes_generated': { count: number };
  // Managing second factors (my security, admin console). `lastFactor`: nothing was left, so the recovery codes were voided too.
  'mfa.totp_removed': { lastFactor: boolean };
  'mfa.webauthn_renamed': { from: string; to: string };
  'mfa.webauthn_removed': { name: string; lastFactor: boolean };
  /** An administrator cleared the subject's guessing counts (password and second factor) from strangers' browsers. */
  'signin.unlocked': { reason: string };
  /** An administrator removed every second factor of the subject (actor: the administrator). */
  'mfa.reset': { reason: string; removed: { authenticatorApp: boolean; passkeys: number; recoveryCodes: number } };
  /**
   * The admin API (issue 10 §7; actor: `client:<clientId>`, subject: the person read, when one is): a read, and a call
   * the API refused after the app was identified (its rights, or the person's state; `refusal`: the problem's code).
   * Changes are recorded by the services' own events with the same actor.
   */
  'admin_api.read': { operation: string };
  'admin_api.refused': { operation: string; status: number; refusal: string };
}

/** Who and where, common to every event. `actor`: account sub, or the login as typed for failed sign-ins. */
export interface AuditContext {
  actor?: string | null;
  subject?: string | null;
  clientId?: string | null;
  ip?: string | null;
}

/** Any event name the trail accepts. */
export type AuditEventName = keyof AuditEventDetails;

/** One event to record: a discriminated union on `event`, with the details its name requires. */
export type AuditEvent = {
  [E in AuditEventName]: AuditContext & { event: E } & (undefined extends AuditEventDetails[E]
      ? { details?: AuditEventDetails[E] }
      : { details: AuditEventDetails[E] });
}[AuditEventName];

/** A stored record with its details parsed. */
export type AuditRecord = Omit<AuditRow, 'details'> & { details: unknown };

/** Why `verify()` failed, at `firstBadSeq`. */
export type AuditFailure =
  | 'hash_mismatch' // a field of the record was changed after it was written
  | 'chain_broken' // the record does not follow its predecessor (reordered, forged or re-chained)
  | 'missing_record' // a record with this seq is gone
  | 'missing_tail' // records at the end of the chain, up to the head, are gone
  | 'head_mismatch' // the last record is not the one the head names
  | 'beyond_head' // records exist past the head, which no append produces
  | 'checkpoint_forged' // the checkpoint's signature does not verify
  | 'checkpoint_mismatch' // the record a signed checkpoint names has another hash: the chain was recomputed
  | 'checkpoint_missing' // the chain ends before the record a signed checkpoint names: its tail was cut
  | 'archive_forged'; // the newest archive's row is not signed by the checkpoint key: records were deleted by hand

/**
 * Outcome of `verify()`: `count` is the number of records checked (all of them, or up to the break). `archivedUpTo`:
 * records up to this seq and hash were archived (src/audit/archive.ts) and the walk started after it;
 * `checkpointArchived`: the checkpoint names an archived record, so only the archive file can be checked against it.
 */
export type AuditVerification = (
  | { ok: true; count: number }
  | { ok: false; count: number; firstBadSeq: number; reason: AuditFailure }
) & { archivedUpTo?: AuditHead; checkpointArchived?: true };

/** The `prev_hash` of the first record. */
export const GENESIS_HASH = '0'.repeat(64);

/**
 * SHA-256 over the record's fields in a fixed order, `prev_hash` included, as JSON: key order is fixed by this
 * literal and every value is a string, number or null, so the bytes are the same on every database and Node version.
 */
export const hashRecord = (r: Omit<AuditRow, 'hash'>): string =>
  createHash('sha256')
    .update(JSON.stringify({ seq: r.seq, at: r.at, event: r.event, actor: r.actor, subject: r.subject, client_id: r.client_id, ip: r.ip, details: r.details, prev_hash: r.prev_hash }))
    .digest('hex');

// Key words that name a secret. `code` also matches OAuth codes and recovery codes; the few non-secret codes
// are allowed by full name below. Matching is by word, so `tokenEndpoint` is stripped but `pinned` is not `pin`.
const SECRET_WORDS = new Set(['password', 'passwd', 'passphrase', 'pwd', 'secret', 'token', 'otp', 'totp', 'hotp', 'code', 'cookie', 'assertion']);
// OIDC client metadata names a method, not a secret: an app registration's before/after must keep it.
const NOT_SECRET = new Set(['agencycode', 'errorcode', 'statuscode', 'reasoncode', 'tokenendpointauthmethod', 'idtokensignedresponsealg']);
const words = (key: string) => key.replace(/([a-z0-9])([A-Z])/g, '$1 $2').toLowerCase().split(/[^a-z0-9]+/).filter(Boolean);
const isSecretKey = (key: string) => !NOT_SECRET.has(words(key).join('')) && words(key).some((w) => SECRET_WORDS.has(w));

/**
 * Defence in depth: callers must never pass secrets, but if one does, keys named like one (at any depth) are
 * dropped rather than the whole record, because an audit record must not be lost. Returns the clean value and
 * the paths it removed. Keys are rebuilt in sorted order so equal details always serialise to equal text.
 */
export const sanitize = (value: unknown, path = ''): { value: unknown; stripped: string[] } => {
  if (Array.isArray(value)) {
    const parts = value.map((v, i) => sanitize(v, `${path}[${i}]`));
    return { value: parts.map((p) => p.value), stripped: parts.flatMap((p) => p.stripped) };
  }
  if (value === null || typeof value !== 'object') return { value, stripped: [] };
  // Dates and the like: keep what JSON.stringify would have written.
  if (typeof (value as { toJSON?: unknown }).toJSON === 'function') return { value: (value as { toJSON: () => unknown }).toJSON(), stripped: [] };
  const out: Record<string, unknown> = {};
  const stripped: string[] = [];
  for (const key of Object.keys(value).sort()) {
    const at = path ? `${path}.${key}` : key;
    if (isSecretKey(key)) {
      stripped.push(at);
      continue;
    }
    const inner = sanitize((value as Record<string, unknown>)[key], at);
    out[key] = inner.value;
    stripped.push(...inner.stripped);
  }
  return { value: out, stripped };
};

/** Records audit events durably and checks the chain. */
/**
 * `anchorKey`: the audit checkpoint key (public half, or the private one) that signs each archive's row; with it,
 * `verify` refuses to start after an archive nobody signed.
 */
export const createAuditService = ({ repo, clock, logger, anchorKey }: { repo: AuditRepo; clock: Clock; logger: Logger; anchorKey?: KeyObject }) => {
  const parse = (row: AuditRow): AuditRecord => ({ ...row, details: row.details === null ? null : JSON.parse(row.details) });

  /** One walk from genesis, or from the newest archive, up to the head as it stands when the walk begins. */
  const walk = async (checkpoint: Pick<Checkpoint, 'seq' | 'hash'> | undefined, onProgress?: (checked: number, total: number) => void | Promise<void>): Promise<AuditVerification> => {
    const head = await repo.head();
    // After an archive cut the chain goes on from the newest archive's last record, not from genesis.
    const archived = await repo.archivedUpTo();
    const archivedUpTo = archived && { seq: archived.seq, hash: archived.hash };
    let prev = archivedUpTo ?? { seq: 0, hash: GENESIS_HASH };
    let count = 0;
    const notes = archivedUpTo ? { archivedUpTo } : {};
    const bad = (firstBadSeq: number, reason: AuditFailure): AuditVerification => ({ ok: false, count, firstBadSeq, reason, ...notes });
    if (archived && anchorKey && !archiveAnchorSigned(anchorKey, archived.anchor, archived.sig)) return bad(archived.anchor.fromSeq, 'archive_forged');
    if (checkpoint && archivedUpTo && checkpoint.seq <= archivedUpTo.seq) {
      // The anchor itself can be compared; an older checkpoint names a record only the archive file still holds.
      if (checkpoint.seq === archivedUpTo.seq && checkpoint.hash !== archivedUpTo.hash) return bad(checkpoint.seq, 'checkpoint_mismatch');
      if (checkpoint.seq < archivedUpTo.seq) Object.assign(notes, { checkpointArchived: true });
      checkpoint = undefined;
    }
    for await (const batch of repo.batches(head.seq, 500, prev.seq)) {
      for (const row of batch) {
        if (row.seq !== prev.seq + 1) return bad(prev.seq + 1, 'missing_record');
        if (hashRecord(row) !== row.hash) return bad(row.seq, 'hash_mismatch');
        if (row.prev_hash !== prev.hash) return bad(row.seq, 'chain_broken');
        if (checkpoint && row.seq === checkpoint.seq && row.hash !== checkpoint.hash) return bad(row.seq, 'checkpoint_mismatch');
        prev = { seq: row.seq, hash: row.hash };
        count += 1;
      }
      await onProgress?.(count, head.seq - (archivedUpTo?.seq ?? 0));
    }
    if (prev.seq < head.seq) return bad(prev.seq + 1, 'missing_tail');
    if (checkpoint && prev.seq < checkpoint.seq) return bad(prev.seq + 1, 'checkpoint_missing');
    if (prev.hash !== head.hash) return bad(prev.seq, 'head_mismatch');
    if ((await repo.countBeyondHead()) > 0) return bad(head.seq + 1, 'beyond_head');
    return { ok: true, count, ...notes };
  };

  /** The stored form of `event`, secrets dropped (and logged that they were). */
  const rowOf = (event: AuditEvent): NewAuditRow => {
    const { value, stripped } = sanitize(event.details ?? null);
    if (stripped.length) logger.warn({ event: event.event, stripped }, 'audit: secret-like keys removed from details');
    return {
      at: clock.now().toISOString(),
      event: event.event,
      actor: event.actor ?? null,
      subject: event.subject ?? null,
      client_id: event.clientId ?? null,
      ip: event.ip ?? null,
      details: value === null ? null : JSON.stringify(value),
    };
  };

  // Whether this database computes links byte for byte as `hashRecord` does (PostgreSQL with UTF-8 text), checked
  // once with text that needs escaping and is not ASCII.
  let sqlLinks: Promise<boolean> | undefined;
  const linksInSql = () => {
    const sample = 'Satu Akun \u00e9\u2713\ud83d\ude00 "\\ \n\u0001';
    sqlLinks ??= repo.jsonSha256(sample).then(
      (hash) => hash !== undefined && hash === createHash('sha256').update(JSON.stringify(sample)).digest('hex'),
      // A failed check (the database briefly away) is tried again at the next use.
      (err: unknown) => (logger.warn({ err }, 'audit: could not check how the database computes links'), (sqlLinks = undefined), false),
    );
    return sqlLinks;
  };

  return {
    /**
     * Appends `event` to the trail and resolves once it is committed (or, with `trx`, written in the caller's
     * transaction, so it commits or rolls back with the change it describes). Rejects if it cannot be written:
     * callers let that fail the request rather than carry on unaudited.
     */
    record: async (event: AuditEvent, trx?: Knex.Transaction): Promise<AuditRecord> => parse(await repo.append(rowOf(event), hashRecord, trx)),

    /**
     * On PostgreSQL: `change` (one data-modifying statement with RETURNING) and `event`, recorded when the change
     * returned a row, as one statement that commits both (see `AuditRepo.appendAfter`); `from` names the columns of
     * that row the record's actor or subject come from. Resolves to the change's rows (none: nothing was changed or
     * recorded), or to undefined where the database cannot do this (SQLite; text that is not UTF-8): then make the
     * change and `record` in a transaction.
     */
    recordAfter: async (change: Knex.Raw, event: AuditEvent, from?: FromChange): Promise<Record<string, unknown>[] | undefined> => {
      if (!(await linksInSql())) return undefined;
      const { rows, record } = await repo.appendAfter(change, rowOf(event), from);
      // Cannot happen after the check above; if it ever did, `verify` reports the record, and this says why.
      if (record && hashRecord(record) !== record.hash) logger.error({ seq: record.seq }, 'audit: the link PostgreSQL computed differs from hashRecord');
      return rows;
    },

    /**
     * Walks the chain from genesis up to the head as it stood when the walk began (later appends are left for
     * the next run) and reports the first break. Someone with full write access to the database can rewrite the
     * whole chain and the head consistently; a `checkpoint` signed outside the database (src/audit/checkpoints.ts)
     * exposes that: the record it names must still be there, with the same hash. `onProgress` hears after each batch
     * how many records were checked out of how many this walk covers (after an archive cut, fewer than the head's seq),
     * and is awaited: the console's background run shows its
     * progress and yields there, so a long walk on a synchronous driver (SQLite) never holds up other requests.
     */
    verify: async (checkpoint?: Pick<Checkpoint, 'seq' | 'hash'>, onProgress?: (checked: number, total: number) => void | Promise<void>): Promise<AuditVerification> => {
      // A gap at the very start while the nightly archive deletes the next range is that run's cut, not tampering:
      // the walk starts again after the new archive (a few times at most).
      for (let attempt = 1; ; attempt++) {
        const result = await walk(checkpoint, onProgress);
        if (result.ok || result.reason !== 'missing_record' || attempt === 3) return result;
        const now = await repo.archivedUpTo();
        if (!now || now.seq < result.firstBadSeq || now.seq === result.archivedUpTo?.seq) return result;
      }
    },

    /** The latest seq and hash, for operators to anchor outside the database (e.g. logged to syslog periodically). */
    head: (): Promise<AuditHead> => repo.head(),

    /** Records newest first, filtered, for auditor views. */
    list: async (filter?: AuditFilter): Promise<AuditRecord[]> => (await repo.list(filter)).map(parse),
  };
};

/** The audit service's type, derived from its factory. */
export type AuditService = ReturnType<typeof createAuditService>;
