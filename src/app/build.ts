import type { Knex } from 'knex';
import type { Server } from 'node:http';
import Koa from 'koa';
import mount from 'koa-mount';
import type { Config, ClientConfig } from '../config/schema.ts';
import { createKnex, migrate, checkKnex } from '../db/knex.ts';
import { createPrivilegesProbe } from '../db/privileges.ts';
import { createLogger, type Logger } from '../shared/logger.ts';
import { connectRedis, createRedis } from '../shared/redis.ts';
import { systemClock, type Clock } from '../shared/clock.ts';
import type { Directory } from '../directory/directory.ts';
import { createLdapDirectory } from '../directory/ldap.ts';
import { startEmbeddedDirectory } from '../directory/embedded-server.ts';
import { loadSampleStaff, SAMPLE_PEOPLE_DN, SAMPLE_SERVICE_DN, SAMPLE_SERVICE_PASSWORD } from '../directory/sample/index.ts';
import { createAccountsRepo } from '../accounts/accounts.repo.ts';
import { createAccountsService } from '../accounts/accounts.service.ts';
import { createPersonCache, invalidating } from '../accounts/person-cache.ts';
import { createPersonAppsRepo } from '../accounts/person-apps.repo.ts';
import { createConsentRepo } from '../consent/consent.repo.ts';
import { createConsentService } from '../consent/consent.service.ts';
import { createAuditService } from '../audit/audit.service.ts';
import { createConfigClientRegistry, readClientsFile } from '../clients/clients.repo.ts';
import { createRolesService } from '../roles/roles.service.ts';
import { createAccessService } from '../access/access.service.ts';
import { createLimits } from '../throttle/limiter.ts';
import { createLoginService } from '../interaction/login.service.ts';
import { createInteractionRoutes } from '../interaction/interaction.routes.ts';
import { createHealthRoutes } from '../health/health.routes.ts';
import { createHomeRoutes } from '../portal/home.routes.ts';
import { createAdapter } from '../oidc/adapter/index.ts';
import { loadSigningKeys, signingAlgsInUse } from '../oidc/keys.ts';
import { createProvider, isProviderPath } from '../oidc/provider.ts';
import { createRenderer } from '../http/render.ts';
import { canonicalHost, errorHandler, securityHeaders } from '../http/error-handler.ts';
import { staticAssets } from '../http/static.ts';
import { demoClients } from '../demo/demo-clients.ts';
import { auditCheckpointSeed, checkpointFile, clientSecretKeys, cookieKeys, mfaKeys } from './secrets.ts';
import { checkpointKey, checkpointPublicKey, createCheckpointer, latestCheckpoint } from '../audit/checkpoints.ts';
import { createSecretHasher } from '../clients/secrets.ts';
import { createAppsRepo } from '../clients/apps.repo.ts';
import { createAuditRepo } from '../audit/audit.repo.ts';
import { createInitialTokensRepo } from '../clients/initial-tokens.repo.ts';
import { createMfaRepo } from '../mfa/mfa.repo.ts';
import { createEnrolmentCodesRepo } from '../mfa/enrolment-codes.repo.ts';
import { createOutboxRepo } from '../notify/outbox.repo.ts';
import { createWebauthnRepo } from '../mfa/webauthn.repo.ts';
import { createAppsService } from '../clients/apps.service.ts';
import { liveApp, type LiveVersion } from '../clients/live-app.ts';
import { combineRegistries, createCachedRegistry } from '../clients/registry.ts';
import { registerDemoApps } from '../demo/demo-registrations.ts';
import { createDeveloperRoutes } from '../clients/developer.routes.ts';
import { createReviewRoutes } from '../clients/review.routes.ts';
import { createNotifier } from '../notify/notify.service.ts';
import { createOutboxRoutes } from '../notify/outbox.routes.ts';
import { noticeMessages } from '../clients/app-notices.ts';
import { createDcrService } from '../clients/dcr.service.ts';
import { createDcrRoutes } from '../clients/dcr.routes.ts';
import { createInitialTokenRoutes } from '../clients/initial-tokens.routes.ts';
import { createMfaService } from '../mfa/mfa.service.ts';
import { createEnrolmentProof, firstFactorProofOf } from '../mfa/enrolment-proof.service.ts';
import { createEnrolmentPolicy } from '../mfa/enrolment-policy.ts';
import { createWebauthnService } from '../mfa/webauthn.service.ts';
import { sampleRoles } from './sample-roles.ts';
import { internalClients, internalSecret, ZONE_ROLES, ZONES, type Zone } from '../zones/zones.ts';
import { createRolesRepo } from '../roles/roles.repo.ts';
import { createAppRolesRepo } from '../roles/app-roles.repo.ts';
import { createAgencies } from '../roles/agencies.ts';
import { createTransfers } from '../roles/transfers.ts';
import { createGrantsService } from '../roles/grants.service.ts';
import { createRolesRoutes } from '../admin/roles.routes.ts';
import { createAppRolesService } from '../roles/app-roles.service.ts';
import { createAppRolesRoutes } from '../roles/app-roles.routes.ts';
import { createDirectoryCheck, GONE_REASON } from '../accounts/directory-sweep.ts';
import { createZone } from '../zones/zone.ts';
import { createAccountRoutes } from '../portal/account.routes.ts';
import { createSecurityRoutes } from '../portal/security.routes.ts';
import { createFactorsService } from '../mfa/factors.service.ts';
import { createPeopleService } from '../admin/people.service.ts';
import { createAdminRoutes } from '../admin/admin.routes.ts';
import { createPersonStateRoutes } from '../admin/person-state.routes.ts';
import { createSessionsService } from '../sessions/sessions.service.ts';
import { createSessionsRoutes } from '../portal/sessions.routes.ts';
import { createMyAppsService } from '../portal/my-apps.service.ts';
import { createMyAppsRoutes } from '../portal/my-apps.routes.ts';
import { createMyDataService } from '../portal/my-data.service.ts';
import { createMyDataRoutes } from '../portal/my-data.routes.ts';
import { createActivityService } from '../portal/activity.service.ts';
import { createActivityRoutes } from '../portal/activity.routes.ts';
import { createAdminApiRoutes } from '../admin/api/api.routes.ts';
import { requestId } from '../http/request-id.ts';
import { createMetrics } from '../metrics/metrics.ts';
import { observeDirectory, observeKnex, observeRedis } from '../metrics/stores.ts';
import { observeAudit, observeLimits, observeProvider } from '../metrics/events.ts';
import { httpMetrics } from '../metrics/http.ts';
import { createMetricsRepo } from '../metrics/metrics.repo.ts';
import { createMetricsRoutes } from '../metrics/metrics.routes.ts';
import { createReportsService } from '../reports/reports.service.ts';
import { createReportsRoutes } from '../reports/reports.routes.ts';
import { createAuditViewRepo } from '../audit/audit-view.repo.ts';
import { createAuditViewService } from '../audit/audit-view.service.ts';
import { createChainVerifier } from '../audit/audit-view.verifier.ts';
import { createAuditRoutes } from '../admin/audit.routes.ts';

/** E-mail addresses of people named by login, from the directory; best effort (a directory outage leaves them out). */
const directoryEmails = async (directory: Directory, logins: string[], logger: Logger): Promise<string[]> => {
  const found = await Promise.all(logins.map((login) => directory.findUser(login).catch((err: unknown) => (logger.warn({ err, login }, 'no e-mail address for a reviewer'), null))));
  return found.flatMap((user) => (user?.email ? [user.email] : []));
};

/** Parts a caller (a test, a benchmark) may supply instead of the configured ones. */
export interface BuildOptions {
  directory?: Directory;
  clock?: Clock;
  logger?: Logger;
  /** Apps registered in addition to the configured ones. */
  clients?: ClientConfig[];
  /** Failed sign-ins answer no sooner than this (ms). */
  failureFloorMs?: number;
}

const PRUNE_INTERVAL_MS = 10 * 60_000;
/** Outside parties' agreements end on a date: checking hourly suspends an app within an hour of its end. */
const AGREEMENT_SWEEP_MS = 60 * 60_000;

/**
 * The composition root: config → clients (SQL, Redis, LDAP) → repositories → services → provider → Koa.
 * Nothing connects before this runs; `close()` releases everything it opened, in reverse order.
 */
export const buildApp = async (config: Config, options: BuildOptions = {}) => {
  const logger = options.logger ?? createLogger(config.logLevel);
  const clock = options.clock ?? systemClock;
  const closers: (() => Promise<unknown>)[] = [];
  const close = async () => {
    for (const fn of closers.reverse()) await fn().catch((err: unknown) => logger.warn({ err }, 'error while closing'));
  };

  try {
    // Configuration errors come before anything is touched: a bad clients file must not leave a migrated database.
    const fileClients = config.clientsFile ? readClientsFile(config.clientsFile) : [];
    // This instance's metrics (README "Metrics and logs"): stores are timed from their first round trip. Nothing is
    // measured unless /metrics is configured: no listener on every query and no wrapper on the sign-in path for nobody.
    const measured = Boolean(config.metricsToken);
    const metrics = createMetrics({ process: measured });
    const knex = createKnex(config);
    if (measured) observeKnex(knex, metrics);
    closers.push(() => knex.destroy());
    await migrate(knex);
    // A role granted too little starts and answers 500 later: say so now, naming what is missing (readiness fails too).
    const sqlPrivileges = config.database.client === 'pg' ? createPrivilegesProbe(knex) : undefined;
    await sqlPrivileges?.().catch((err: unknown) =>
      logger.error({ err: (err as Error).message }, 'the database role lacks privileges the service needs: run `npm run satu-akun -- migrate --grant-to ROLE` as the schema owner'),
    );

    const redis = createRedis(config, logger);
    if (redis) {
      if (measured) observeRedis(redis, metrics);
      await connectRedis(redis);
      closers.push(() => redis.quit());
    }

    let directory = options.directory;
    if (!directory) {
      let settings = config.directory;
      if (settings.mode === 'embedded') {
        const embedded = await startEmbeddedDirectory({ port: settings.embeddedPort, logger });
        closers.push(() => embedded.close());
        settings = { ...settings, url: embedded.url, bindDn: SAMPLE_SERVICE_DN, bindPassword: SAMPLE_SERVICE_PASSWORD, baseDn: SAMPLE_PEOPLE_DN };
      }
      directory = createLdapDirectory(settings, logger);
      closers.push(() => directory!.close());
    }
    if (measured) directory = observeDirectory(directory, metrics);
    // A directory outage at start-up is not fatal: existing sessions keep working and readiness says degraded.
    await directory.check().catch((err: unknown) => logger.error({ err }, 'directory start-up check failed'));

    const keys = cookieKeys(config);
    const roleGrants = config.directory.mode === 'embedded' ? sampleRoles(config.roles) : config.roles;
    const internal = internalClients(config, keys[0]!);
    const demo = config.demoApps ? demoClients(config.demoPorts) : [];
    const clientConfigs = [...internal, ...fileClients, ...(options.clients ?? [])];
    const secrets = createSecretHasher(clientSecretKeys(config));
    const configured = createConfigClientRegistry(clientConfigs, { zones: new Set(internal.map((c) => c.client_id)), hash: secrets.hash });
    // Registered apps: SQL is the source of truth, cached here and refreshed on every instance when one changes.
    // Every repository is built here, once: services receive the ones they use.
    // People signing in now (their account, notice decisions and app roles) are kept in process: the sign-in, token
    // and userinfo paths read no SQL for them. Every write to what is kept drops it, here and on every instance.
    const personApps = createPersonAppsRepo(knex);
    const signingIn = createPersonCache({ clock, logger, redis, loadApps: (account) => personApps.of(account), invalidated: (source) => metrics.cacheInvalidations.inc({ cache: 'people', source }) });
    await signingIn.start();
    closers.push(() => signingIn.close());
    const changedPerson = (args: unknown[], db: Knex | undefined) => signingIn.changed(args[0] as string, db);
    const repos = {
      accounts: invalidating(createAccountsRepo(knex), ['setStatus', 'cutSessions', 'endSessions'], changedPerson),
      apps: createAppsRepo(knex),
      audit: createAuditRepo(knex),
      consent: invalidating(createConsentRepo(knex), ['save', 'remove'], (args, db) => signingIn.changedApps(args[0] as string, db)),
      initialTokens: createInitialTokensRepo(knex),
      enrolmentCodes: createEnrolmentCodesRepo(knex),
      mfa: createMfaRepo(knex),
      outbox: createOutboxRepo(knex),
      webauthn: createWebauthnRepo(knex),
      roles: createRolesRepo(knex),
      appRoles: invalidating(createAppRolesRepo(knex), ['insert', 'approve', 'revoke', 'flagForReview', 'keep'], (_args, db) => signingIn.changedAll(db)),
    };
    const appsRepo = repos.apps;
    const registered = createCachedRegistry({ load: async () => (await appsRepo.liveApps()).map((a) => liveApp(a.app, a.version as LiveVersion, a.secrets)), clock, logger, redis, invalidated: (source) => metrics.cacheInvalidations.inc({ cache: 'apps', source }) });
    await registered.start();
    closers.push(() => registered.close());
    const clients = combineRegistries(configured, registered);
    const roles = createRolesService({ roles: roleGrants, groups: config.roleGroups, clients, repo: repos.roles, appRoles: repos.appRoles, clock, internal: ZONE_ROLES, people: signingIn });
    const access = createAccessService({ roles });
    // Verifies the checkpoints and the archives' rows; verifiers may hold only the public half.
    const checkpointVerifyKey = config.auditCheckpoint.publicKey ? checkpointPublicKey(config.auditCheckpoint.publicKey) : checkpointKey(auditCheckpointSeed(config));
    const trail = createAuditService({ repo: repos.audit, clock, logger, anchorKey: checkpointVerifyKey });
    const audit = measured ? observeAudit(trail, metrics) : trail;
    const agencies = createAgencies({ knex, clock, audit });
    // The quick start's agencies are known before anyone signs in, so an agency administrator can be appointed at once.
    if (config.directory.mode === 'embedded') for (const a of loadSampleStaff().agencies) await agencies.seen(a.code, a.name);
    const accounts = createAccountsService({ repo: repos.accounts, clock, logger, people: signingIn, profileChanged: createTransfers({ roles: repos.roles, appRoles: repos.appRoles, agencies, audit, clock }) });
    // Sign-ins to apps are written behind (src/accounts/app-signins.ts): what is pending is written before the database closes.
    closers.push(() => accounts.flush());
    // People who left the directory lose their access at their next refresh and at the periodic sweep. Ending their
    // sessions needs the provider, built below: the function is only called once everything exists.
    const directoryCheck = createDirectoryCheck({
      knex,
      directory,
      accounts,
      audit,
      clock,
      logger,
      endEverything: (sub) => sessions.endAll(sub, { actor: 'system', by: 'account', reason: GONE_REASON, ip: '127.0.0.1' }, { everything: true }),
    });
    const checkpoints = createCheckpointer({ head: audit.head, key: checkpointKey(auditCheckpointSeed(config)), file: checkpointFile(config), clock, logger, intervalMs: config.auditCheckpoint.intervalSeconds * 1000 });
    checkpoints.start();
    closers.push(() => checkpoints.close());
    const notifier = createNotifier({ repo: repos.outbox, clock, logger, smtpUrl: config.mail.smtpUrl, from: config.mail.from });
    notifier.start();
    closers.push(() => notifier.close());
    const reviewerAddresses = config.mail.reviewers.length ? config.mail.reviewers : await directoryEmails(directory, roleGrants.reviewer.map((g) => g.login), logger);
    const apps = createAppsService({
      knex,
      repo: appsRepo,
      audit,
      clock,
      secrets,
      changed: () => registered.changed(),
      notify: { messagesFor: (notice) => noticeMessages(notice, { issuer: config.issuer, reviewers: reviewerAddresses, timeZone: config.regency.timeZone }), enqueue: notifier.enqueue, flush: notifier.flush },
    });
    const dcr = createDcrService({ knex, repo: appsRepo, tokens: repos.initialTokens, apps, secrets, audit, clock, issuer: config.issuer, domains: config.regency.domains });
    if (demo.length) await registerDemoApps({ config, apps, secrets }, demo);
    const sweep = () => apps.suspendExpiredAgreements().catch((err: unknown) => logger.warn({ err }, 'agreement expiry sweep failed'));
    await sweep();
    const sweepTimer = setInterval(() => void sweep(), AGREEMENT_SWEEP_MS);
    sweepTimer.unref();
    closers.push(async () => clearInterval(sweepTimer));
    const consent = createConsentService({ knex, repo: repos.consent, audit, clock, people: signingIn });
    const limiter = createLimits({ clock, redis, config: { personFailures: config.throttle.accountFailures, addressFailures: config.throttle.addressFailures } });
    const limits = measured ? observeLimits(limiter, metrics) : limiter;
    const login = createLoginService({ knex, directory, accounts, limits, audit, logger, loginKey: keys[0]!, failureFloorMs: options.failureFloorMs });
    const mfa = createMfaService({ knex, repo: repos.mfa, clock, keys: mfaKeys(config), audit, limiter: limits.secondFactor, logger, issuerLabel: `Satu Akun ${config.regency.name}` });
    const enrolmentProof = createEnrolmentProof({
      knex,
      repo: repos.enrolmentCodes,
      clock,
      audit,
      limiter: limits.secondFactor,
      mode: firstFactorProofOf(config),
      hashKeys: keys,
      enqueue: notifier.enqueue,
      flush: notifier.flush,
    });
    const factors = createFactorsService({ knex, totp: repos.mfa, passkeys: repos.webauthn, clock, audit, firstFactorNeedsProof: enrolmentProof.required });
    const webauthn = createWebauthnService({ knex, repo: repos.webauthn, clock, audit, logger, limiter: limits.secondFactor, issuer: config.issuer, rpName: `Satu Akun ${config.regency.name}` });
    const render = createRenderer(config.regency, clock);

    const Adapter = createAdapter({ knex, redis, clock });
    if (!redis) {
      const timer = setInterval(() => void Adapter.prune().catch((err: unknown) => logger.warn({ err }, 'prune failed')), PRUNE_INTERVAL_MS);
      timer.unref();
      closers.push(async () => clearInterval(timer));
    }
    const provider = createProvider({
      config,
      cookieKeys: keys,
      // Every algorithm an app signs with needs a key: production refuses to start without one, naming it.
      signingKeys: await loadSigningKeys(config, logger, await signingAlgsInUse(clients), clock.now()),
      adapterFor: (model) => new Adapter(model),
      clients,
      secrets,
      accounts,
      stillThere: (account) => directoryCheck.stillThere(account),
      roles,
      access,
      consent,
      audit,
      clock,
      render,
      logger,
    });
    if (measured) observeProvider(provider, metrics);

    const sessions = createSessionsService({ provider, index: { sessions: new Adapter('Session'), grants: new Adapter('Grant') }, clients, cut: (sub) => accounts.cutSessions(sub), account: (sub) => accounts.find(sub), maxSessionSeconds: config.session.absoluteHours * 3600, ended: (sub, ended) => accounts.endSessions(sub, ended), audit, clock, logger });
    directoryCheck.start(config.directory.sweepMinutes * 60_000);
    closers.push(() => directoryCheck.close());
    const appRoles = createAppRolesService({ knex, repo: repos.appRoles, apps: appsRepo, clients, roles, agencies, directory, accounts, audit, clock });
    const grants = createGrantsService({ knex, repo: repos.roles, roles, agencies, directory, accounts, audit, clock, issuer: config.issuer, enqueue: notifier.enqueue, flush: notifier.flush });
    const myApps = createMyAppsService({ clients, access });
    const myData = createMyDataService({ clients, consent, accounts, sessions, factors, totp: repos.mfa, roles, appRoleGrants: (directoryId, now) => repos.appRoles.ofPerson(directoryId, now), audit, clock });
    const activity = createActivityService({ audit, clients });
    // Usage reports (issue 13 §2): aggregates caught up from the audit trail every few minutes, in the background.
    const reports = createReportsService({ knex, clock, logger, timeZone: config.regency.timeZone, clients, agencies, dormantDays: config.reports.dormantDays });
    reports.start();
    closers.push(() => reports.close());
    const auditViewRepo = createAuditViewRepo(knex);
    const auditView = createAuditViewService({ repo: auditViewRepo, audit, agencies, clients, clock, logger });
    // As `npm run audit:verify`: verified with the public key when one is configured, else the signing seed's.
    const chainVerifier = createChainVerifier({ audit, repo: auditViewRepo, clock, logger, checkpoint: () => latestCheckpoint(checkpointFile(config)), key: checkpointVerifyKey });
    closers.push(() => chainVerifier.stop());
    const people = createPeopleService({ knex, directory, accounts, roles, factors, enrolmentProof, sessions, clients, agencies, limits, audit, clock });

    // Where this process listens, for the zones' token requests to itself; set by `listen`.
    let localOrigin: string | undefined;
    const admits = (z: Zone) => (z === ZONES.developer && config.portal.developers === 'all' ? undefined : ZONE_ROLES[z.clientId]);
    const zone = (z: Zone) =>
      createZone({ zone: z, secret: internalSecret(keys[0]!, z.clientId), issuer: config.issuer, provider, accounts, roles, admits: admits(z), timeZone: config.regency.timeZone, clock, logger, localOrigin: () => localOrigin });
    const zones = { account: zone(ZONES.account), developer: zone(ZONES.developer), admin: zone(ZONES.admin) };

    const app = new Koa({ proxy: config.trustProxy, keys });
    app.use(requestId);
    if (measured) app.use(httpMetrics(metrics));
    app.use(securityHeaders);
    app.use(errorHandler({ render, logger }));
    app.use(canonicalHost(config.issuer));
    app.use(staticAssets(config.regency.logoPath));
    const probes = { sql: () => checkKnex(knex), redis: redis && (async () => void (await redis!.ping())), ldap: () => directory!.check() };
    // Satu Akun's own pages and APIs, then the provider for whatever they do not answer. The provider's endpoints (token,
    // userinfo, authorization, keys, discovery) go to it directly: matching them against some thirty routers first was
    // a large share of a token or userinfo request's CPU (issue 14).
    const own = new Koa();
    for (const routes of [
      createHealthRoutes({ sql: probes.sql, sqlPrivileges, redis: probes.redis, directory: probes.ldap }).routes(),
      ...(config.metricsToken ? [createMetricsRoutes({ token: config.metricsToken, metrics, repo: createMetricsRepo(knex), probes, logger }).routes()] : []),
      createHomeRoutes({ clients, render }).routes(),
      // Before the console's routers: `/admin/api/v1` answers with tokens and problem+json, never with a sign-in page.
      createAdminApiRoutes({ issuer: config.issuer, provider, clients, configured, people, accounts, grants, appRoles, appRoleGrants: repos.appRoles, agencies, roles, audit, clock, logger, timeZone: config.regency.timeZone }).routes(),
      createInteractionRoutes({ provider, login, consent, clients, accounts, mfa, webauthn, factors, enrolmentProof, enrolment: createEnrolmentPolicy(config.mfaEnrolment), clock, audit, render }).routes(),
      ...Object.values(zones).map((z) => z.routes()),
      createAccountRoutes({ zone: zones.account, render, roles, accounts, clients, consent }).routes(),
      createSessionsRoutes({ zone: zones.account, render, roles, sessions }).routes(),
      createSecurityRoutes({ zone: zones.account, render, roles, mfa, webauthn, factors, clock }).routes(),
      createMyAppsRoutes({ zone: zones.account, render, roles, myApps, accounts }).routes(),
      createMyDataRoutes({ zone: zones.account, render, roles, myData, clients }).routes(),
      createActivityRoutes({ zone: zones.account, render, roles, activity, sessions }).routes(),
      createAdminRoutes({ zone: zones.admin, render, roles, people }).routes(),
      createReportsRoutes({ zone: zones.admin, render, roles, reports, timeZone: config.regency.timeZone, regencyName: config.regency.name }).routes(),
      createPersonStateRoutes({ zone: zones.admin, render, roles, people }).routes(),
      createRolesRoutes({ zone: zones.admin, render, roles, grants, agencies }).routes(),
      createAuditRoutes({ zone: zones.admin, render, roles, view: auditView, verifier: chainVerifier, agencies, clients, accounts }).routes(),
      createAppRolesRoutes({ zone: zones.admin, render, roles, appRoles }).routes(),
      createAppRolesRoutes({ zone: zones.developer, render, roles, appRoles }).routes(),
      createDeveloperRoutes({ zone: zones.developer, render, apps, roles, accounts, clock, domains: config.regency.domains }).routes(),
      createReviewRoutes({ zone: zones.admin, render, apps, roles, accounts, clock }).routes(),
      createOutboxRoutes({ zone: zones.admin, render, notifier, roles }).routes(),
      createDcrRoutes({ dcr }).routes(),
      createInitialTokenRoutes({ zone: zones.admin, render, dcr, roles, directory, accounts, issuer: config.issuer }).routes(),
    ])
      own.use(routes);
    // Composed as one middleware with the context of `app` (koa-mount composes a Koa app's middleware).
    const ownRoutes = mount(own);
    const toProvider = mount(provider);
    app.use((ctx, next) => (isProviderPath(ctx.path) ? toProvider(ctx, next) : ownRoutes(ctx, () => toProvider(ctx, next))));

    /** Starts listening; resolves with the bound port (useful with port 0). */
    const listen = (port = config.port, host = config.host) =>
      new Promise<{ server: Server; port: number }>((resolve) => {
        const server = app.listen(port, host, () => {
          closers.push(() => new Promise((done) => server.close(done)));
          const address = server.address();
          const bound = typeof address === 'object' && address ? address.port : port;
          localOrigin = `http://${host === '0.0.0.0' || host === '' ? '127.0.0.1' : host === '::' ? '[::1]' : host.includes(':') ? `[${host}]` : host}:${bound}`;
          resolve({ server, port: bound });
        });
      });

    return { config, logger, metrics, app, routers: own.middleware, provider, knex, signingIn, reports, redis, directory, clients, apps, dcr, notifier, audit, checkpoints, chainVerifier, enrolmentProof, sessions, directoryCheck, render, demo, listen, close };
  } catch (err) {
    await close();
    throw err;
  }
};

export type SatuAkun = Awaited<ReturnType<typeof buildApp>>;
