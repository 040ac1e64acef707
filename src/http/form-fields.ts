import { z } from 'zod';
import type { MessageKey } from '../i18n/index.ts';

/**
 * Building blocks of the zod schemas that validate every form at the edge (issue 9 §3). Each field carries the
 * message key a person reads when it is refused, as the zod issue message.
 */

const key = (k: MessageKey) => ({ error: k });

/** Trims strings; a blank string becomes `undefined`, so an empty optional form field is simply absent. */
export const blank = (v: unknown): unknown => (typeof v === 'string' ? v.trim() || undefined : v);

/** Text of `min`–`max` characters, trimmed. */
export const text = (min: number, max: number, k: MessageKey) => z.preprocess(blank, z.string(key(k)).min(min, key(k)).max(max, key(k)));

/** Optional text of `min`–`max` characters, trimmed; blank is absent. */
export const optionalText = (min: number, max: number, k: MessageKey) => z.preprocess(blank, z.string(key(k)).min(min, key(k)).max(max, key(k)).optional());

/** One of `values`. */
export const choice = <const T extends readonly [string, ...string[]]>(values: T, k: MessageKey) => z.preprocess(blank, z.enum(values, key(k)));

/** A whole number from `min` to `max` (a form sends text; blank uses `fallback` when given). */
export const wholeNumber = (min: number, max: number, k: MessageKey, fallback?: number) =>
  z.preprocess((v) => {
    const s = blank(v);
    if (s === undefined) return fallback;
    return typeof s === 'string' && /^-?\d{1,9}$/.test(s) ? Number(s) : s;
  }, z.number(key(k)).int(key(k)).min(min, key(k)).max(max, key(k)));

/** Checkbox values: `on` (a browser's default), `true`/`1`/`yes` are ticked; absent, blank or `false`/`0`/`off` not. */
export const checkbox = (k: MessageKey) =>
  z.preprocess((v) => {
    const s = typeof v === 'string' ? v.trim().toLowerCase() : v;
    if (s === true || s === 'on' || s === 'true' || s === '1' || s === 'yes') return true;
    if (s === undefined || s === null || s === false || s === '' || s === 'off' || s === 'false' || s === '0') return false;
    return s;
  }, z.boolean(key(k)));

/** A repeated form field arrives as an array: its last value counts, as a browser would send one. */
export const lastValue = (v: unknown): unknown => (Array.isArray(v) ? v.at(-1) : v);

/** Free text as typed, at most `max` characters (longer input is cut, never a 500); not a string → ''. */
export const cappedText = (max: number) => z.preprocess((v) => { const last = lastValue(v); return typeof last === 'string' ? last.slice(0, max) : ''; }, z.string());

/** Parses a form body with `schema` whose fields all have fallbacks (`cappedText`): never throws for any input. */
export const readForm = <S extends z.ZodType>(schema: S, body: unknown): z.infer<S> => schema.parse(typeof body === 'object' && body !== null ? body : {});

/** Indonesia's time zones and their offsets from UTC (no daylight saving). */
export const TIME_ZONES = { WIB: 7, WITA: 8, WIT: 9 } as const;
export type TimeZone = keyof typeof TIME_ZONES;

/**
 * A date typed as YYYY-MM-DD, as the end of that day in the regency's time zone: when a suspension or a grant ends;
 * undefined if blank, null if it is no calendar date (`2026-11-31` does not roll over to December).
 */
export const endOfDay = (value: string, zone: TimeZone = 'WIB'): Date | undefined | null => {
  if (!value) return undefined;
  const match = /^(\d{4})-(\d{2})-(\d{2})$/.exec(value);
  if (!match) return null;
  const [year, month, day] = match.slice(1).map(Number) as [number, number, number];
  const calendar = new Date(Date.UTC(year, month - 1, day));
  if (calendar.getUTCFullYear() !== year || calendar.getUTCMonth() !== month - 1 || calendar.getUTCDate() !== day) return null;
  return new Date(`${value}T23:59:59+0${TIME_ZONES[zone]}:00`);
};
