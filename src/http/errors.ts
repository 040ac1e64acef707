import type { MessageKey } from '../i18n/index.ts';

/**
 * The one application error: a message key a person may read, an HTTP status, and optionally where to start again
 * (`retry`, shown as a link). Anything else thrown is an internal error: logged in full, shown as a generic page.
 */
export class AppError extends Error {
  constructor(
    readonly code: MessageKey,
    readonly status: number,
    readonly params: Record<string, string | number> = {},
    readonly retry?: string,
  ) {
    super(code);
    this.name = 'AppError';
  }
}

export const errors = {
  badRequest: () => new AppError('error.bad_request', 400),
  csrf: () => new AppError('error.csrf', 403),
  sessionExpired: () => new AppError('error.session_expired', 400),
  directoryUnavailable: () => new AppError('error.directory_unavailable', 503),
  accountDisabled: () => new AppError('error.account_disabled', 403),
};
