import { expect } from 'chai';
import type * as oidc from 'openid-client';
import type { Browser } from '../support/browser.ts';
import { authRequest, newBrowser, signIn, stepOf, submitLogin } from '../support/flow.ts';
import { createPhone, steppingClock } from '../support/phone.ts';
import { rp, type TestProvider } from '../support/provider.ts';
import { STORES, startProviderOn } from '../support/stores.ts';

// Review finding: whoever knows the password could spend a person's second-factor budget (5 codes) from anywhere and
// lock the person out of their second factor on their own browser as well.
for (const store of [STORES.SQLite, STORES['PostgreSQL + Redis']]) {
  describe(`second-factor budget per known browser on ${store.name}`, () => {
    let op: TestProvider;
    let app: oidc.Configuration;
    const time = steppingClock();
    const phone = createPhone(time);

    before(async function () {
      this.timeout(60_000);
      op = await startProviderOn(this, store, {}, { clock: time.clock });
      app = await rp(op.issuer, 'app-l2');
    });
    after(() => op?.stop());

    /** The password accepted, in a browser: the second-factor page of a fresh sign-in (prompt=login). */
    const toSecondFactor = async (browser: Browser) => {
      const page = await submitLogin(browser, await browser.open((await authRequest(app, { prompt: 'login' })).url.href), 'siti.rahmawati');
      expect(stepOf(page)).to.equal('second-factor');
      return page;
    };

    it("blocks a stranger after five wrong codes, while the person's own browser still takes the right one", async () => {
      const own = newBrowser();
      await signIn(app, own, 'siti.rahmawati', {}, (b, p) => phone.answer(b, p, 'siti.rahmawati'));
      const stranger = newBrowser({ 'x-forwarded-for': '198.51.100.77' });
      let page = await toSecondFactor(stranger);
      for (let i = 0; i < 5; i++) page = await stranger.submit(page, { code: '000000' }, '/second-factor');
      page = await stranger.submit(page, { code: await phone.code('siti.rahmawati') }, '/second-factor');
      expect(page.status, 'the right code from the stranger, once the budget is spent').to.equal(429);
      const mine = await own.submit(await toSecondFactor(own), { code: await phone.code('siti.rahmawati') }, '/second-factor');
      expect(new URL(mine.url).searchParams.get('code'), `own browser: ${mine.status} ${mine.url}`).to.be.a('string');
    });
  });
}
