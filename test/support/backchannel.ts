import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import * as oidc from 'openid-client';
import { clientsFileSchema, type ClientConfig } from '../../src/config/schema.ts';
import { SECRET } from './provider.ts';

/** What an app's back-channel logout endpoint received in one request. */
export interface LogoutDelivery {
  path: string;
  contentType: string | undefined;
  logoutToken: string | null;
}

/**
 * An app's OIDC Back-Channel Logout endpoint on a local port: keeps every request it receives and answers 200, as an
 * app that ended its local session would.
 */
export const startLogoutReceiver = async () => {
  const received: LogoutDelivery[] = [];
  const server = createServer((req, res) => {
    let body = '';
    req.setEncoding('utf8');
    req.on('data', (chunk: string) => (body += chunk));
    req.on('end', () => {
      received.push({ path: req.url ?? '', contentType: req.headers['content-type'], logoutToken: new URLSearchParams(body).get('logout_token') });
      res.writeHead(200).end();
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}/backchannel-logout`,
    received,
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
};
export type LogoutReceiver = Awaited<ReturnType<typeof startLogoutReceiver>>;

/** The test app with a back-channel logout URI (and offline access), registered besides the usual test apps. */
export const BACKCHANNEL_APP = { clientId: 'app-bc', redirectUri: 'https://bc.contoh.go.id/cb' } as const;

export const backchannelApp = (logoutUri: string): ClientConfig =>
  clientsFileSchema.parse([
    {
      client_id: BACKCHANNEL_APP.clientId,
      client_name: 'Aplikasi Sekolah',
      client_secret: SECRET,
      scopes: ['openid', 'offline_access', 'profile', 'email'],
      redirect_uris: [BACKCHANNEL_APP.redirectUri],
      backchannel_logout_uri: logoutUri,
      // Logout tokens are signed like the app's ID tokens.
      id_token_signed_response_alg: 'ES256',
    },
  ])[0]!;

/** openid-client's configuration for the back-channel test app (plain HTTP allowed for the local issuer). */
export const backchannelRp = (issuer: string) =>
  oidc.discovery(new URL(issuer), BACKCHANNEL_APP.clientId, { id_token_signed_response_alg: 'ES256', redirect_uri: BACKCHANNEL_APP.redirectUri }, oidc.ClientSecretBasic(SECRET), {
    execute: [oidc.allowInsecureRequests],
  });
