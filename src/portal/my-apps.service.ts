import type { Account } from '../accounts/accounts.repo.ts';
import type { AccessService } from '../access/access.service.ts';
import type { App, ClientRegistry } from '../clients/app.ts';

/** Where a launcher link goes, and which registered value it came from (README "My account and security"). */
export interface AppHome {
  url: string;
  from: 'initiate_login_uri' | 'client_uri' | 'redirect_uri';
}

/** One app of "Aplikasi saya". */
export interface LauncherApp {
  clientId: string;
  name: string;
  description: string;
  agency?: string;
  level: number;
  home?: AppHome;
}

/** Only web addresses become links: a registered value could name any scheme (javascript:, a mobile app's own). */
const web = (value: unknown): string | undefined => {
  if (typeof value !== 'string') return undefined;
  try {
    const url = new URL(value);
    return url.protocol === 'https:' || url.protocol === 'http:' ? url.href : undefined;
  } catch {
    return undefined;
  }
};

/**
 * An app's home page: its registered `initiate_login_uri` (OIDC Core §4: starts its sign-in) or `client_uri`, else the
 * origin of its first web redirect URI. Undefined for an app with no web address at all (a mobile app).
 */
export const appHome = (app: App): AppHome | undefined => {
  const m = app.metadata as Record<string, unknown>;
  const initiate = web(m.initiate_login_uri);
  if (initiate) return { url: initiate, from: 'initiate_login_uri' };
  const client = web(m.client_uri);
  if (client) return { url: client, from: 'client_uri' };
  for (const uri of app.metadata.redirect_uris ?? []) {
    const url = web(uri);
    if (url) return { url: `${new URL(url).origin}/`, from: 'redirect_uri' };
  }
  return undefined;
};

/** An app a person opens in a browser: not Satu Akun's own pages, and signing people in (not machine-only). */
export const isLaunchable = (app: App): boolean => !app.satuAkunZone && (app.metadata.grant_types ?? ['authorization_code']).includes('authorization_code');

/**
 * "Aplikasi saya": the apps this person may open, by the same access rule the sign-in applies (the access service).
 * The registry holds live apps only: suspended and retired ones are not in it.
 */
export const createMyAppsService = (deps: { clients: ClientRegistry; access: AccessService }) => ({
  async openable(account: Account, lang: string): Promise<LauncherApp[]> {
    const apps = (await deps.clients.list()).filter(isLaunchable);
    const allowed = await Promise.all(apps.map(async (app) => ((await deps.access.allows(app, account)) ? app : undefined)));
    return allowed
      .filter((app): app is App => !!app)
      .map((app) => {
        const home = appHome(app);
        return { clientId: app.clientId, name: app.name, description: app.description, level: app.level, ...(app.agency ? { agency: app.agency } : {}), ...(home ? { home } : {}) };
      })
      .sort((a, b) => a.name.localeCompare(b.name, lang));
  },
});

export type MyAppsService = ReturnType<typeof createMyAppsService>;
