import type { MessageKey } from '../../i18n/index.ts';

/**
 * A refusal or failure of `backup` or `restore` that an operator reads: a message key (printed in both languages), its
 * parameters, and the command's exit code (see `BACKUP_EXIT` and `RESTORE_EXIT`).
 */
export class BackupError extends Error {
  constructor(
    readonly key: MessageKey,
    readonly params: Record<string, string | number> = {},
    readonly exit: number = 1,
  ) {
    super(key);
  }
}
