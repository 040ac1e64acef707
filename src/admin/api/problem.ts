import { randomBytes } from 'node:crypto';
import { STATUS_CODES } from 'node:http';
import type { Context } from 'koa';
import type { z } from 'zod';
import { AppError } from '../../http/errors.ts';
import { translator, type MessageKey } from '../../i18n/index.ts';
import { en } from '../../i18n/messages.ts';
import { isInfrastructureError } from '../../shared/infrastructure.ts';
import type { Logger } from '../../shared/logger.ts';
import { KEY_PARAMS } from './schemas.ts';
import { currentRequestId } from '../../shared/request-context.ts';

/** The API answers in English: tools log it, and the message key (`code`) is there for anyone translating. */
const t = translator('en');

/** Where an invalid value was: a body member (JSON Pointer, RFC 6901), or a query or path parameter by name. */
export type FieldError = { detail: string; code?: string } & ({ pointer: string } | { parameter: string; in: 'query' | 'path' });

/** An RFC 9457 problem details object, with this API's extension members (`code`, `errors`). */
export interface Problem {
  type: string;
  title: string;
  status: number;
  detail?: string;
  /** The message key of the refusal, stable across languages and wording changes. */
  code?: string;
  /** Each invalid field of a request (400). */
  errors?: FieldError[];
  /** A reference to quote to Diskominfo for an unexpected error (the log has the rest). */
  reference?: string;
}

/** A refusal of the API itself (not a service's `AppError`): its problem, and the headers that go with it. */
export class ApiProblem extends Error {
  constructor(
    readonly problem: Problem,
    readonly headers: Record<string, string> = {},
  ) {
    super(problem.detail ?? problem.title);
    this.name = 'ApiProblem';
  }
}

/** Problem types of this API: `<base>/problems/<name>`, one per kind of refusal (RFC 9457 §3.1.1). */
export const problemType = (base: string, name: string) => `${base}/problems/${name}`;

/** A plain HTTP problem (`about:blank`: the status says it all, RFC 9457 §4.2.1). */
export const httpProblem = (status: number, detail?: string): Problem => ({ type: 'about:blank', title: STATUS_CODES[status] ?? 'Error', status, ...(detail ? { detail } : {}) });

const isMessageKey = (value: string): value is MessageKey => Object.hasOwn(en, value);

/**
 * A zod issue's message: a message key of ours translated (with the limits it names, from `KEY_PARAMS`), else zod's
 * own English message.
 */
const issueDetail = (issue: z.core.$ZodIssue): { detail: string; code?: string } => {
  if (!isMessageKey(issue.message)) return { detail: issue.message };
  const text = t(issue.message, KEY_PARAMS[issue.message]);
  return { detail: /\{\w+\}/.test(text) ? t('error.bad_request') : text, code: issue.message };
};

/** A JSON Pointer (RFC 6901) to a body member, as a URI fragment. */
const pointerOf = (path: readonly PropertyKey[]) => `#${path.map((p) => `/${String(p).replace(/~/g, '~0').replace(/\//g, '~1')}`).join('')}`;

/**
 * The 400 for a request that failed its schema: every problem at once, each at its field. Unknown members are reported
 * at the member (zod reports them at the object, naming the keys).
 */
export const validationProblem = (base: string, where: 'body' | 'query' | 'path', error: z.ZodError): ApiProblem => {
  const errors: FieldError[] = error.issues.flatMap((issue) => {
    const paths = issue.code === 'unrecognized_keys' ? issue.keys.map((k) => [...issue.path, k]) : [issue.path];
    return paths.map((path): FieldError => {
      const message = issue.code === 'unrecognized_keys' ? { detail: 'This member is not part of the request.' } : issueDetail(issue);
      return where === 'body' ? { pointer: pointerOf(path), ...message } : { parameter: String(path[0] ?? ''), in: where, ...message };
    });
  });
  return new ApiProblem({
    type: problemType(base, 'validation'),
    title: 'Invalid request',
    status: 400,
    code: 'validation',
    detail: `The request ${where === 'body' ? 'body' : `${where} parameters`} did not validate: see errors.`,
    errors,
  });
};

/** The 4xx a library's error stands for (a body parser: not JSON, too large, an unknown encoding), if any. */
const clientErrorStatus = (err: unknown): number | undefined => {
  const { status, code } = err as { status?: unknown; code?: unknown };
  if (typeof status === 'number' && status >= 400 && status < 500) return status;
  if (typeof code === 'string' && code.startsWith('Z_')) return 400;
  return undefined;
};

/**
 * Any error thrown below the API's edge as a problem: a refusal of the API, a service's `AppError` (its status, the
 * English message as `detail`, the key as `code`), a body that would not parse, a store that is down (503); anything
 * else is logged with a reference and answered 500 without a trace.
 */
export const toProblem = (base: string, err: unknown, logger: Logger, path: string): { problem: Problem; headers: Record<string, string> } => {
  if (err instanceof ApiProblem) return { problem: err.problem, headers: err.headers };
  if (err instanceof AppError) {
    const problem: Problem = { type: problemType(base, err.code), title: STATUS_CODES[err.status] ?? 'Error', status: err.status, detail: t(err.code, err.params), code: err.code };
    return { problem, headers: {} };
  }
  if (isInfrastructureError(err) || (err as { error?: string } | null)?.error === 'temporarily_unavailable') {
    logger.error({ err, path }, 'admin API: a store is unavailable');
    return { problem: httpProblem(503, t('error.unavailable')), headers: { 'Retry-After': '30' } };
  }
  const status = clientErrorStatus(err);
  if (status) {
    const detail = status === 413 ? 'The request body is too large.' : status === 415 ? 'The request body must be JSON (application/json).' : 'The request body is not valid JSON.';
    return { problem: httpProblem(status, detail), headers: {} };
  }
  // The request's id when there is one: the same as every other log line of the request (src/http/request-id.ts).
  const reference = currentRequestId() ?? randomBytes(6).toString('hex');
  logger.error({ err, reference, path }, 'admin API: unhandled error');
  return { problem: { ...httpProblem(500, t('error.internal')), reference }, headers: {} };
};

/** Writes `problem` as `application/problem+json` (RFC 9457 §3). */
export const sendProblem = (ctx: Context, problem: Problem, headers: Record<string, string> = {}) => {
  ctx.status = problem.status;
  for (const [name, value] of Object.entries(headers)) ctx.set(name, value);
  ctx.body = problem;
  ctx.type = 'application/problem+json';
};
