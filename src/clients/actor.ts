import type { Context } from 'koa';
import type { RolesService } from '../roles/roles.service.ts';
import type { ZoneUser } from '../zones/zone.ts';
import type { Actor } from './app-policy.ts';

/** The person signed in to a zone, as the app lifecycle sees them: their agency and global roles, from where. */
export const actorOf = (ctx: Context, roles: RolesService): Actor => {
  const { account } = ctx.state.user as ZoneUser;
  return {
    sub: account.sub,
    username: account.username,
    ...(account.profile.agencyCode ? { agency: account.profile.agencyCode.toUpperCase() } : {}),
    roles: roles.globalRoles(account.username),
    ip: ctx.ip,
  };
};
