import type { Lang } from './index.ts';

const LOCALES: Record<Lang, string> = { id: 'id-ID', en: 'en-GB' };

/**
 * A date and time as a page shows it, in UTC (the audit trail's time; the regency has no configured time zone yet),
 * e.g. "5 Mar 2026, 09.30 UTC". Empty for no date.
 */
export const dateTimeFormatter = (lang: Lang) => {
  const format = new Intl.DateTimeFormat(LOCALES[lang], { dateStyle: 'medium', timeStyle: 'short', timeZone: 'UTC' });
  return (date: Date | null | undefined): string => (date ? `${format.format(date)} UTC` : '');
};

/** A calendar date (UTC), e.g. "31 Maret 2027" / "31 March 2027". */
export const dateFormatter = (lang: Lang) => {
  const format = new Intl.DateTimeFormat(LOCALES[lang], { dateStyle: 'long', timeZone: 'UTC' });
  return (date: Date): string => format.format(date);
};

/** Whole days before now in words: "hari ini", "kemarin", "3 hari yang lalu" / "today", "yesterday", "3 days ago". */
export const daysAgoFormatter = (lang: Lang) => {
  const format = new Intl.RelativeTimeFormat(LOCALES[lang], { numeric: 'auto' });
  return (days: number): string => format.format(-days, 'day');
};
