import { randomBytes } from 'node:crypto';
import type { ClientConfig } from '../config/schema.ts';

/** The two demo apps of the quick start, as registrations. Secrets are fresh at every start. */
export const demoClients = (ports: readonly [number, number]): ClientConfig[] => {
  const base = (port: number) => `http://localhost:${port}`;
  const common = {
    token_endpoint_auth_method: 'client_secret_basic' as const,
    grant_types: ['authorization_code' as const, 'refresh_token' as const],
    scopes: ['openid' as const, 'profile' as const, 'email' as const, 'nip' as const, 'kepegawaian' as const, 'roles' as const],
    level: 1,
    demo: true,
    agency: 'Diskominfo',
  };
  return [
    {
      ...common,
      client_id: 'demo-simpeg',
      client_name: 'Demo SIMPEG (Sistem Informasi Kepegawaian)',
      description: 'Aplikasi demo: data kepegawaian / demo app: staff records',
      client_secret: randomBytes(32).toString('base64url'),
      redirect_uris: [`${base(ports[0])}/callback`],
      post_logout_redirect_uris: [`${base(ports[0])}/`],
      backchannel_logout_uri: `${base(ports[0])}/backchannel-logout`,
      roles: { operator: ['andi.wijaya', 'siti.rahmawati'] },
    },
    {
      ...common,
      client_id: 'demo-sppd',
      client_name: 'Demo SPPD (Surat Perintah Perjalanan Dinas)',
      description: 'Aplikasi demo tingkat 2 (Menengah): perlu faktor kedua / demo app at level 2: needs a second factor',
      level: 2,
      client_secret: randomBytes(32).toString('base64url'),
      redirect_uris: [`${base(ports[1])}/callback`],
      post_logout_redirect_uris: [`${base(ports[1])}/`],
      backchannel_logout_uri: `${base(ports[1])}/backchannel-logout`,
      roles: { pengaju: ['rudi.hartono', 'dewi.lestari'], verifikator: ['andi.wijaya'] },
    },
  ];
};
