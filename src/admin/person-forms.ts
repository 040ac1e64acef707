import type { Context } from 'koa';
import { z } from 'zod';
import { verifyCsrf } from '../http/csrf.ts';
import { cappedText, readForm } from '../http/form-fields.ts';
import { ZONES } from '../zones/zones.ts';
import type { ZoneAuth, ZoneUser } from '../zones/zone.ts';
import type { PeopleService } from './people.service.ts';

const BASE = ZONES.admin.base;

/** The admin console's person forms (and the lookup's query), length-capped; the people service decides the rest. */
export const personForm = z.object({ login: cappedText(256).transform((v) => v.trim()), reason: cappedText(2000) });

/** The login named by a query or form value, trimmed and capped. */
export const loginOf = (value: unknown): string => readForm(personForm, { login: value }).login;

/** A page about a person, `path` under `/admin/orang` ('' for the person's own page). */
export const personUrl = (who: string, path = '', extra = ''): string => `${BASE}/orang${path}?login=${encodeURIComponent(who)}${extra}`;

export const userOf = (ctx: Context): ZoneUser => ctx.state.user as ZoneUser;

/**
 * A form posted about a person: the CSRF token checked, the poster allowed to look people up, and level 3 proven
 * recently (else they are sent to prove it and come back to `back(who)`, and this returns undefined).
 */
export const personPost = async (ctx: Context, deps: { zone: ZoneAuth; people: PeopleService }, back: (who: string) => string) => {
  const user = userOf(ctx);
  const body = (ctx.request.body ?? {}) as Record<string, unknown>;
  verifyCsrf(ctx, body._csrf);
  const { login: who, reason } = readForm(personForm, body);
  deps.people.requireScope(user);
  if (await deps.zone.requireFresh(ctx, back(who))) return undefined;
  return { admin: user, who, reason, body, change: { ip: ctx.ip, clientId: ZONES.admin.clientId } };
};
