import { readFileSync } from 'node:fs';
import type { ClientMetadata } from 'oidc-provider';
import { clientsFileSchema, type AccessRule, type ClientConfig } from '../config/schema.ts';
import { ConfigError } from '../config/load.ts';

/** An app (relying party) as Satu Akun knows it: the OIDC metadata plus what the regency decided about it. */
export interface App {
  clientId: string;
  name: string;
  description: string;
  agency?: string;
  level: number;
  /** Level 3: minutes within which both factors must have been proven, and the networks the app may be used from. */
  maxFactorAgeMinutes: number;
  networks: string[];
  demo: boolean;
  /** One of Satu Akun's own zones: no first-time notice (the person is using Satu Akun itself). */
  firstParty: boolean;
  /** Scopes the app may receive. */
  scopes: string[];
  /** Role name → usernames holding it. */
  roles: Record<string, string[]>;
  /** Who may enter the app, and whom a refused person should ask. */
  access: AccessRule;
  contact: string;
  metadata: ClientMetadata;
}

/**
 * Where apps come from. For now: configuration (demo apps and the clients file). The approval workflow replaces this
 * with an SQL-backed registry of approved registrations behind the same interface.
 */
export interface ClientRegistry {
  find(clientId: string): Promise<App | undefined>;
  list(): Promise<App[]>;
}

const toApp = (c: ClientConfig, firstParty: boolean): App => ({
  clientId: c.client_id,
  name: c.client_name,
  description: c.description,
  agency: c.agency,
  level: c.level,
  maxFactorAgeMinutes: c.maxFactorAgeMinutes,
  networks: c.networks,
  demo: c.demo,
  firstParty,
  scopes: c.scopes,
  roles: c.roles,
  access: c.access,
  contact: c.contact,
  metadata: {
    client_id: c.client_id,
    client_name: c.client_name,
    ...(c.client_secret ? { client_secret: c.client_secret } : {}),
    redirect_uris: c.redirect_uris,
    post_logout_redirect_uris: c.post_logout_redirect_uris,
    grant_types: c.grant_types,
    response_types: c.grant_types.includes('authorization_code') ? ['code'] : [],
    token_endpoint_auth_method: c.token_endpoint_auth_method,
    scope: c.scopes.join(' '),
    ...(c.backchannel_logout_uri ? { backchannel_logout_uri: c.backchannel_logout_uri, backchannel_logout_session_required: true } : {}),
  },
});

/** A registry over a fixed list of configured apps; `firstParty` names Satu Akun's own zones. */
export const createConfigClientRegistry = (clients: ClientConfig[], firstParty: ReadonlySet<string> = new Set()): ClientRegistry => {
  const byId = new Map(clients.map((c) => [c.client_id, toApp(c, firstParty.has(c.client_id))]));
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
