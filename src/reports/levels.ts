import type { Cell } from './reports.repo.ts';

/** The levels a report shows: 1 (password only), 2 and 3 (a second factor, by the app's level). */
export const LEVELS = [1, 2, 3] as const;

/**
 * Sign-ins by security level, from two plain counters per app and agency (so batch boundaries never count twice):
 * level N ≥ 2 is the second-factor proofs at N; level 1 is what is left of the password sign-ins once every proof
 * is taken away, never below 0. A second factor asked later in a session (a step-up for a level-3 app) is a proof
 * without a new sign-in: it takes a sign-in away from level 1 when its app and agency had password sign-ins (level 1
 * is then slightly low), else nothing (the levels then add up to a little more than the sign-ins).
 */
export const signinLevels = (signins: Cell[], proofs: Cell[]): Map<number, number> => {
  const out = new Map<number, number>(LEVELS.map((n) => [n, 0]));
  const proven = new Map<string, number>();
  const cell = (c: Cell) => JSON.stringify([c.clientId, c.agency]);
  for (const p of proofs) {
    out.set(p.level, (out.get(p.level) ?? 0) + p.value);
    proven.set(cell(p), (proven.get(cell(p)) ?? 0) + p.value);
  }
  for (const s of signins) out.set(1, out.get(1)! + Math.max(0, s.value - (proven.get(cell(s)) ?? 0)));
  return out;
};
