import { expect } from 'chai';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createAuditRepo } from '../../src/audit/audit.repo.ts';
import { createAuditService, hashRecord, type AuditEvent } from '../../src/audit/audit.service.ts';
import type { AuditRow } from '../../src/audit/audit.repo.ts';
import { runAuditVerify } from '../../src/cli/audit-verify.ts';
import { createLogger } from '../../src/shared/logger.ts';
import type { Browser, Page } from '../support/browser.ts';
import { newBrowser } from '../support/flow.ts';
import { createPhone, steppingClock } from '../support/phone.ts';
import { manualClock } from '../support/clock.ts';
import type { TestProvider } from '../support/provider.ts';
import { STORES, startProviderOn } from '../support/stores.ts';
import { captureOutput } from '../support/console.ts';

const ROLES = {
  administrator: [{ login: 'andi.wijaya' }],
  auditor: [{ login: 'bambang.susilo' }],
  agencyAdministrator: [{ login: 'rudi.hartono', agency: 'DISDIK' }],
};
const textOf = (page: Page, selector: string) => page.doc.querySelector(selector)?.text.replace(/\s+/g, ' ').trim();
const seqsOf = (page: Page) => page.doc.querySelectorAll('#records tbody tr').map((tr) => Number(tr.getAttribute('id')!.slice('record-'.length)));
const cells = (page: Page, seq: number) => page.doc.querySelectorAll(`#record-${seq} td`).map((td) => td.text.replace(/\s+/g, ' ').trim());

/** Captures what `run` prints (the CLI prints its report). */
const captured = captureOutput;

for (const store of [STORES.SQLite, STORES['PostgreSQL + Redis']]) {
  describe(`audit viewer on ${store.name}`, () => {
    const time = steppingClock();
    const phone = createPhone(time);
    let op: TestProvider;
    let dir: string;
    const url = (path: string) => `${op.local}${path}`;
    const visit = async (browser: Browser, path: string, username: string) => phone.through(browser, await browser.open(url(path)), username);
    const subOf = async (username: string) => ((await op.satu.knex('accounts').where({ username }).first()) as { sub: string }).sub;
    const records = (event: string) => op.satu.audit.list({ event });
    const auditor = newBrowser();
    let dewi: string;
    let irfan: string;
    /** Appends records as of `at` (a second clock on the same chain), as the trail would hold them from earlier days. */
    const seed = async (at: string, events: AuditEvent[]) => {
      const clock = manualClock(at);
      const audit = createAuditService({ repo: createAuditRepo(op.satu.knex), clock, logger: createLogger('silent') });
      const seqs: number[] = [];
      for (const e of events) {
        seqs.push((await audit.record(e)).seq);
        clock.move(1000);
      }
      return seqs;
    };

    before(async function () {
      this.timeout(120_000);
      op = await startProviderOn(this, store, { roles: ROLES }, { clock: time.clock });
      dir = mkdtempSync(join(tmpdir(), 'satu-akun-viewer-'));
      // Accounts exist once people have signed in: their names come from there.
      await visit(newBrowser(), '/akun', 'dewi.lestari');
      await visit(newBrowser(), '/akun', 'irfan.koto');
      dewi = await subOf('dewi.lestari');
      irfan = await subOf('irfan.koto');
      await seed('2026-03-01T01:00:00.000Z', [
        { event: 'signin.failure', actor: 'dewi.lestari', clientId: 'app-a', ip: '10.0.0.9', details: { reason: 'invalid_credentials' } },
        { event: 'signin.success', actor: dewi, subject: dewi, clientId: 'app-a', ip: '10.0.0.9' },
        { event: 'signin.success', actor: irfan, subject: irfan, clientId: 'app-b', ip: '10.0.0.7' },
        // A failed sign-in records the login as typed: here a spreadsheet formula.
        { event: 'signin.failure', actor: '=HYPERLINK("http://x","y")', clientId: 'app-a', ip: '10.0.0.8', details: { reason: 'invalid_credentials' } },
      ]);
      await seed('2026-03-02T01:00:00.000Z', [
        { event: 'role.granted', actor: dewi, subject: `directory:${(await op.satu.knex('accounts').where({ sub: irfan }).first()).directory_id}`, clientId: 'satu-akun-admin', ip: '10.0.0.1', details: { grantId: 7, role: 'helpdesk', reason: 'SK 800/1/2026 tentang helpdesk', before: ['developer'], after: ['developer', 'helpdesk'] } },
        { event: 'mfa.failed', actor: irfan, subject: irfan, clientId: 'app-l2', ip: '10.0.0.7', details: { method: 'totp', reason: 'invalid' } },
      ]);
      // Enough of one person's records for three pages.
      await seed('2026-03-03T01:00:00.000Z', Array.from({ length: 110 }, () => ({ event: 'logout' as const, actor: dewi, subject: dewi, clientId: 'app-a', ip: '10.0.0.9' })));
      const home = await visit(auditor, '/admin', 'bambang.susilo');
      expect(home.doc.querySelectorAll('#tools a').map((a) => a.getAttribute('href'))).to.include('/admin/audit');
    });
    after(async () => {
      await op?.stop();
      if (dir) rmSync(dir, { recursive: true, force: true });
    });

    it('filters by person (login resolved to their records), event prefix, result, dates in WIB and app; each reading is audited', async () => {
      const page = await auditor.open(url('/admin/audit?subject=irfan.koto&from=2026-03-01&to=2026-03-02'));
      expect(page.status).to.equal(200);
      expect(textOf(page, 'h1')).to.equal('Jejak audit');
      expect(page.doc.querySelector('form#verify')!.getAttribute('action'), 'an auditor may start a check from here').to.equal('/admin/audit/pemeriksaan');
      const seqs = seqsOf(page);
      expect(seqs).to.have.length(3);
      // The role grant names Irfan by his directory id; the row names him by name and agency.
      expect(cells(page, seqs[0]!).slice(1)).to.deep.equal(['Verifikasi dua langkah gagal', 'Irfan Koto (Dinas Pendidikan)', 'Irfan Koto (Dinas Pendidikan)', 'Aplikasi Tingkat 2', 'Gagal']);
      expect(cells(page, seqs[1]!).slice(1, 4)).to.deep.equal(['Peran global diberikan', 'Dewi Lestari (Dinas Kesehatan)', 'Irfan Koto (Dinas Pendidikan)']);
      expect(cells(page, seqs[0]!)[0]).to.match(/^2 Mar 2026, 08\.00 WIB$/);

      const viewed = (await records('audit.viewed'))[0]!;
      expect(viewed).to.deep.include({ actor: await subOf('bambang.susilo'), subject: irfan, client_id: 'satu-akun-admin' });
      expect(viewed.details).to.deep.equal({ filter: { subject: 'irfan.koto', from: '2026-03-01', to: '2026-03-02' } });

      // `to` is an inclusive day: 2 March WIB ends at 17:00 UTC, so only the first day's records are left without it.
      expect(seqsOf(await auditor.open(url('/admin/audit?subject=irfan.koto&to=2026-03-01')))).to.have.length(1);
      const failures = await auditor.open(url('/admin/audit?result=failure&event=signin.*&to=2026-03-02'));
      expect(seqsOf(failures).map((s) => cells(failures, s)[2])).to.deep.equal(['=HYPERLINK("http://x","y")', 'dewi.lestari']);
      const mfa = await auditor.open(url('/admin/audit?event=mfa.*&app=app-l2'));
      expect(seqsOf(mfa)).to.have.length(1);
      const byActor = await auditor.open(url('/admin/audit?actor=dewi.lestari&event=signin.failure'));
      expect(seqsOf(byActor), 'the login as typed at a failed sign-in').to.have.length(1);
    });

    it('pages newest first by seq with "Lebih lama", 50 at a time, nothing repeated or skipped', async () => {
      const first = await auditor.open(url('/admin/audit?event=logout&subject=dewi.lestari'));
      const a = seqsOf(first);
      expect(a).to.have.length(50);
      const older = first.doc.querySelector('#older')!.getAttribute('href')!;
      expect(older).to.equal(`/admin/audit?event=logout&subject=dewi.lestari&before=${a.at(-1)}`);
      const second = await auditor.open(url(older));
      const b = seqsOf(second);
      const third = await auditor.open(url(second.doc.querySelector('#older')!.getAttribute('href')!));
      const c = seqsOf(third);
      expect(third.doc.querySelector('#older')).to.equal(null);
      const all = [...a, ...b, ...c];
      expect(all).to.have.length(110);
      expect(all).to.deep.equal([...all].sort((x, y) => y - x));
      expect(new Set(all).size).to.equal(110);
    });

    it('refuses unreadable filters with a readable page, not a 500', async () => {
      for (const [query, message] of [
        ['from=2026-02-31', 'Tanggal harus berformat TTTT-BB-HH'],
        ['from=2026-03-05&to=2026-03-01', 'Tanggal akhir tidak boleh sebelum tanggal awal.'],
        ['event=signin.%25', 'Jenis kejadian tidak dikenal'],
        ['result=maybe', 'Hasil harus'],
        ['before=abc', 'Alamat halaman ini tidak valid'],
      ]) {
        const page = await auditor.open(url(`/admin/audit?${query}`));
        expect(page.status, query).to.equal(400);
        expect(textOf(page, '#filter-error'), query).to.contain(message);
      }
      expect((await auditor.open(url('/admin/audit/ekspor.csv?from=kemarin'))).status).to.equal(400);
      expect((await auditor.open(url('/admin/audit/abc'))).status).to.equal(404);
      expect((await auditor.open(url('/admin/audit/999999'))).status).to.equal(404);
    });

    it('shows a record in words: details, the change as a difference, its place in the chain', async () => {
      const [grant] = await records('role.granted');
      const page = await auditor.open(url(`/admin/audit/${grant!.seq}?lang=en`));
      expect(page.status).to.equal(200);
      expect(textOf(page, '#what')).to.equal('Global role granted');
      const terms = page.doc.querySelectorAll('#details dt').map((dt) => dt.text);
      const values = page.doc.querySelectorAll('#details dd').map((dd) => dd.text.trim());
      expect(Object.fromEntries(terms.map((t, i) => [t, values[i]]))).to.deep.equal({ grantId: '7', reason: 'SK 800/1/2026 tentang helpdesk', role: 'helpdesk' });
      expect(page.doc.querySelectorAll('#changes tbody tr').map((tr) => tr.text.replace(/\s+/g, ' ').trim())).to.deep.equal(['list item — helpdesk (added)']);
      expect(textOf(page, '#recomputes')).to.contain('it matches');
      expect(textOf(page, '#follows')).to.contain('previous hash matches');
      expect(page.doc.querySelector('a[rel=prev]')!.getAttribute('href')).to.equal(`/admin/audit/${grant!.seq - 1}`);
      expect(page.html).to.contain(grant!.hash).and.contain(grant!.prev_hash);
      const viewed = (await records('audit.viewed'))[0]!;
      expect(viewed.details).to.deep.equal({ seq: grant!.seq });
    });

    it('shows an agency administrator only the records about their agency', async () => {
      const rudi = newBrowser();
      const page = await visit(rudi, '/admin/audit?to=2026-03-02', 'rudi.hartono');
      expect(page.url).to.equal(url('/admin/audit?to=2026-03-02'));
      const shown = seqsOf(page).map((s) => cells(page, s)[3]);
      expect(shown).to.deep.equal(['Irfan Koto (Dinas Pendidikan)', 'Irfan Koto (Dinas Pendidikan)', 'Irfan Koto (Dinas Pendidikan)']);
      const [dewiSignin] = (await records('signin.success')).filter((r) => r.actor === dewi && r.at.startsWith('2026'));
      expect((await rudi.open(url(`/admin/audit/${dewiSignin!.seq}`))).status).to.equal(404);
      expect(page.doc.querySelector('#verify')).to.equal(null);
      // The auditor's agency filter: the same records.
      const disdik = await auditor.open(url('/admin/audit?agency=disdik&to=2026-03-02'));
      expect(seqsOf(disdik)).to.deep.equal(seqsOf(page));
    });

    it('exports the filtered records streamed, oldest first, with chain hashes: the JSON Lines file verifies offline; a changed line does not', async () => {
      const head = await op.satu.audit.head();
      const res = await auditor.request(url('/admin/audit/ekspor.jsonl?subject=irfan.koto'));
      expect(res.status).to.equal(200);
      expect(res.headers.get('content-type')).to.contain('application/x-ndjson');
      expect(res.headers.get('content-disposition')).to.match(/^attachment; filename="jejak-audit-\d{4}-\d{2}-\d{2}\.jsonl"$/);
      const body = await res.text();
      const [header, ...lines] = body.trim().split('\n').map((l) => JSON.parse(l));
      expect(header).to.deep.include({ format: 'satu-akun-audit-export/1', filter: { subject: 'irfan.koto' } });
      expect(header.head.seq).to.be.at.least(head.seq);
      expect(lines.length).to.be.at.least(3);
      expect(Object.keys(lines[0])).to.deep.equal(['seq', 'at', 'event', 'actor', 'subject', 'client_id', 'ip', 'details', 'prev_hash', 'hash']);
      expect(lines.map((l) => l.seq)).to.deep.equal([...lines.map((l) => l.seq)].sort((x, y) => x - y));
      for (const l of lines) expect(hashRecord(l)).to.equal(l.hash);
      const exported = (await records('audit.exported'))[0]!;
      expect(exported).to.deep.include({ actor: await subOf('bambang.susilo'), subject: irfan });
      expect(exported.details).to.deep.equal({ format: 'jsonl', filter: { subject: 'irfan.koto' }, records: lines.length });

      const file = join(dir, 'irfan.jsonl');
      writeFileSync(file, body);
      const intact = await captured(() => runAuditVerify(['--file', file]));
      expect(intact.code, intact.out).to.equal(0);
      expect(intact.out).to.contain(`${lines.length} records`).and.contain('gaps').and.contain('INTACT');

      const tampered = join(dir, 'tampered.jsonl');
      writeFileSync(tampered, body.replace('"ip":"10.0.0.7"', '"ip":"10.0.0.6"'));
      const broken = await captured(() => runAuditVerify(['--file', tampered]));
      expect(broken.code, broken.out).to.equal(1);
      expect(broken.out).to.contain('TAMPERED').and.contain('hash_mismatch');
      expect((await captured(() => runAuditVerify(['--file', join(dir, 'missing.jsonl')]))).code).to.equal(2);
    });

    it('exports CSV with RFC 4180 quoting and spreadsheet formulas neutralised', async () => {
      const res = await auditor.request(url('/admin/audit/ekspor.csv?event=signin.failure&to=2026-03-01'));
      expect(res.headers.get('content-type')).to.contain('text/csv');
      const rows = (await res.text()).split('\r\n');
      expect(rows[0]).to.equal('seq,at,event,actor,subject,client_id,ip,details,prev_hash,hash');
      expect(rows[1]).to.match(/^\d+,2026-03-01T01:00:00\.000Z,signin\.failure,dewi\.lestari,,app-a,10\.0\.0\.9,"\{""reason"":""invalid_credentials""\}",[0-9a-f]{64},[0-9a-f]{64}$/);
      expect(rows[2]).to.contain(`,"'=HYPERLINK(""http://x"",""y"")",`);
      expect(rows.at(-1)).to.equal('');
    });

    it('runs the chain verification in the background for an auditor and shows its outcome, stored for every instance', async () => {
      const page = await auditor.open(url('/admin/audit/pemeriksaan?lang=id'));
      expect(textOf(page, '#chain-last')).to.equal('Rantai belum pernah diperiksa dari konsol.');
      const refused = await auditor.open(url('/admin/audit/pemeriksaan'), { method: 'POST', form: { _csrf: 'x' } });
      expect(refused.status).to.equal(403);
      const started = await auditor.submit(page, {}, '/admin/audit/pemeriksaan');
      expect(started.url).to.equal(url('/admin/audit/pemeriksaan?started=1'));
      await op.satu.chainVerifier.idle();
      const done = await auditor.open(url('/admin/audit/pemeriksaan'));
      expect(done.html).not.to.contain('http-equiv="refresh"');
      expect(textOf(done, '#chain-last')).to.match(/^Utuh: \d+ catatan diperiksa sampai catatan \d+, pada .* oleh Bambang Susilo \(Inspektorat Daerah\)\.$/);
      const [row] = await op.satu.knex('audit_verifications');
      expect(row).to.deep.include({ outcome: 'ok', started_by: await subOf('bambang.susilo') });
      // An agency administrator sees neither the whole chain's state nor its check, and cannot start one.
      const rudi = newBrowser();
      const rudiList = await visit(rudi, '/admin/audit', 'rudi.hartono');
      expect(rudiList.url).to.equal(url('/admin/audit'));
      expect(rudiList.doc.querySelector('#verify')).to.equal(null);
      expect(rudiList.doc.querySelector('#chain-last')).to.equal(null);
      expect((await rudi.open(url('/admin/audit/pemeriksaan'))).status).to.equal(403);
    });

    if (store.name === 'SQLite') {
      it('shows a run under way with its progress, refreshing every 2 s; a second click shows the same run', async function () {
        this.timeout(120_000);
        // A longer trail, so the run is still going when the page is asked for: records chained on from the head.
        const knex = op.satu.knex;
        const from = await op.satu.audit.head();
        const head = { seq: from.seq + 150_000, hash: from.hash };
        await knex.transaction(async (trx) => {
          let rows: AuditRow[] = [];
          for (let seq = from.seq + 1; seq <= head.seq; seq++) {
            const unsealed = { seq, at: '2026-03-05T00:00:00.000Z', event: 'logout', actor: dewi, subject: dewi, client_id: 'app-a', ip: '10.0.0.9', details: null, prev_hash: head.hash };
            head.hash = hashRecord(unsealed);
            rows.push({ ...unsealed, hash: head.hash });
            if (rows.length === 400 || seq === head.seq) {
              await trx('audit_log').insert(rows);
              rows = [];
            }
          }
          await trx('audit_head').where({ id: 1 }).update(head);
        });
        const page = await auditor.open(url('/admin/audit/pemeriksaan'));
        const running = await auditor.submit(page, {}, '/admin/audit/pemeriksaan');
        expect(running.url).to.equal(url('/admin/audit/pemeriksaan?started=1'));
        expect(running.html).to.contain('<meta http-equiv="refresh" content="2">');
        expect(textOf(running, '#done')).to.equal('Pemeriksaan dimulai.');
        expect(textOf(running, '#chain-running')).to.match(/^Pemeriksaan sedang berjalan \(dimulai .* oleh Bambang Susilo \(Inspektorat Daerah\)\): \d+ dari \d+ catatan\.$/);
        expect(running.doc.querySelector('#verify'), 'no second button while it runs').to.equal(null);
        const again = await auditor.open(url('/admin/audit/pemeriksaan'), { method: 'POST', form: { _csrf: running.doc.querySelector('nav.zone input[name=_csrf]')!.getAttribute('value')! } });
        expect(again.url).to.equal(url('/admin/audit/pemeriksaan?started=0'));
        expect(textOf(again, '#done')).to.equal('Pemeriksaan sudah berjalan.');
        await op.satu.chainVerifier.idle();
        const rows = await op.satu.knex('audit_verifications').orderBy('id');
        expect(rows.at(-1)).to.deep.include({ outcome: 'ok' });
        expect(Number(rows.at(-1).head_seq)).to.be.at.least(head.seq);
      });

      it('shows a record edited in the database as broken, and a verification run names it', async () => {
        const [failure] = (await records('signin.failure')).filter((r) => r.actor === 'dewi.lestari');
        await op.satu.knex('audit_log').where({ seq: failure!.seq }).update({ details: '{"reason":"throttled"}' });
        const page = await auditor.open(url(`/admin/audit/${failure!.seq}`));
        expect(textOf(page, '#broken')).to.contain('RUSAK');
        expect(page.doc.querySelector('#recomputes')!.getAttribute('class')).to.equal('alert');
        const verify = await auditor.open(url('/admin/audit/pemeriksaan'));
        await auditor.submit(verify, {}, '/admin/audit/pemeriksaan');
        await op.satu.chainVerifier.idle();
        const list = await auditor.open(url('/admin/audit?event=audit.exported'));
        expect(textOf(list, '#chain-last')).to.contain(`RUSAK`).and.contain(`catatan ${failure!.seq}`).and.contain('isi catatan diubah setelah ditulis');
      });
    }
  });
}
