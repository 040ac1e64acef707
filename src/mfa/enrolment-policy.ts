import type { Account } from '../accounts/accounts.repo.ts';
import type { Config } from '../config/schema.ts';

/** Whether a person must set up a second factor, and by when. */
export interface EnrolmentDue {
  deadline: Date;
  /** `reminder` during the grace period, `required` from the deadline on. */
  stage: 'reminder' | 'required';
}

/**
 * Diskominfo's enrolment requirement (configuration for now): the earliest deadline that applies to the person, all
 * staff or their agency. People who already have a second factor are not asked; callers check that.
 */
export const createEnrolmentPolicy = (rules: Config['mfaEnrolment']) => {
  const agencies = new Map(Object.entries(rules.agencies).map(([code, date]) => [code.toLowerCase(), new Date(`${date}T00:00:00Z`)]));
  const allStaff = rules.allStaff ? new Date(`${rules.allStaff}T00:00:00Z`) : undefined;
  return {
    due(account: Account, now: Date): EnrolmentDue | undefined {
      const agency = account.profile.agencyCode ? agencies.get(account.profile.agencyCode.toLowerCase()) : undefined;
      const dates = [allStaff, agency].filter((d): d is Date => !!d);
      if (!dates.length) return undefined;
      const deadline = new Date(Math.min(...dates.map((d) => d.getTime())));
      return { deadline, stage: now >= deadline ? 'required' : 'reminder' };
    },
  };
};

export type EnrolmentPolicy = ReturnType<typeof createEnrolmentPolicy>;
