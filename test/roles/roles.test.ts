import { expect } from 'chai';
import { createConfigClientRegistry } from '../../src/clients/clients.repo.ts';
import { clientsFileSchema } from '../../src/config/schema.ts';
import { createRolesService } from '../../src/roles/roles.service.ts';
import { sampleRoles } from '../../src/app/sample-roles.ts';

describe('roles by configuration', () => {
  const clients = createConfigClientRegistry(
    clientsFileSchema.parse([{ client_id: 'simpeg', client_name: 'SIMPEG', client_secret: 'x'.repeat(32), redirect_uris: ['https://simpeg.contoh.go.id/cb'], roles: { operator: ['Andi.Wijaya'], kepala: ['siti.rahmawati'] } }]),
    { hash: (secret) => `hashed:${secret.length}` },
  );
  const roles = createRolesService({
    roles: { administrator: [{ login: 'andi.wijaya' }], reviewer: [], developer: [{ login: 'dewi.lestari' }], auditor: [], helpdesk: [], agencyAdministrator: [{ login: 'rudi.hartono', agency: 'DISDIK' }] },
    clients,
  });

  it('grants global roles to the configured usernames, case-insensitively', () => {
    expect(roles.hasRole('ANDI.WIJAYA', 'administrator')).to.equal(true);
    expect(roles.hasRole('andi.wijaya', 'reviewer')).to.equal(false);
    expect(roles.globalRoles('rudi.hartono')).to.deep.equal([{ role: 'agencyAdministrator', agency: 'DISDIK' }]);
    expect(roles.globalRoles('yanti.pakpahan')).to.deep.equal([]);
  });

  it("returns a person's roles in one app only", async () => {
    expect(await roles.appRoles('andi.wijaya', 'simpeg')).to.deep.equal(['operator']);
    expect(await roles.appRoles('andi.wijaya', 'other-app')).to.deep.equal([]);
  });

  it('gives the sample people their README roles only when no roles are configured', () => {
    const empty = { administrator: [], reviewer: [], developer: [], auditor: [], helpdesk: [], agencyAdministrator: [] };
    expect(sampleRoles(empty).administrator).to.deep.equal([{ login: 'andi.wijaya' }]);
    const configured = { ...empty, auditor: [{ login: 'x' }] };
    expect(sampleRoles(configured)).to.equal(configured);
  });
});
