import type { ClientMetadata } from 'oidc-provider';
import type { AccessRule } from '../config/schema.ts';
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
  /** One of Satu Akun's own zones (portal, developer portal, admin console): the person is using Satu Akun itself. */
  satuAkunZone: boolean;
  /**
   * The regency's own app, as Diskominfo decided in the review or the clients file says (issue 11 §6): no first-time
   * notice, but the data it receives is recorded as for any app and shown in the staff portal.
   */
  firstParty: boolean;
  /** Scopes the app may receive. */
  scopes: string[];
  /**
   * Why the app receives each scope, as approved in its review (the Walidata rule). Absent for apps from the clients
   * file, whose data Diskominfo set in configuration without a stated purpose.
   */
  purposes?: Record<string, string>;
  /** Role name → usernames holding it. */
  roles: Record<string, string[]>;
  /** The roles the app defines (issue 10 §5): a registered app's as approved, a configured app's from its role names. */
  roleDefinitions: { name: string; description: string }[];
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
 * Where apps come from: configuration (Satu Akun's zones, demo apps and the clients file) and the registrations
 * Diskominfo approved (SQL, cached per instance), combined behind this one interface.
 */
export interface ClientRegistry {
  find(clientId: string): Promise<App | undefined>;
  list(): Promise<App[]>;
}
