import { collectDefaultMetrics, Counter, Gauge, Histogram, Registry } from 'prom-client';

/** Every name starts with this, the process metrics included, so one `{__name__=~"satu_akun_.*"}` finds them all. */
export const PREFIX = 'satu_akun_';

/** The stores whose round trips are timed, and whose health is probed at each scrape. */
export type Store = 'sql' | 'redis' | 'ldap';

/**
 * The metrics of one app instance, in a registry of its own (not prom-client's global one): tests that start several
 * providers in one process keep their counts apart. No label ever holds a person, a login, a client secret or a
 * token; every label value comes from a small set fixed in the code (README "Metrics and logs" lists them).
 */
export const createMetrics = (options: { process?: boolean } = {}) => {
  const registry = new Registry();
  // Process metrics start samplers (event-loop delay, garbage collection) that run until the process ends: only for an
  // instance whose metrics someone can read, not for every app a test run builds.
  if (options.process) collectDefaultMetrics({ register: registry, prefix: PREFIX });
  const registers = [registry];
  return {
    registry,
    httpRequests: new Counter({ name: `${PREFIX}http_requests_total`, help: 'HTTP requests answered, by method, route template and status.', labelNames: ['method', 'route', 'status'], registers }),
    httpDuration: new Histogram({
      name: `${PREFIX}http_request_duration_seconds`,
      help: 'Time to answer an HTTP request, by method and route template.',
      labelNames: ['method', 'route'],
      buckets: [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10],
      registers,
    }),
    signins: new Counter({
      name: `${PREFIX}signins_total`,
      help: 'Sign-ins: completed (result=success, level reached) and refused (result=the reason, level of the step that failed).',
      labelNames: ['result', 'level'],
      registers,
    }),
    tokenGrants: new Counter({ name: `${PREFIX}token_grants_total`, help: 'Token endpoint requests, by grant type and result (success, error).', labelNames: ['grant_type', 'result'], registers }),
    storeDuration: new Histogram({
      name: `${PREFIX}store_duration_seconds`,
      help: 'Round trip to a store (sql, redis, ldap), by outcome (ok, error).',
      labelNames: ['store', 'outcome'],
      buckets: [0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5],
      registers,
    }),
    storeUp: new Gauge({ name: `${PREFIX}store_up`, help: 'Whether a store answered its health probe at this scrape (1) or not (0), as /readyz checks it.', labelNames: ['store'], registers }),
    throttleBlocks: new Counter({
      name: `${PREFIX}throttle_blocks_total`,
      help: 'Guessing limits: blocks started (event=started) and attempts refused while blocked (event=refused), by limiter.',
      labelNames: ['limiter', 'event'],
      registers,
    }),
    outboxPending: new Gauge({ name: `${PREFIX}outbox_pending`, help: 'Notifications in the outbox not sent yet (counted at each scrape).', registers }),
    cacheInvalidations: new Counter({
      name: `${PREFIX}cache_invalidations_total`,
      help: 'In-process caches dropped, by cache and source (local: a change made here; channel: a Redis message from any instance, this one included, or a reconnect).',
      labelNames: ['cache', 'source'],
      registers,
    }),
  };
};

export type Metrics = ReturnType<typeof createMetrics>;
