import { z } from 'zod';
import { isCidr } from '../../config/schema.ts';
import type { MessageKey } from '../../i18n/index.ts';
import type { ReviewInput } from '../apps.service.ts';
import type { LiveVersion } from '../live-app.ts';
import { DECISION_LIMITS } from '../app-policy.ts';
import { SCOPES } from '../registration.schema.ts';
import { field, MAX_REASON, ticked } from './helpers.ts';

const OUTCOMES = ['approved', 'changes_requested', 'rejected'] as const;

/** What the reviewer entered in the decision form, to show again after an error. */
export interface DecisionValues {
  version: string;
  /** When the version on the page was submitted (ISO-8601), carried into the service's conditional update. */
  submitted: string;
  outcome: string;
  reason: string;
  level: number;
  scopes: string[];
  accepted: string[];
  maxFactorAge: string;
  networks: string;
  /** The regency's own app: no first-time notice (issue 11 §6). */
  firstParty: boolean;
  /**
   * The app's mark when the form was shown (hidden `first_party_shown`): the box changes the mark only when it differs
   * from it, and a mark changed since (the live app's own first-party form) makes the form stale.
   */
  firstPartyShown: boolean | undefined;
}

/** Why the form was refused: a message key and its parameters. */
export interface FormError {
  key: MessageKey;
  params?: Record<string, string | number>;
}

/**
 * The decision form as first shown for the version `open`: its level and requested scopes, nothing decided; the
 * first-party mark as the app has it now (a change request does not drop it by accident).
 */
export const defaultValues = (open: LiveVersion, firstParty = false): DecisionValues => ({
  version: String(open.version),
  submitted: open.submittedAt?.toISOString() ?? '',
  outcome: '',
  reason: '',
  level: open.registration.level,
  scopes: open.registration.scopes.map((s) => s.scope),
  accepted: [],
  maxFactorAge: '',
  networks: '',
  firstParty,
  firstPartyShown: firstParty,
});

/**
 * The decision form's rules at the edge (issue 9 §3): an outcome; for an approval a level, and level-3 settings only
 * at level 3, within the limits the service also enforces (DECISION_LIMITS). The first problem is reported; the
 * rules beyond the form's shape (reason length, scopes within the request, every exception accepted) are the service's.
 */
const decisionSchema = z
  .object({
    outcome: z.enum(OUTCOMES, { error: 'reviewer.error.outcome' }),
    level: z.number(),
    maxFactorAge: z.string(),
    networks: z.array(z.string()),
  })
  .superRefine((v, ctx) => {
    const refuse = (message: MessageKey, params?: Record<string, string | number>) => ctx.addIssue({ code: 'custom', message, params });
    if (v.outcome !== 'approved') return;
    if (!v.level) return refuse('apps.invalid.level');
    if ((v.maxFactorAge || v.networks.length) && v.level !== 3) return refuse('reviewer.error.level3_only');
    const { min, max } = DECISION_LIMITS.factorAgeMinutes;
    const age = /^\d{1,2}$/.test(v.maxFactorAge) ? Number(v.maxFactorAge) : NaN;
    if (v.maxFactorAge && !(age >= min && age <= max)) return refuse('reviewer.error.max_factor_age');
    const bad = v.networks.find((n) => !isCidr(n));
    if (bad !== undefined) return refuse('reviewer.error.network', { value: bad.slice(0, 60) });
    if (v.networks.length > DECISION_LIMITS.networks.max) return refuse('reviewer.error.networks_many', { max: DECISION_LIMITS.networks.max });
  });

/**
 * Reads the decision form: the outcome, the reason, and for an approval the final level, the scopes ticked (openid
 * always), the exception URIs accepted (each checkbox carries its URI), the level-3 settings and the first-party mark
 * (unticked: not first-party), sent only when the box differs from the mark the form was shown with, which goes into
 * `seen` (issue 11 §6: an untouched box does not undo a mark set meanwhile); checks them with `decisionSchema`, and
 * returns what was entered (to show again) with the service's input or the first refusal.
 */
export const readDecision = (body: Record<string, unknown>): { values: DecisionValues; input?: ReviewInput; error?: FormError } => {
  const accepted = Object.keys(body)
    .filter((name) => name.startsWith('accept_'))
    .flatMap((name) => (Array.isArray(body[name]) ? (body[name] as unknown[]) : [body[name]]))
    .filter((uri): uri is string => typeof uri === 'string' && uri.length > 0 && uri.length <= 2000);
  const levelText = field(body, 'level', 4).trim();
  const shown = field(body, 'first_party_shown', 3);
  const values: DecisionValues = {
    version: field(body, 'version', 12),
    submitted: field(body, 'submitted', 40),
    outcome: field(body, 'outcome', 40),
    reason: field(body, 'reason', MAX_REASON),
    level: ['1', '2', '3'].includes(levelText) ? Number(levelText) : 0,
    scopes: ['openid', ...SCOPES.filter((s) => s !== 'openid' && ticked(body, `scope_${s}`))],
    accepted,
    maxFactorAge: field(body, 'max_factor_age', 8).trim(),
    networks: field(body, 'networks', 4000),
    firstParty: ticked(body, 'first_party'),
    firstPartyShown: shown === 'on' ? true : shown === 'off' ? false : undefined,
  };
  const networks = values.networks.split(/[\s,]+/).filter(Boolean);
  const parsed = decisionSchema.safeParse({ outcome: values.outcome, level: values.level, maxFactorAge: values.maxFactorAge, networks });
  if (!parsed.success) {
    const issue = parsed.error.issues[0]!;
    return { values, error: { key: issue.message as MessageKey, ...('params' in issue && issue.params ? { params: issue.params as Record<string, string | number> } : {}) } };
  }
  const { outcome } = parsed.data;
  const seen = { version: Number(values.version), submittedAt: values.submitted, ...(values.firstPartyShown === undefined ? {} : { firstParty: values.firstPartyShown }) };
  // Without the hidden field (a form from before it existed) the box decides, as it did then.
  const markChanged = values.firstPartyShown === undefined || values.firstParty !== values.firstPartyShown;
  if (outcome !== 'approved') return { values, input: { outcome, reason: values.reason, seen } };
  const maxFactorAgeMinutes = values.maxFactorAge ? Number(values.maxFactorAge) : undefined;
  return {
    values,
    input: {
      outcome,
      reason: values.reason,
      seen,
      level: values.level as 1 | 2 | 3,
      scopes: values.scopes,
      acceptedExceptions: accepted,
      ...(maxFactorAgeMinutes ? { maxFactorAgeMinutes } : {}),
      ...(networks.length ? { networks } : {}),
      ...(markChanged ? { firstParty: values.firstParty } : {}),
    },
  };
};
