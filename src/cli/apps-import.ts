import { parseArgs } from 'node:util';
import type { Knex } from 'knex';
import type { ClientConfig, Config } from '../config/schema.ts';
import { ConfigError, loadConfig } from '../config/load.ts';
import { createKnex, migrate } from '../db/knex.ts';
import { readClientsFile } from '../clients/clients.repo.ts';
import { registrationSchema, type Registration } from '../clients/registration.schema.ts';
import type { Decision } from '../clients/live-app.ts';
import { createAppsRepo } from '../clients/apps.repo.ts';
import { createAppsService, exceptionUris } from '../clients/apps.service.ts';
import { createSecretHasher } from '../clients/secrets.ts';
import { createAuditRepo } from '../audit/audit.repo.ts';
import { createAuditService } from '../audit/audit.service.ts';
import { clientSecretKeys } from '../app/secrets.ts';
import { systemClock } from '../shared/clock.ts';
import { createLogger } from '../shared/logger.ts';
import { bilingual } from '../i18n/index.ts';
import type { MessageKey } from '../i18n/messages.ts';

/** Exit codes of `satu-akun apps import`: imported (or nothing to do); problems in the file or options; usage. */
export const IMPORT_EXIT = { ok: 0, invalid: 2, usage: 64 } as const;

/** What an imported app's registration says about each scope: the clients file states no purpose, the review does. */
const IMPORTED_PURPOSE = 'Dipindahkan dari berkas klien; tujuan dicatat saat ditinjau ulang / imported from the clients file; purpose recorded at the next review';

interface Who {
  agency?: string;
  responsibleName: string;
  responsibleEmail: string;
  environment: string;
}

/** The registration a reviewer would have approved for a configured app, or the problems that prevent it. */
const registrationOf = (config: Config, client: ClientConfig, who: Who) => {
  const result = registrationSchema(config.regency.domains).safeParse({
    name: client.client_name,
    description: client.description.length >= 10 ? client.description : `${client.client_name}: aplikasi yang dipindahkan dari berkas klien / an app imported from the clients file`,
    agency: client.agency ?? who.agency,
    kind: client.access.kind === 'all' ? 'umum' : 'khusus',
    environment: who.environment,
    level: client.level,
    client_type: client.token_endpoint_auth_method === 'none' ? 'public' : 'confidential',
    token_endpoint_auth_method: client.token_endpoint_auth_method,
    id_token_signed_response_alg: client.id_token_signed_response_alg,
    redirect_uris: client.redirect_uris,
    post_logout_redirect_uris: client.post_logout_redirect_uris,
    // A configured app's redirect URIs were accepted when Diskominfo wrote the file: they come in as accepted exceptions.
    redirect_justification: 'Alamat dari berkas klien yang sudah berjalan / addresses of an app already running from the clients file',
    backchannel_logout_uri: client.backchannel_logout_uri,
    scopes: client.scopes.map((scope) => ({ scope, purpose: IMPORTED_PURPOSE })),
    grant_types: client.grant_types,
    app_roles: Object.keys(client.roles).map((name) => ({ name, description: `Peran ${name} dari berkas klien / the ${name} role from the clients file` })),
    responsible_name: who.responsibleName,
    responsible_email: who.responsibleEmail,
  });
  if (result.success) return { registration: result.data as Registration };
  return { problems: result.error.issues.map((i) => `${client.client_id}: [${i.path.join('.')}] ${translate(i.message)}`) };
};

const translate = (message: string) => {
  try {
    return bilingual(message as MessageKey);
  } catch {
    return message;
  }
};

/** The decision the configured app amounts to: its level, scopes, networks, access rule, roles and first-party mark, approved. */
const decisionOf = (client: ClientConfig, registration: Registration): Decision => ({
  outcome: 'approved',
  reason: 'Dipindahkan dari berkas klien dengan satu-akun apps import / imported from the clients file with satu-akun apps import',
  level: client.level as 1 | 2 | 3,
  scopes: client.scopes,
  acceptedExceptions: exceptionUris(registration),
  maxFactorAgeMinutes: client.maxFactorAgeMinutes,
  networks: client.networks,
  access: client.access,
  roles: client.roles,
  firstParty: client.first_party,
});

/**
 * `satu-akun apps import FILE --agency CODE --responsible-name NAME --responsible-email EMAIL [--environment E]`:
 * moves the apps of a clients file into registrations, approved as they were configured (level, scopes, access rule,
 * networks, roles, secret), so Diskominfo manages them in the console from then on. Every entry is checked before the
 * database is touched; an app already registered is left alone. Afterwards the entries are removed from the clients
 * file and every instance restarted (a configured app shadows a registered one with the same client_id).
 */
export const runAppsImport = async (argv: string[], env: NodeJS.ProcessEnv = process.env): Promise<number> => {
  let parsed;
  try {
    parsed = parseArgs({
      args: argv,
      allowPositionals: true,
      options: { agency: { type: 'string' }, 'responsible-name': { type: 'string' }, 'responsible-email': { type: 'string' }, environment: { type: 'string', default: 'production' } },
    });
  } catch (err) {
    console.error(`${(err as Error).message}\n${bilingual('import.usage')}`);
    return IMPORT_EXIT.usage;
  }
  const [file, ...extra] = parsed.positionals;
  const { values } = parsed;
  if (!file || extra.length || !values['responsible-name'] || !values['responsible-email']) {
    console.error(bilingual('import.usage'));
    return IMPORT_EXIT.usage;
  }
  let config: Config;
  let clients: ClientConfig[];
  try {
    config = loadConfig(env);
    clients = readClientsFile(file);
  } catch (err) {
    if (!(err instanceof ConfigError)) throw err;
    console.error(err.message);
    return IMPORT_EXIT.invalid;
  }
  const who: Who = { agency: values.agency, responsibleName: values['responsible-name'], responsibleEmail: values['responsible-email'], environment: values.environment };
  const checked = clients.map((client) => ({ client, ...registrationOf(config, client, who) }));
  const problems = checked.flatMap((c) => c.problems ?? []);
  if (problems.length) {
    console.error(`${bilingual('import.invalid', { file })}\n${problems.map((p) => `  - ${p}`).join('\n')}`);
    return IMPORT_EXIT.invalid;
  }

  let knex: Knex | undefined;
  try {
    knex = createKnex(config);
    await migrate(knex);
    const repo = createAppsRepo(knex);
    const logger = createLogger(config.logLevel);
    const secrets = createSecretHasher(clientSecretKeys(config));
    const apps = createAppsService({ knex, repo, audit: createAuditService({ repo: createAuditRepo(knex), clock: systemClock, logger }), clock: systemClock, secrets, changed: async () => undefined });
    for (const { client, registration } of checked) {
      if (await repo.findApp(client.client_id)) {
        console.log(bilingual('import.skipped', { clientId: client.client_id }));
        continue;
      }
      await apps.seedApproved(client.client_id, registration!, decisionOf(client, registration!), client.client_secret ? secrets.hash(client.client_secret) : null, 'import');
      console.log(bilingual('import.imported', { clientId: client.client_id }));
    }
    console.log(bilingual('import.next', { file }));
    return IMPORT_EXIT.ok;
  } finally {
    await knex?.destroy();
  }
};
