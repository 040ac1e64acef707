import { expect } from 'chai';
import * as oidc from 'openid-client';
import { clientsFileSchema } from '../../src/config/schema.ts';
import type { Browser, Page } from '../support/browser.ts';
import { newBrowser, signIn } from '../support/flow.ts';
import { createPhone, steppingClock } from '../support/phone.ts';
import { rp, SECRET, testClients, type TestProvider } from '../support/provider.ts';
import { STORES, startProviderOn } from '../support/stores.ts';

const REASON = 'Operator data kepegawaian, surat tugas 12/2026';
const errorText = (page: Page) => /role="alert"[^>]*>([^<]*)</.exec(page.html)?.[1]?.trim();
const csrfOf = (page: Page) => page.doc.querySelector('input[name=_csrf]')!.getAttribute('value')!;

/** A level-3 app that defines a role (the clients file's role names are its definitions). */
const level3App = clientsFileSchema.parse([
  { client_id: 'app-kas', client_name: 'Aplikasi Kas', client_secret: SECRET, scopes: ['openid', 'roles'], level: 3, networks: ['127.0.0.0/8', '::1/128'], redirect_uris: ['https://kas.contoh.go.id/cb'], roles: { bendahara: [] } },
])[0]!;

/**
 * The `roles` claim the app reads after a refresh: from userinfo, where OpenID Connect Core §5.4 puts the claims of a
 * scope when an access token is issued (the ID token carries them only when the app asks for them by name).
 */
const rolesAfterRefresh = async (config: oidc.Configuration, refreshToken: string, sub: string) => {
  const tokens = await oidc.refreshTokenGrant(config, refreshToken);
  const userinfo = await oidc.fetchUserInfo(config, tokens.access_token, sub);
  return { roles: userinfo.roles as string[], refreshToken: tokens.refresh_token! };
};

for (const store of [STORES.SQLite, STORES['PostgreSQL + Redis']]) {
  describe(`app roles reach the app at once, in the roles claim, on ${store.name}`, () => {
    const time = steppingClock();
    const phone = createPhone(time);
    let op: TestProvider;
    let appA: oidc.Configuration;
    const visit = async (browser: Browser, path: string, username: string) => phone.through(browser, await browser.open(`${op.local}${path}`), username);

    before(async function () {
      this.timeout(60_000);
      // Two administrators: the two-person rule needs a second one.
      op = await startProviderOn(this, store, { roles: { administrator: [{ login: 'andi.wijaya' }, { login: 'siti.rahmawati' }] } }, { clock: time.clock, clients: [...testClients(), level3App] });
      appA = await rp(op.issuer, 'app-a');
    });
    after(() => op?.stop());

    it('a role given in the console appears at the next refresh, and a removed one disappears', async () => {
      const { tokens } = await signIn(appA, newBrowser(), 'rudi.hartono', { scope: 'openid roles' });
      const sub = tokens.claims()!.sub;
      expect((await oidc.fetchUserInfo(appA, tokens.access_token, sub)).roles).to.deep.equal([]);

      const admin = newBrowser();
      let page = await visit(admin, '/admin/peran-aplikasi/app-a', 'andi.wijaya');
      expect(page.doc.querySelector('h1')!.text).to.equal('Peran di Aplikasi A');
      page = await admin.submit(page, { login: 'rudi.hartono', role: 'operator', reason: REASON }, '/admin/peran-aplikasi/app-a/beri');
      expect(page.url).to.equal(`${op.local}/admin/peran-aplikasi/app-a?done=granted`);

      const next = await rolesAfterRefresh(appA, tokens.refresh_token!, sub);
      expect(next.roles).to.deep.equal(['operator']);
      // An app that wants it in the ID token names it (the claims parameter, OpenID Connect Core §5.5).
      const named = await signIn(appA, newBrowser(), 'rudi.hartono', { scope: 'openid roles', claims: JSON.stringify({ id_token: { roles: null } }) });
      expect(named.tokens.claims()!.roles, 'in the ID token when named').to.deep.equal(['operator']);

      const grant = (await op.satu.knex('app_role_grants').where({ client_id: 'app-a', login: 'rudi.hartono' }).first()) as { id: number };
      page = await admin.open(`${op.local}/admin/peran-aplikasi/app-a`);
      page = await admin.submit(page, { id: String(grant.id), reason: 'Tugas operator selesai' }, '/admin/peran-aplikasi/app-a/cabut');
      expect(page.url).to.equal(`${op.local}/admin/peran-aplikasi/app-a?done=revoked`);
      expect((await rolesAfterRefresh(appA, next.refreshToken, sub)).roles, 'gone at the next refresh').to.deep.equal([]);
      const after = await signIn(appA, newBrowser(), 'rudi.hartono', { scope: 'openid roles', claims: JSON.stringify({ id_token: { roles: null } }) });
      expect(after.tokens.claims()!.roles, 'gone from the next ID token').to.deep.equal([]);
      expect((await op.satu.audit.list({ event: ['app_role.granted', 'app_role.revoked'] })).map((r) => [r.event, r.client_id, (r.details as { role: string }).role])).to.deep.equal([
        ['app_role.revoked', 'app-a', 'operator'],
        ['app_role.granted', 'app-a', 'operator'],
      ]);
    });

    it('in a level-3 app a role counts only after a second person approves it; nobody approves their own or gives themselves one', async () => {
      const andi = newBrowser();
      let page = await visit(andi, '/admin/peran-aplikasi/app-kas', 'andi.wijaya');
      expect(page.doc.querySelector('#two-person'), 'the page says so').to.exist;
      page = await andi.submit(page, { login: 'yanti.pakpahan', role: 'bendahara', reason: 'Bendahara pengeluaran kecamatan' }, '/admin/peran-aplikasi/app-kas/beri');
      expect(page.url).to.equal(`${op.local}/admin/peran-aplikasi/app-kas?done=pending`);
      const grant = (await op.satu.knex('app_role_grants').where({ client_id: 'app-kas', login: 'yanti.pakpahan' }).first()) as { id: number; state: string };
      expect(grant.state).to.equal('pending');
      const yanti = { username: 'yanti.pakpahan', directoryId: (await op.satu.directory.findUser('yanti.pakpahan'))!.id };
      const held = async () => (await op.satu.knex('app_role_grants').where({ id: grant.id }).first()) as { state: string; approved_by: string | null };

      // The one who asked cannot approve: the page offers no button, and a forged POST is refused.
      expect(page.doc.querySelector(`#grant-${grant.id} form[action$="/setujui"]`)).to.equal(null);
      const refused = await andi.open(`${op.local}/admin/peran-aplikasi/app-kas/setujui`, { method: 'POST', form: { _csrf: csrfOf(page), id: String(grant.id) } });
      expect(refused.status).to.equal(403);
      expect((await held()).state).to.equal('pending');

      // Nobody gives themselves a role.
      page = await andi.open(`${op.local}/admin/peran-aplikasi/app-kas`);
      const self = await andi.submit(page, { login: 'andi.wijaya', role: 'bendahara', reason: 'Saya sendiri saja' }, '/admin/peran-aplikasi/app-kas/beri');
      expect(self.status).to.equal(403);
      expect(errorText(self)).to.equal('Anda tidak dapat memberi atau menyetujui peran untuk diri sendiri.');

      const siti = newBrowser();
      page = await visit(siti, '/admin/peran-aplikasi/app-kas', 'siti.rahmawati');
      page = await siti.submit(page, { id: String(grant.id) }, '/admin/peran-aplikasi/app-kas/setujui');
      expect(page.url).to.equal(`${op.local}/admin/peran-aplikasi/app-kas?done=approved`);
      expect(await held()).to.deep.include({ state: 'active' });
      expect(await op.satu.knex('app_role_grants').where({ directory_id: yanti.directoryId, state: 'active' }).pluck('role')).to.deep.equal(['bendahara']);
      expect((await op.satu.audit.list({ event: 'app_role.approved' })).map((r) => r.client_id)).to.deep.equal(['app-kas']);
    });

    it('a grant flagged at a transfer is kept by someone who reviewed it: the flag goes, audited, the role stays', async () => {
      const admin = newBrowser();
      let page = await visit(admin, '/admin/peran-aplikasi/app-a', 'andi.wijaya');
      page = await admin.submit(page, { login: 'dewi.lestari', role: 'operator', reason: 'Operator data tenaga kesehatan' }, '/admin/peran-aplikasi/app-a/beri');
      const grant = (await op.satu.knex('app_role_grants').where({ client_id: 'app-a', login: 'dewi.lestari' }).first()) as { id: number };
      await op.satu.knex('app_role_grants').where({ id: grant.id }).update({ review_note: 'DINKES → DISDIK' });
      page = await admin.open(`${op.local}/admin/peran-aplikasi/app-a`);
      expect(page.doc.querySelector(`#grant-${grant.id} .badge`)!.text).to.equal('Perlu ditinjau');
      page = await admin.submit(page, { id: String(grant.id) }, '/admin/peran-aplikasi/app-a/tetap');
      expect(page.url).to.equal(`${op.local}/admin/peran-aplikasi/app-a?done=kept`);
      expect(page.doc.querySelector(`#grant-${grant.id} .badge`), 'no flag').to.equal(null);
      const stored = (await op.satu.knex('app_role_grants').where({ id: grant.id }).first()) as { review_note: string | null; revoked_at: unknown };
      expect(stored).to.deep.include({ review_note: null, revoked_at: null });
      expect((await op.satu.audit.list({ event: 'app_role.kept' })).map((r) => r.details)).to.deep.equal([{ grantId: grant.id, role: 'operator', note: 'DINKES → DISDIK' }]);
    });
  });
}
