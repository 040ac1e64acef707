import type { Config } from '../config/schema.ts';

/**
 * Token and session lifetimes. The SSO session is re-saved at every visit, so its TTL is the idle timeout, capped by
 * what remains of the absolute lifetime counted from sign-in (DESIGN.md, "Sessions").
 */
export const createTtl = (config: Config) => {
  const idle = config.session.idleMinutes * 60;
  const absolute = config.session.absoluteHours * 3600;
  return {
    AccessToken: config.accessTokenSeconds,
    AuthorizationCode: 60,
    ClientCredentials: config.accessTokenSeconds,
    IdToken: 3600,
    Interaction: 30 * 60,
    // A grant lives as long as the refresh tokens it backs; logout and session expiry still revoke session-bound ones.
    Grant: config.refreshTokenDays * 86400,
    RefreshToken: config.refreshTokenDays * 86400,
    Session: (_ctx: unknown, session: { loginTs?: number }) => {
      if (!session.loginTs) return idle;
      const left = session.loginTs + absolute - Math.floor(Date.now() / 1000);
      return Math.max(1, Math.min(idle, left));
    },
  };
};
