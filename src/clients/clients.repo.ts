import { readFileSync } from 'node:fs';
import type { ClientMetadata } from 'oidc-provider';
import { clientsFileSchema, type AccessRule, type ClientConfig } from '../config/schema.ts';
import { ConfigError } from '../config/load.ts';
import type { StoredSecret } from './secrets.ts';

/** `client_secret` in the metadata handed to oidc-provider: never the secret; `compareClientSecret` checks `secrets`. */
export const HASHED_SECRET = 'satu-akun:hashed';

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
  /** Keyed hashes of the app's client secrets (current, and the previous one during a rotation's overlap). */
  secrets: StoredSecret[];
  /** Tokens issued at or before this time (epoch seconds) were revoked when the app was suspended or retired. */
  tokensRevokedAt?: number;
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

const toApp = (c: ClientConfig, firstParty: boolean, hash: (secret: string) => string): App => ({
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
    scope: c.scopes.join(' '),
    ...(c.backchannel_logout_uri ? { backchannel_logout_uri: c.backchannel_logout_uri, backchannel_logout_session_required: true } : {}),
  },
});

/**
 * A registry over a fixed list of configured apps; `firstParty` names Satu Akun's own zones. Configured secrets are
 * hashed at once, so the plain text is not kept where apps are looked up.
 */
export const createConfigClientRegistry = (clients: ClientConfig[], options: { firstParty?: ReadonlySet<string>; hash: (secret: string) => string }): ClientRegistry => {
  const byId = new Map(clients.map((c) => [c.client_id, toApp(c, options.firstParty?.has(c.client_id) ?? false, options.hash)]));
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
