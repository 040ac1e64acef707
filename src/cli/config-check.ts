import { accessSync, constants } from 'node:fs';
import { ConfigError, loadConfig } from '../config/load.ts';
import type { ClientConfig, Config } from '../config/schema.ts';
import { readClientsFile } from '../clients/clients.repo.ts';
import { bilingual } from '../i18n/index.ts';
import { DEFAULT_SIGNING_ALG } from '../oidc/signing-algs.ts';
import { inspectKeys, loadSigningKeys } from '../oidc/keys.ts';
import { createLogger } from '../shared/logger.ts';
import { internalClients } from '../zones/zones.ts';

/** Exit codes of `satu-akun config check`: everything is valid; there are problems (all printed). */
export const CHECK_EXIT = { ok: 0, problems: 2 } as const;

/** The problems `run` throws as a ConfigError, or none. */
const problemsOf = async (run: () => unknown): Promise<string[]> => {
  try {
    await run();
    return [];
  } catch (err) {
    if (err instanceof ConfigError) return err.problems;
    return [(err as Error).message];
  }
};

const readable = (what: string, path: string | undefined): string[] => {
  if (!path) return [];
  try {
    accessSync(path, constants.R_OK);
    return [];
  } catch {
    return [`${what}: ${path} cannot be read`];
  }
};

/**
 * Signing keys for every algorithm the configured apps and Satu Akun's own zones use. Production never generates a
 * key, so its loader only checks; elsewhere missing development keys would be generated at start-up, so only the
 * keys already there are checked. Apps registered in the database may need more: start-up checks those.
 */
const keyProblems = async (config: Config, clients: ClientConfig[]): Promise<string[]> => {
  // The zones' client records only say which algorithm they use; the secret they are built with does not matter here.
  const all = [...internalClients(config, 'config-check'), ...clients];
  const inUse = new Map<string, string[]>([[DEFAULT_SIGNING_ALG, []]]);
  for (const c of all) inUse.set(c.id_token_signed_response_alg, [...(inUse.get(c.id_token_signed_response_alg) ?? []), c.client_id]);
  if (config.env === 'production') return problemsOf(() => loadSigningKeys(config, createLogger('silent'), inUse));
  return problemsOf(async () => {
    const { problems } = await inspectKeys(config, new Date());
    if (problems.length) throw new ConfigError(problems);
  });
};

/**
 * Native modules loaded at their first use rather than at start-up (argon2: the first recovery code), so that a build
 * for another Node.js version (upgraded without `npm rebuild`) fails here, before a release, not in a person's sign-in.
 */
export const nativeProblems = async (load: () => Promise<unknown> = () => import('argon2')): Promise<string[]> =>
  problemsOf(async () => {
    try {
      await load();
    } catch (err) {
      throw new Error(`argon2 cannot be loaded on Node.js ${process.version} (after a Node.js upgrade, run npm rebuild): ${(err as Error).message}`);
    }
  });

/**
 * `satu-akun config check`: reads the configuration as start-up would — environment, configuration file, clients file,
 * signing keys, the files they name, the native modules loaded later — and prints every problem at once, touching nothing (no database, no directory).
 * Exit code 0 when valid, 2 otherwise, for deployment scripts.
 */
export const runConfigCheck = async (_args: string[], env: NodeJS.ProcessEnv = process.env): Promise<number> => {
  let config: Config | undefined;
  const problems = await problemsOf(() => {
    config = loadConfig(env);
  });
  if (config) {
    const c = config;
    let clients: ClientConfig[] = [];
    problems.push(
      ...(await problemsOf(() => {
        clients = c.clientsFile ? readClientsFile(c.clientsFile) : [];
      })),
      ...readable('directory.tlsCaFile (SATU_AKUN_LDAP_TLS_CA_FILE)', c.directory.tlsCaFile),
      ...readable('regency.logoPath (SATU_AKUN_REGENCY_LOGO)', c.regency.logoPath),
    );
    problems.push(...(await keyProblems(c, clients)));
  }
  problems.push(...(await nativeProblems()));
  if (problems.length) {
    console.error(`${bilingual('check.problems', { count: problems.length })}\n${problems.map((p) => `  - ${p}`).join('\n')}`);
    return CHECK_EXIT.problems;
  }
  console.log(bilingual('check.ok', { env: config!.env }));
  return CHECK_EXIT.ok;
};
