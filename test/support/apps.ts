import type { Actor } from '../../src/clients/apps.service.ts';
import { registrationSchema } from '../../src/clients/registration.schema.ts';

/** People acting on app registrations, as the portal would describe them (service-level tests). */
export const actors = {
  developer: { sub: 'sub-dewi', username: 'dewi.lestari', agency: 'DINKES', roles: [{ role: 'developer' }] },
  otherDeveloper: { sub: 'sub-other', username: 'yanti.pakpahan', agency: 'DISDIK', roles: [{ role: 'developer' }] },
  reviewer: { sub: 'sub-siti', username: 'siti.rahmawati', agency: 'DISKOMINFO', roles: [{ role: 'reviewer' }] },
  admin: { sub: 'sub-andi', username: 'andi.wijaya', agency: 'DISKOMINFO', roles: [{ role: 'administrator' }] },
} satisfies Record<string, Actor>;

/** A valid registration of Dinas Kesehatan's puskesmas app, as the portal form would submit it, with `overrides`. */
export const registration = (overrides: Record<string, unknown> = {}) =>
  registrationSchema(['contoh.go.id']).parse({
    name: 'Sistem Informasi Puskesmas',
    description: 'Pencatatan layanan puskesmas untuk Dinas Kesehatan',
    agency: 'DINKES',
    kind: 'khusus',
    environment: 'production',
    level: '1',
    client_type: 'confidential',
    token_endpoint_auth_method: 'client_secret_basic',
    redirect_uris: 'https://puskesmas.contoh.go.id/cb',
    post_logout_redirect_uris: '',
    scopes: [
      { scope: 'profile', purpose: 'Menampilkan nama petugas di layar' },
      { scope: 'email', purpose: 'Mengirim notifikasi jadwal ke petugas' },
      { scope: 'nip', purpose: 'Mencocokkan petugas dengan data kepegawaian' },
    ],
    responsible_name: 'Dewi Lestari',
    responsible_email: 'dewi.lestari@contoh.go.id',
    ...overrides,
  });
