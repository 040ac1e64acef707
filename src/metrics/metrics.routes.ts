import { createHash, timingSafeEqual } from 'node:crypto';
import Router from '@koa/router';
import type { Logger } from '../shared/logger.ts';
import type { MetricsRepo } from './metrics.repo.ts';
import type { Metrics, Store } from './metrics.ts';

/** A store's health probe, as /readyz runs it: resolves when the store answers. */
export type Probe = () => Promise<void>;

/** A probe that has not answered by then counts as down, so one slow store cannot hold the scrape past its timeout. */
const PROBE_TIMEOUT_MS = 3000;

const answers = async (probe: Probe): Promise<boolean> => {
  let timer: NodeJS.Timeout | undefined;
  try {
    await Promise.race([probe(), new Promise((_, reject) => (timer = setTimeout(() => reject(new Error('timed out')), PROBE_TIMEOUT_MS)))]);
    return true;
  } catch {
    return false;
  } finally {
    clearTimeout(timer);
  }
};

const digest = (text: string) => createHash('sha256').update(text).digest();

/**
 * `GET /metrics` in the Prometheus text format, for a scraper holding the configured bearer token (mounted only when
 * one is configured: otherwise the path is an ordinary 404). Tokens are compared as SHA-256 digests in constant time,
 * so neither their content nor their length shows in the timing. At each scrape the stores are probed and the outbox
 * counted, so those values are never older than the scrape.
 */
export const createMetricsRoutes = (deps: { token: string; metrics: Metrics; repo: MetricsRepo; probes: Partial<Record<Store, Probe>>; logger: Logger }) => {
  const expected = digest(deps.token);
  const { metrics } = deps;
  const router = new Router();
  router.get('/metrics', async (ctx) => {
    ctx.set('Cache-Control', 'no-store');
    const given = /^Bearer +(\S+)$/i.exec(ctx.get('authorization'))?.[1];
    if (!given || !timingSafeEqual(digest(given), expected)) {
      ctx.status = 401;
      ctx.set('WWW-Authenticate', given ? 'Bearer realm="satu-akun-metrics", error="invalid_token"' : 'Bearer realm="satu-akun-metrics"');
      ctx.type = 'text/plain';
      ctx.body = 'A bearer token is required (SATU_AKUN_METRICS_TOKEN).\n';
      return;
    }
    await Promise.all([
      deps.repo.outboxPending().then(
        (n) => metrics.outboxPending.set(n),
        (err: unknown) => deps.logger.warn({ err }, 'metrics: could not count the outbox'),
      ),
      ...Object.entries(deps.probes).flatMap(([store, probe]) => (probe ? [answers(probe).then((up) => metrics.storeUp.set({ store }, up ? 1 : 0))] : [])),
    ]);
    ctx.type = metrics.registry.contentType;
    ctx.body = await metrics.registry.metrics();
  });
  return router;
};
