import { isCidr } from '../../config/schema.ts';
import type { MessageKey } from '../../i18n/index.ts';
import type { ReviewInput } from '../apps.service.ts';
import type { LiveVersion } from '../live-app.ts';
import { SCOPES } from '../registration.schema.ts';
import { field, MAX_REASON, ticked } from './helpers.ts';

const MAX_NETWORKS = 20;
const OUTCOMES = ['approved', 'changes_requested', 'rejected'] as const;
type Outcome = (typeof OUTCOMES)[number];

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
}

/** Why the form was refused: a message key and its parameters. */
export interface FormError {
  key: MessageKey;
  params?: Record<string, string | number>;
}

/** The decision form as first shown for the version `open`: its level and requested scopes, nothing decided. */
export const defaultValues = (open: LiveVersion): DecisionValues => ({
  version: String(open.version),
  submitted: open.submittedAt?.toISOString() ?? '',
  outcome: '',
  reason: '',
  level: open.registration.level,
  scopes: open.registration.scopes.map((s) => s.scope),
  accepted: [],
  maxFactorAge: '',
  networks: '',
});

/**
 * Reads the decision form: the outcome, the reason, and for an approval the final level, the scopes ticked (openid
 * always), the exception URIs accepted (each checkbox carries its URI) and the level-3 settings. Only the shape is
 * checked here; the rules (reason length, scopes within the request, every exception accepted) are the service's.
 */
export const readDecision = (body: Record<string, unknown>): { values: DecisionValues; input?: ReviewInput; error?: FormError } => {
  const accepted = Object.keys(body)
    .filter((name) => name.startsWith('accept_'))
    .flatMap((name) => (Array.isArray(body[name]) ? (body[name] as unknown[]) : [body[name]]))
    .filter((uri): uri is string => typeof uri === 'string' && uri.length > 0 && uri.length <= 2000);
  const levelText = field(body, 'level', 4).trim();
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
  };
  const outcome = OUTCOMES.find((o) => o === values.outcome) as Outcome | undefined;
  if (!outcome) return { values, error: { key: 'reviewer.error.outcome' } };
  const seen = { version: Number(values.version), submittedAt: values.submitted };
  if (outcome !== 'approved') return { values, input: { outcome, reason: values.reason, seen } };
  if (!values.level) return { values, error: { key: 'apps.invalid.level' } };
  const networks = values.networks.split(/[\s,]+/).filter(Boolean);
  if ((values.maxFactorAge || networks.length) && values.level !== 3) return { values, error: { key: 'reviewer.error.level3_only' } };
  let maxFactorAgeMinutes: number | undefined;
  if (values.maxFactorAge) {
    maxFactorAgeMinutes = /^\d{1,2}$/.test(values.maxFactorAge) ? Number(values.maxFactorAge) : NaN;
    if (!(maxFactorAgeMinutes >= 5 && maxFactorAgeMinutes <= 60)) return { values, error: { key: 'reviewer.error.max_factor_age' } };
  }
  const bad = networks.find((n) => !isCidr(n));
  if (bad !== undefined) return { values, error: { key: 'reviewer.error.network', params: { value: bad.slice(0, 60) } } };
  if (networks.length > MAX_NETWORKS) return { values, error: { key: 'reviewer.error.networks_many', params: { max: MAX_NETWORKS } } };
  const level = values.level as 1 | 2 | 3;
  return {
    values,
    input: {
      outcome,
      reason: values.reason,
      seen,
      level,
      scopes: values.scopes,
      acceptedExceptions: accepted,
      ...(maxFactorAgeMinutes ? { maxFactorAgeMinutes } : {}),
      ...(networks.length ? { networks } : {}),
    },
  };
};
