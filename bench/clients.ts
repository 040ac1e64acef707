import { clientsFileSchema, type ClientConfig } from '../src/config/schema.ts';

/** Secret of both bench apps (the schema wants at least 32 characters). */
export const BENCH_SECRET = 'bench-secret-0123456789-abcdefghijklmnopqrstuvwxyz';

/** Where the web app's codes are sent; never fetched, the load generator reads the code off the redirect. */
export const BENCH_REDIRECT_URI = 'https://bench.contoh.go.id/cb';

/** Scopes a bench sign-in asks for: everything a typical regency app receives. */
export const BENCH_SCOPE = 'openid profile email nip kepegawaian roles';

/** The bench apps: a confidential web app (code + PKCE, refresh tokens) and a machine client (client credentials). */
export const benchClients = (): ClientConfig[] =>
  clientsFileSchema.parse([
    { client_id: 'bench-web', client_name: 'Bench Web', client_secret: BENCH_SECRET, scopes: BENCH_SCOPE.split(' '), redirect_uris: [BENCH_REDIRECT_URI] },
    { client_id: 'bench-machine', client_name: 'Bench Machine', client_secret: BENCH_SECRET, scopes: ['openid'], redirect_uris: [BENCH_REDIRECT_URI], grant_types: ['client_credentials'] },
  ]);
