import type { Context } from 'koa';
import type { TimeZone } from '../http/form-fields.ts';
import { requestLang } from '../http/render.ts';
import { daysAgoFormatter, IANA_ZONES } from '../i18n/dates.ts';
import type { Clock } from '../shared/clock.ts';

/**
 * "hari ini", "kemarin", "3 hari yang lalu" for a date, counted in calendar days of the regency's time zone (so
 * 23.50 yesterday is "kemarin", not "hari ini"), in the request's language (Intl.RelativeTimeFormat).
 */
export const relativeDays = (ctx: Context, timeZone: TimeZone, clock: Clock) => {
  const ago = daysAgoFormatter(requestLang(ctx));
  const day = new Intl.DateTimeFormat('en-CA', { timeZone: IANA_ZONES[timeZone], year: 'numeric', month: '2-digit', day: '2-digit' });
  const dayNumber = (d: Date) => Date.parse(`${day.format(d)}T00:00:00Z`) / 86_400_000;
  const today = dayNumber(clock.now());
  return (d: Date | null | undefined): string => (d ? ago(Math.max(0, today - dayNumber(d))) : '');
};
