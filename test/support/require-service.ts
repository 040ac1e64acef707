import type { Context } from 'mocha';

/**
 * Called when a real service a test needs (slapd, redis-server, postgres) is not installed.
 * In CI (`CI=true`) that is a failure; on a developer's machine the test is skipped with the reason printed.
 */
export const serviceMissing = (ctx: Context, service: string, reason: string): never => {
  const message = `${service} is not available: ${reason}`;
  if (process.env.CI === 'true') throw new Error(`${message} (CI must install it, see .ci/run)`);
  console.warn(`    skipped: ${message}`);
  ctx.skip();
};
