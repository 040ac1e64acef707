import { expect } from 'chai';
import type * as oidc from 'openid-client';
import type { Browser, Page } from '../support/browser.ts';
import { authRequest, newBrowser, PASSWORD, submitLogin } from '../support/flow.ts';
import { createPhone, steppingClock } from '../support/phone.ts';
import { rp, startProvider, type TestProvider } from '../support/provider.ts';

const errorText = (page: Page) => /role="alert"[^>]*>([^<]*)</.exec(page.html)?.[1]?.trim();

// Issue 8's per-person limit left no way back but a known browser or a week: the console unblocks, with a reason.
describe('admin console: unblocking a person whose guessing budget is spent', () => {
  let op: TestProvider;
  let app: oidc.Configuration;
  const time = steppingClock();
  const phone = createPhone(time);

  before(async () => {
    op = await startProvider({}, { clock: time.clock });
    app = await rp(op.issuer, 'app-a');
  });
  after(() => op?.stop());

  const attempt = async (browser: Browser, password: string) => submitLogin(browser, await browser.open((await authRequest(app)).url.href), 'yanti.pakpahan', password);

  it('an administrator unblocks with a reason; the right password then works from a new browser, and it is audited', async () => {
    for (let i = 0; i < 10; i++) await attempt(newBrowser(), 'salah-sekali');
    expect((await attempt(newBrowser(), PASSWORD)).status, 'blocked before').to.equal(429);

    const admin = newBrowser();
    let page = await phone.through(admin, await admin.open(`${op.local}/admin/orang?login=yanti.pakpahan`), 'andi.wijaya');
    page = await admin.open(`${op.local}/admin/orang?login=yanti.pakpahan`);
    const short = await admin.submit(page, { reason: 'pendek' }, '/buka-blokir');
    expect(short.status).to.equal(400);
    expect(errorText(short)).to.contain('10');
    page = await admin.submit(short, { reason: 'Dikonfirmasi lewat telepon dengan atasannya' }, '/buka-blokir');
    expect(page.doc.querySelector('#done')?.text).to.contain('Yanti Pakpahan');

    const after = await attempt(newBrowser(), PASSWORD);
    expect(after.status, errorText(after)).to.be.below(400);
    const [record] = await op.satu.audit.list({ event: 'signin.unlocked' });
    expect(record?.details).to.deep.equal({ reason: 'Dikonfirmasi lewat telepon dengan atasannya' });
  });

  it('refuses someone whose roles unblock nobody', async () => {
    const browser = newBrowser();
    const page = await phone.through(browser, await browser.open(`${op.local}/admin/orang?login=yanti.pakpahan`), 'bambang.susilo');
    expect(page.status).to.equal(403);
  });
});
