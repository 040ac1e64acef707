import { expect } from 'chai';
import { loadSampleStaff } from '../../src/directory/sample/index.ts';
import type { Browser, Page } from '../support/browser.ts';
import { newBrowser } from '../support/flow.ts';
import { createPhone, steppingClock } from '../support/phone.ts';
import type { TestProvider } from '../support/provider.ts';
import { STORES, startProviderOn, type StoreBackend } from '../support/stores.ts';

const DAY = 24 * 60 * 60 * 1000;
const REASON = 'SK Kepala Dinas Pendidikan 800/412/2026 tentang admin OPD';
const REVOKE_REASON = 'Masa tugas admin OPD berakhir (SK 800/519/2026)';
const sample = (uid: string) => loadSampleStaff().staff.find((p) => p.uid === uid)!;
const RUDI_ID = sample('rudi.hartono').entryUUID;
const ANDI_NIP = sample('andi.wijaya').employeeNumber!;

const FORBIDDEN_ROLES = 'Hanya administrator yang dapat memberi dan mencabut peran global.';
const SELF = 'Anda tidak dapat mengubah peran Anda sendiri; mintalah administrator lain.';
const AGENCY_REQUIRED = 'Admin OPD memerlukan perangkat daerah.';
const UNTIL_INVALID = 'Tanggal akhir harus tanggal yang ada, paling cepat hari ini dan paling lama 5 tahun lagi.';
const ALREADY = 'Orang ini sudah memegang peran itu dari konsol.';
const CSRF = 'Formulir ini sudah kedaluwarsa. Muat ulang halaman lalu coba lagi.';
const REASON_SHORT = 'Tuliskan alasan minimal 10 karakter.';
const INVALID_CODE = 'Kode hanya huruf besar, angka, titik, garis bawah, dan tanda hubung (1–64 karakter), diawali huruf atau angka.';
const INVALID_PARENT = 'Induk harus kode perangkat daerah lain yang sudah ada, dan tidak boleh membuat lingkaran.';
const NO_ACCESS = 'Tidak ada akses';
const ZONE_FORBIDDEN = 'Anda tidak (lagi) memegang peran yang membuka halaman ini. Bila ini keliru, hubungi administrator Diskominfo.';

const textOf = (page: Page, selector: string) => page.doc.querySelector(selector)?.text.replace(/\s+/g, ' ').trim();
/** The text of the page's alert (a refusal on a form, or a problem page's message). */
const alertOf = (page: Page) => textOf(page, '[role=alert]');
const csrfOf = (page: Page) => page.doc.querySelector('input[name=_csrf]')!.getAttribute('value')!;
const links = (page: Page, selector: string) => page.doc.querySelectorAll(`${selector} a`).map((a) => a.getAttribute('href'));
/** The rows of a table as the text of their cells. */
const rows = (page: Page, selector: string) => page.doc.querySelectorAll(`${selector} tbody tr`).map((tr) => tr.querySelectorAll('td').map((td) => td.text.replace(/\s+/g, ' ').trim()));

/** A calendar date (YYYY-MM-DD) in WIB (UTC+7), `days` after `now`. */
const wibDate = (now: Date, days: number) => new Date(now.getTime() + 7 * 60 * 60 * 1000 + days * DAY).toISOString().slice(0, 10);

interface GrantRow {
  id: number;
  directory_id: string;
  login: string;
  role: string;
  agency: string | null;
  reason: string;
  granted_by: string;
  expires_at: unknown;
  revoked_at: unknown;
  revoked_by: string | null;
  revoke_reason: string | null;
}

/** A Satu Akun on `store` with a stepping clock and a phone that answers every sign-in step (the console is level 3). */
const world = (store: StoreBackend, overrides: Record<string, unknown> = {}) => {
  const time = steppingClock();
  const phone = createPhone(time);
  const w = {
    op: undefined as unknown as TestProvider,
    time,
    start: async (ctx: Mocha.Context) => {
      ctx.timeout(60_000);
      w.op = await startProviderOn(ctx, store, overrides, { clock: time.clock });
    },
    stop: () => w.op?.stop(),
    url: (path: string) => `${w.op.local}${path}`,
    /** Opens a console page as `username`, answering whatever sign-in asks on the way. */
    visit: async (browser: Browser, path: string, username: string) => phone.through(browser, await browser.open(w.url(path)), username),
    /** Posts a console form as the browser of `page` (its CSRF token unless `form` says otherwise). */
    post: (browser: Browser, page: Page, path: string, form: Record<string, string>) => browser.open(w.url(path), { method: 'POST', form: { _csrf: csrfOf(page), ...form } }),
    subOf: async (username: string) => ((await w.op.satu.knex('accounts').where({ username }).first()) as { sub: string }).sub,
    grants: async (): Promise<GrantRow[]> => w.op.satu.knex('role_grants').orderBy('id'),
    grantsOf: async (login: string): Promise<GrantRow[]> => w.op.satu.knex('role_grants').where({ login }).orderBy('id'),
    audit: async (event: string) => w.op.satu.audit.list({ event }),
    outboxTo: async (recipient: string): Promise<{ subject: string; body: string }[]> => w.op.satu.knex('outbox').where({ recipient }).orderBy('id').select('subject', 'body'),
    agency: async (code: string) => w.op.satu.knex('agencies').where({ code }).first() as Promise<{ code: string; name: string; parent_code: string | null; active: boolean | number; source: string } | undefined>,
  };
  return w;
};

for (const store of [STORES.SQLite, STORES['PostgreSQL + Redis']]) {
  describe(`admin console: global roles and agencies on ${store.name}`, () => {
    describe('with the sample roles (andi.wijaya administrator, siti.rahmawati reviewer)', () => {
      const w = world(store);
      before(function () {
        return w.start(this);
      });
      after(() => w.stop());

      it('appoints an agency administrator with a reason: audited, e-mailed, in force at their next request; revoking it refuses their next request', async () => {
        const andi = newBrowser();
        const roles = await w.visit(andi, '/admin/peran', 'andi.wijaya');
        expect(roles.url).to.equal(w.url('/admin/peran'));
        expect(textOf(roles, 'h1')).to.equal('Peran global');
        expect(textOf(roles, '#grants')).to.equal('Belum ada peran yang diberikan di konsol.');
        expect(roles.doc.querySelectorAll('#agency option').map((o) => o.getAttribute('value')), 'the agencies of the sample directory').to.include.members(['DISDIK', 'DINKES', 'KEC-SUKAMAJU']);

        const granted = await andi.submit(roles, { login: 'rudi.hartono', role: 'agencyAdministrator', agency: 'DISDIK', until: '', reason: REASON }, '/admin/peran/beri');
        expect(granted.url).to.equal(w.url('/admin/peran?done=granted&name=rudi.hartono'));
        expect(textOf(granted, '#done')).to.equal('Peran diberikan kepada rudi.hartono.');
        const [grant, ...more] = await w.grants();
        expect(more).to.deep.equal([]);
        const andiSub = await w.subOf('andi.wijaya');
        expect(grant).to.deep.include({ directory_id: RUDI_ID, login: 'rudi.hartono', role: 'agencyAdministrator', agency: 'DISDIK', reason: REASON, granted_by: andiSub, expires_at: null, revoked_at: null });
        expect(rows(granted, '#grants').map((r) => r.slice(0, 3))).to.deep.equal([['rudi.hartono', 'Admin OPD (DISDIK)', REASON]]);

        // Rudi never signed in: the audit names him by his directory id.
        const [record, ...moreRecords] = await w.audit('role.granted');
        expect(moreRecords).to.deep.equal([]);
        expect(record).to.deep.include({
          actor: andiSub,
          subject: `directory:${RUDI_ID}`,
          client_id: 'satu-akun-admin',
          details: { grantId: grant!.id, role: 'agencyAdministrator', agency: 'DISDIK', reason: REASON, before: [], after: ['agencyAdministrator:DISDIK'] },
        });
        const [mail, ...moreMail] = await w.outboxTo('rudi.hartono@contoh.go.id');
        expect(moreMail).to.deep.equal([]);
        expect(mail!.subject).to.equal('Satu Akun: Anda mendapat peran agencyAdministrator:DISDIK / You were given the role agencyAdministrator:DISDIK');
        expect(mail!.body).to.contain('Yth. Rudi Hartono,').and.contain(`Alasan: ${REASON}`).and.contain(`Reason: ${REASON}`);

        // Rudi's next request: the console opens to him with the people tool, and only that.
        const rudi = newBrowser();
        const home = await w.visit(rudi, '/admin', 'rudi.hartono');
        expect(home.url).to.equal(w.url('/admin'));
        expect(textOf(home, '#roles')).to.equal('Admin OPD (DISDIK)');
        expect(links(home, '#tools')).to.deep.equal(['/admin/orang', '/admin/audit']);

        // A member of DISDIK staff: yes. DINKES staff: no.
        const irfan = await rudi.open(w.url('/admin/orang?login=irfan.koto'));
        expect(irfan.status).to.equal(200);
        expect(textOf(irfan, '#person-name')).to.equal('Irfan Koto');
        const outside = 'Sebagai admin OPD, Anda hanya dapat mengelola pegawai DISDIK.';
        const dinkes = await rudi.open(w.url('/admin/orang?login=sri.kusumawati'));
        expect({ status: dinkes.status, message: alertOf(dinkes) }).to.deep.equal({ status: 403, message: outside });

        // A DISDIK colleague: yes, until she holds a global role (granted by andi); then no.
        expect((await rudi.open(w.url('/admin/orang?login=ratna.susanto'))).status).to.equal(200);
        const helpdesk = await w.post(andi, granted, '/admin/peran/beri', { login: 'ratna.susanto', role: 'helpdesk', agency: '', until: '', reason: 'Piket helpdesk Dinas Pendidikan' });
        expect(helpdesk.url).to.equal(w.url('/admin/peran?done=granted&name=ratna.susanto'));
        const ratna = await rudi.open(w.url('/admin/orang?login=ratna.susanto'));
        expect({ status: ratna.status, message: alertOf(ratna) }).to.deep.equal({ status: 403, message: outside });
        const state = await rudi.open(w.url('/admin/orang/status?login=ratna.susanto'));
        expect(state.status).to.equal(403);

        // The roles page is for administrators only.
        const notHis = await rudi.open(w.url('/admin/peran'));
        expect({ status: notHis.status, message: alertOf(notHis) }).to.deep.equal({ status: 403, message: FORBIDDEN_ROLES });

        // Revoked with a reason: recorded on the row, audited with before/after, e-mailed.
        const revoked = await w.post(andi, granted, '/admin/peran/cabut', { id: String(grant!.id), reason: REVOKE_REASON });
        expect(revoked.url).to.equal(w.url('/admin/peran?done=revoked'));
        expect(textOf(revoked, '#done')).to.equal('Peran dicabut.');
        expect(revoked.doc.querySelector(`#grant-${grant!.id}`), 'no longer listed as live').to.equal(null);
        expect(textOf(revoked, '#ended')).to.contain('rudi.hartono: Admin OPD (DISDIK)').and.contain(`(${REVOKE_REASON})`);
        const [row] = await w.grantsOf('rudi.hartono');
        expect(row).to.deep.include({ revoked_by: andiSub, revoke_reason: REVOKE_REASON });
        expect(row!.revoked_at).to.not.equal(null);
        const rudiSub = await w.subOf('rudi.hartono');
        const [ended, ...moreEnded] = await w.audit('role.revoked');
        expect(moreEnded).to.deep.equal([]);
        expect(ended).to.deep.include({
          actor: andiSub,
          subject: rudiSub,
          client_id: 'satu-akun-admin',
          details: { grantId: grant!.id, role: 'agencyAdministrator', agency: 'DISDIK', reason: REVOKE_REASON, before: ['agencyAdministrator:DISDIK'], after: [] },
        });
        expect((await w.outboxTo('rudi.hartono@contoh.go.id')).map((m) => m.subject)).to.deep.equal([
          'Satu Akun: Anda mendapat peran agencyAdministrator:DISDIK / You were given the role agencyAdministrator:DISDIK',
          'Satu Akun: peran agencyAdministrator:DISDIK Anda dicabut / Your role agencyAdministrator:DISDIK was removed',
        ]);

        // Rudi's very next requests, in the browser still signed in to the console, are refused: the console itself too.
        for (const path of ['/admin/orang?login=irfan.koto', '/admin']) {
          const refused = await rudi.open(w.url(path));
          expect({ status: refused.status, message: alertOf(refused) }, path).to.deep.equal({ status: 403, message: ZONE_FORBIDDEN });
        }
      });

      it('an agency administrator acts on the agencies below theirs, at any depth, once an administrator sets the parents', async () => {
        const andi = newBrowser();
        const roles = await w.visit(andi, '/admin/peran', 'andi.wijaya');
        // Granted again after the first test's revocation: a revoked grant is no duplicate.
        const granted = await andi.submit(roles, { login: 'rudi.hartono', role: 'agencyAdministrator', agency: 'DISDIK', until: '', reason: REASON }, '/admin/peran/beri');
        expect(granted.url).to.equal(w.url('/admin/peran?done=granted&name=rudi.hartono'));

        const rudi = newBrowser();
        const before = await w.visit(rudi, '/admin/orang?login=yanti.pakpahan', 'rudi.hartono');
        expect({ status: before.status, message: alertOf(before) }).to.deep.equal({ status: 403, message: 'Sebagai admin OPD, Anda hanya dapat mengelola pegawai DISDIK.' });
        expect((await rudi.open(w.url('/admin/orang?login=intan.piliang'))).status, 'KEC-MEKARSARI').to.equal(403);

        // A new unit under DISDIK, then an existing Kecamatan moved under DISDIK, and another under the new unit.
        const agencies = await andi.open(w.url('/admin/instansi'));
        expect(agencies.status).to.equal(200);
        const upt = await w.post(andi, agencies, '/admin/instansi', { code: 'upt-sd-1', name: 'UPT SD Negeri 1 Sukamaju', parent: 'disdik', active: 'on' });
        expect(upt.url).to.equal(w.url('/admin/instansi?done=UPT-SD-1'));
        expect(textOf(upt, '#done')).to.equal('Perangkat daerah UPT-SD-1 disimpan.');
        const kec = await w.post(andi, agencies, '/admin/instansi', { code: 'KEC-SUKAMAJU', name: 'Kecamatan Sukamaju', parent: 'DISDIK', active: 'on' });
        expect(kec.url).to.equal(w.url('/admin/instansi?done=KEC-SUKAMAJU'));
        const deeper = await w.post(andi, agencies, '/admin/instansi', { code: 'KEC-MEKARSARI', name: 'Kecamatan Mekarsari', parent: 'UPT-SD-1', active: 'on' });
        expect(deeper.url).to.equal(w.url('/admin/instansi?done=KEC-MEKARSARI'));
        expect(rows(deeper, '#agencies').filter((r) => ['UPT-SD-1', 'KEC-SUKAMAJU', 'KEC-MEKARSARI'].includes(r[0]!))).to.deep.equal([
          ['KEC-MEKARSARI', 'Kecamatan Mekarsari', 'UPT-SD-1', 'ya', 'konsol'],
          ['KEC-SUKAMAJU', 'Kecamatan Sukamaju', 'DISDIK', 'ya', 'konsol'],
          ['UPT-SD-1', 'UPT SD Negeri 1 Sukamaju', 'DISDIK', 'ya', 'konsol'],
        ]);

        // Rudi's next requests, without signing in again.
        const yanti = await rudi.open(w.url('/admin/orang?login=yanti.pakpahan'));
        expect(yanti.status).to.equal(200);
        expect(textOf(yanti, '#person-name')).to.equal('Yanti Pakpahan');
        const intan = await rudi.open(w.url('/admin/orang?login=intan.piliang'));
        expect(intan.status, 'two levels below DISDIK').to.equal(200);
        expect(textOf(intan, '#person-name')).to.equal('Intan Piliang');
        const dinkes = await rudi.open(w.url('/admin/orang?login=sri.kusumawati'));
        expect(dinkes.status).to.equal(403);
        expect(alertOf(dinkes)).to.match(/^Sebagai admin OPD, Anda hanya dapat mengelola pegawai DISDIK, /);

        // Detached again: out of reach at once.
        await w.post(andi, agencies, '/admin/instansi', { code: 'KEC-SUKAMAJU', name: 'Kecamatan Sukamaju', parent: '', active: 'on' });
        expect((await rudi.open(w.url('/admin/orang?login=yanti.pakpahan'))).status).to.equal(403);
        expect((await rudi.open(w.url('/admin/orang?login=intan.piliang'))).status, 'still under UPT-SD-1').to.equal(200);

        // Each save is audited with the agency's code and what changed, the parent included.
        const andiSub = await w.subOf('andi.wijaya');
        const saved = (await w.audit('agency.saved')).reverse().slice(0, 3);
        expect(saved.map((r) => ({ actor: r.actor, subject: r.subject, details: r.details }))).to.deep.equal([
          { actor: andiSub, subject: 'agency:UPT-SD-1', details: { agency: 'UPT-SD-1', after: { name: 'UPT SD Negeri 1 Sukamaju', parent: 'DISDIK', active: true } } },
          {
            actor: andiSub,
            subject: 'agency:KEC-SUKAMAJU',
            details: { agency: 'KEC-SUKAMAJU', before: { name: 'Kecamatan Sukamaju', parent: null, active: true }, after: { name: 'Kecamatan Sukamaju', parent: 'DISDIK', active: true } },
          },
          {
            actor: andiSub,
            subject: 'agency:KEC-MEKARSARI',
            details: { agency: 'KEC-MEKARSARI', before: { name: 'Kecamatan Mekarsari', parent: null, active: true }, after: { name: 'Kecamatan Mekarsari', parent: 'UPT-SD-1', active: true } },
          },
        ]);
      });

      it('refuses a grant the rules forbid, with the reason, and changes nothing', async () => {
        const andi = newBrowser();
        const page = await w.visit(andi, '/admin/peran', 'andi.wijaya');
        const good = { login: 'agus.susanto', role: 'agencyAdministrator', agency: 'DISDIK', until: '', reason: REASON };
        const grantsBefore = await w.grants();
        const recordsBefore = (await w.audit('role.granted')).length;
        const outboxBefore = (await w.op.satu.knex('outbox')).length;

        const self = await w.post(andi, page, '/admin/peran/beri', { ...good, login: 'andi.wijaya', role: 'auditor', agency: '' });
        expect({ status: self.status, message: alertOf(self) }).to.deep.equal({ status: 403, message: SELF });
        // By NIP, the same person.
        const byNip = await w.post(andi, page, '/admin/peran/beri', { ...good, login: ANDI_NIP, role: 'auditor', agency: '' });
        expect({ status: byNip.status, message: alertOf(byNip) }).to.deep.equal({ status: 403, message: SELF });

        const refusals: [string, Record<string, string>, string][] = [
          ['no agency', { agency: '' }, AGENCY_REQUIRED],
          ['unknown agency', { agency: 'DINAS-FIKTIF' }, 'Perangkat daerah "DINAS-FIKTIF" tidak dikenal atau tidak aktif. Lihat daftar perangkat daerah.'],
          ['no role', { role: 'superadmin' }, 'Pilih peran.'],
          ['short reason', { reason: ' SK baru  ' }, REASON_SHORT],
          ['no reason', { reason: '' }, REASON_SHORT],
          ['yesterday', { until: wibDate(w.time.clock.now(), -1) }, UNTIL_INVALID],
          ['six years', { until: wibDate(w.time.clock.now(), 6 * 366) }, UNTIL_INVALID],
          ['no such day', { until: '2027-02-30' }, UNTIL_INVALID],
          ['not a date', { until: 'besok' }, UNTIL_INVALID],
          ['day first', { until: '31-12-2026' }, UNTIL_INVALID],
        ];
        for (const [name, fields, message] of refusals) {
          const refused = await w.post(andi, page, '/admin/peran/beri', { ...good, ...fields });
          expect({ status: refused.status, message: textOf(refused, '#grant-error') }, name).to.deep.equal({ status: 400, message });
          expect(refused.doc.querySelector('#login')!.getAttribute('value'), `${name}: what was typed is kept`).to.equal('agus.susanto');
        }

        const noCsrf = await w.post(andi, page, '/admin/peran/beri', { ...good, _csrf: '' });
        expect({ status: noCsrf.status, message: alertOf(noCsrf) }).to.deep.equal({ status: 403, message: CSRF });
        // A reviewer holds an admin role, but not this one.
        const siti = newBrowser();
        const sitiPage = await w.visit(siti, '/admin/peran', 'siti.rahmawati');
        expect({ status: sitiPage.status, message: alertOf(sitiPage) }).to.deep.equal({ status: 403, message: FORBIDDEN_ROLES });
        const sitiPost = await w.post(siti, sitiPage, '/admin/peran/beri', good);
        expect({ status: sitiPost.status, message: alertOf(sitiPost) }).to.deep.equal({ status: 403, message: FORBIDDEN_ROLES });
        expect((await siti.open(w.url('/admin/instansi'))).status).to.equal(403);
        const foreignCsrf = await w.post(andi, sitiPage, '/admin/peran/beri', good);
        expect({ status: foreignCsrf.status, message: alertOf(foreignCsrf) }, "another browser's token").to.deep.equal({ status: 403, message: CSRF });

        expect(await w.grants(), 'no grant made').to.deep.equal(grantsBefore);

        // The grant as asked once the form is right; the same again is a duplicate.
        const done = await w.post(andi, page, '/admin/peran/beri', good);
        expect(done.url).to.equal(w.url('/admin/peran?done=granted&name=agus.susanto'));
        const grantsNow = await w.grants();
        expect(grantsNow).to.have.length(grantsBefore.length + 1);
        const again = await w.post(andi, page, '/admin/peran/beri', good);
        expect({ status: again.status, message: alertOf(again) }).to.deep.equal({ status: 409, message: ALREADY });
        const siti2 = await w.post(siti, sitiPage, '/admin/peran/cabut', { id: String(grantsNow.at(-1)!.id), reason: REVOKE_REASON });
        expect(siti2.status, 'a reviewer cannot revoke either').to.equal(403);
        const shortRevoke = await w.post(andi, page, '/admin/peran/cabut', { id: String(grantsNow.at(-1)!.id), reason: 'selesai' });
        expect({ status: shortRevoke.status, message: textOf(shortRevoke, '#revoke-error') }).to.deep.equal({ status: 400, message: REASON_SHORT });
        const unknown = await w.post(andi, page, '/admin/peran/cabut', { id: '999999', reason: REVOKE_REASON });
        expect({ status: unknown.status, message: alertOf(unknown) }).to.deep.equal({ status: 404, message: 'Pemberian peran itu tidak ada.' });
        const revokeNoCsrf = await w.post(andi, page, '/admin/peran/cabut', { id: String(grantsNow.at(-1)!.id), reason: REVOKE_REASON, _csrf: 'x' });
        expect(revokeNoCsrf.status).to.equal(403);

        expect(await w.grants(), 'only the one good grant').to.deep.equal(grantsNow);
        expect(await w.audit('role.granted')).to.have.length(recordsBefore + 1);
        expect(await w.audit('role.revoked')).to.have.length(1); // the first test's
        expect(await w.op.satu.knex('outbox')).to.have.length(outboxBefore + 1);
      });

      it('refuses an agency code, a parent or a circle the list cannot hold, with the reason, and saves nothing', async () => {
        const andi = newBrowser();
        const page = await w.visit(andi, '/admin/instansi', 'andi.wijaya');
        const first = await w.post(andi, page, '/admin/instansi', { code: 'BIDANG-A', name: 'Bidang A', parent: '', active: 'on' });
        expect(first.url).to.equal(w.url('/admin/instansi?done=BIDANG-A'));
        const second = await w.post(andi, page, '/admin/instansi', { code: 'BIDANG-B', name: 'Bidang B', parent: 'BIDANG-A', active: 'on' });
        expect(second.url).to.equal(w.url('/admin/instansi?done=BIDANG-B'));
        const records = (await w.audit('agency.saved')).length;

        const refusals: [string, Record<string, string>, string][] = [
          ['spaces', { code: 'DINAS BARU', name: 'Dinas Baru', parent: '' }, INVALID_CODE],
          ['star', { code: 'UPT*1', name: 'UPT Satu', parent: '' }, INVALID_CODE],
          ['leading dash', { code: '-UPT', name: 'UPT', parent: '' }, INVALID_CODE],
          ['slash', { code: 'UPT/1', name: 'UPT Satu', parent: '' }, INVALID_CODE],
          ['no name', { code: 'UPT-2', name: '  ', parent: '' }, 'Nama wajib diisi (paling banyak 255 karakter).'],
          ['unknown parent', { code: 'UPT-2', name: 'UPT Dua', parent: 'DINAS-FIKTIF' }, INVALID_PARENT],
          ['its own parent', { code: 'BIDANG-A', name: 'Bidang A', parent: 'BIDANG-A' }, INVALID_PARENT],
          ['a circle', { code: 'BIDANG-A', name: 'Bidang A', parent: 'BIDANG-B' }, INVALID_PARENT],
        ];
        for (const [name, fields, message] of refusals) {
          const refused = await w.post(andi, page, '/admin/instansi', { active: 'on', ...fields });
          expect({ status: refused.status, message: textOf(refused, '#agency-error') }, name).to.deep.equal({ status: 400, message });
        }
        const noCsrf = await w.post(andi, page, '/admin/instansi', { code: 'UPT-2', name: 'UPT Dua', parent: '', active: 'on', _csrf: '' });
        expect({ status: noCsrf.status, message: alertOf(noCsrf) }).to.deep.equal({ status: 403, message: CSRF });

        expect(await w.agency('BIDANG-A')).to.deep.include({ name: 'Bidang A', parent_code: null, source: 'console' });
        expect(await w.agency('BIDANG-B')).to.deep.include({ name: 'Bidang B', parent_code: 'BIDANG-A' });
        for (const code of ['UPT-2', 'DINAS BARU', 'UPT.1', '-UPT', 'UPT/1']) expect(await w.agency(code), code).to.equal(undefined);
        expect(await w.audit('agency.saved')).to.have.length(records);
      });

      it('an inactive agency takes no new agency administrator', async () => {
        const andi = newBrowser();
        const page = await w.visit(andi, '/admin/instansi', 'andi.wijaya');
        const off = await w.post(andi, page, '/admin/instansi', { code: 'KEC-SUKADAMAI', name: 'Kecamatan Sukadamai', parent: '' });
        expect(off.url).to.equal(w.url('/admin/instansi?done=KEC-SUKADAMAI'));
        expect(Boolean((await w.agency('KEC-SUKADAMAI'))!.active)).to.equal(false);
        const roles = await andi.open(w.url('/admin/peran'));
        expect(roles.doc.querySelectorAll('#agency option').map((o) => o.getAttribute('value')), 'not offered').not.to.include('KEC-SUKADAMAI');
        const before = await w.grants();
        const refused = await w.post(andi, roles, '/admin/peran/beri', { login: 'melkianus.mandagi', role: 'agencyAdministrator', agency: 'KEC-SUKADAMAI', until: '', reason: REASON });
        expect({ status: refused.status, message: textOf(refused, '#grant-error') }).to.deep.equal({
          status: 400,
          message: 'Perangkat daerah "KEC-SUKADAMAI" tidak dikenal atau tidak aktif. Lihat daftar perangkat daerah.',
        });
        expect(await w.grants()).to.deep.equal(before);
        const [record] = await w.audit('agency.saved');
        expect(record).to.deep.include({ subject: 'agency:KEC-SUKADAMAI' });
        expect(record!.details).to.deep.equal({ agency: 'KEC-SUKADAMAI', before: { name: 'Kecamatan Sukadamai', parent: null, active: true }, after: { name: 'Kecamatan Sukadamai', parent: null, active: false } });
      });

      // A double click on "Beri peran" sends the form twice at once; the duplicate rule must hold for concurrent requests
      // too, or revoking "the" grant later leaves an identical one in force.
      it('a grant sent several times at once is made once; the others are duplicates (409)', async () => {
        const andi = newBrowser();
        const page = await w.visit(andi, '/admin/peran', 'andi.wijaya');
        const form = { login: 'sri.purnomo', role: 'helpdesk', agency: '', until: '', reason: 'Piket helpdesk Dinas Pendidikan' };
        const answers = await Promise.all([1, 2, 3].map(() => w.post(andi, page, '/admin/peran/beri', form)));
        const live = (await w.grantsOf('sri.purnomo')).filter((g) => g.revoked_at === null);
        const records = (await w.audit('role.granted')).filter((r) => (r.details as { role: string }).role === 'helpdesk' && r.subject === `directory:${sample('sri.purnomo').entryUUID}`);
        expect({ statuses: answers.map((a) => a.status).sort(), grants: live.length, records: records.length, mails: (await w.outboxTo('sri.purnomo@contoh.go.id')).length }).to.deep.equal({
          statuses: [200, 409, 409],
          grants: 1,
          records: 1,
          mails: 1,
        });
      });

      // Two administrators setting opposite parents at the same moment: each check passes alone, together they close a circle.
      it('opposite parents saved at the same moment never make a circle', async () => {
        const andi = newBrowser();
        const page = await w.visit(andi, '/admin/instansi', 'andi.wijaya');
        const circles: string[] = [];
        for (let i = 0; i < 5; i++) {
          const [a, b] = [`SEKSI-A${i}`, `SEKSI-B${i}`];
          for (const code of [a, b]) await w.post(andi, page, '/admin/instansi', { code, name: `Seksi ${code}`, parent: '', active: 'on' });
          const answers = await Promise.all([
            w.post(andi, page, '/admin/instansi', { code: a, name: `Seksi ${a}`, parent: b, active: 'on' }),
            w.post(andi, page, '/admin/instansi', { code: b, name: `Seksi ${b}`, parent: a, active: 'on' }),
          ]);
          const [ra, rb] = [await w.agency(a), await w.agency(b)];
          if (ra!.parent_code === b && rb!.parent_code === a) circles.push(`${a} ⇄ ${b} (answers ${answers.map((x) => x.status).join(', ')})`);
        }
        expect(circles, 'agency pairs left as each other’s parent').to.deep.equal([]);
      });

      // Last in this world: it moves the clock two days on.
      it('a grant with an end date stops counting once that day has passed (WIB), with no write', async () => {
        const andi = newBrowser();
        const page = await w.visit(andi, '/admin/peran', 'andi.wijaya');
        const until = wibDate(w.time.clock.now(), 1);
        const done = await w.post(andi, page, '/admin/peran/beri', { login: 'lina.hutapea', role: 'helpdesk', agency: '', until, reason: 'Piket helpdesk pengganti selama cuti' });
        expect(done.url).to.equal(w.url('/admin/peran?done=granted&name=lina.hutapea'));
        const [grant] = await w.grantsOf('lina.hutapea');
        const end = `${until}T16:59:59.000Z`; // 23:59:59 WIB
        expect(new Date(grant!.expires_at as string).toISOString()).to.equal(end);
        const [record] = (await w.audit('role.granted')).filter((r) => r.details && (r.details as { grantId: number }).grantId === grant!.id);
        expect(record!.details).to.deep.equal({ grantId: grant!.id, role: 'helpdesk', reason: 'Piket helpdesk pengganti selama cuti', expiresAt: end, before: [], after: ['helpdesk'] });

        const lina = newBrowser();
        const home = await w.visit(lina, '/admin', 'lina.hutapea');
        expect(home.url).to.equal(w.url('/admin'));
        expect(textOf(home, '#roles')).to.equal('Helpdesk');
        expect((await lina.open(w.url('/admin/orang?login=rudi.hartono'))).status).to.equal(200);

        w.time.advance(2 * 24 * 60);
        const person = await w.visit(andi, '/admin/orang?login=lina.hutapea', 'andi.wijaya');
        expect(textOf(person, '#roles')).to.equal('Tidak memegang peran global.');
        const roles = await andi.open(w.url('/admin/peran'));
        expect(roles.doc.querySelector(`#grant-${grant!.id}`), 'not listed as live').to.equal(null);
        expect(textOf(roles, '#ended')).to.contain('lina.hutapea: Helpdesk');
        // A new sign-in to the console is refused by its access rule.
        const again = await w.visit(newBrowser(), '/admin', 'lina.hutapea');
        expect({ status: again.status, title: textOf(again, 'h1') }).to.deep.equal({ status: 403, title: NO_ACCESS });
        expect((await w.grantsOf('lina.hutapea'))[0], 'the row is as the administrator left it').to.deep.equal(grant);
        expect(await w.audit('role.revoked')).to.have.length(1);
      });
    });

    describe('with two administrators in the configuration', () => {
      const w = world(store, { roles: { administrator: [{ login: 'andi.wijaya' }, { login: 'heru.handoko' }], reviewer: [{ login: 'siti.rahmawati' }] } });
      before(function () {
        return w.start(this);
      });
      after(() => w.stop());

      it("nobody grants or revokes their own role: another administrator's grant to andi stands until that one ends it", async () => {
        // Andi is in the console before the grant; it counts from his next request.
        const andi = newBrowser();
        const before = await w.visit(andi, '/admin', 'andi.wijaya');
        expect(before.doc.querySelectorAll('#roles li').map((li) => li.text.trim())).to.deep.equal(['Administrator']);
        const heru = newBrowser();
        const heruPage = await w.visit(heru, '/admin/peran', 'heru.handoko');
        expect(textOf(heruPage, '#configured')).to.contain('andi.wijaya: Administrator').and.contain('heru.handoko: Administrator').and.contain('siti.rahmawati: Peninjau aplikasi');
        const granted = await w.post(heru, heruPage, '/admin/peran/beri', { login: 'andi.wijaya', role: 'auditor', agency: '', until: '', reason: 'Audit internal semester II 2026' });
        expect(granted.url).to.equal(w.url('/admin/peran?done=granted&name=andi.wijaya'));
        const [grant] = await w.grantsOf('andi.wijaya');
        const [record] = await w.audit('role.granted');
        expect(record!.details).to.deep.include({ role: 'auditor', before: ['administrator'], after: ['administrator', 'auditor'] });

        const home = await andi.open(w.url('/admin'));
        expect(home.doc.querySelectorAll('#roles li').map((li) => li.text.trim())).to.deep.equal(['Administrator', 'Auditor']);
        const andiPage = await andi.open(w.url('/admin/peran'));
        expect(textOf(andiPage, `#grant-${grant!.id}`)).to.contain('andi.wijaya').and.contain('Auditor');
        const revokeOwn = await w.post(andi, andiPage, '/admin/peran/cabut', { id: String(grant!.id), reason: 'Tidak perlu lagi, audit selesai' });
        expect({ status: revokeOwn.status, message: alertOf(revokeOwn) }).to.deep.equal({ status: 403, message: SELF });
        const grantOwn = await w.post(andi, andiPage, '/admin/peran/beri', { login: 'andi.wijaya', role: 'helpdesk', agency: '', until: '', reason: 'Piket helpdesk akhir pekan' });
        expect({ status: grantOwn.status, message: alertOf(grantOwn) }).to.deep.equal({ status: 403, message: SELF });
        expect(await w.grantsOf('andi.wijaya')).to.deep.equal([grant]);
        expect(await w.audit('role.revoked')).to.deep.equal([]);

        // Only one's own roles are closed to him: the other administrator's are not.
        const forHeru = await w.post(andi, andiPage, '/admin/peran/beri', { login: 'heru.handoko', role: 'auditor', agency: '', until: '', reason: 'Audit internal semester II 2026' });
        expect(forHeru.url).to.equal(w.url('/admin/peran?done=granted&name=heru.handoko'));

        const revoked = await w.post(heru, heruPage, '/admin/peran/cabut', { id: String(grant!.id), reason: 'Audit internal selesai, laporan diserahkan' });
        expect(revoked.url).to.equal(w.url('/admin/peran?done=revoked'));
        const [ended] = await w.audit('role.revoked');
        expect(ended).to.deep.include({ actor: await w.subOf('heru.handoko'), subject: await w.subOf('andi.wijaya') });
        expect(ended!.details).to.deep.include({ before: ['administrator', 'auditor'], after: ['administrator'] });
      });
    });
  });
}
