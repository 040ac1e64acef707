import type { AppStatus } from './apps.repo.ts';

declare module '../audit/audit.service.ts' {
  interface AuditEventDetails {
    /**
     * Every transition of an app registration: what happened, between which statuses, why, and the registration and
     * decision before and after (never a secret: rotations record only the overlap).
     */
    'app.changed': {
      action: string;
      from?: AppStatus;
      to: AppStatus;
      version?: number;
      reason?: string;
      before?: unknown;
      after?: unknown;
    };
    /** RFC 7591 initial access token issued to a developer (the subject); never the token. */
    'app.initial_token_issued': { id: string; agency: string; expiresAt: string; uses: number };
    'app.initial_token_revoked': { id: string };
  }
}
