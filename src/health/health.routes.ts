import Router from '@koa/router';

/** A dependency probe: resolves when healthy, rejects with the reason otherwise. */
export type Probe = () => Promise<void>;

const PROBE_TIMEOUT_MS = 3000;

const run = async (probe: Probe) => {
  const started = Date.now();
  let timer: NodeJS.Timeout | undefined;
  try {
    await Promise.race([probe(), new Promise((_, reject) => (timer = setTimeout(() => reject(new Error('timed out')), PROBE_TIMEOUT_MS)))]);
    return { status: 'up', ms: Date.now() - started };
  } catch (err) {
    return { status: 'down', ms: Date.now() - started, error: (err as Error).message };
  } finally {
    clearTimeout(timer);
  }
};

/**
 * `/healthz`: the process is alive. `/readyz`: every dependency answers. SQL or Redis down makes the instance not
 * ready (503), and so does a database role lacking a privilege the service needs (`sqlPrivileges`, PostgreSQL): it
 * would answer 500 on the first request touching that table. The directory down makes it `degraded` but still ready
 * (200), because open sessions keep working.
 */
export const createHealthRoutes = (probes: { sql: Probe; sqlPrivileges?: Probe; redis?: Probe; directory: Probe }) => {
  const router = new Router();
  router.get('/healthz', (ctx) => {
    ctx.set('Cache-Control', 'no-store');
    ctx.body = { status: 'up' };
  });
  router.get('/readyz', async (ctx) => {
    const [sql, sqlPrivileges, redis, directory] = await Promise.all([
      run(probes.sql),
      probes.sqlPrivileges ? run(probes.sqlPrivileges) : undefined,
      probes.redis ? run(probes.redis) : undefined,
      run(probes.directory),
    ]);
    const checks = { sql, ...(sqlPrivileges ? { sqlPrivileges } : {}), ...(redis ? { redis } : {}), directory };
    const critical = sql.status === 'up' && sqlPrivileges?.status !== 'down' && (!redis || redis.status === 'up');
    ctx.set('Cache-Control', 'no-store');
    ctx.status = critical ? 200 : 503;
    ctx.body = { status: !critical ? 'down' : directory.status === 'up' ? 'up' : 'degraded', checks };
  });
  return router;
};
