import type { Context } from 'koa';
import { DECISION_LIMITS } from '../app-policy.ts';
import { AppError } from '../../http/errors.ts';
import type { MessageKey, Translate } from '../../i18n/index.ts';
import { id as dictionary } from '../../i18n/messages.ts';
import type { ControlAction } from '../app-policy.ts';
import type { AppsService } from '../apps.service.ts';
import type { DiffField, DiffValue } from '../diff.ts';
import { isClientId } from '../registration.schema.ts';

/** Where the review pages live in the admin console. */
export const BASE = '/admin/aplikasi';
export const DAY_MS = 86_400_000;
/** The longest reason a decision or a control action keeps. */
export const MAX_REASON = DECISION_LIMITS.reason.max;

/** Live-app control: the page's path segment and the service's action. */
export const CONTROLS: Record<ControlAction, string> = { suspend: 'tangguhkan', reinstate: 'pulihkan', retire: 'hentikan' };

/** An app's page, or the confirmation page of a control action on it. */
export const pagePath = (clientId: string, action?: ControlAction) => `${BASE}/${encodeURIComponent(clientId)}${action ? `/${CONTROLS[action]}` : ''}`;

/** A malformed client id names no app. */
export const clientIdOf = (ctx: Context): string => {
  const id = ctx.params.clientId;
  if (!isClientId(id)) throw new AppError('review.error.not_found', 404);
  return id;
};

/** One field of a form post as text (a repeated field counts as its last value). */
export const field = (body: Record<string, unknown>, name: string, max = 200): string => {
  const value = body[name];
  const last = Array.isArray(value) ? value.at(-1) : value;
  return typeof last === 'string' ? last.slice(0, max) : '';
};

/** Whether a checkbox of a form post is ticked. */
export const ticked = (body: Record<string, unknown>, name: string) => ['on', 'true', '1', 'yes'].includes(field(body, name).trim().toLowerCase());

/** The label `prefix.value` when there is one, else the value itself: stored data never breaks a page. */
export const labelOf = (t: Translate, prefix: string, value: unknown): string => {
  const key = `${prefix}.${String(value)}`;
  return Object.hasOwn(dictionary, key) ? t(key as MessageKey) : String(value);
};

/** A registration value as a page shows it: choices by their label, yes/no, a scope with its purpose, a role with its description. */
export const displayValue = (t: Translate, name: DiffField, value: DiffValue | undefined, item?: string): string => {
  if (value === undefined) return (name === 'scopes' || name === 'app_roles') && item ? item : '';
  switch (name) {
    case 'kind':
      return labelOf(t, 'apps.kind', value);
    case 'environment':
      return labelOf(t, 'apps.environment', value);
    case 'level':
      return labelOf(t, 'apps.level', value);
    case 'client_type':
      return labelOf(t, 'apps.client_type', value);
    case 'token_endpoint_auth_method':
      return labelOf(t, 'apps.auth_method', value);
    case 'grant_types':
      return labelOf(t, 'apps.grant_type', value);
    case 'id_token_signed_response_alg':
      return labelOf(t, 'apps.signing_alg', value);
    case 'outside_party':
      return t(value ? 'reviewer.yes' : 'reviewer.no');
    case 'scopes':
    case 'app_roles':
      return item ? `${item}: ${String(value)}` : String(value);
    default:
      return String(value);
  }
};

/** Days since `at`, whole days, never negative. */
export const ageDays = (now: Date, at: Date) => Math.max(0, Math.floor((now.getTime() - at.getTime()) / DAY_MS));

type Found = Awaited<ReturnType<AppsService['detail']>>;

/** The version a page talks about: the one being reviewed or worked on, else the live one, else the latest. */
export const currentVersion = (found: Pick<Found, 'latest' | 'live' | 'open'>) => found.open ?? found.live ?? found.latest;
