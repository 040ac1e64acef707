import type { RoleGrant, GlobalRole } from '../roles/roles.service.ts';
import type { AppRow, AppStatus } from './apps.repo.ts';

/**
 * Who may do what with an app registration: the one place these rules are written (issue 9 §1). The apps service
 * enforces them, the routes render what they allow (`may*`), the admin console links by them.
 */

/** Who acts, as the zones know them. */
export interface Actor {
  sub: string;
  username: string;
  /** The agency code of the person's directory entry. */
  agency?: string;
  roles: RoleGrant[];
  ip?: string;
}

/** Reviewers decide on registrations; administrators may too, for a regency with a small Diskominfo. */
export const DECIDERS: readonly GlobalRole[] = ['reviewer', 'administrator'];
/** Who reads the review queue and every app: the deciders and the auditors (Inspektorat), who change nothing. */
export const APP_READERS: readonly GlobalRole[] = [...DECIDERS, 'auditor'];

const holds = (actor: Actor, roles: readonly GlobalRole[]) => actor.roles.some((g) => roles.includes(g.role));

/** Decides on registrations and controls live apps (suspend, reinstate, retire any app). */
export const isReviewer = (actor: Actor): boolean => holds(actor, DECIDERS);
/** Reads the review queue and every app's detail. */
export const readsEveryApp = (actor: Actor): boolean => holds(actor, APP_READERS);
/** Sees an app: its own agency's people, whoever registered it, and the readers of every app. */
export const canSee = (actor: Actor, app: AppRow): boolean => app.agency === actor.agency || app.ownerSub === actor.sub || readsEveryApp(actor);
/** Edits an app (drafts, change requests, secrets, retiring it): its agency's people and whoever registered it, until it is retired. */
export const canEdit = (actor: Actor, app: AppRow): boolean => app.status !== 'retired' && (app.agency === actor.agency || app.ownerSub === actor.sub);
/** Decides on the waiting version: a reviewer who neither registered the app nor wrote or submitted that version. */
export const canDecide = (actor: Actor, contributed: boolean): boolean => isReviewer(actor) && !contributed;

/** Statuses from which an app may be retired. */
export const RETIRABLE: readonly AppStatus[] = ['active', 'suspended', 'draft', 'submitted', 'changes_requested', 'rejected'];

/** Live-app control: from which statuses each action applies, where it leads, and who may take it. */
export const CONTROL = {
  suspend: { from: ['active'], to: 'suspended', event: 'suspended', may: (actor: Actor) => isReviewer(actor) },
  reinstate: { from: ['suspended'], to: 'active', event: 'reinstated', may: (actor: Actor) => isReviewer(actor) },
  // Developers may retire their own agency's app; suspending and reinstating is Diskominfo's.
  retire: { from: RETIRABLE, to: 'retired', event: 'retired', may: (actor: Actor, app: AppRow) => isReviewer(actor) || canEdit(actor, app) },
} as const satisfies Record<string, { from: readonly AppStatus[]; to: AppStatus; event: string; may: (actor: Actor, app: AppRow) => boolean }>;

/** Live-app control by Diskominfo (and retiring by the app's own people). */
export type ControlAction = keyof typeof CONTROL;
