import type { Config } from '../config/schema.ts';

/**
 * With the embedded sample directory and no roles configured, the sample people hold the global roles the README
 * names, so a newcomer can try every part of Satu Akun.
 */
export const sampleRoles = (roles: Config['roles']): Config['roles'] => {
  const configured = Object.values(roles).some((holders) => holders.length);
  if (configured) return roles;
  return {
    administrator: [{ login: 'andi.wijaya' }],
    reviewer: [{ login: 'siti.rahmawati' }],
    developer: [{ login: 'dewi.lestari' }],
    auditor: [{ login: 'bambang.susilo' }],
    helpdesk: [{ login: 'darwis.hamzah' }],
    agencyAdministrator: [],
    leadership: [],
  };
};
