import type { Clock } from '../shared/clock.ts';
import type { ConsentRepo } from './consent.repo.ts';

/** The first-time notice: which data a person has already agreed to release to an app. */
export const createConsentService = (deps: { repo: ConsentRepo; clock: Clock }) => ({
  /** Scopes of `requested` the person has not yet agreed to for this app. */
  async missing(sub: string, clientId: string, requested: string[]): Promise<string[]> {
    const granted = new Set(await deps.repo.find(sub, clientId));
    return requested.filter((scope) => !granted.has(scope));
  },

  /** Records agreement to `scopes`, keeping what was agreed before. */
  async grant(sub: string, clientId: string, scopes: string[]): Promise<void> {
    const before = (await deps.repo.find(sub, clientId)) ?? [];
    const all = [...new Set([...before, ...scopes])].sort();
    await deps.repo.save(sub, clientId, all, deps.clock.now());
  },
});

export type ConsentService = ReturnType<typeof createConsentService>;
