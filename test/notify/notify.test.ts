import { expect } from 'chai';
import { SMTPServer } from 'smtp-server';
import { actors, registration as sampleRegistration } from '../support/apps.ts';
import { newBrowser } from '../support/flow.ts';
import { createPhone, steppingClock } from '../support/phone.ts';
import { freePort } from '../support/processes.ts';
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
    let server: SMTPServer;
    let port: number;
    const received: { to: string; data: string }[] = [];

    before(async () => {
      port = await freePort();
      server = new SMTPServer({
        authOptional: true,
        disabledCommands: ['STARTTLS', 'AUTH'],
        onData(stream, session, callback) {
          let data = '';
          stream.on('data', (chunk: Buffer) => (data += chunk.toString('utf8')));
          stream.on('end', () => {
            received.push({ to: session.envelope.rcptTo.map((r) => r.address).join(','), data });
            callback();
          });
        },
      });
      await new Promise<void>((resolve) => server.listen(port, '127.0.0.1', resolve));
      op = await startProvider({ mail: { smtpUrl: `smtp://127.0.0.1:${port}`, from: 'Satu Akun <no-reply@contoh.go.id>', reviewers: ['aplikasi@contoh.go.id'] } });
    });
    after(async () => {
      await op?.stop();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    });

    it('sends the messages and marks them sent', async () => {
      const clientId = await submitAndApprove(op);
      await op.satu.notifier.flush();
      expect(received.map((r) => r.to)).to.include.members(['aplikasi@contoh.go.id', 'pengelola.posyandu@contoh.go.id']);
      // Quoted-printable wraps long lines with soft breaks.
    expect(received.find((r) => r.to === 'aplikasi@contoh.go.id')!.data.replace(/=\r?\n/g, '')).to.contain(clientId);
      const rows = (await op.satu.knex('outbox').select('sent_at', 'recipient')) as { sent_at: unknown }[];
      expect(rows.length).to.be.at.least(2);
      expect(rows.every((r) => r.sent_at !== null)).to.equal(true);
    });

    it('keeps a message that could not be sent, with the error, and sends it once the server is back', async () => {
      await new Promise<void>((resolve) => server.close(() => resolve()));
      const clientId = await op.satu.apps.createDraft(developer, registration());
      await op.satu.apps.submit(developer, clientId);
      await op.satu.notifier.flush();
      const waiting = (await op.satu.notifier.latest()).find((m) => m.body.includes(clientId))!;
      expect(waiting.sentAt).to.equal(null);
      expect(waiting.attempts).to.be.at.least(1);
      expect(waiting.lastError).to.be.a('string');

      server = new SMTPServer({ authOptional: true, disabledCommands: ['STARTTLS', 'AUTH'], onData: (stream, session, callback) => {
        stream.on('data', () => undefined);
        stream.on('end', () => {
          received.push({ to: session.envelope.rcptTo.map((r) => r.address).join(','), data: '' });
          callback();
        });
      } });
      await new Promise<void>((resolve) => server.listen(port, '127.0.0.1', resolve));
      await op.satu.notifier.flush();
      const sent = (await op.satu.notifier.latest()).find((m) => m.id === waiting.id)!;
      expect(sent.sentAt).to.be.instanceOf(Date);
    });
  });
});
