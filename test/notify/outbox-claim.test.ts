import { expect } from 'chai';
import { pino } from 'pino';
import { migrate } from '../../src/db/knex.ts';
import { createNotifier } from '../../src/notify/notify.service.ts';
import { backends, fakeClock } from '../mfa/backends.ts';
import { startMailbox, type Mailbox } from '../support/smtp.ts';
import { createOutboxRepo } from '../../src/notify/outbox.repo.ts';

// Issue 8 §4: two instances reading the same batch each sent every message.
for (const backend of backends()) {
  describe(`outbox on ${backend.name}: two instances never send one message twice`, () => {
    let box: Mailbox;

    before(async () => {
      box = await startMailbox();
    });
    after(async () => {
      await box?.close();
      await backend.close();
    });

    it('sends each of 40 messages exactly once while two senders flush in parallel, repeatedly', async function () {
      this.timeout(60_000);
      const knex = await backend.open(this);
      try {
        await migrate(knex);
        const clock = fakeClock();
        const logger = pino({ level: 'silent' });
        const make = () => createNotifier({ repo: createOutboxRepo(knex), clock, logger, smtpUrl: box.url, from: 'Satu Akun <no-reply@contoh.go.id>' });
        const [a, b] = [make(), make()];
        const recipients = Array.from({ length: 40 }, (_, i) => `pegawai.${i}@contoh.go.id`);
        await knex.transaction((trx) => a.enqueue(recipients.map((recipient) => ({ recipient, subject: 'Uji', body: 'Isi' })), trx));
        await Promise.all([a.flush(), b.flush(), a.flush(), b.flush()]);
        expect(box.mails.map((m) => m.to).sort()).to.deep.equal([...recipients].sort());
        const rows = (await knex('outbox').select('sent_at', 'attempts', 'claimed_until')) as { sent_at: unknown; attempts: number; claimed_until: unknown }[];
        expect(rows.every((r) => r.sent_at !== null && Number(r.attempts) === 1 && r.claimed_until === null)).to.equal(true);
        await Promise.all([a.close(), b.close()]);
      } finally {
        await knex.destroy();
      }
    });
  });
}
