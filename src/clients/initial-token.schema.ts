import { z } from 'zod';
import { optionalText, text, wholeNumber } from '../http/form-fields.ts';

/** How long an initial access token may live and how many registrations it may make (the service enforces these too). */
export const TOKEN_LIMITS = { days: { min: 1, max: 90 }, uses: { min: 1, max: 100 } } as const;

/** An agency code: capital letters, digits, `-` or `_` (the form upper-cases what is typed). */
export const AGENCY_CODE = /^[A-Z0-9_-]{2,40}$/;

/** The administrator's form issuing an initial access token (admin console, /admin/token-pendaftaran). */
export const initialTokenForm = z.object({
  login: text(1, 256, 'tokens.error.person'),
  agency: z.preprocess((v) => (typeof v === 'string' ? v.toUpperCase() : v), optionalText(2, 40, 'tokens.error.agency').refine((a) => a === undefined || AGENCY_CODE.test(a), { error: 'tokens.error.agency' })),
  days: wholeNumber(TOKEN_LIMITS.days.min, TOKEN_LIMITS.days.max, 'tokens.error.limits', 14),
  uses: wholeNumber(TOKEN_LIMITS.uses.min, TOKEN_LIMITS.uses.max, 'tokens.error.limits', 1),
});
