import type { Lang } from './index.ts';
import type { TimeZone } from '../http/form-fields.ts';

const LOCALES: Record<Lang, string> = { id: 'id-ID', en: 'en-GB' };

/**
 * Intl formatters are costly to build (a locale and zone lookup each, a large share of a page's CPU when every render
 * built four) and immutable: one per set of options, kept for the process.
 */
const made = new Map<string, Intl.DateTimeFormat | Intl.RelativeTimeFormat>();
const once = <T extends Intl.DateTimeFormat | Intl.RelativeTimeFormat>(key: string, make: () => T): T => {
  let format = made.get(key) as T | undefined;
  if (!format) made.set(key, (format = make()));
  return format;
};
const dateTimeFormat = (locale: string, options: Intl.DateTimeFormatOptions) => once(`dt ${locale} ${JSON.stringify(options)}`, () => new Intl.DateTimeFormat(locale, options));

/** Indonesia's time zones as the IANA zones behind them (no daylight saving anywhere). */
export const IANA_ZONES: Record<TimeZone, string> = { WIB: 'Asia/Jakarta', WITA: 'Asia/Makassar', WIT: 'Asia/Jayapura' };

/**
 * A date and time as a page shows it, in the regency's time zone and labelled with it, e.g. "5 Mar 2026, 16.30 WIB".
 * Empty for no date.
 */
export const dateTimeFormatter = (lang: Lang, zone: TimeZone) => {
  const format = dateTimeFormat(LOCALES[lang], { dateStyle: 'medium', timeStyle: 'short', timeZone: IANA_ZONES[zone] });
  return (date: Date | null | undefined): string => (date ? `${format.format(date)} ${zone}` : '');
};

/** A calendar date in the regency's time zone, e.g. "31 Maret 2027" / "31 March 2027". */
export const dateFormatter = (lang: Lang, zone: TimeZone) => {
  const format = dateTimeFormat(LOCALES[lang], { dateStyle: 'long', timeZone: IANA_ZONES[zone] });
  return (date: Date): string => format.format(date);
};

/** Whole days before now in words: "hari ini", "kemarin", "3 hari yang lalu" / "today", "yesterday", "3 days ago". */
export const daysAgoFormatter = (lang: Lang) => {
  const format = once(`rt ${lang}`, () => new Intl.RelativeTimeFormat(LOCALES[lang], { numeric: 'auto' }));
  return (days: number): string => format.format(-days, 'day');
};

/**
 * "hari ini", "kemarin", "3 hari yang lalu" for a date, counted in calendar days of the regency's time zone (so 23.50
 * yesterday is "kemarin", not "hari ini"); empty for no date.
 */
export const relativeDayFormatter = (lang: Lang, zone: TimeZone, now: Date) => {
  const ago = daysAgoFormatter(lang);
  const day = dateTimeFormat('en-CA', { timeZone: IANA_ZONES[zone], year: 'numeric', month: '2-digit', day: '2-digit' });
  const dayNumber = (d: Date) => Date.parse(`${day.format(d)}T00:00:00Z`) / 86_400_000;
  const today = dayNumber(now);
  return (d: Date | null | undefined): string => (d ? ago(Math.max(0, today - dayNumber(d))) : '');
};
