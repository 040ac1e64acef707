import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { Eta } from 'eta';
import type { Context } from 'koa';
import { pickLang, translator, type Lang } from '../i18n/index.ts';
import { dateFormatter, dateTimeFormatter, relativeDayFormatter } from '../i18n/dates.ts';
import { systemClock, type Clock } from '../shared/clock.ts';
import type { Config } from '../config/schema.ts';

export const VIEWS_DIR = join(dirname(fileURLToPath(import.meta.url)), '../../views');
const LANG_COOKIE = 'sa_lang';

/** The language for this request: `?lang=` (remembered in a cookie), the cookie, then the app's `ui_locales`. */
export const requestLang = (ctx: Context, uiLocales?: string): Lang => {
  const asked = typeof ctx.query.lang === 'string' ? ctx.query.lang : undefined;
  if (asked) {
    const lang = pickLang(asked);
    ctx.cookies.set(LANG_COOKIE, lang, { httpOnly: true, sameSite: 'lax', secure: ctx.secure, maxAge: 365 * 86400_000, signed: false });
    return lang;
  }
  return pickLang(ctx.cookies.get(LANG_COOKIE, { signed: false }), uiLocales);
};

/**
 * Server-rendered pages: Eta templates from views/, escaped by default, with the translator and regency profile, and
 * what a middleware put in `ctx.state.page` for every page of a zone (the signed-in person, the CSRF token).
 */
export const createRenderer = (regency: Config['regency'], clock: Clock = systemClock) => {
  const eta = new Eta({ views: VIEWS_DIR, cache: true, autoEscape: true });
  /**
   * Times for this request: in its language, in the regency's time zone (`date`: date and time, `day`: the date, `ago`:
   * "kemarin", "3 hari yang lalu").
   */
  const formats = (ctx: Context, uiLocales?: string) => {
    const lang = requestLang(ctx, uiLocales);
    return { date: dateTimeFormatter(lang, regency.timeZone), day: dateFormatter(lang, regency.timeZone), ago: relativeDayFormatter(lang, regency.timeZone, clock.now()) };
  };
  const render = (ctx: Context, view: string, data: Record<string, unknown> = {}, options: { uiLocales?: string } = {}) => {
    const lang = requestLang(ctx, options.uiLocales);
    const t = translator(lang);
    const otherLang: Lang = lang === 'id' ? 'en' : 'id';
    // Query only, relative to the page: a path such as //evil.example/x (a 404 page) must not become an off-site link.
    const switchUrl = `?${new URLSearchParams({ ...(ctx.query as Record<string, string>), lang: otherLang })}`;
    ctx.type = 'html';
    ctx.set('Cache-Control', 'no-store');
    ctx.body = eta.render(view, { ...(ctx.state.page as Record<string, unknown> | undefined), ...formats(ctx, options.uiLocales), ...data, t, lang, switchUrl, regency });
  };
  return Object.assign(render, { formats });
};

export type Render = ReturnType<typeof createRenderer>;
