import type { Lang } from './index.ts';

/**
 * A date and time as a page shows it, in UTC (the audit trail's time; the regency has no configured time zone yet),
 * e.g. "5 Mar 2026, 09.30 UTC". Empty for no date.
 */
export const dateTimeFormatter = (lang: Lang) => {
  const format = new Intl.DateTimeFormat(lang === 'id' ? 'id-ID' : 'en-GB', { dateStyle: 'medium', timeStyle: 'short', timeZone: 'UTC' });
  return (date: Date | null | undefined): string => (date ? `${format.format(date)} UTC` : '');
};
