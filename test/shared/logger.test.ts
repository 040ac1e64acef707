import { Writable } from 'node:stream';
import { expect } from 'chai';
import { createLogger } from '../../src/shared/logger.ts';

/** A logger writing into an array of parsed lines. */
const capture = () => {
  const lines: string[] = [];
  const stream = new Writable({ write: (chunk: Buffer, _enc, done) => (lines.push(chunk.toString()), done()) });
  return { logger: createLogger('info', stream), text: () => lines.join('') };
};

// Issue 8 §4: an error about a malformed URL printed the whole request URL, id_token_hint included.
describe('logs redact tokens, codes and hints wherever a URL appears', () => {
  const hint = 'eyJhbGciOiJFUzI1NiJ9.eyJzdWIiOiJ4In0.c2lnbmF0dXJl';

  it("in an error's message and its properties (an Invalid URL error's input)", () => {
    const { logger, text } = capture();
    let err: unknown;
    try {
      new URL(`http://[::1/session/end?id_token_hint=${hint}&post_logout_redirect_uri=https%3A%2F%2Fa.contoh.go.id`);
    } catch (e) {
      err = e;
    }
    expect((err as { input?: string }).input).to.contain(hint); // what would have been logged
    logger.error({ err, path: `/session/end?id_token_hint=${hint}` }, `failed at /auth?code=abc123&state=s3cr3t`);
    const out = text();
    expect(out).not.to.contain(hint).and.not.to.contain('abc123').and.not.to.contain('s3cr3t');
    expect(out).to.contain('id_token_hint=[redacted]').and.to.contain('post_logout_redirect_uri=https');
  });

  it('in any field, nested, and keeps what is not a secret', () => {
    const { logger, text } = capture();
    logger.warn({ request: { url: `/token?refresh_token=rt-value&client_id=app-a`, body: 'grant_type=authorization_code&code=the-code&code_verifier=the-verifier' } }, 'x');
    const out = text();
    for (const secret of ['rt-value', 'the-code', 'the-verifier']) expect(out).not.to.contain(secret);
    expect(out).to.contain('client_id=app-a').and.to.contain('grant_type=authorization_code');
  });

  // Review finding: the redaction rebuilt objects from their own properties, so every Error lost its message and stack.
  it('keeps what an error says (type, message, stack) and dates, redacted', () => {
    const { logger, text } = capture();
    const err = Object.assign(new TypeError(`bad request /auth?code=abc123`), { code: 'E1' });
    logger.error({ err, at: new Date('2026-11-27T00:00:00Z'), url: new URL('https://sso.contoh.go.id/cb?state=s3cr3t') }, 'failed');
    const line = JSON.parse(text()) as { err: { type: string; message: string; stack: string; code: string }; at: string; url: string };
    expect(line.err).to.include({ type: 'TypeError', message: 'bad request /auth?code=[redacted]', code: 'E1' });
    expect(line.err.stack).to.contain('TypeError: bad request /auth?code=[redacted]');
    expect(line.at).to.equal('2026-11-27T00:00:00.000Z');
    expect(line.url).to.equal('https://sso.contoh.go.id/cb?state=[redacted]');
  });

  it('redacts an Error logged on its own, message included', () => {
    const { logger, text } = capture();
    logger.error(new Error('failed at /auth?code=abc123&state=s1'));
    const line = JSON.parse(text()) as { msg: string; err: { message: string } };
    expect(line.msg).to.equal('failed at /auth?code=[redacted]&state=[redacted]');
    expect(line.err.message).to.equal(line.msg);
    expect(text()).not.to.contain('abc123');
  });
});
