import { expect } from 'chai';
import { generate } from 'otplib';
import { startDemoApps } from '../../src/demo/demo-app.ts';
import { Browser } from '../support/browser.ts';
import { PASSWORD } from '../support/flow.ts';
import { startProvider, type TestProvider } from '../support/provider.ts';
import { freePort } from '../support/processes.ts';

/**
 * The newcomer's walk from the README: demo app 1 (level 1), then demo app 2 (level 2) without a password but with a
 * second factor enrolled on the spot, then sign out of both.
 */
describe('quick start demo apps', () => {
  let op: TestProvider;
  let demos: Awaited<ReturnType<typeof startDemoApps>>;

  before(async () => {
    op = await startProvider({ demoApps: true, demoPorts: [await freePort(), await freePort()] });
    demos = await startDemoApps(op.satu);
  });
  after(async () => {
    await Promise.all((demos ?? []).map((d) => d.close()));
    await op?.stop();
  });

  const signedInName = (html: string) => /Anda masuk sebagai ([^<]+)\./.exec(html)?.[1];

  it("serves the stylesheet and logo its page asks for, on the demo app's own origin (issue 12 §4)", async () => {
    for (const demo of demos) {
      const page = await (await fetch(`${demo.url}/`)).text();
      for (const asset of ['/static/style.css', '/static/logo']) {
        expect(page, 'the page refers to it').to.contain(`"${asset}"`);
        const response = await fetch(`${demo.url}${asset}`);
        expect(response.status, `${demo.url}${asset}`).to.equal(200);
        expect(response.headers.get('content-type')).to.match(asset.endsWith('.css') ? /^text\/css/ : /^image\//);
      }
    }
  });

  it('signs in to one demo app, enters the other without a password, and signs out of both', async () => {
    const [simpeg, sppd] = demos;
    const browser = new Browser();
    const home = await browser.open(`${op.issuer}/`);
    expect(home.doc.querySelectorAll('main ul.demo-apps a').map((a) => a.getAttribute('href'))).to.deep.equal([simpeg!.url, sppd!.url]);

    let page = await browser.open(`${simpeg!.url}/login`);
    expect(page.doc.querySelector('form[action$="/login"]'), 'Satu Akun login page').to.not.equal(null);
    page = await browser.submit(page, { username: 'dewi.lestari', password: PASSWORD }, '/login');
    expect(page.doc.querySelector('.badge')?.text).to.equal('APLIKASI DEMO');
    page = await browser.submit(page, { decision: 'accept' }, '/notice');
    expect(page.url).to.equal(`${simpeg!.url}/`);
    expect(signedInName(page.html)).to.equal('Dewi Lestari');
    expect(page.html).to.contain('urn:satu-akun:loa:1');

    // The second app is level 2: no password, but a second factor, enrolled right here.
    page = await browser.open(`${sppd!.url}/login`);
    expect(page.doc.querySelector('form[action$="/login"]'), 'no password the second time').to.equal(null);
    const secret = page.doc.querySelector('#totp-secret')!.text.replace(/\s/g, '');
    page = await browser.submit(page, { code: await generate({ secret }) }, '/enrol');
    expect(page.doc.querySelectorAll('#recovery-codes code')).to.have.length(10);
    page = await browser.submit(page, {}, '/continue');
    page = await browser.submit(page, { decision: 'accept' }, '/notice');
    expect(signedInName(page.html)).to.equal('Dewi Lestari');
    expect(page.html, 'app roles of the second app').to.contain('pengaju');
    expect(page.html).to.contain('urn:satu-akun:loa:2');

    page = await browser.open(`${simpeg!.url}/logout`, { method: 'POST', form: {} });
    page = await browser.submit(page, { logout: 'yes' });
    expect(page.url).to.equal(`${simpeg!.url}/`);
    expect(signedInName(page.html)).to.equal(undefined);
    // Back-channel logout has ended the second app's session too.
    page = await browser.open(`${sppd!.url}/`);
    expect(signedInName(page.html)).to.equal(undefined);
    page = await browser.open(`${sppd!.url}/login`);
    expect(page.doc.querySelector('form[action$="/login"]'), 'password asked again').to.not.equal(null);
  });
});
