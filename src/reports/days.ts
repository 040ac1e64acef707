import { IANA_ZONES } from '../i18n/dates.ts';
import type { TimeZone } from '../http/form-fields.ts';

/** The calendar day (`YYYY-MM-DD`) of an instant in the regency's time zone. */
export const dayOf = (zone: TimeZone) => {
  const format = new Intl.DateTimeFormat('en-CA', { timeZone: IANA_ZONES[zone], year: 'numeric', month: '2-digit', day: '2-digit' });
  return (at: Date | string): string => {
    const parts = Object.fromEntries(format.formatToParts(typeof at === 'string' ? new Date(at) : at).map((p) => [p.type, p.value]));
    return `${parts.year}-${parts.month}-${parts.day}`;
  };
};

/** The day after `day` (calendar arithmetic, no time zone involved). */
export const nextDay = (day: string): string => new Date(Date.parse(`${day}T00:00:00Z`) + 86_400_000).toISOString().slice(0, 10);

/** Whole days from `from` to `to` (both `YYYY-MM-DD`). */
export const daysBetween = (from: string, to: string): number => Math.round((Date.parse(`${to}T00:00:00Z`) - Date.parse(`${from}T00:00:00Z`)) / 86_400_000);

/** Every day from `from` to `to`, both included. */
export const eachDay = (from: string, to: string): string[] => {
  const out: string[] = [];
  for (let d = from; d <= to && out.length < 400; d = nextDay(d)) out.push(d);
  return out;
};

/** The last day of a month `YYYY-MM`. */
export const lastDayOf = (month: string): string => {
  const [y, m] = month.split('-').map(Number) as [number, number];
  return new Date(Date.UTC(y, m, 0)).toISOString().slice(0, 10);
};

/** A real calendar day `YYYY-MM-DD`, or undefined. */
export const validDay = (value: unknown): string | undefined => {
  if (typeof value !== 'string' || !/^(19|20)\d\d-\d{2}-\d{2}$/.test(value)) return undefined;
  const at = new Date(`${value}T00:00:00Z`);
  return !Number.isNaN(at.getTime()) && at.toISOString().slice(0, 10) === value ? value : undefined;
};

/** A month `YYYY-MM` from 2000 on, or undefined. */
export const validMonth = (value: unknown): string | undefined => (typeof value === 'string' && /^(20\d\d)-(0[1-9]|1[0-2])$/.test(value) ? value : undefined);
