import { Writable } from 'node:stream';
import { expect } from 'chai';
import { DirectoryUnavailableError, type Directory } from '../../src/directory/directory.ts';
import { createLogger } from '../../src/shared/logger.ts';
import { authRequest, newBrowser, submitLogin } from '../support/flow.ts';
import { rp, startProvider, type TestProvider } from '../support/provider.ts';

type Line = Record<string, unknown> & { msg?: string; reqId?: string };

/** A logger writing parsed lines into `lines`, as the service's log would hold them. */
const capture = () => {
  const lines: Line[] = [];
  const stream = new Writable({ write: (chunk: Buffer, _enc, done) => (lines.push(JSON.parse(chunk.toString()) as Line), done()) });
  return { lines, logger: createLogger('info', stream) };
};

/** A directory that cannot answer (the server is down): sign-ins log an error and show the "unavailable" page. */
const downDirectory = (): Directory => {
  const down = async (): Promise<never> => {
    throw new DirectoryUnavailableError('connect ECONNREFUSED 10.0.0.9:636');
  };
  return { authenticate: down, verifyPassword: down, findUser: down, findById: down, check: down, close: async () => undefined };
};

const referenceOf = (html: string) => /class="muted reference"[^>]*>([\s\S]*?)<\/p>/.exec(html)?.[1] ?? '';

describe('request ids: in every log line of a request, and as the error page reference', () => {
  let op: TestProvider;
  const log = capture();
  before(async () => {
    // Behind a proxy, as production is: only then is an incoming X-Request-Id taken.
    op = await startProvider({ trustProxy: true }, { logger: log.logger, directory: downDirectory() });
  });
  after(() => op?.stop());

  it('gives a request an id, sends it back, shows it as the reference and logs the page with it', async () => {
    const res = await fetch(`${op.local}/tidak-ada`, { headers: { accept: 'text/html' } });
    expect(res.status).to.equal(404);
    const reqId = res.headers.get('x-request-id')!;
    expect(reqId).to.match(/^[0-9a-f]{12}$/);
    expect(referenceOf(await res.text())).to.contain(reqId);
    const lines = log.lines.filter((l) => l.reqId === reqId);
    expect(lines.map((l) => l.msg)).to.deep.equal(['error page']);
    expect(lines[0]).to.include({ reference: reqId, status: 404, path: '/tidak-ada' });
  });

  it("keeps a proxy's X-Request-Id of a safe shape, and replaces any other", async () => {
    const given = 'nginx-0123456789abcdef0123456789abcdef';
    const kept = await fetch(`${op.local}/tidak-ada`, { headers: { accept: 'text/html', 'x-request-id': given } });
    expect(kept.headers.get('x-request-id')).to.equal(given);
    expect(referenceOf(await kept.text())).to.contain(given);
    expect(log.lines.find((l) => l.msg === 'error page' && l.reqId === given)).to.not.equal(undefined);

    for (const bad of ['short', 'a'.repeat(65), 'with_underscore', 'with space here', '"quoted"-id-123']) {
      const res = await fetch(`${op.local}/healthz`, { headers: { 'x-request-id': bad } });
      const reqId = res.headers.get('x-request-id');
      expect(reqId, bad).to.match(/^[0-9a-f]{12}$/);
    }
    expect(JSON.stringify(log.lines)).not.to.contain('with_underscore');
  });

  it('ignores an X-Request-Id when no proxy is trusted: a caller cannot choose its reference', async () => {
    const direct = await startProvider();
    try {
      const res = await fetch(`${direct.local}/healthz`, { headers: { 'x-request-id': 'chosen-by-the-caller-123' } });
      expect(res.headers.get('x-request-id')).to.match(/^[0-9a-f]{12}$/);
    } finally {
      await direct.stop();
    }
  });

  it('carries the id on every line a failed sign-in writes, the error page included (an OIDC error page too)', async () => {
    const config = await rp(op.issuer, 'app-a');
    const browser = newBrowser();
    const page = await browser.open((await authRequest(config)).url.href);
    const before = log.lines.length;
    const answer = await submitLogin(browser, page, 'rudi.hartono', 'Rahasia-123');
    expect(answer.status).to.equal(503);
    // Lines of this request only: a timer (the directory sweep) may log meanwhile, without a request id.
    const written = log.lines.slice(before).filter((l) => l.reqId);
    expect(written.map((l) => l.msg)).to.include.members(['directory unavailable during sign-in', 'error page']);
    const reqIds = new Set(written.map((l) => l.reqId));
    expect(reqIds.size, JSON.stringify(written)).to.equal(1);
    const [reqId] = reqIds;
    expect(reqId).to.match(/^[0-9a-f]{12}$/);
    expect(referenceOf(answer.html)).to.contain(reqId);
    expect(JSON.stringify(written)).not.to.contain('Rahasia-123');

    // oidc-provider's own error pages (src/oidc/pages.ts) use the same reference.
    const oidcError = await fetch(`${op.local}/auth?client_id=tidak-terdaftar&response_type=code&scope=openid`, { headers: { accept: 'text/html' } });
    expect(oidcError.status).to.equal(400);
    const oidcReqId = oidcError.headers.get('x-request-id')!;
    expect(referenceOf(await oidcError.text())).to.contain(oidcReqId);
    expect(log.lines.find((l) => l.msg === 'error page' && l.reqId === oidcReqId)).to.include({ reference: oidcReqId });
  });

  it('writes start-up lines without a request id', () => {
    expect(log.lines.length).to.be.greaterThan(0);
    const first = log.lines[0]!;
    expect(first).not.to.have.property('reqId');
  });
});
