import { parseArgs } from 'node:util';
import { clientsFileSchema } from '../config/schema.ts';
import { loadConfigOrExit } from '../config/load.ts';
import { startDemoApp } from '../demo/demo-app.ts';
import { createRenderer } from '../http/render.ts';
import { bilingual } from '../i18n/index.ts';
import { isSigningAlg } from '../oidc/signing-algs.ts';
import { createLogger } from '../shared/logger.ts';

/**
 * `npm run try-app -- <client_id> <client_secret> [--port 3003] [--scope "openid profile"] [--alg RS256]`: a real
 * relying party (the demo app, openid-client) for an app just registered and approved in the developer portal, on
 * `http://localhost:<port>` with the redirect URI `http://localhost:<port>/callback`, expecting ID tokens signed with
 * the algorithm the app chose (`--alg ES256` for an app that chose ES256).
 */
const main = async (): Promise<number> => {
  const { values, positionals } = parseArgs({ allowPositionals: true, options: { port: { type: 'string', default: '3003' }, scope: { type: 'string', default: 'openid profile' }, name: { type: 'string', default: 'Aplikasi uji' }, alg: { type: 'string', default: 'RS256' } } });
  const [clientId, secret] = positionals;
  const port = Number(values.port);
  if (!clientId || !Number.isInteger(port) || port < 1 || port > 65535 || !isSigningAlg(values.alg)) {
    console.error(bilingual('tryapp.usage'));
    return 2;
  }
  const config = loadConfigOrExit();
  const base = `http://localhost:${port}`;
  const [client] = clientsFileSchema.parse([
    {
      client_id: clientId,
      client_name: values.name,
      ...(secret ? { client_secret: secret } : { token_endpoint_auth_method: 'none' }),
      redirect_uris: [`${base}/callback`],
      post_logout_redirect_uris: [`${base}/`],
      scopes: values.scope.split(' ').filter(Boolean),
      id_token_signed_response_alg: values.alg,
    },
  ]);
  const app = await startDemoApp({ issuer: config.issuer, client: client!, port, otherApps: [], render: createRenderer(config.regency), logger: createLogger(config.logLevel) });
  console.log(bilingual('tryapp.running', { url: app.url, redirect: `${base}/callback` }));
  return new Promise<number>((resolve) => process.once('SIGINT', () => void app.close().then(() => resolve(0))));
};

process.exitCode = await main();
