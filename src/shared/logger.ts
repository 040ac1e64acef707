import { pino, type Logger } from 'pino';

export type { Logger };

/** Structured JSON logs. Secrets are redacted by path so a careless field never reaches the log. */
export const createLogger = (level: string): Logger =>
  pino({
    level,
    redact: {
      paths: ['password', '*.password', 'client_secret', '*.client_secret', 'token', '*.token', 'req.headers.authorization', 'req.headers.cookie'],
      censor: '[redacted]',
    },
  });
