import type { Account } from '../accounts/accounts.repo.ts';
import type { AuditService } from '../audit/audit.service.ts';
import type { ClientRegistry } from '../clients/app.ts';
import type { MessageKey } from '../i18n/index.ts';
import { describeDevice, type DeviceWords } from '../sessions/device.ts';

/** Sign-ins and security changes a person sees about themselves (not every notice agreed, nor every code checked). */
export const ACTIVITY_EVENTS = [
  'signin.success',
  'signin.failure',
  'signin.unlocked',
  'mfa.failed',
  'mfa.totp_enrolled',
  'mfa.totp_removed',
  'mfa.webauthn_enrolled',
  'mfa.webauthn_renamed',
  'mfa.webauthn_removed',
  'mfa.recovery_codes_generated',
  'mfa.reset',
  'session.ended',
  'logout',
  'account.suspended',
  'account.disabled',
  'account.reinstated',
  'consent.withdrawn',
  'account.data_exported',
] as const;

/** Events that should make a person look twice: shown with a warning mark. */
const WARNING_EVENTS = new Set(['signin.failure', 'mfa.failed', 'mfa.reset', 'account.suspended', 'account.disabled']);

export const ACTIVITY_PAGE = 20;

/** One line of "Aktivitas". */
export interface ActivityItem {
  seq: number;
  at: Date;
  /** What happened, as a message key (`activity.event.<event>` or a more precise variant). */
  what: MessageKey;
  warning: boolean;
  /** Someone else did it (an administrator): the person did not. */
  byOther: boolean;
  app?: string;
  ip?: string;
  device?: DeviceWords;
}

/** The message key for a record: a failed sign-in by its reason, sessions ended by whom. */
const whatOf = (event: string, details: Record<string, unknown> | null): MessageKey => {
  if (event === 'signin.failure' && details?.reason === 'throttled') return 'activity.event.signin.failure_throttled';
  if (event === 'session.ended') {
    const by = details?.by;
    if (by === 'admin') return 'activity.event.session.ended_admin';
    if (by === 'account') return 'activity.event.session.ended_account';
  }
  return `activity.event.${event}` as MessageKey;
};

/**
 * "Aktivitas": the person's own recent sign-ins and security changes from the audit trail, newest first, a page at a
 * time by sequence (keyset: `before` is the last seq shown), so a new record never shifts a page.
 */
export const createActivityService = (deps: { audit: AuditService; clients: ClientRegistry }) => ({
  async page(account: Account, before?: number): Promise<{ items: ActivityItem[]; next?: number }> {
    const records = await deps.audit.list({
      event: [...ACTIVITY_EVENTS],
      involving: [account.sub, `directory:${account.directoryId}`],
      limit: ACTIVITY_PAGE + 1,
      ...(before !== undefined ? { beforeSeq: before } : {}),
    });
    const shown = records.slice(0, ACTIVITY_PAGE);
    const items = await Promise.all(
      shown.map(async (r): Promise<ActivityItem> => {
        const details = (r.details && typeof r.details === 'object' ? r.details : null) as Record<string, unknown> | null;
        const app = r.client_id ? await deps.clients.find(r.client_id) : undefined;
        // Satu Akun's own pages are named as Satu Akun, not by their client names.
        const appName = r.client_id ? (app?.satuAkunZone ? 'Satu Akun' : (app?.name ?? r.client_id)) : undefined;
        const ua = typeof details?.ua === 'string' ? details.ua : undefined;
        return {
          seq: r.seq,
          at: new Date(r.at),
          what: whatOf(r.event, details),
          warning: WARNING_EVENTS.has(r.event),
          byOther: !!r.actor && r.actor !== account.sub && r.event !== 'signin.failure',
          ...(appName ? { app: appName } : {}),
          ...(r.ip ? { ip: r.ip } : {}),
          ...(ua ? { device: describeDevice(ua) } : {}),
        };
      }),
    );
    return { items, ...(records.length > ACTIVITY_PAGE ? { next: shown.at(-1)!.seq } : {}) };
  },
});

export type ActivityService = ReturnType<typeof createActivityService>;
