import { pathToFileURL } from 'node:url';
import { bilingual } from '../i18n/index.ts';

/** A command: its arguments after the command words, the environment; resolves to the process exit code. */
export type Command = (args: string[], env: NodeJS.ProcessEnv) => Promise<number>;

/**
 * The operators' commands, by their words. Each module is imported only when its command runs, so `config check`
 * does not load the provider and `backup` does not load the LDAP client.
 */
const COMMANDS: Record<string, () => Promise<Command>> = {
  migrate: () => import('./migrate.ts').then((m) => m.runMigrate),
  'audit verify': () => import('./audit-verify.ts').then((m) => m.runAuditVerify),
  'audit archive': () => import('./audit-archive.ts').then((m) => m.runAuditArchive),
  keys: () => import('./keys.ts').then((m) => m.runKeys),
  'config check': () => import('./config-check.ts').then((m) => m.runConfigCheck),
  'apps import': () => import('./apps-import.ts').then((m) => m.runAppsImport),
  backup: () => import('./backup.ts').then((m) => m.runBackup),
  restore: () => import('./restore.ts').then((m) => m.runRestore),
};

/** Exit code of a command that failed on something it did not foresee (the message is printed, not a stack trace). */
export const FAILED_EXIT = 1;

/** Exit code of a command line that names no command: the usage is printed. */
export const USAGE_EXIT = 64;

/** Finds the longest command whose words start `argv`: `audit verify --file x` runs `audit verify` with `--file x`. */
export const resolveCommand = (argv: string[]): { name: string; args: string[] } | undefined => {
  for (let words = Math.min(2, argv.length); words >= 1; words--) {
    const name = argv.slice(0, words).join(' ');
    if (COMMANDS[name]) return { name, args: argv.slice(words) };
  }
  return undefined;
};

/** `npm run satu-akun -- <command> …` and the `satu-akun` bin: runs one operator command and returns its exit code. */
export const runCli = async (argv: string[], env: NodeJS.ProcessEnv = process.env): Promise<number> => {
  const found = resolveCommand(argv);
  if (!found) {
    console.error(bilingual('cli.usage', { commands: Object.keys(COMMANDS).join(', ') }));
    return USAGE_EXIT;
  }
  const command = await COMMANDS[found.name]!();
  try {
    return await command(found.args, env);
  } catch (err) {
    // What a command did not foresee (a directory it may not write, a database that went away): one line, no stack.
    console.error(bilingual('cli.failed', { command: found.name, message: (err as Error).message }));
    return FAILED_EXIT;
  }
};

if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href) process.exitCode = await runCli(process.argv.slice(2));
