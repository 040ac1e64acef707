import { readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

/** The project directory: what /opt/satu-akun holds in production (WorkingDirectory of the units). */
export const REPO = join(dirname(fileURLToPath(import.meta.url)), '..', '..');

/** A file of deploy/ as shipped. */
export const readDeploy = (name: string): string => readFileSync(join(REPO, 'deploy', name), 'utf8');

/**
 * The variables of an environment file as systemd's EnvironmentFile= reads it: `KEY=VALUE` lines, `#` comments and
 * blank lines ignored, a value in double quotes taken without them. The shipped files use nothing more, and this
 * refuses anything more (single quotes, backslashes, `$`), so the result is exactly what systemd and a shell both see.
 */
export const parseEnvFile = (text: string): Record<string, string> => {
  const vars: Record<string, string> = {};
  for (const [i, raw] of text.split('\n').entries()) {
    const line = raw.trim();
    if (!line || line.startsWith('#')) continue;
    const match = /^([A-Z_][A-Z0-9_]*)=(.*)$/.exec(line);
    if (!match) throw new Error(`line ${i + 1} is not KEY=VALUE: ${line}`);
    const [, key, rawValue] = match as unknown as [string, string, string];
    const quoted = /^"([^"]*)"$/.exec(rawValue);
    const value = quoted ? quoted[1]! : rawValue;
    if (/['"\\$`]/.test(value)) throw new Error(`line ${i + 1}: quoting beyond plain double quotes is not supported: ${line}`);
    if (!quoted && /[\s()<>|&;]/.test(value)) throw new Error(`line ${i + 1}: a shell would split or refuse this value; put it in double quotes: ${line}`);
    if (key in vars) throw new Error(`line ${i + 1}: ${key} is set twice`);
    vars[key] = value;
  }
  return vars;
};

/** The template's variables with `values` in place of its own; each of `values` must be one the template sets. */
export const renderEnv = (template: Record<string, string>, values: Record<string, string>): Record<string, string> => {
  const missing = Object.keys(values).filter((key) => !(key in template));
  if (missing.length) throw new Error(`the template does not set ${missing.join(', ')}`);
  return { ...template, ...values };
};

/** The [Service] settings of a systemd unit that the tests run by: environment, its files, working directory, command. */
export interface UnitService {
  environment: Record<string, string>;
  environmentFiles: string[];
  workingDirectory: string;
  execStart: string[];
  /** Every `Key=value` line of [Service], in order, for assertions on the hardening. */
  lines: string[];
}

/**
 * Reads a unit's [Service] section, with `%i` replaced by `instance` and `%C` (the root of cache directories,
 * /var/cache for a system unit) by `cacheRoot`. Quoted or multi-assignment lines are refused.
 */
export const readUnit = (text: string, instance = '', cacheRoot = '/var/cache'): UnitService => {
  const lines: string[] = [];
  let section = '';
  for (const raw of text.split('\n')) {
    const line = raw.trim();
    if (!line || line.startsWith('#')) continue;
    if (line.startsWith('[')) section = line;
    else if (section === '[Service]') lines.push(line.replaceAll('%i', instance).replaceAll('%C', cacheRoot));
  }
  const values = (key: string) => lines.filter((l) => l.startsWith(`${key}=`)).map((l) => l.slice(key.length + 1));
  const environment: Record<string, string> = {};
  for (const assignment of values('Environment')) {
    if (/[\s"']/.test(assignment)) throw new Error(`Environment= with quotes or several assignments is not supported: ${assignment}`);
    const [key, ...rest] = assignment.split('=');
    environment[key!] = rest.join('=');
  }
  const [execStart, ...more] = values('ExecStart');
  const [workingDirectory] = values('WorkingDirectory');
  if (!execStart || more.length || !workingDirectory) throw new Error('expected one ExecStart= and one WorkingDirectory=');
  return { environment, environmentFiles: values('EnvironmentFile'), workingDirectory, execStart: execStart.split(/\s+/), lines };
};

/**
 * A unit's command with each `${NAME}` word replaced as systemd does it: by the variable's value from Environment= and
 * EnvironmentFile=, as exactly one argument. `$NAME` (which systemd splits on whitespace), `${NAME}` inside a word, and
 * a variable `env` lacks are refused, so a command depending on anything else fails loudly.
 */
export const expandCommand = (command: string[], env: Record<string, string>): string[] =>
  command.map((word) => {
    if (!word.includes('$')) return word;
    const name = /^\$\{([A-Za-z_][A-Za-z0-9_]*)\}$/.exec(word)?.[1];
    if (!name) throw new Error(`only whole-word \${NAME} substitutions are supported: ${word}`);
    const value = env[name];
    if (value === undefined) throw new Error(`${word}: ${name} is not set by the unit or its environment files`);
    return value;
  });

/** `text` with each `[from, to, times]` applied, where `from` must occur exactly `times` times (so a changed file fails loudly). */
export const substitute = (text: string, replacements: [from: string, to: string, times: number][]): string => {
  let out = text;
  for (const [from, to, times] of replacements) {
    const found = out.split(from).length - 1;
    if (found !== times) throw new Error(`expected "${from}" ${times} time(s), found ${found}`);
    out = out.replaceAll(from, to);
  }
  return out;
};
