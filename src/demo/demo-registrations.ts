import type { ClientConfig, Config } from '../config/schema.ts';
import type { AppsService } from '../clients/apps.service.ts';
import { registrationSchema } from '../clients/registration.schema.ts';
import type { SecretHasher } from '../clients/secrets.ts';

const PURPOSE: Record<string, string> = {
  profile: 'Menampilkan nama pegawai di aplikasi demo / shows the person’s name in the demo',
  email: 'Menampilkan e-mail dinas di aplikasi demo / shows the official e-mail in the demo',
  nip: 'Menampilkan NIP dan jenis pegawai di aplikasi demo / shows the NIP and employee type',
  kepegawaian: 'Menampilkan perangkat daerah dan jabatan / shows the agency and position',
  roles: 'Menampilkan peran pegawai di aplikasi demo / shows the person’s roles in the demo',
};

/** What each demo role lets a person do (app roles are declared with the registration, issue 10 §5). */
const ROLE: Record<string, string> = {
  operator: 'Mengelola data kepegawaian di aplikasi demo / manages staff records in the demo',
  pengaju: 'Mengajukan perjalanan dinas di aplikasi demo / submits travel requests in the demo',
  verifikator: 'Memeriksa dan menyetujui pengajuan di aplikasi demo / checks and approves requests in the demo',
};

/** Registers the demo apps of the quick start as approved registrations of Diskominfo, as a reviewer would have. */
export const registerDemoApps = async (deps: { config: Config; apps: AppsService; secrets: SecretHasher }, demos: ClientConfig[]) => {
  const schema = registrationSchema(deps.config.regency.domains);
  for (const c of demos) {
    const registration = schema.parse({
      name: c.client_name,
      description: c.description,
      agency: 'DISKOMINFO',
      kind: 'umum',
      environment: 'development',
      level: c.level,
      client_type: 'confidential',
      token_endpoint_auth_method: 'client_secret_basic',
      id_token_signed_response_alg: c.id_token_signed_response_alg,
      redirect_uris: c.redirect_uris,
      post_logout_redirect_uris: c.post_logout_redirect_uris,
      backchannel_logout_uri: c.backchannel_logout_uri,
      scopes: c.scopes.map((scope) => ({ scope, purpose: PURPOSE[scope] })),
      grant_types: c.grant_types,
      app_roles: Object.keys(c.roles).map((name) => ({ name, description: ROLE[name] ?? `Peran ${name} di aplikasi demo / the ${name} role in the demo` })),
      responsible_name: 'Bidang Aplikasi Diskominfo',
      responsible_email: `aplikasi@${deps.config.regency.domains[0] ?? 'contoh.go.id'}`,
    });
    const decision = { outcome: 'approved' as const, reason: 'Aplikasi demo quick start / quick-start demo app', level: c.level as 1 | 2 | 3, scopes: c.scopes, acceptedExceptions: [], roles: c.roles };
    await deps.apps.seedApproved(c.client_id, registration, decision, deps.secrets.hash(c.client_secret!));
  }
};
