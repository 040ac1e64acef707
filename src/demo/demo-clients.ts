import { randomBytes } from 'node:crypto';
import { clientsFileSchema, type ClientConfig } from '../config/schema.ts';

/**
 * The two demo apps of the quick start, as registrations (parsed like a clients file, so defaults apply): SIMPEG at
 * level 1, SPPD at level 2. Secrets are fresh at every start. Their ID tokens are signed with ES256, stated explicitly:
 * openid-client supports it, and a quick-start database registered them when ES256 was the only algorithm (migration
 * 013 wrote ES256 into such registrations), so an upgraded quick start keeps working.
 */
export const demoClients = (ports: readonly [number, number]): ClientConfig[] => {
  const app = (port: number) => {
    const base = `http://localhost:${port}`;
    return {
      client_secret: randomBytes(32).toString('base64url'),
      redirect_uris: [`${base}/callback`],
      post_logout_redirect_uris: [`${base}/`],
      backchannel_logout_uri: `${base}/backchannel-logout`,
      scopes: ['openid', 'profile', 'email', 'nip', 'kepegawaian', 'roles'],
      demo: true,
      id_token_signed_response_alg: 'ES256',
      agency: 'Diskominfo',
      contact: 'Layanan bantuan Diskominfo / Diskominfo help desk',
    };
  };
  return clientsFileSchema.parse([
    {
      ...app(ports[0]),
      client_id: 'demo-simpeg',
      client_name: 'Demo SIMPEG (Sistem Informasi Kepegawaian)',
      description: 'Aplikasi demo: data kepegawaian / demo app: staff records',
      roles: { operator: ['andi.wijaya', 'siti.rahmawati'] },
    },
    {
      ...app(ports[1]),
      client_id: 'demo-sppd',
      client_name: 'Demo SPPD (Surat Perintah Perjalanan Dinas)',
      description: 'Aplikasi demo tingkat 2 (Menengah): perlu verifikasi dua langkah / demo app at level 2: needs two-step verification',
      level: 2,
      roles: { pengaju: ['rudi.hartono', 'dewi.lestari'], verifikator: ['andi.wijaya'] },
    },
  ]);
};
