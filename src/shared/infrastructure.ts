/**
 * Errors that mean a store (SQL, Redis) could not answer, as opposed to bugs: they become a 503 page or the OIDC
 * error `temporarily_unavailable`, never a 500, and the service recovers when the store is back.
 */
const CODES = /^(ECONNREFUSED|ECONNRESET|ETIMEDOUT|EPIPE|EHOSTUNREACH|ENOTFOUND|EAI_AGAIN|SQLITE_(BUSY|LOCKED|FULL|CANTOPEN|READONLY|IOERR\w*)|57P0[1-3]|08\d{3}|53\d{3})$/;
const NAMES = new Set(['KnexTimeoutError', 'MaxRetriesPerRequestError', 'DirectoryUnavailableError']);
const MESSAGES = /Connection is closed|Stream isn't writeable|Connection terminated|connection error|Timeout acquiring a connection/i;

export const isInfrastructureError = (err: unknown, depth = 0): boolean => {
  if (!err || typeof err !== 'object' || depth > 4) return false;
  const e = err as { code?: unknown; name?: unknown; message?: unknown; cause?: unknown; errors?: unknown };
  if (typeof e.code === 'string' && CODES.test(e.code)) return true;
  if (typeof e.name === 'string' && NAMES.has(e.name)) return true;
  if (typeof e.message === 'string' && MESSAGES.test(e.message)) return true;
  if (Array.isArray(e.errors) && e.errors.some((inner) => isInfrastructureError(inner, depth + 1))) return true;
  return isInfrastructureError(e.cause, depth + 1);
};
