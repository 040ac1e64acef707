import type { Knex } from 'knex';
import type { Transporter } from 'nodemailer';
import type { Clock } from '../shared/clock.ts';
import type { Logger } from '../shared/logger.ts';
import type { Message, OutboxRepo } from './outbox.repo.ts';

const SEND_INTERVAL_MS = 30_000;
const MAX_ATTEMPTS = 10;
const BATCH = 50;
/** Longer than any SMTP exchange: a claim outlives its send, and a dead instance's claim expires for the next run. */
const CLAIM_LEASE_MS = 5 * 60_000;

/**
 * Notifications by e-mail. A message is stored in the outbox in the same transaction as the change it tells about,
 * so none is lost; with SMTP configured (nodemailer) a sender delivers them, retrying failures; without it they wait
 * in the outbox, which administrators read in the admin console.
 */
export const createNotifier = (deps: { repo: OutboxRepo; clock: Clock; logger: Logger; smtpUrl?: string | undefined; from: string }) => {
  const { repo, smtpUrl } = deps;
  // nodemailer (some 40 modules) is loaded at the first message to send, not at start: most runs send none.
  let transport: Promise<Transporter> | undefined;
  const mailer = () => (transport ??= import('nodemailer').then((m) => m.default.createTransport(smtpUrl!)));
  let timer: NodeJS.Timeout | undefined;
  let sending: Promise<number> | undefined;

  const sendWaiting = async (): Promise<number> => {
    let count = 0;
    const waiting = await repo.unsent(MAX_ATTEMPTS, BATCH, deps.clock.now());
    const mail = waiting.length ? await mailer() : undefined;
    for (const message of waiting) {
      // Another instance may have read the same batch: only the one whose claim succeeds sends.
      if (!(await repo.claim(message.id, deps.clock.now(), CLAIM_LEASE_MS))) continue;
      try {
        await mail!.sendMail({ from: deps.from, to: message.recipient, subject: message.subject, text: message.body });
        await repo.sent(message.id, deps.clock.now());
        count++;
      } catch (err) {
        // The SMTP URL may hold a password: log the message id and the error only.
        deps.logger.warn({ id: message.id, err: (err as Error).message }, 'notification not sent, will retry');
        await repo.failed(message.id, (err as Error).message);
      }
    }
    return count;
  };

  /**
   * Sends what waits; resolves when everything stored before the call has been tried. One run at a time: a call
   * during a run queues one more run after it.
   */
  const flush = (): Promise<number> => {
    if (!smtpUrl) return Promise.resolve(0);
    const run = (sending ?? Promise.resolve(0)).catch(() => 0).then(sendWaiting);
    sending = run;
    void run.finally(() => {
      if (sending === run) sending = undefined;
    }).catch(() => undefined);
    return run;
  };

  return {
    /** Stores messages in the caller's transaction. Call `flush()` after it commits. */
    enqueue: (messages: Message[], trx: Knex) => repo.add(messages, deps.clock.now(), trx),
    flush,
    latest: (limit = 100) => repo.latest(limit),
    smtp: !!smtpUrl,
    start() {
      if (!smtpUrl) return;
      timer = setInterval(() => void flush().catch((err: unknown) => deps.logger.warn({ err: (err as Error).message }, 'outbox run failed')), SEND_INTERVAL_MS);
      timer.unref();
    },
    async close() {
      if (timer) clearInterval(timer);
      await sending?.catch(() => undefined);
      (await transport?.catch(() => undefined))?.close();
    },
  };
};

export type Notifier = ReturnType<typeof createNotifier>;
