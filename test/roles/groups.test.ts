import { expect } from 'chai';
import { Attribute, Change } from 'ldapts';
import { configSchema } from '../../src/config/schema.ts';
import { SAMPLE_BASE_DN, samplePersonDn, toLdif } from '../../src/directory/sample/index.ts';
import type { Browser, Page } from '../support/browser.ts';
import { newBrowser } from '../support/flow.ts';
import { createPhone, steppingClock } from '../support/phone.ts';
import { startProvider, type TestProvider } from '../support/provider.ts';
import { serviceMissing } from '../support/require-service.ts';
import { asDirectoryAdmin, slapdAvailable, startSlapd, type Slapd } from '../support/slapd.ts';

const GROUPS_DN = `ou=groups,${SAMPLE_BASE_DN}`;
const ADMIN_GROUP = `cn=admin-sso,${GROUPS_DN}`;
const TEACHERS_GROUP = `cn=guru,${GROUPS_DN}`;
const NO_ACCESS = 'Tidak ada akses';

const textOf = (page: Page, selector: string) => page.doc.querySelector(selector)?.text.replace(/\s+/g, ' ').trim();
const csrfOf = (page: Page) => page.doc.querySelector('input[name=_csrf]')!.getAttribute('value')!;
const memberChange = (operation: 'add' | 'delete', uid: string) => new Change({ operation, modification: new Attribute({ type: 'member', values: [samplePersonDn(uid)] }) });

/**
 * Global roles held through directory groups (`roleGroups`), against OpenLDAP with the memberof overlay: a DN added
 * to a `groupOfNames` gets a `memberOf` value naming the group, as in a production OpenLDAP or Active Directory, and
 * that is what Satu Akun reads at sign-in (the default `directory.attributes.groups`).
 */
describe('roles: directory groups grant global roles (OpenLDAP slapd with memberOf)', () => {
  let slapd: Slapd | undefined;
  let op: TestProvider | undefined;
  const time = steppingClock();
  const phone = createPhone(time);
  const url = (path: string) => `${op!.local}${path}`;
  const visit = async (browser: Browser, path: string, username: string) => phone.through(browser, await browser.open(url(path)), username);

  before(async function () {
    if (!slapdAvailable()) serviceMissing(this, 'slapd', 'install the Debian packages slapd and ldap-utils');
    this.timeout(60_000);
    slapd = await startSlapd({ ldif: toLdif(), memberOf: true });
    // Groups are added online: slapadd runs no overlay, so memberOf would not follow.
    await asDirectoryAdmin(slapd, async (ldap) => {
      await ldap.add(GROUPS_DN, { objectClass: 'organizationalUnit', ou: 'groups' });
      await ldap.add(ADMIN_GROUP, { objectClass: 'groupOfNames', cn: 'admin-sso', member: samplePersonDn('heru.handoko') });
      await ldap.add(TEACHERS_GROUP, { objectClass: 'groupOfNames', cn: 'guru', member: [samplePersonDn('rudi.hartono'), samplePersonDn('irfan.koto')] });
    });
    op = await startProvider(
      {
        directory: { mode: 'ldap', url: slapd.url, sweepMinutes: 7 * 24 * 60 },
        // The console is level 3; a first second factor needs no e-mailed code here (not what this test is about).
        mfaEnrolment: { firstFactorProof: 'none' },
        // Written as an administrator might type it: DNs compare without case or spaces after commas.
        roleGroups: { administrator: ['CN=Admin-SSO, OU=Groups, DC=contoh, DC=go, DC=id'] },
      },
      { clock: time.clock },
    );
  });
  after(async () => {
    await op?.stop();
    await slapd?.close();
  });

  it('reads the group DNs from memberOf', async () => {
    expect((await op!.satu.directory.findUser('heru.handoko'))?.groups).to.deep.equal([ADMIN_GROUP]);
    expect((await op!.satu.directory.findUser('rudi.hartono'))?.groups).to.deep.equal([TEACHERS_GROUP]);
    expect((await op!.satu.directory.findUser('yanti.pakpahan'))?.groups, 'in no group').to.equal(undefined);
  });

  it('a member of the configured group holds the administrator role from their next sign-in, and loses it at the sign-in after leaving', async () => {
    // Not a member yet: the console refuses her (its access rule admits holders of an admin role).
    const first = await visit(newBrowser(), '/admin', 'yanti.pakpahan');
    expect({ status: first.status, title: textOf(first, 'h1') }).to.deep.equal({ status: 403, title: NO_ACCESS });

    await asDirectoryAdmin(slapd!, (ldap) => ldap.modify(ADMIN_GROUP, memberChange('add', 'yanti.pakpahan')));
    const yanti = newBrowser();
    const home = await visit(yanti, '/admin', 'yanti.pakpahan');
    expect(home.url).to.equal(url('/admin'));
    expect(home.doc.querySelectorAll('#roles li').map((li) => li.text.trim())).to.deep.equal(['Administrator']);
    expect(home.doc.querySelectorAll('#tools a').map((a) => a.getAttribute('href'))).to.include.members(['/admin/orang', '/admin/peran', '/admin/instansi']);
    const own = await yanti.open(url('/admin/orang?login=yanti.pakpahan'));
    expect(textOf(own, '#roles')).to.equal('Administrator (grup direktori)');

    // The roles page shows where the role comes from, and she acts as any administrator.
    const roles = await yanti.open(url('/admin/peran'));
    expect(roles.status).to.equal(200);
    expect(textOf(roles, '#groups')).to.equal('Administrator: CN=Admin-SSO, OU=Groups, DC=contoh, DC=go, DC=id');
    const granted = await yanti.open(url('/admin/peran/beri'), {
      method: 'POST',
      form: { _csrf: csrfOf(roles), login: 'rudi.hartono', role: 'helpdesk', agency: '', until: '', reason: 'Piket helpdesk Dinas Pendidikan' },
    });
    expect(granted.url).to.equal(url('/admin/peran?done=granted&name=rudi.hartono'));
    const yantiSub = ((await op!.satu.knex('accounts').where({ username: 'yanti.pakpahan' }).first()) as { sub: string }).sub;
    const [record] = await op!.satu.audit.list({ event: 'role.granted' });
    expect(record).to.deep.include({ actor: yantiSub });
    expect(record!.details).to.deep.include({ role: 'helpdesk', before: [], after: ['helpdesk'] });
    expect(textOf(roles, '#configured'), 'no role is configured: the group is the only source').to.equal('');

    // Out of the group: her next sign-in no longer holds the role.
    await asDirectoryAdmin(slapd!, (ldap) => ldap.modify(ADMIN_GROUP, memberChange('delete', 'yanti.pakpahan')));
    const later = await visit(newBrowser(), '/admin', 'yanti.pakpahan');
    expect({ status: later.status, title: textOf(later, 'h1') }).to.deep.equal({ status: 403, title: NO_ACCESS });
    const stored = (await op!.satu.knex('accounts').where({ username: 'yanti.pakpahan' }).first()) as { profile: string };
    expect(JSON.parse(stored.profile).groups, 'the groups as read at the last sign-in').to.equal(undefined);
  });

  it('membership of a group no role names grants nothing', async () => {
    const page = await visit(newBrowser(), '/admin', 'irfan.koto');
    expect({ status: page.status, title: textOf(page, 'h1') }).to.deep.equal({ status: 403, title: NO_ACCESS });
    const stored = (await op!.satu.knex('accounts').where({ username: 'irfan.koto' }).first()) as { profile: string };
    expect(JSON.parse(stored.profile).groups, 'the group was read, and named no role').to.deep.equal([TEACHERS_GROUP]);
  });

  it('agency administrators cannot be granted by group: they need an agency', () => {
    const parsed = configSchema.safeParse({ roleGroups: { agencyAdministrator: [ADMIN_GROUP] } });
    expect(parsed.success).to.equal(false);
    expect(parsed.error!.issues.map((i) => i.code)).to.deep.equal(['unrecognized_keys']);
  });
});
