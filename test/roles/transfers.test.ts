import { expect } from 'chai';
import { Attribute, Change } from 'ldapts';
import * as oidc from 'openid-client';
import { loadSampleStaff, samplePersonDn, toLdif } from '../../src/directory/sample/index.ts';
import { createAppRolesRepo } from '../../src/roles/app-roles.repo.ts';
import { createRolesRepo } from '../../src/roles/roles.repo.ts';
import { newBrowser, signIn } from '../support/flow.ts';
import { createPhone, steppingClock } from '../support/phone.ts';
import { rp, type TestProvider } from '../support/provider.ts';
import { serviceMissing } from '../support/require-service.ts';
import { STORES, startProviderOn } from '../support/stores.ts';
import { asDirectoryAdmin, slapdAvailable, startSlapd, type Slapd } from '../support/slapd.ts';

const RUDI = loadSampleStaff().staff.find((p) => p.uid === 'rudi.hartono')!;
const NEW_AGENCY = 'UPT-PUSKESMAS-1';
const MOVED = `DISDIK → ${NEW_AGENCY}`;

const replace = (type: string, value: string) => new Change({ operation: 'replace', modification: new Attribute({ type, values: [value] }) });

interface Flags {
  id: number;
  review_note: string | null;
}

/**
 * A person's record changes in the directory (issue 10 §1, staff transfers and promotions): at their next sign-in,
 * their agency-bound grants are flagged for review, the new agency joins the agency list, and the change is audited.
 * Against OpenLDAP slapd, where the test changes the person's entry as the directory's administrator would; on PostgreSQL
 * too, where a returning sign-in is one statement unless the agency or position changed (issue 14).
 */
for (const store of [STORES.SQLite, STORES['PostgreSQL + Redis']]) {
  describe(`roles: a change of agency or position in the directory (OpenLDAP slapd, ${store.name})`, () => {
    let slapd: Slapd | undefined;
    let op: TestProvider;
    let app: oidc.Configuration;
    const time = steppingClock();
    const phone = createPhone(time);
    const knex = () => op.satu.knex;
    const now = () => time.clock.now();

    /** Rudi signs in to app-a with his password (a new browser: no single sign-on) and reads userinfo. */
    const rudiSignsIn = async () => {
      const { tokens } = await signIn(app, newBrowser(), 'rudi.hartono');
      return oidc.fetchUserInfo(app, tokens.access_token, tokens.claims()!.sub);
    };
    const transferred = async () => op.satu.audit.list({ event: 'account.transferred' });
    const notes = async (table: 'role_grants' | 'app_role_grants'): Promise<Flags[]> => knex()(table).where({ directory_id: RUDI.entryUUID }).orderBy('id').select('id', 'review_note');
    const agency = async (code: string) => knex()('agencies').where({ code }).first() as Promise<{ name: string; parent_code: string | null; active: boolean | number; source: string } | undefined>;
    const changeRudi = (...changes: Change[]) => asDirectoryAdmin(slapd!, (ldap) => ldap.modify(samplePersonDn('rudi.hartono'), changes));

    before(async function () {
      if (!slapdAvailable()) serviceMissing(this, 'slapd', 'install the Debian packages slapd and ldap-utils');
      this.timeout(60_000);
      slapd = await startSlapd({ ldif: toLdif() });
      op = await startProviderOn(
        this,
        store,
        {
          directory: { mode: 'ldap', url: slapd.url, sweepMinutes: 7 * 24 * 60 },
          roles: { administrator: [{ login: 'andi.wijaya' }] },
          // The console is level 3; a first second factor needs no e-mailed code here (not what this test is about).
          mfaEnrolment: { firstFactorProof: 'none' },
        },
        { clock: time.clock },
      );
      app = await rp(op.issuer, 'app-a');
    });
    after(async () => {
      await op?.stop();
      await slapd?.close();
    });

    it('flags the agency-bound grants of a person who moved to another agency, audits the move, and lists the new agency', async () => {
      const first = await rudiSignsIn();
      expect(first).to.include({ agency_code: 'DISDIK', position: 'Guru Ahli Pertama' });
      expect(await agency('DISDIK'), 'the directory value joined the list at the first sign-in').to.deep.include({ name: 'Dinas Pendidikan', parent_code: null, source: 'directory' });
      expect(await transferred(), 'a first sign-in is no transfer').to.deep.equal([]);
      const sub = first.sub;

      // Granted while he worked at DISDIK (and one app role already under the agency he is moving to, and one ended).
      const base = { directoryId: RUDI.entryUUID, login: 'rudi.hartono', grantedBy: 'sub-andi', grantedAt: now(), expiresAt: null };
      const roles = createRolesRepo(knex());
      const appRoles = createAppRolesRepo(knex());
      const agencyAdmin = await roles.insert({ ...base, role: 'agencyAdministrator', agency: 'DISDIK', reason: 'Admin OPD Dinas Pendidikan (SK 800/412/2026)' });
      const operator = await appRoles.insert({ ...base, clientId: 'app-a', role: 'operator', agency: 'DISDIK', reason: 'Operator data guru', state: 'active' });
      const there = await appRoles.insert({ ...base, clientId: 'app-b', role: 'petugas', agency: NEW_AGENCY, reason: 'Petugas imunisasi sekolah', state: 'active' });
      const ended = await appRoles.insert({ ...base, clientId: 'app-b', role: 'operator', agency: 'DISDIK', reason: 'Operator lama', state: 'active' });
      expect(await appRoles.revoke(ended, 'sub-andi', 'Diganti operator baru', now())).to.equal(true);
      // Written with SQL behind the provider's back: it would see them when its cache of people ages out; told at once here.
      op.satu.signingIn.changedAll();
      expect((await rudiSignsIn()).roles, 'no change in the directory yet').to.deep.equal(['operator']);
      expect(await transferred()).to.deep.equal([]);

      await changeRudi(replace('departmentNumber', NEW_AGENCY), replace('ou', 'UPT Puskesmas Sukamaju'));
      const moved = await rudiSignsIn();
      expect(moved).to.include({ sub, agency_code: NEW_AGENCY, agency_name: 'UPT Puskesmas Sukamaju', position: 'Guru Ahli Pertama' });
      expect(moved.roles, 'flagged for review, not dropped').to.deep.equal(['operator']);

      expect(await notes('role_grants')).to.deep.equal([{ id: agencyAdmin, review_note: MOVED }]);
      expect(await notes('app_role_grants')).to.deep.equal([
        { id: operator, review_note: MOVED },
        { id: there, review_note: null },
        { id: ended, review_note: null },
      ]);
      const [record, ...more] = await transferred();
      expect(more).to.deep.equal([]);
      expect(record).to.deep.include({
        actor: null,
        subject: sub,
        details: { from: { agency: 'DISDIK', position: 'Guru Ahli Pertama' }, to: { agency: NEW_AGENCY, position: 'Guru Ahli Pertama' }, flagged: 2 },
      });
      expect(await agency(NEW_AGENCY)).to.deep.include({ name: 'UPT Puskesmas Sukamaju', parent_code: null, source: 'directory' });
      expect(Boolean((await agency(NEW_AGENCY))!.active)).to.equal(true);
      expect(await agency('DISDIK'), 'the old agency stays listed').to.deep.include({ name: 'Dinas Pendidikan' });

      // The administrators see which grants wait for review, and why.
      const andi = newBrowser();
      const page = await phone.through(andi, await andi.open(`${op.local}/admin/peran`), 'andi.wijaya');
      expect(page.url).to.equal(`${op.local}/admin/peran`);
      const cell = page.doc.querySelector(`#grant-${agencyAdmin} td:nth-child(2)`)!;
      expect([cell.querySelector('.badge')?.text, cell.querySelector('.muted')?.text]).to.deep.equal(['Perlu ditinjau', MOVED]);

      // Signing in again with nothing changed flags and audits nothing more.
      await rudiSignsIn();
      expect(await transferred()).to.have.length(1);
      expect((await op.satu.audit.verify()).ok).to.equal(true);
    });

    it('audits a change of position alone, and flags nothing', async () => {
      const before = await transferred();
      const sub = before[0]!.subject;
      // A grant made after the move, under the new agency: nothing about a promotion makes it doubtful.
      const fresh = await createRolesRepo(knex()).insert({
        directoryId: RUDI.entryUUID,
        login: 'rudi.hartono',
        role: 'agencyAdministrator',
        agency: NEW_AGENCY,
        reason: 'Admin OPD UPT Puskesmas (SK 800/530/2026)',
        grantedBy: 'sub-andi',
        grantedAt: now(),
        expiresAt: null,
      });
      const rolesBefore = await notes('role_grants');
      const appRolesBefore = await notes('app_role_grants');

      await changeRudi(replace('title', 'Guru Ahli Muda'));
      const promoted = await rudiSignsIn();
      expect(promoted).to.include({ sub, agency_code: NEW_AGENCY, position: 'Guru Ahli Muda' });

      expect(await notes('role_grants')).to.deep.equal(rolesBefore);
      expect(rolesBefore.find((g) => g.id === fresh)).to.deep.equal({ id: fresh, review_note: null });
      expect(await notes('app_role_grants')).to.deep.equal(appRolesBefore);
      const [record, ...older] = await transferred();
      expect(older).to.have.length(before.length);
      expect(record).to.deep.include({
        actor: null,
        subject: sub,
        details: { from: { agency: NEW_AGENCY, position: 'Guru Ahli Pertama' }, to: { agency: NEW_AGENCY, position: 'Guru Ahli Muda' }, flagged: 0 },
      });
    });
  });
}
