import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { expect } from 'chai';
import type { Knex } from 'knex';
import { createConfigClientRegistry } from '../../src/clients/clients.repo.ts';
import { clientsFileSchema, configSchema } from '../../src/config/schema.ts';
import { createKnex, migrate } from '../../src/db/knex.ts';
import { sampleRoles } from '../../src/app/sample-roles.ts';
import { createAppRolesRepo } from '../../src/roles/app-roles.repo.ts';
import { createRolesRepo } from '../../src/roles/roles.repo.ts';
import { createRolesService } from '../../src/roles/roles.service.ts';
import { createAgencies } from '../../src/roles/agencies.ts';
import { createAuditService } from '../../src/audit/audit.service.ts';
import { createAuditRepo } from '../../src/audit/audit.repo.ts';
import { createLogger } from '../../src/shared/logger.ts';
import { ZONE_ROLES, ZONES } from '../../src/zones/zones.ts';
import { manualClock } from '../support/clock.ts';

const DAY = 86_400_000;
const andi = { username: 'Andi.Wijaya', directoryId: 'dir-andi' };
const rudi = { username: 'rudi.hartono', directoryId: 'dir-rudi' };
const dewi = { username: 'dewi.lestari', directoryId: 'dir-dewi' };
const yanti = { username: 'yanti.pakpahan', directoryId: 'dir-yanti' };

describe('roles', () => {
  let dir: string;
  let knex: Knex;
  const clock = manualClock('2026-11-27T08:00:00Z');
  const clients = createConfigClientRegistry(
    clientsFileSchema.parse([{ client_id: 'simpeg', client_name: 'SIMPEG', client_secret: 'x'.repeat(32), redirect_uris: ['https://simpeg.contoh.go.id/cb'], roles: { operator: ['Andi.Wijaya'], kepala: ['siti.rahmawati'] } }]),
    { hash: (secret) => `hashed:${secret.length}` },
  );
  const service = () =>
    createRolesService({
      roles: { administrator: [{ login: 'andi.wijaya' }], reviewer: [], developer: [{ login: 'dewi.lestari' }], auditor: [], helpdesk: [], agencyAdministrator: [{ login: 'rudi.hartono', agency: 'DISDIK' }], leadership: [] },
      groups: { auditor: ['cn=inspektorat, ou=groups,dc=contoh,dc=go,dc=id'] },
      clients,
      repo: createRolesRepo(knex),
      appRoles: createAppRolesRepo(knex),
      clock,
      internal: ZONE_ROLES,
    });

  before(async () => {
    dir = mkdtempSync(join(tmpdir(), 'satu-akun-roles-'));
    knex = createKnex(configSchema.parse({ dataDir: dir, database: { client: 'sqlite', filename: 'r.sqlite' } }));
    await migrate(knex);
  });
  after(async () => {
    await knex?.destroy();
    rmSync(dir, { recursive: true, force: true });
  });

  it('grants the configured roles by login, case-insensitively, marked as configuration', async () => {
    const roles = service();
    expect(await roles.globalRoles(andi)).to.deep.equal([{ role: 'administrator', source: 'config' }]);
    expect(await roles.globalRoles(rudi)).to.deep.equal([{ role: 'agencyAdministrator', agency: 'DISDIK', source: 'config' }]);
    expect(await roles.globalRoles(yanti)).to.deep.equal([]);
  });

  it('adds console grants by directory id until they expire or are revoked, at once', async () => {
    const roles = service();
    const repo = createRolesRepo(knex);
    const id = await repo.insert({ directoryId: yanti.directoryId, login: 'yanti.pakpahan', role: 'helpdesk', agency: null, reason: 'Piket helpdesk Desember', grantedBy: 'sub-andi', grantedAt: clock.now(), expiresAt: new Date(clock.now().getTime() + 2 * DAY) });
    expect(await roles.globalRoles(yanti)).to.deep.equal([{ role: 'helpdesk', source: 'console', id, expiresAt: new Date(clock.now().getTime() + 2 * DAY) }]);
    clock.move(3 * DAY);
    expect(await roles.globalRoles(yanti), 'expired').to.deep.equal([]);
    const again = await repo.insert({ directoryId: yanti.directoryId, login: 'yanti.pakpahan', role: 'reviewer', agency: null, reason: 'Peninjau pengganti', grantedBy: 'sub-andi', grantedAt: clock.now(), expiresAt: null });
    expect((await roles.globalRoles(yanti)).map((g) => g.role)).to.deep.equal(['reviewer']);
    expect(await repo.revoke(again, 'sub-andi', 'Selesai', clock.now())).to.equal(true);
    expect(await repo.revoke(again, 'sub-andi', 'Selesai', clock.now()), 'a second revoke changes nothing').to.equal(false);
    expect(await roles.globalRoles(yanti)).to.deep.equal([]);
  });

  it('grants the roles of configured directory groups, comparing DNs without case or spaces', async () => {
    const roles = service();
    const bambang = { username: 'bambang.susilo', directoryId: 'dir-bambang', profile: { groups: ['CN=Inspektorat,OU=Groups,DC=contoh,DC=go,DC=id'] } };
    expect(await roles.globalRoles(bambang)).to.deep.equal([{ role: 'auditor', source: 'group' }]);
    expect(await roles.globalRoles({ ...bambang, profile: { groups: ['cn=other,ou=groups,dc=contoh,dc=go,dc=id'] } })).to.deep.equal([]);
  });

  it("returns a person's roles in one app: configured holders and active grants, not pending ones", async () => {
    const roles = service();
    const repo = createAppRolesRepo(knex);
    expect(await roles.appRoles(andi, 'simpeg')).to.deep.equal(['operator']);
    expect(await roles.appRoles(andi, 'other-app')).to.deep.equal([]);
    const base = { clientId: 'simpeg', directoryId: rudi.directoryId, login: 'rudi.hartono', agency: 'DISDIK', reason: 'Operator data guru', grantedBy: 'sub-andi', grantedAt: clock.now(), expiresAt: null };
    await repo.insert({ ...base, role: 'operator', state: 'active' });
    const pending = await repo.insert({ ...base, role: 'kepala', state: 'pending' });
    expect(await roles.appRoles(rudi, 'simpeg')).to.deep.equal(['operator']);
    expect(await repo.approve(pending, 'sub-siti', clock.now())).to.equal(true);
    expect(await repo.approve(pending, 'sub-siti', clock.now()), 'approved once').to.equal(false);
    expect(await roles.appRoles(rudi, 'simpeg')).to.deep.equal(['kepala', 'operator']);
  });

  it("gives Satu Akun's own zones the global roles they admit as app roles", async () => {
    const roles = service();
    expect(await roles.appRoles(andi, ZONES.admin.clientId)).to.deep.equal(['administrator']);
    expect(await roles.appRoles(rudi, ZONES.admin.clientId)).to.deep.equal(['agency_administrator']);
    expect(await roles.appRoles(dewi, ZONES.admin.clientId)).to.deep.equal([]);
    expect(await roles.appRoles(dewi, ZONES.developer.clientId)).to.deep.equal(['developer']);
  });

  it('lists agency codes seen in the directory, dotted ones too, and skips values that cannot be a code', async () => {
    const audit = createAuditService({ repo: createAuditRepo(knex), clock, logger: createLogger('silent') });
    const agencies = createAgencies({ knex, clock, audit });
    await agencies.seen('1.02.01', 'Dinas Pendidikan (kode Permendagri)');
    await agencies.seen('x'.repeat(100), 'Terlalu panjang');
    await agencies.seen('Dinas Kesehatan / UPT', 'Bukan kode');
    expect((await agencies.list()).map((a) => a.code)).to.deep.equal(['1.02.01']);
  });

  it('gives the sample people their README roles only when no roles are configured', () => {
    const empty = { administrator: [], reviewer: [], developer: [], auditor: [], helpdesk: [], agencyAdministrator: [], leadership: [] };
    expect(sampleRoles(empty).administrator).to.deep.equal([{ login: 'andi.wijaya' }]);
    expect(sampleRoles(empty).helpdesk).to.deep.equal([{ login: 'darwis.hamzah' }]);
    const configured = { ...empty, auditor: [{ login: 'x' }] };
    expect(sampleRoles(configured)).to.equal(configured);
  });
});
