import { readFileSync } from 'node:fs';
import { clientsFileSchema, type ClientConfig } from '../config/schema.ts';
import { ConfigError } from '../config/load.ts';
import { HASHED_SECRET, type App, type ClientRegistry } from './app.ts';

const toApp = (c: ClientConfig, satuAkunZone: boolean, hash: (secret: string) => string): App => ({
  clientId: c.client_id,
  name: c.client_name,
  description: c.description,
  agency: c.agency,
  level: c.level,
  maxFactorAgeMinutes: c.maxFactorAgeMinutes,
  networks: c.networks,
  demo: c.demo,
  satuAkunZone,
  firstParty: c.first_party,
  scopes: c.scopes,
  roles: c.roles,
  // The clients file names roles only by who holds them: their definitions have no description.
  roleDefinitions: Object.keys(c.roles).map((name) => ({ name, description: '' })),
  access: c.access,
  contact: c.contact,
  secrets: c.client_secret ? [{ hash: hash(c.client_secret), expiresAt: null }] : [],
  metadata: {
    client_id: c.client_id,
    client_name: c.client_name,
    ...(c.client_secret ? { client_secret: HASHED_SECRET } : {}),
    redirect_uris: c.redirect_uris,
    post_logout_redirect_uris: c.post_logout_redirect_uris,
    grant_types: c.grant_types,
    response_types: c.grant_types.includes('authorization_code') ? ['code'] : [],
    token_endpoint_auth_method: c.token_endpoint_auth_method,
    id_token_signed_response_alg: c.id_token_signed_response_alg,
    scope: c.scopes.join(' '),
    ...(c.backchannel_logout_uri ? { backchannel_logout_uri: c.backchannel_logout_uri, backchannel_logout_session_required: true } : {}),
  },
});

/**
 * A registry over a fixed list of configured apps; `zones` names Satu Akun's own zones. Configured secrets are
 * hashed at once, so the plain text is not kept where apps are looked up.
 */
export const createConfigClientRegistry = (clients: ClientConfig[], options: { zones?: ReadonlySet<string>; hash: (secret: string) => string }): ClientRegistry => {
  const byId = new Map(clients.map((c) => [c.client_id, toApp(c, options.zones?.has(c.client_id) ?? false, options.hash)]));
  if (byId.size !== clients.length) throw new ConfigError(['clients: duplicate client_id']);
  return {
    find: async (clientId) => byId.get(clientId),
    list: async () => [...byId.values()],
  };
};

/** Reads and validates the clients file named by configuration, reporting every problem at once. */
export const readClientsFile = (path: string): ClientConfig[] => {
  let raw: unknown;
  try {
    raw = JSON.parse(readFileSync(path, 'utf8'));
  } catch (err) {
    throw new ConfigError([`clientsFile ${path}: cannot read JSON (${(err as Error).message})`]);
  }
  const result = clientsFileSchema.safeParse(raw);
  if (!result.success) {
    throw new ConfigError(result.error.issues.map((i) => `clientsFile ${path}: [${i.path.join('.')}] ${i.message}`));
  }
  return result.data;
};
