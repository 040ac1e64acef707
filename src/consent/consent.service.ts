import type { Knex } from 'knex';
import type { AuditService } from '../audit/audit.service.ts';
import type { Clock } from '../shared/clock.ts';
import type { PersonCache } from '../accounts/person-cache.ts';
import type { ConsentRepo } from './consent.repo.ts';

/** Who decided, for which app, from where. */
export interface Decision {
  sub: string;
  clientId: string;
  scopes: string[];
  ip: string;
  /** The regency's own app (issue 11 §6): recorded as agreed without the notice being shown. */
  firstParty?: boolean;
}

/** The first-time notice: which data a person has agreed to release to an app, every decision audited. */
export const createConsentService = (deps: { knex: Knex; repo: ConsentRepo; audit: AuditService; clock: Clock; people?: PersonCache }) => ({
  /** Scopes of `requested` the person has not yet agreed to for this app (from the cache of people signing in, when there). */
  async missing(sub: string, clientId: string, requested: string[]): Promise<string[]> {
    const apps = deps.people?.apps(sub);
    const granted = new Set(apps ? (await apps).consents.get(clientId) : await deps.repo.find(sub, clientId));
    return requested.filter((scope) => !granted.has(scope));
  },

  /**
   * Records agreement to `scopes`, keeping what was agreed before; the decision and its audit record commit together.
   * For a first-party app nobody was asked: the record says so, and still tells the person (in the portal) what the
   * app receives.
   */
  async grant(decision: Decision): Promise<void> {
    const { sub, clientId, scopes, ip } = decision;
    const event = { event: 'consent.granted', actor: sub, subject: sub, clientId, ip, details: { scopes, ...(decision.firstParty ? { firstParty: true as const } : {}) } } as const;
    // On PostgreSQL one statement: the scopes merged and the record appended together (src/audit/audit.repo.ts).
    const agreeing = deps.repo.agreeing(sub, clientId, scopes, deps.clock.now());
    if (agreeing && (await deps.audit.recordAfter(agreeing, event))) return deps.people?.changedApps(sub);
    await deps.knex.transaction(async (trx) => {
      const before = (await deps.repo.find(sub, clientId, trx)) ?? [];
      await deps.repo.save(sub, clientId, [...new Set([...before, ...scopes])].sort(), deps.clock.now(), trx);
      await deps.audit.record(event, trx);
    });
  },

  /** What each app receives of this person's data, as recorded (client id → scopes), for the staff portal. */
  released: (sub: string): Promise<Map<string, string[]>> => deps.repo.ofPerson(sub),

  /** Every app this person agreed to release data to: client, scopes, when first agreed (the staff portal's Data saya). */
  records: (sub: string) => deps.repo.records(sub),

  /**
   * Withdraws the person's agreement for an app (UU 27/2022 art. 9): the record goes, so the notice is shown again at
   * the next sign-in, and the withdrawal is audited in the same transaction. `grants`: how many of the person's grants
   * for the app were revoked beforehand (their tokens with them). False when there was no agreement to withdraw.
   */
  async withdraw(decision: Omit<Decision, 'scopes' | 'firstParty'> & { grants: number }): Promise<boolean> {
    const { sub, clientId, ip, grants } = decision;
    return deps.knex.transaction(async (trx) => {
      const scopes = await deps.repo.find(sub, clientId, trx);
      if (!scopes || !(await deps.repo.remove(sub, clientId, trx))) return false;
      await deps.audit.record({ event: 'consent.withdrawn', actor: sub, subject: sub, clientId, ip, details: { scopes, grants } }, trx);
      return true;
    });
  },

  /** Records a refusal: nothing is stored but the audit record, so the notice is shown again next time. */
  async deny(decision: Decision): Promise<void> {
    const { sub, clientId, scopes, ip } = decision;
    await deps.audit.record({ event: 'consent.denied', actor: sub, subject: sub, clientId, ip, details: { scopes } });
  },
});

export type ConsentService = ReturnType<typeof createConsentService>;
