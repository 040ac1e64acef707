import type { RoleGrant, GlobalRole } from '../roles/roles.service.ts';
import type { AppRow, AppStatus, VersionState } from './apps.repo.ts';

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

/** Limits of a review decision, checked by the decision form and again by the service. */
export const DECISION_LIMITS = {
  /** A reason every decision and control action must give, in characters. */
  reason: { min: 10, max: 2000 },
  /** Level 3: minutes within which both factors must have been proven. */
  factorAgeMinutes: { min: 5, max: 60 },
  /** Level 3: network ranges an app may be used from. */
  networks: { max: 20 },
} as const;

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

/** An app as the lifecycle sees it: its row, the live version and the version being worked on or reviewed. */
export interface AppState {
  app: AppRow;
  live?: { version: number } | undefined;
  open?: { version: number; state: VersionState } | undefined;
}

/** Who acts on the app, with what the lifecycle needs to know about them beyond their roles. */
interface Acting {
  actor: Actor;
  /** They registered the app, or wrote or submitted the version waiting for review. */
  contributed: boolean;
}

interface Rule {
  /** The app's state in which the action applies (else `review.error.state`). */
  when: (s: AppState) => boolean;
  /** Who may take it (else `review.error.forbidden`). */
  who: (a: Acting, s: AppState) => boolean;
}

const workedOn = (s: AppState) => !!s.open && s.open.state !== 'submitted';
const editors = ({ actor }: Acting, s: AppState) => canEdit(actor, s.app);
const control = (action: keyof typeof CONTROL): Rule => ({
  when: (s) => (CONTROL[action].from as readonly AppStatus[]).includes(s.app.status),
  who: ({ actor }, s) => CONTROL[action].may(actor, s.app),
});

/**
 * The lifecycle (DESIGN.md): draft → submitted → approved (active) | changes_requested | rejected; a live app gets a
 * change request reviewed beside it; active ⇄ suspended; → retired. Each action: when it applies and who may take it.
 */
export const LIFECYCLE = {
  /** Edit the version being worked on (a draft, or one sent back with requested changes). */
  edit: { when: workedOn, who: editors },
  /** Start a change request on a live app that has none open. */
  propose: { when: (s) => !s.open && s.app.status === 'active', who: editors },
  /** Send the version being worked on to review. */
  submit: { when: workedOn, who: editors },
  /** Approve, reject or send back the version waiting for review: a reviewer who did not contribute to it. */
  decide: { when: (s) => s.open?.state === 'submitted', who: ({ actor, contributed }) => canDecide(actor, contributed) },
  /** Create or rotate the client secret of a live app. */
  rotateSecret: { when: (s) => s.app.status === 'active' && !!s.live, who: editors },
  /**
   * Mark a live app as the regency's own, or remove the mark (issue 11 §6): like a decision, a reviewer who did not
   * register the app nor write the version being worked on.
   */
  markFirstParty: { when: (s) => !!s.live && (s.app.status === 'active' || s.app.status === 'suspended'), who: ({ actor, contributed }) => canDecide(actor, contributed) },
  suspend: control('suspend'),
  reinstate: control('reinstate'),
  retire: control('retire'),
} as const satisfies Record<string, Rule>;

export type LifecycleAction = keyof typeof LIFECYCLE;

/** What `actor` may do with the app now, one flag per action, for pages to offer exactly the buttons that work. */
export const mayDo = (acting: Acting, s: AppState): Record<LifecycleAction, boolean> =>
  Object.fromEntries(Object.entries(LIFECYCLE).map(([action, rule]) => [action, rule.who(acting, s) && rule.when(s)])) as Record<LifecycleAction, boolean>;

/** The refusal for `action` now, if any: who may not (forbidden) is said before when it does not apply (state). */
export const refusalOf = (action: LifecycleAction, acting: Acting, s: AppState): 'review.error.forbidden' | 'review.error.state' | undefined =>
  !LIFECYCLE[action].who(acting, s) ? 'review.error.forbidden' : !LIFECYCLE[action].when(s) ? 'review.error.state' : undefined;
