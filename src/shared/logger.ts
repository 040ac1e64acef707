import { pino, stdSerializers, type DestinationStream, type Logger } from 'pino';
import { currentRequestId } from './request-context.ts';

export type { Logger };

// Query and form parameters that carry a credential or a sign-in secret (OIDC, OAuth, ours).
const SECRET_PARAMS = /\b(id_token_hint|logout_token|access_token|refresh_token|token|code|code_verifier|client_secret|client_assertion|assertion|password|login_hint|state|nonce)=([^&#\s"']+)/gi;

/** A string with the values of secret-carrying parameters in any URL or form body inside it replaced. */
export const redactSecrets = (text: string): string => text.replace(SECRET_PARAMS, '$1=[redacted]');

const redactDeep = (value: unknown, depth = 0): unknown => {
  if (typeof value === 'string') return redactSecrets(value);
  if (!value || typeof value !== 'object' || depth > 4) return value;
  // Whatever pino would have printed of them, redacted: an Error's type, message, stack and cause, a Date or URL as text.
  if (value instanceof Error) return redactDeep(stdSerializers.err(value), depth + 1);
  if (value instanceof Date) return value.toISOString();
  if (value instanceof URL) return redactSecrets(value.href);
  if (Array.isArray(value)) return value.map((v) => redactDeep(v, depth + 1));
  return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, redactDeep(v, depth + 1)]));
};

/**
 * Structured JSON logs. Secrets are redacted by path so a careless field never reaches the log, and by shape: a URL
 * or body in any logged string (an error's message, an `Invalid URL` error's `input`, a request path) keeps its
 * parameters but loses the values of tokens, codes and hints.
 */
export const createLogger = (level: string, destination?: DestinationStream): Logger =>
  pino(
    {
      level,
      // Every line written while serving a request names it (`reqId`): the error page shows the same id to the person.
      mixin: () => {
        const reqId = currentRequestId();
        return reqId ? { reqId } : {};
      },
      redact: {
        paths: ['password', '*.password', 'client_secret', '*.client_secret', 'token', '*.token', 'req.headers.authorization', 'req.headers.cookie'],
        censor: '[redacted]',
      },
      // pino formats (below) before it serializes: by then an Error is already a plain, redacted object.
      serializers: { err: (err: unknown) => (err instanceof Error ? redactDeep(err) : err) },
      formatters: { log: (object) => redactDeep(object) as Record<string, unknown> },
      hooks: {
        logMethod(args, method) {
          // `logger.error(err)` would take its message from the Error after this hook: wrap it as `{ err }` instead.
          const [first, ...rest] = args as unknown[];
          const head = first instanceof Error ? [{ err: first }, ...(rest.length ? [] : [first.message])] : [first];
          method.apply(this, [...head, ...rest].map((a) => (typeof a === 'string' ? redactSecrets(a) : a)) as Parameters<typeof method>);
        },
      },
    },
    destination,
  );
