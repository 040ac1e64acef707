import { AppError } from '../http/errors.ts';
import { zoneRouter } from '../zones/zone-router.ts';
import { APP_READERS } from './app-policy.ts';
import { addControlRoutes } from './review/control.routes.ts';
import { addDetailRoutes } from './review/detail.routes.ts';
import { BASE } from './review/helpers.ts';
import { createReviewShared, type ReviewDeps } from './review/shared.ts';
import { addQueueRoutes } from './review/queue.routes.ts';

/**
 * Diskominfo's side of the app lifecycle in the admin console (issue 4): the review queue, an app's registration with
 * what a change request changes and the redirect-policy verdicts, the decision form, and live-app control (suspend,
 * reinstate, retire) confirmed on a page that says what will happen. Reviewers and administrators act, auditors read.
 * The rules are the apps service's; deciding and controlling also want level 3 proven recently, as any sensitive change.
 */
export const createReviewRoutes = (deps: ReviewDeps) => {
  // The console admits agency administrators too; these pages are Diskominfo's (and the auditors').
  const router = zoneRouter(deps, { prefix: BASE, back: BASE, roles: APP_READERS, refusal: 'reviewer.forbidden' });
  const shared = createReviewShared(deps);
  addQueueRoutes(router, shared);
  addDetailRoutes(router, shared);
  addControlRoutes(router, shared);

  // Anything else under this prefix (a mistyped action, a method the page does not take) is a clear 404 too.
  router.all('/{*rest}', () => {
    throw new AppError('review.error.not_found', 404);
  });

  return router;
};
