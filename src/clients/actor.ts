import type { Context } from 'koa';
import type { ZoneUser } from '../zones/zone.ts';
import type { Actor } from './app-policy.ts';

/** The person signed in to a zone, as the app lifecycle sees them: their agency and global roles, from where. */
export const actorOf = (ctx: Context): Actor => {
  const { account, roles } = ctx.state.user as ZoneUser;
  return {
    sub: account.sub,
    username: account.username,
    ...(account.profile.agencyCode ? { agency: account.profile.agencyCode.toUpperCase() } : {}),
    roles,
    ip: ctx.ip,
  };
};
