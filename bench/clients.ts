import { clientsFileSchema, type ClientConfig } from '../src/config/schema.ts';

/** Secret of both bench apps (the schema wants at least 32 characters). */
export const BENCH_SECRET = 'bench-secret-0123456789-abcdefghijklmnopqrstuvwxyz';

/** Where the web app's codes are sent; never fetched, the load generator reads the code off the redirect. */
export const BENCH_REDIRECT_URI = 'https://bench.contoh.go.id/cb';

/** Scopes a bench sign-in asks for: everything a typical regency app receives. */
export const BENCH_SCOPE = 'openid profile email nip kepegawaian roles';

/** The id of the n-th web app (1-based): `bench-web`, then `bench-web-2`, `bench-web-3`… */
export const webAppId = (n: number) => (n === 1 ? 'bench-web' : `bench-web-${n}`);

/**
 * The bench apps: `webApps` confidential web apps (code + PKCE, refresh tokens; the first-sign-in scenario needs
 * person/app pairs nobody has agreed to yet) and a machine client (client credentials). ID tokens are ES256, the
 * algorithm the bare engine (bench/bare.ts) signs with, so both do the same signing work.
 */
export const benchClients = (webApps = 1): ClientConfig[] =>
  clientsFileSchema.parse([
    ...Array.from({ length: webApps }, (_, i) => ({
      client_id: webAppId(i + 1),
      client_name: `Bench Web ${i + 1}`,
      client_secret: BENCH_SECRET,
      scopes: BENCH_SCOPE.split(' '),
      redirect_uris: [BENCH_REDIRECT_URI],
      id_token_signed_response_alg: 'ES256',
    })),
    { client_id: 'bench-machine', client_name: 'Bench Machine', client_secret: BENCH_SECRET, scopes: ['openid'], redirect_uris: [BENCH_REDIRECT_URI], grant_types: ['client_credentials'] },
  ]);
