import type { Context } from 'koa';
import type { AccountsService } from '../accounts/accounts.service.ts';
import { jsonCookie } from '../http/json-cookie.ts';
import type { KnownDevice } from './login.service.ts';

/** People who signed in from this browser, each with the browser's device id for them; signed, so it cannot be forged. */
const cookie = jsonCookie<KnownDevice[]>('sa_device', { path: '/interaction', sameSite: 'lax' });
const KEPT = 5;
const MAX_AGE_MS = 365 * 24 * 3600_000;

/** The devices this browser is known as (a cookie of another shape reads as none). */
export const knownDevices = (ctx: Context): KnownDevice[] => {
  const value = cookie.get(ctx);
  return Array.isArray(value) ? value.filter((d): d is KnownDevice => typeof d?.person === 'string' && typeof d?.device === 'string') : [];
};

/** Remembers that `device` signed in here (newest first, at most five people per browser). */
export const rememberDevice = (ctx: Context, device: KnownDevice): void =>
  cookie.set(ctx, [device, ...knownDevices(ctx).filter((d) => d.person !== device.person)].slice(0, KEPT), MAX_AGE_MS);

/** This browser's device id for the person `sub`, if they signed in from it before: their second factor's own budget. */
export const deviceOf = async (ctx: Context, accounts: AccountsService, sub: string): Promise<string | undefined> => {
  const account = await accounts.find(sub);
  return account ? knownDevices(ctx).find((d) => d.person === account.directoryId)?.device : undefined;
};
