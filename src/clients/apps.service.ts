import { randomBytes } from 'node:crypto';
import type { Knex } from 'knex';
import type { AuditService } from '../audit/audit.service.ts';
import { AppError } from '../http/errors.ts';
import { bilingual, type MessageKey } from '../i18n/index.ts';
import { canDecide, canSee, CONTROL, DECISION_LIMITS, isReviewer, mayDo, readsEveryApp, refusalOf, type Actor, type AppState, type ControlAction, type LifecycleAction } from './app-policy.ts';

export type { Actor, ControlAction } from './app-policy.ts';
import type { Clock } from '../shared/clock.ts';
import type { AppRow, AppSource, AppsRepo, AppStatus, VersionRow } from './apps.repo.ts';
import type { Decision, LiveVersion } from './live-app.ts';
import { usesSecret, type Registration } from './registration.schema.ts';
import type { SecretHasher } from './secrets.ts';
import { isCidr } from '../config/schema.ts';
import './audit-events.ts';
import type { Notice } from './app-notices.ts';
import type { Message } from '../notify/outbox.repo.ts';

/** The version a reviewer saw on the page: the decision applies to exactly that submission, or to none. */
export interface SeenVersion {
  version: number;
  /** When that version was submitted (ISO-8601): a resubmission of the same version number is another submission. */
  submittedAt: string;
  /** The app's first-party mark as the decision form showed it: an approval is refused if it has changed since. */
  firstParty?: boolean;
}

/** What a reviewer decides about a version waiting for review. */
export type ReviewInput = (
  | {
      outcome: 'approved';
      reason: string;
      level: 1 | 2 | 3;
      scopes: string[];
      acceptedExceptions: string[];
      maxFactorAgeMinutes?: number;
      networks?: string[];
      /** The regency's own app: no first-time notice (issue 11 §6). Left out, the app keeps what it had (a new app: no). */
      firstParty?: boolean;
    }
  | { outcome: 'rejected' | 'changes_requested'; reason: string }
) & { seen?: SeenVersion };


const MIN_REASON = DECISION_LIMITS.reason.min;
/** The longest overlap of a secret rotation, in hours. */
export const MAX_OVERLAP_HOURS = 7 * 24;
/** States of a version still being worked on (by the developer or the reviewer). */
const OPEN_STATES = new Set(['draft', 'submitted', 'changes_requested']);

/** The lifecycle's refusals: 404 for an app one may not see, 403 for a forbidden act, 400 otherwise. */
const STATUS: Partial<Record<ReviewErrorKey, number>> = { 'review.error.not_found': 404, 'review.error.forbidden': 403, 'review.error.own_app': 403 };
type ReviewErrorKey = Extract<MessageKey, `review.error.${string}`>;
const fail = (code: ReviewErrorKey, params: Record<string, string | number> = {}) => new AppError(code, STATUS[code] ?? 400, params);


/** A client id people can read in logs: the name's first words and a random part. */
const newClientId = (name: string) => {
  const slug = name.toLowerCase().normalize('NFKD').replace(/[^a-z0-9]+/g, '-').replace(/^-|-$/g, '').slice(0, 24).replace(/-$/, '');
  return `${slug || 'app'}-${randomBytes(4).toString('hex')}`;
};

/** URIs of a registration that the redirect policy marks as exceptions (a reviewer must accept each). */
export const exceptionUris = (r: Registration): string[] =>
  [...r.redirect_verdicts, ...r.post_logout_verdicts].filter((v) => v.verdict === 'exception').map((v) => v.uri);

/**
 * The app-registration lifecycle (DESIGN.md): draft → submitted → approved (active) | changes_requested | rejected;
 * active ⇄ suspended; active → retired. A change to a live app is a newer version reviewed while the live one keeps
 * working; approval swaps it in. Every transition is one transaction with its history entry and audit record, and
 * `changed()` then refreshes the registry on every instance.
 */
export const createAppsService = (deps: {
  knex: Knex;
  repo: AppsRepo;
  audit: AuditService;
  clock: Clock;
  secrets: SecretHasher;
  /** Called after each committed change that affects sign-in. */
  changed: () => Promise<void>;
  /** Notifications: the messages a transition causes are stored in its transaction, then sent. */
  notify?: { messagesFor(notice: Notice): Message[]; enqueue(messages: Message[], trx: Knex): Promise<void>; flush(): Promise<number> };
}) => {
  const { repo } = deps;

  /** An app with its versions (in order): the live one, the one being worked on, the latest. */
  const summary = (app: AppRow, versions: LiveVersion[]) => ({
    app,
    versions,
    live: versions.find((v) => v.version === app.liveVersion),
    open: versions.filter((v) => OPEN_STATES.has(v.state)).at(-1),
    latest: versions.at(-1),
  });

  /** Refuses `action` unless the app policy allows it now (forbidden before state, as the policy says). */
  const must = (action: LifecycleAction, actor: Actor, state: AppState) => {
    const refusal = refusalOf(action, { actor, contributed: false }, state);
    if (refusal) throw fail(refusal);
  };

  /** Whether `actor` registered the app, or wrote or submitted the version being worked on or reviewed. */
  const contributedTo = async (actor: Actor, s: { app: AppRow; open?: LiveVersion | undefined }) =>
    s.open ? s.open.createdBy === actor.sub || (await repo.contributors(s.app, s.open.version)).has(actor.sub) : s.app.ownerSub === actor.sub;

  const load = async (clientId: string, db: Knex = deps.knex) => {
    const app = await repo.findApp(clientId, db);
    if (!app) throw fail('review.error.not_found');
    return summary(app, (await repo.versions(clientId, db)) as LiveVersion[]);
  };

  /** Lists with their versions, in two queries whatever the length. */
  const withVersions = async (apps: AppRow[]) => {
    const versions = (await repo.versionsOf(apps.map((a) => a.clientId))) as LiveVersion[];
    return apps.map((app) => summary(app, versions.filter((v) => v.clientId === app.clientId)));
  };


  /** One transition: the rows, the history entry and the audit record commit together. */
  const transition = async (
    actor: Actor,
    app: AppRow,
    action: string,
    change: (trx: Knex.Transaction) => Promise<{ to?: AppStatus; version?: number; before?: unknown; after?: unknown; revokeTokensAt?: number }>,
    reason?: string,
    about?: Pick<Notice, 'registration' | 'until'>,
  ) => {
    const at = deps.clock.now();
    const result = await deps.knex.transaction(async (trx) => {
      const outcome = await change(trx);
      // An app that stops working loses every token it holds, at once (checked on each token use, src/oidc/provider.ts).
      // Real time, not the injected clock: it is compared with the `iat` oidc-provider stamps from the system clock.
      const revoke = outcome.revokeTokensAt !== undefined ? { tokensRevokedAt: outcome.revokeTokensAt } : outcome.to === 'suspended' || outcome.to === 'retired' ? { tokensRevokedAt: Math.floor(Date.now() / 1000) } : {};
      if (outcome.to && outcome.to !== app.status && !(await repo.updateApp(app.clientId, app.status, { status: outcome.to, ...revoke }, at, trx))) throw fail('review.error.state');
      await repo.addEvent({ clientId: app.clientId, version: outcome.version ?? null, at, actor: actor.sub, action, reason: reason ?? null, fromStatus: app.status, toStatus: outcome.to ?? app.status }, trx);
      await deps.audit.record(
        {
          event: 'app.changed',
          actor: actor.sub,
          subject: app.ownerSub,
          clientId: app.clientId,
          ip: actor.ip ?? null,
          details: { action, from: app.status, to: outcome.to ?? app.status, version: outcome.version, reason, before: outcome.before, after: outcome.after },
        },
        trx,
      );
      if (deps.notify) await deps.notify.enqueue(deps.notify.messagesFor({ app, action, ...(reason ? { reason } : {}), ...about }), trx);
      return outcome;
    });
    await deps.changed();
    // Stored with the transition already: sending may fail or wait, nothing is lost.
    void deps.notify?.flush().catch(() => undefined);
    return result;
  };

  const requireReason = (reason: string | undefined): string => {
    const r = (reason ?? '').trim();
    if (r.length < MIN_REASON) throw fail('review.error.reason', { min: MIN_REASON });
    return r;
  };

  return {
    /** A new registration as a draft of the developer's own agency. */
    async createDraft(actor: Actor, registration: Registration, source: 'portal' | 'dcr' = 'portal'): Promise<string> {
      if (registration.agency !== actor.agency && !isReviewer(actor)) throw fail('review.error.agency');
      const at = deps.clock.now();
      const clientId = newClientId(registration.name);
      const app: AppRow = { clientId, agency: registration.agency, status: 'draft', source, ownerSub: actor.sub, liveVersion: null, agreementExpires: null, registrationTokenHash: null, tokensRevokedAt: null, firstParty: false, createdAt: at, updatedAt: at };
      await deps.knex.transaction(async (trx) => {
        await repo.insertApp(app, trx);
        await repo.insertVersion({ clientId, version: 1, state: 'draft', registration, decision: null, createdBy: actor.sub, createdAt: at, submittedAt: null, decidedBy: null, decidedAt: null }, trx);
        await repo.addEvent({ clientId, version: 1, at, actor: actor.sub, action: 'created', reason: null, fromStatus: null, toStatus: 'draft' }, trx);
        await deps.audit.record({ event: 'app.changed', actor: actor.sub, subject: actor.sub, clientId, ip: actor.ip ?? null, details: { action: 'created', to: 'draft', version: 1, after: registration } }, trx);
      });
      return clientId;
    },

    /**
     * Edits the version being worked on; on a live app without one, starts a change request (a new version) while the
     * live configuration keeps working.
     */
    async saveDraft(actor: Actor, clientId: string, registration: Registration): Promise<number> {
      const { app, live, open } = await load(clientId);
      must(open ? 'edit' : 'propose', actor, { app, live, open });
      if (registration.agency !== app.agency) throw fail('review.error.agency');
      const version = open?.version ?? (live?.version ?? 0) + 1;
      await transition(actor, app, open ? 'updated' : 'change_started', async (trx) => {
        if (open) {
          if (!(await repo.updateVersion(clientId, open.version, open.state, { registration }, trx))) throw fail('review.error.state');
        } else {
          await repo.insertVersion({ clientId, version, state: 'draft', registration, decision: null, createdBy: actor.sub, createdAt: deps.clock.now(), submittedAt: null, decidedBy: null, decidedAt: null }, trx);
        }
        return { version, before: open?.registration ?? live?.registration, after: registration };
      });
      return version;
    },

    /** Sends the open version to Diskominfo's review queue. */
    async submit(actor: Actor, clientId: string): Promise<void> {
      const { app, live, open } = await load(clientId);
      must('submit', actor, { app, live, open });
      if (!open) throw fail('review.error.state');
      await transition(actor, app, 'submitted', async (trx) => {
        if (!(await repo.updateVersion(clientId, open.version, open.state, { state: 'submitted', submittedAt: deps.clock.now() }, trx))) throw fail('review.error.state');
        // A first registration follows its version; a live app stays active while its change request is reviewed.
        return { to: app.status === 'active' || app.status === 'suspended' ? app.status : 'submitted', version: open.version };
      }, undefined, { registration: open.registration });
    },

    /**
     * A reviewer's decision on the version waiting for review, with a mandatory reason. Approval needs the final level,
     * the data granted (the requested scopes or fewer) and every redirect exception accepted explicitly; it makes the
     * version live at once. Nobody decides on an app they registered or whose version they wrote.
     */
    async review(actor: Actor, clientId: string, input: ReviewInput): Promise<void> {
      if (!isReviewer(actor)) throw fail('review.error.forbidden');
      const reason = requireReason(input.reason);
      const { app, live, open } = await load(clientId);
      if (!open || open.state !== 'submitted') throw fail('review.error.state');
      // Another decision or a resubmission since the page was shown: the reviewer looks again (the update below is
      // conditional on the same submission, so a change between this check and the write is refused as well).
      const submittedAt = open.submittedAt?.toISOString() ?? '';
      if (input.seen && (input.seen.version !== open.version || input.seen.submittedAt !== submittedAt)) throw fail('review.error.state');
      // The mark changed on the live app since the form was shown (issue 11 §6): an approval would set it from a stale box.
      if (input.outcome === 'approved' && input.seen?.firstParty !== undefined && input.seen.firstParty !== app.firstParty) throw fail('review.error.state');
      if (!canDecide(actor, await contributedTo(actor, { app, open }))) throw fail('review.error.own_app');
      const at = deps.clock.now();
      let decision: Decision = { outcome: input.outcome, reason };
      if (input.outcome === 'approved') {
        const requested = open.registration.scopes.map((s) => s.scope as string);
        if (!input.scopes.includes('openid') || input.scopes.some((s) => !requested.includes(s))) throw fail('review.error.scopes');
        // Level-3 settings (DESIGN.md): a factor age within bounds and valid CIDR ranges, for level 3 only.
        const { maxFactorAgeMinutes: age, networks = [] } = input;
        if ((age !== undefined || networks.length) && input.level !== 3) throw fail('review.error.level3_only');
        const ages = DECISION_LIMITS.factorAgeMinutes;
        if (age !== undefined && (!Number.isInteger(age) || age < ages.min || age > ages.max)) throw fail('review.error.level3_only');
        if (networks.length > DECISION_LIMITS.networks.max) throw fail('review.error.networks');
        if (networks.some((n) => !isCidr(n))) throw fail('review.error.networks');
        const missing = exceptionUris(open.registration).filter((uri) => !input.acceptedExceptions.includes(uri));
        if (missing.length) throw fail('review.error.exceptions', { uris: missing.join(', ') });
        decision = {
          ...decision,
          level: input.level,
          scopes: input.scopes,
          acceptedExceptions: input.acceptedExceptions,
          ...(input.maxFactorAgeMinutes ? { maxFactorAgeMinutes: input.maxFactorAgeMinutes } : {}),
          ...(input.networks?.length ? { networks: input.networks } : {}),
          ...(live?.decision?.roles ? { roles: live.decision.roles } : {}),
          firstParty: input.firstParty ?? app.firstParty,
        };
      }
      const firstTime = !live;
      const to: AppStatus = input.outcome === 'approved' ? (firstTime ? 'active' : app.status) : firstTime ? input.outcome : app.status;
      await transition(
        actor,
        app,
        input.outcome,
        async (trx) => {
          const decided = { state: input.outcome, decision, decidedBy: actor.sub, decidedAt: at };
          if (!(await repo.updateVersion(clientId, open.version, 'submitted', decided, trx, open.submittedAt))) throw fail('review.error.state');
          if (input.outcome === 'approved') {
            if (live) await repo.updateVersion(clientId, live.version, 'approved', { state: 'superseded' }, trx);
            const agreementExpires = open.registration.outside_party ? (open.registration.agreement_expires ?? null) : null;
            await repo.updateApp(clientId, app.status, { liveVersion: open.version, agreementExpires, firstParty: decision.firstParty ?? false }, at, trx);
          }
          // `firstParty` is the app's (a reviewer may have changed it since the live decision): recorded as it stood.
          const before = live ? { registration: live.registration, decision: live.decision, firstParty: app.firstParty } : undefined;
          const after = { registration: open.registration, decision, ...(input.outcome === 'approved' ? { firstParty: decision.firstParty } : {}) };
          return { to, version: open.version, before, after };
        },
        reason,
        { registration: open.registration },
      );
    },

    /**
     * Marks a live (or suspended) app as the regency's own, or removes the mark (issue 11 §6): a reviewer's change
     * outside a decision, with a reason, recorded before/after like a decision and told to the person responsible. As
     * with decisions, nobody changes it for an app they registered or whose pending version they wrote. Asking for the
     * mark the app already has is a stale page (`review.error.state`).
     */
    async setFirstParty(actor: Actor, clientId: string, firstParty: boolean, reasonInput: string): Promise<void> {
      if (!isReviewer(actor)) throw fail('review.error.forbidden');
      const reason = requireReason(reasonInput);
      const found = await load(clientId);
      const { app, live } = found;
      const refusal = refusalOf('markFirstParty', { actor, contributed: await contributedTo(actor, found) }, found);
      if (refusal === 'review.error.forbidden') throw fail('review.error.own_app');
      if (refusal || !live || app.firstParty === firstParty) throw fail('review.error.state');
      await transition(
        actor,
        app,
        firstParty ? 'first_party_set' : 'first_party_cleared',
        async (trx) => {
          if (!(await repo.updateApp(clientId, app.status, { firstParty }, deps.clock.now(), trx))) throw fail('review.error.state');
          return { version: live.version, before: { firstParty: app.firstParty }, after: { firstParty } };
        },
        reason,
        { registration: live.registration },
      );
    },

    /** Suspend, reinstate or retire a live app, with immediate effect on sign-in and tokens. */
    async control(actor: Actor, clientId: string, action: ControlAction, reasonInput: string): Promise<void> {
      const reason = requireReason(reasonInput);
      const { app, live, open } = await load(clientId);
      const rule = CONTROL[action];
      must(action, actor, { app, live, open });
      // Reinstatement moves the revocation to its own time: an instance that missed the suspension may have issued
      // tokens meanwhile, and those must not start working again. Token `iat` has one-second resolution, so the
      // reinstatement commits only once that second is over: tokens issued after it are never taken for revoked ones.
      let revokeTokensAt: number | undefined;
      if (action === 'reinstate') {
        revokeTokensAt = Math.floor(Date.now() / 1000);
        await new Promise((resolve) => setTimeout(resolve, (revokeTokensAt! + 1) * 1000 - Date.now()));
      }
      const to: AppStatus = rule.to;
      await transition(
        actor,
        app,
        rule.event,
        async (trx) => {
          if (to === 'retired') {
            await repo.deleteSecrets(clientId, trx);
            // A retired app is history: a version still being drafted or reviewed is withdrawn with it.
            if (open) await repo.updateVersion(clientId, open.version, open.state, { state: 'withdrawn' }, trx);
          }
          return { to, revokeTokensAt };
        },
        reason,
        { registration: live?.registration ?? open?.registration },
      );
    },

    /**
     * A new client secret, shown once. The current one keeps working for `overlapHours` (0: stops now), so the app can
     * be redeployed with the new secret without an outage.
     */
    async rotateSecret(actor: Actor, clientId: string, overlapHours: number): Promise<string> {
      const { app, live } = await load(clientId);
      must('rotateSecret', actor, { app, live });
      if (!live) throw fail('review.error.state');
      if (!usesSecret(live.registration.token_endpoint_auth_method)) throw fail('review.error.no_secret_method');
      if (!Number.isInteger(overlapHours) || overlapHours < 0 || overlapHours > MAX_OVERLAP_HOURS) throw fail('review.error.overlap', { max: MAX_OVERLAP_HOURS });
      const { secret, hash } = deps.secrets.generate();
      const at = deps.clock.now();
      const until = new Date(at.getTime() + overlapHours * 3600_000);
      await transition(
        actor,
        app,
        'secret_rotated',
        async (trx) => {
          await repo.rotateSecret(clientId, hash, at, until, trx);
          return { after: { overlapHours } };
        },
        undefined,
        { registration: live.registration, until },
      );
      return secret;
    },

    /** An app, its versions and history, for someone allowed to see it. */
    async detail(actor: Actor, clientId: string) {
      const found = await load(clientId);
      if (!canSee(actor, found.app)) throw fail('review.error.not_found');
      const may = mayDo({ actor, contributed: await contributedTo(actor, found) }, found);
      return { ...found, events: await repo.events(clientId), secrets: await repo.secrets(clientId), may };
    },

    /** The developer's list: their agency's apps. */
    listForAgency: async (actor: Actor) => (actor.agency ? withVersions(await repo.listApps(actor.agency)) : []),

    /** Every app with its versions, for the review queue (which filters them). */
    async queue(actor: Actor) {
      if (!readsEveryApp(actor)) throw fail('review.error.forbidden');
      return withVersions(await repo.listApps());
    },

    /**
     * Makes an app approved without a review round: the quick start's demo apps (created once; the secret replaced at
     * every start, since the demo app receives a fresh one), and configured apps moved in by `satu-akun apps import`
     * (`source` 'import', keeping their secret; a public app has none).
     */
    async seedApproved(clientId: string, registration: Registration, decision: Decision, secretHash: string | null, source: AppSource = 'demo'): Promise<void> {
      const at = deps.clock.now();
      await deps.knex.transaction(async (trx) => {
        if (!(await repo.findApp(clientId, trx))) {
          await repo.insertApp({ clientId, agency: registration.agency, status: 'active', source, ownerSub: 'system', liveVersion: 1, agreementExpires: null, registrationTokenHash: null, tokensRevokedAt: null, firstParty: decision.firstParty ?? false, createdAt: at, updatedAt: at }, trx);
          await repo.insertVersion({ clientId, version: 1, state: 'approved', registration, decision, createdBy: 'system', createdAt: at, submittedAt: at, decidedBy: 'system', decidedAt: at }, trx);
          await repo.addEvent({ clientId, version: 1, at, actor: 'system', action: 'approved', reason: decision.reason, fromStatus: null, toStatus: 'active' }, trx);
          await deps.audit.record({ event: 'app.changed', actor: 'system', subject: 'system', clientId, details: { action: 'approved', to: 'active', version: 1, reason: decision.reason, after: { registration, decision } } }, trx);
        }
        await repo.deleteSecrets(clientId, trx);
        if (secretHash) await repo.rotateSecret(clientId, secretHash, at, at, trx);
      });
      await deps.changed();
    },

    /** Suspends apps of outside parties whose cooperation agreement has ended; run daily (and at start-up). */
    async suspendExpiredAgreements(): Promise<string[]> {
      const today = deps.clock.now().toISOString().slice(0, 10);
      const system: Actor = { sub: 'system', username: 'system', roles: [{ role: 'reviewer' }] };
      const suspended: string[] = [];
      for (const app of await repo.expiredAgreements(today)) {
        const live = (await repo.versions(app.clientId)).find((v) => v.version === app.liveVersion) as LiveVersion | undefined;
        await transition(system, app, 'suspended', async () => ({ to: 'suspended' }), bilingual('review.reason.agreement_expired', { date: app.agreementExpires ?? '' }), { registration: live?.registration });
        suspended.push(app.clientId);
      }
      return suspended;
    },
  };
};

export type AppsService = ReturnType<typeof createAppsService>;
export type { VersionRow };
