/** The audit viewer's own events (issue 13 §1): reading the trail is itself recorded, who looked at whose records. */
declare module './audit.service.ts' {
  interface AuditEventDetails {
    /** A list page of the viewer (`filter`: the query as given) or one record's page (`seq`); subject: the person filtered on. */
    'audit.viewed': { filter: Record<string, string> } | { seq: number };
    /** Filtered records downloaded; `records`: how many the file holds. */
    'audit.exported': { format: 'csv' | 'jsonl'; filter: Record<string, string>; records: number };
  }
}

/**
 * Events that record something refused or failed: the viewer's `result=failure`. Every other event is a success (a
 * change made, a sign-in completed, a page read). A new event whose name ends in failure, failed, denied or refused
 * belongs here (the SQL filter uses this list); test/audit/viewer-store.test.ts checks the known ones.
 */
export const FAILURE_EVENTS = [
  'signin.failure',
  'signin.directory_unavailable',
  'mfa.failed',
  'access.denied',
  'access.network_denied',
  'consent.denied',
  'admin_api.refused',
] as const;

const failures = new Set<string>(FAILURE_EVENTS);

/** Whether a record is a success or a failure, by its event name. */
export const resultOf = (event: string): 'success' | 'failure' => (failures.has(event) || /[._](failure|failed|denied|refused)$/.test(event) ? 'failure' : 'success');
