import type Provider from 'oidc-provider';
import type { AdapterPayload } from 'oidc-provider';
import type { ClientRegistry } from '../clients/app.ts';
import type { AuditService } from '../audit/audit.service.ts';
import type { AccountIndexed } from '../oidc/adapter/contract.ts';
import type { Account } from '../accounts/accounts.repo.ts';
import { fromEndedSession } from '../accounts/accounts.service.ts';
import { levelOf } from '../levels/levels.ts';
import type { Clock } from '../shared/clock.ts';
import type { Logger } from '../shared/logger.ts';
import { describeDevice, type DeviceWords } from './device.ts';

/** Where and when a session was last used, stamped on the stored session by the provider (src/oidc/provider.ts). */
export interface SessionSeen {
  ip?: string;
  ua?: string;
  /** Epoch seconds. */
  at: number;
}

/** One SSO session as the person and the admin console see it. */
export interface SessionView {
  uid: string;
  startedAt: Date;
  lastActiveAt: Date;
  expiresAt: Date;
  device: DeviceWords;
  ip?: string;
  level: number;
  apps: { clientId: string; name: string }[];
}

/** Who ends sessions, and why: the person themselves, an administrator (with a reason), or a change to the account. */
export interface EndedBy {
  actor: string;
  by: 'user' | 'admin' | 'account';
  reason?: string;
  ip: string;
  clientId?: string;
}

interface StoredSession extends AdapterPayload {
  uid?: string;
  loginTs?: number;
  acr?: string;
  authorizations?: Record<string, { sid?: string; grantId?: string }>;
  seen?: SessionSeen;
}

/** oidc-provider's client, as far as back-channel logout goes (the method is not in its type declarations). */
interface BackchannelClient {
  backchannelLogoutUri?: string;
  backchannelLogout(sub: string, sid: string): Promise<void>;
}

const PAGE_MAX = 50;
/** Ending everything walks the index in pages of this size. */
const BATCH = 200;

/**
 * A person's SSO sessions (DESIGN.md "Sessions"): listed from the store's per-account index, ended one by one or all
 * at once. Ending a session revokes the grants (and so every token) issued through it and tells each app that has a
 * back-channel logout URI; ending everything also revokes grants that outlived their session (refresh tokens).
 */
export const createSessionsService = (deps: {
  provider: Provider;
  /** The store's per-account index of `Session` and `Grant` entries. */
  index: { sessions: AccountIndexed; grants: AccountIndexed };
  clients: ClientRegistry;
  /** Records that every session of a person ends now, so one saved back by a request already under way is refused. */
  cut: (sub: string) => Promise<void>;
  /** The person's account, to leave out sessions already ended that a request under way saved back. */
  account: (sub: string) => Promise<Account | undefined>;
  /** A session's absolute lifetime (seconds): however often it is saved back, it cannot outlive its sign-in by more. */
  maxSessionSeconds: number;
  /** Records single sessions ended (uid → expiry, epoch seconds), refused likewise if they come back. */
  ended: (sub: string, sessions: Record<string, number>) => Promise<void>;
  audit: AuditService;
  clock: Clock;
  logger: Logger;
}) => {
  const { provider } = deps;
  const tokens = (provider.AccessToken as unknown as { adapter: { revokeByGrantId(id: string): Promise<void> } }).adapter;
  const grantStore = (provider.Grant as unknown as { adapter: { destroy(id: string): Promise<void> } }).adapter;

  /** A stored session that was ended, though a request under way saved it back (the provider refuses it). */
  const ended = (account: Account, payload: AdapterPayload) => {
    const p = payload as StoredSession;
    return fromEndedSession(account, { authTime: p.loginTs, sessionUid: p.uid });
  };

  /** Until when an ended session must stay refused: the end of its absolute lifetime. */
  const lastPossible = (p: StoredSession) => (p.loginTs ?? Math.floor(deps.clock.now().getTime() / 1000)) + deps.maxSessionSeconds;

  const appName = async (clientId: string) => (await deps.clients.find(clientId))?.name ?? clientId;

  const toView = async (payload: StoredSession): Promise<SessionView | undefined> => {
    if (!payload.uid || typeof payload.exp !== 'number') return undefined;
    const seen = payload.seen;
    const started = payload.loginTs ?? payload.iat ?? 0;
    return {
      uid: payload.uid,
      startedAt: new Date(started * 1000),
      lastActiveAt: new Date((seen?.at ?? started) * 1000),
      expiresAt: new Date(payload.exp * 1000),
      device: describeDevice(seen?.ua),
      ...(seen?.ip ? { ip: seen.ip } : {}),
      level: payload.acr ? levelOf(payload.acr) : 0,
      apps: await Promise.all(Object.keys(payload.authorizations ?? {}).map(async (clientId) => ({ clientId, name: await appName(clientId) }))),
    };
  };

  const revokeGrant = async (grantId: string) => {
    await tokens.revokeByGrantId(grantId);
    await grantStore.destroy(grantId);
  };

  /** Back-channel logout to every app of the session that asked for it; a failure is logged, never fatal. */
  const tellApps = async (sub: string, authorizations: StoredSession['authorizations']) => {
    await Promise.all(
      Object.entries(authorizations ?? {}).map(async ([clientId, { sid }]) => {
        const client = (await provider.Client.find(clientId).catch(() => undefined)) as BackchannelClient | undefined;
        if (!client?.backchannelLogoutUri || !sid) return;
        await client.backchannelLogout(sub, sid).catch((err: unknown) => deps.logger.warn({ err, clientId }, 'back-channel logout failed'));
      }),
    );
  };

  /** Ends one stored session of `sub`: apps told, grants revoked, the session gone. */
  const endStored = async (sub: string, id: string, payload: StoredSession) => {
    await tellApps(sub, payload.authorizations);
    await Promise.all(Object.values(payload.authorizations ?? {}).flatMap(({ grantId }) => (grantId ? [revokeGrant(grantId)] : [])));
    await provider.Session.adapter.destroy(id);
  };

  /** Every stored session of `sub`, read ahead of ending them (ending changes the index being paged). */
  const allOf = async (indexed: AccountIndexed, sub: string) => {
    const all: { id: string; payload: AdapterPayload }[] = [];
    for (let offset = 0; ; offset += BATCH) {
      const page = await indexed.byAccount(sub, { offset, limit: BATCH });
      all.push(...page.entries);
      if (page.entries.length < BATCH) return all;
    }
  };

  const record = (sub: string, by: EndedBy, sessions: number, grants?: number) =>
    deps.audit.record({
      event: 'session.ended',
      actor: by.actor,
      subject: sub,
      clientId: by.clientId ?? null,
      ip: by.ip,
      details: { by: by.by, sessions, ...(grants !== undefined ? { grants } : {}), ...(by.reason ? { reason: by.reason } : {}) },
    });

  return {
    /** One page of the live sessions of `sub`, the most recently active first. */
    async list(sub: string, page: { offset: number; limit: number }): Promise<{ total: number; sessions: SessionView[] }> {
      const limit = Math.min(Math.max(1, page.limit), PAGE_MAX);
      const [{ total, entries }, account] = await Promise.all([deps.index.sessions.byAccount(sub, { offset: Math.max(0, page.offset), limit }), deps.account(sub)]);
      const live = entries.filter((e) => !account || !ended(account, e.payload));
      const views = await Promise.all(live.map((e) => toView(e.payload as StoredSession)));
      return { total: total - (entries.length - live.length), sessions: views.filter((v): v is SessionView => !!v) };
    },

    /** Ends the session `uid` of `sub`; false when there is none (ended already, or someone else's). */
    async end(sub: string, uid: string, by: EndedBy): Promise<boolean> {
      const session = await provider.Session.findByUid(uid);
      if (!session || session.accountId !== sub) return false;
      await deps.ended(sub, { [uid]: lastPossible(session as unknown as StoredSession) });
      await endStored(sub, session.jti, session as unknown as StoredSession);
      await record(sub, by, 1);
      return true;
    },

    /**
     * Ends every session of `sub` but `exceptUid` (the person's own browser, for "end all others"). With
     * `everything`, also revokes every grant of `sub` (offline refresh tokens included): a state change or a reset.
     * Resolves to how many sessions ended.
     */
    async endAll(sub: string, by: EndedBy, options: { exceptUid?: string; everything?: boolean } = {}): Promise<number> {
      // First the cut, then the deletions: whatever a running request saves back is refused from this moment.
      if (!options.exceptUid) await deps.cut(sub);
      const sessions = (await allOf(deps.index.sessions, sub)).filter((s) => (s.payload as StoredSession).uid !== options.exceptUid);
      // All but this browser: each ended one is remembered, as the cut cannot spare the one that stays.
      if (options.exceptUid) {
        const ended = Object.fromEntries(sessions.flatMap((s) => { const p = s.payload as StoredSession; return p.uid ? [[p.uid, lastPossible(p)]] : []; }));
        if (Object.keys(ended).length) await deps.ended(sub, ended);
      }
      for (const s of sessions) await endStored(sub, s.id, s.payload as StoredSession);
      let grants: number | undefined;
      if (options.everything) {
        const remaining = await allOf(deps.index.grants, sub);
        for (const g of remaining) await revokeGrant(g.id);
        grants = remaining.length;
      }
      await record(sub, by, sessions.length, grants);
      return sessions.length;
    },

    /**
     * Ends what `sub` holds with one app, the sessions themselves staying (withdrawing consent in the staff portal):
     * every grant of the person for `clientId` is revoked, and so every token issued through it (offline refresh
     * tokens included), and the app is told by back-channel logout for each session it was opened through. The next
     * sign-in to the app builds a new grant. Resolves to how many grants were revoked.
     */
    async endApp(sub: string, clientId: string): Promise<number> {
      const sessions = await allOf(deps.index.sessions, sub);
      const grantIds = new Set<string>();
      for (const s of sessions) {
        const authorization = (s.payload as StoredSession).authorizations?.[clientId];
        if (!authorization) continue;
        await tellApps(sub, { [clientId]: authorization });
        if (authorization.grantId) grantIds.add(authorization.grantId);
      }
      for (const g of await allOf(deps.index.grants, sub)) if ((g.payload as { clientId?: string }).clientId === clientId) grantIds.add(g.id);
      for (const id of grantIds) await revokeGrant(id);
      return grantIds.size;
    },

    /** How many live sessions `sub` has (ended ones saved back by a request under way left out, among the first 50). */
    async count(sub: string): Promise<number> {
      const [page, account] = await Promise.all([deps.index.sessions.byAccount(sub, { offset: 0, limit: PAGE_MAX }), deps.account(sub)]);
      return page.total - (account ? page.entries.filter((e) => ended(account, e.payload)).length : 0);
    },
  };
};

export type SessionsService = ReturnType<typeof createSessionsService>;
