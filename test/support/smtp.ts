import { SMTPServer } from 'smtp-server';
import { freePort } from './processes.ts';

/** A real SMTP server on `port` (else a free local one), keeping what it receives (quoted-printable soft line breaks undone). */
export const startMailbox = async (port?: number) => {
  port ??= await freePort();
  const mails: { to: string; data: string }[] = [];
  const server = new SMTPServer({
    authOptional: true,
    disabledCommands: ['STARTTLS', 'AUTH'],
    onData(stream, session, callback) {
      let data = '';
      stream.on('data', (chunk: Buffer) => (data += chunk.toString('utf8')));
      stream.on('end', () => {
        mails.push({ to: session.envelope.rcptTo.map((r) => r.address).join(','), data: data.replace(/=\r?\n/g, '') });
        callback();
      });
    },
  });
  await new Promise<void>((resolve) => server.listen(port, '127.0.0.1', resolve));
  return { url: `smtp://127.0.0.1:${port}`, port, mails, close: () => new Promise<void>((resolve) => server.close(() => resolve())) };
};

export type Mailbox = Awaited<ReturnType<typeof startMailbox>>;
