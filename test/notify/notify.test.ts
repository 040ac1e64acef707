import { expect } from 'chai';
import { actors, registration as sampleRegistration } from '../support/apps.ts';
import { newBrowser } from '../support/flow.ts';
import { createPhone, steppingClock } from '../support/phone.ts';
import { startMailbox, type Mailbox } from '../support/smtp.ts';
import { startProvider, type TestProvider } from '../support/provider.ts';

const { developer, reviewer } = actors;
const registration = () =>
  sampleRegistration({
    name: 'Aplikasi Jadwal Posyandu',
    redirect_uris: ['https://posyandu.contoh.go.id/cb'],
    scopes: [{ scope: 'profile', purpose: 'Menampilkan nama kader' }],
    responsible_email: 'pengelola.posyandu@contoh.go.id',
  });

/** Submits and approves an app; returns its id. */
const submitAndApprove = async (op: TestProvider) => {
  const clientId = await op.satu.apps.createDraft(developer, registration());
  await op.satu.apps.submit(developer, clientId);
  await op.satu.apps.review(reviewer, clientId, { outcome: 'approved', reason: 'Data yang diminta sesuai tujuan', level: 1, scopes: ['openid', 'profile'], acceptedExceptions: [] });
  return clientId;
};

describe('notifications of app transitions', () => {
  describe('without SMTP: the outbox', () => {
    let op: TestProvider;
    const time = steppingClock();
    const phone = createPhone(time);
    before(async () => {
      op = await startProvider({}, { clock: time.clock });
    });
    after(() => op?.stop());

    it('stores a message for the reviewers on submission and for the person responsible on the decision', async () => {
      const clientId = await submitAndApprove(op);
      const messages = (await op.satu.notifier.latest()).filter((m) => m.body.includes(clientId) || m.subject.includes('Posyandu'));
      const toReviewer = messages.find((m) => m.recipient === 'siti.rahmawati@contoh.go.id');
      expect(toReviewer, 'the sample reviewer, from the directory').to.exist;
      expect(toReviewer!.subject).to.contain('Menunggu tinjauan').and.to.contain('Waiting for review');
      expect(toReviewer!.body).to.contain(`/admin/aplikasi/${clientId}`);
      const decision = messages.find((m) => m.recipient === 'pengelola.posyandu@contoh.go.id');
      expect(decision!.body).to.contain('disetujui').and.to.contain('approved').and.to.contain('Data yang diminta sesuai tujuan');
      expect(messages.every((m) => m.sentAt === null), 'nothing is sent without SMTP').to.equal(true);
    });

    it('shows the waiting messages to administrators in the admin console, and to nobody else', async () => {
      const browser = newBrowser();
      const page = await phone.through(browser, await browser.open(`${op.local}/admin/kotak-keluar`), 'andi.wijaya');
      expect(page.status).to.equal(200);
      expect(page.html).to.contain('SATU_AKUN_SMTP_URL');
      expect(page.html).to.contain('pengelola.posyandu@contoh.go.id');
      const reviewer = newBrowser();
      expect((await phone.through(reviewer, await reviewer.open(`${op.local}/admin/kotak-keluar`), 'siti.rahmawati')).status).to.equal(403);
    });
  });

  describe('with SMTP (a real SMTP server)', () => {
    let op: TestProvider;
    let box: Mailbox;

    before(async () => {
      box = await startMailbox();
      op = await startProvider({ mail: { smtpUrl: box.url, from: 'Satu Akun <no-reply@contoh.go.id>', reviewers: ['aplikasi@contoh.go.id'] } });
    });
    after(async () => {
      await op?.stop();
      await box?.close();
    });

    it('sends the messages and marks them sent', async () => {
      const clientId = await submitAndApprove(op);
      await op.satu.notifier.flush();
      expect(box.mails.map((r) => r.to)).to.include.members(['aplikasi@contoh.go.id', 'pengelola.posyandu@contoh.go.id']);
      expect(box.mails.find((r) => r.to === 'aplikasi@contoh.go.id')!.data).to.contain(clientId);
      const rows = (await op.satu.knex('outbox').select('sent_at', 'recipient')) as { sent_at: unknown }[];
      expect(rows.length).to.be.at.least(2);
      expect(rows.every((r) => r.sent_at !== null)).to.equal(true);
    });

    it('keeps a message that could not be sent, with the error, and sends it once the server is back', async () => {
      await box.close();
      const clientId = await op.satu.apps.createDraft(developer, registration());
      await op.satu.apps.submit(developer, clientId);
      await op.satu.notifier.flush();
      const waiting = (await op.satu.notifier.latest()).find((m) => m.body.includes(clientId))!;
      expect(waiting.sentAt).to.equal(null);
      expect(waiting.attempts).to.be.at.least(1);
      expect(waiting.lastError).to.be.a('string');

      box = await startMailbox(box.port);
      await op.satu.notifier.flush();
      const sent = (await op.satu.notifier.latest()).find((m) => m.id === waiting.id)!;
      expect(sent.sentAt).to.be.instanceOf(Date);
    });
  });
});
