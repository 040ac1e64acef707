/**
 * A filter of the audit viewer (`/admin/audit`, issue 13 §1), with exactly its query parameters: `from`, `to`
 * (YYYY-MM-DD in the regency's time zone, `to` included), `event` (a name, or a prefix like `signin.*`), `actor`,
 * `subject`, `app` (client_id), `agency` (agency code), `result` (`success` | `failure`).
 */
export interface AuditFilter {
  from?: string;
  to?: string;
  event?: string;
  actor?: string;
  subject?: string;
  app?: string;
  agency?: string;
  result?: 'success' | 'failure';
}

const ORDER: (keyof AuditFilter)[] = ['from', 'to', 'event', 'actor', 'subject', 'app', 'agency', 'result'];

/** The viewer's address for `filter`: how a figure on a report is traced back to the records it counts. */
export const auditLink = (filter: AuditFilter): string => {
  const query = new URLSearchParams();
  for (const key of ORDER) if (filter[key]) query.set(key, filter[key]!);
  return `/admin/audit?${query.toString()}`;
};
