import { TIME_ZONES, type TimeZone } from '../http/form-fields.ts';
import type { MessageKey } from '../i18n/index.ts';

/** The viewer's query parameters, exactly as reports and links name them. */
export const FILTER_NAMES = ['from', 'to', 'event', 'actor', 'subject', 'app', 'agency', 'result'] as const;
export type FilterName = (typeof FILTER_NAMES)[number];
/** The filter as given (trimmed, non-empty values only): echoed in forms, links, the export header and the audit. */
export type RawFilter = Partial<Record<FilterName, string>>;

/** The filter checked and in stored terms. Times are ISO-8601 UTC text, compared with `at` as text. */
export interface Criteria {
  fromAt?: string;
  /** Exclusive. */
  toAt?: string;
  event?: { exact: string } | { prefix: string };
  actor?: string;
  subject?: string;
  app?: string;
  agency?: string;
  result?: 'success' | 'failure';
  /** Records older than this seq (the page cursor). */
  before?: number;
}

/** A filter value that cannot be read; `field` names it for the form. */
export class FilterError extends Error {
  constructor(
    readonly field: FilterName | 'before',
    readonly key: MessageKey,
  ) {
    super(key);
  }
}

const DATE = /^(\d{4})-(\d{2})-(\d{2})$/;
// A full time with its offset: 2026-11-27T08:00:00+08:00, 2026-11-27T00:00:00.000Z.
const TIME = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(:\d{2}(\.\d{1,3})?)?(Z|[+-]\d{2}:\d{2})$/;
const EVENT = /^[a-z][a-z0-9_]*(\.[a-z0-9_]+)*(\.\*)?$/;

/** The start of a calendar day in the regency's zone, or undefined when `value` is no calendar date. */
const dayStart = (value: string, zone: TimeZone): Date | undefined => {
  const m = DATE.exec(value);
  if (!m) return undefined;
  const [y, mo, d] = m.slice(1).map(Number) as [number, number, number];
  const check = new Date(Date.UTC(y, mo - 1, d));
  if (check.getUTCFullYear() !== y || check.getUTCMonth() !== mo - 1 || check.getUTCDate() !== d) return undefined;
  return new Date(`${value}T00:00:00+0${TIME_ZONES[zone]}:00`);
};

/** `from`/`to` as an instant: a calendar day in the regency's zone (`to`: the day after, so the day is included) or a full time. */
const instant = (value: string, field: 'from' | 'to', zone: TimeZone): string => {
  const day = dayStart(value, zone);
  if (day) return new Date(day.getTime() + (field === 'to' ? 86_400_000 : 0)).toISOString();
  const time = TIME.test(value) ? new Date(value) : undefined;
  if (!time || Number.isNaN(time.getTime())) throw new FilterError(field, 'auditview.filter.bad_time');
  return time.toISOString();
};

const single = (v: unknown): string | undefined => {
  const last = Array.isArray(v) ? v.at(-1) : v;
  return typeof last === 'string' && last.trim() ? last.trim().slice(0, 256) : undefined;
};

/** The filter in a query string as given: unknown parameters are ignored, values trimmed and capped. */
export const rawFilter = (query: Record<string, unknown>): RawFilter => {
  const raw: RawFilter = {};
  for (const name of FILTER_NAMES) {
    const value = single(query[name]);
    if (value !== undefined) raw[name] = value;
  }
  return raw;
};

/** Checks a filter and the cursor `before`; throws a FilterError naming the first value that cannot be read. */
export const criteriaOf = (raw: RawFilter, before: unknown, zone: TimeZone): Criteria => {
  const c: Criteria = {};
  if (raw.from) c.fromAt = instant(raw.from, 'from', zone);
  if (raw.to) c.toAt = instant(raw.to, 'to', zone);
  if (c.fromAt && c.toAt && c.fromAt >= c.toAt) throw new FilterError('to', 'auditview.filter.bad_range');
  if (raw.event) {
    if (!EVENT.test(raw.event) || raw.event.length > 64) throw new FilterError('event', 'auditview.filter.bad_event');
    c.event = raw.event.endsWith('.*') ? { prefix: raw.event.slice(0, -1) } : { exact: raw.event };
  }
  if (raw.actor) c.actor = raw.actor;
  if (raw.subject) c.subject = raw.subject;
  if (raw.app) c.app = raw.app;
  if (raw.agency) c.agency = raw.agency.toUpperCase();
  if (raw.result) {
    if (raw.result !== 'success' && raw.result !== 'failure') throw new FilterError('result', 'auditview.filter.bad_result');
    c.result = raw.result;
  }
  const cursor = single(before);
  if (cursor !== undefined) {
    if (!/^\d{1,15}$/.test(cursor) || Number(cursor) < 1) throw new FilterError('before', 'auditview.filter.bad_cursor');
    c.before = Number(cursor);
  }
  return c;
};

/** The query string of a filter (and a cursor), for links: only the parameters given. */
export const filterQuery = (raw: RawFilter, extra: Record<string, string | number> = {}): string => {
  const params = new URLSearchParams();
  for (const [k, v] of Object.entries({ ...raw, ...extra })) if (v !== undefined && v !== '') params.set(k, String(v));
  const s = params.toString();
  return s ? `?${s}` : '';
};
