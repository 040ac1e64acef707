import { expect } from 'chai';
import type * as oidc from 'openid-client';
import type { Browser, Page } from '../support/browser.ts';
import { authRequest, exchangeCode, newBrowser, stepOf, submitLogin } from '../support/flow.ts';
import { createPhone, steppingClock } from '../support/phone.ts';
import { rp, startProvider, type TestProvider } from '../support/provider.ts';
import { startMailbox, type Mailbox } from '../support/smtp.ts';
import { STORES, startProviderOn } from '../support/stores.ts';

const errorText = (page: Page) => /role="alert"[^>]*>([^<]*)</.exec(page.html)?.[1]?.trim();
const CODE = /\b([2-9a-z]{5}-[2-9a-z]{5})\b/;

// Issue 8 §4: whoever merely knew a password could bind their own authenticator as a person's first second factor.
describe('the first second factor needs a code besides the password (e-mail mode)', () => {
  let op: TestProvider;
  let box: Mailbox;
  let level2: oidc.Configuration;
  const time = steppingClock();
  const phone = createPhone(time);

  before(async function () {
    this.timeout(30_000);
    box = await startMailbox();
    op = await startProvider({ mfaEnrolment: { firstFactorProof: 'email' }, mail: { smtpUrl: box.url, from: 'Satu Akun <no-reply@contoh.go.id>' } }, { clock: time.clock });
    level2 = await rp(op.issuer, 'app-l2');
  });
  after(async () => {
    await op?.stop();
    await box?.close();
  });

  /** Opens the level-2 app and signs in with the password: the page after it. */
  const toProof = async (browser: Browser, username: string) => {
    const start = await authRequest(level2);
    const page = await submitLogin(browser, await browser.open(start.url.href), username);
    return { start, page };
  };

  it('sends a code to the official e-mail, refuses enrolment without it, and continues to the app with it', async () => {
    const browser = newBrowser();
    const { start, page } = await toProof(browser, 'yanti.pakpahan');
    expect(stepOf(page)).to.equal('enrol-proof');
    expect(page.html).to.contain('y***n@contoh.go.id');
    expect(page.doc.querySelector('#totp-secret'), 'no authenticator secret before the code').to.equal(null);
    // Straight to enrolment, skipping the code: refused.
    const skipped = await browser.open(page.url.replace(/\/interaction\/([^/]+).*$/, '/interaction/$1/enrol'), { method: 'POST', form: { _csrf: page.doc.querySelector('input[name=_csrf]')!.getAttribute('value')!, code: '123456' } });
    expect(skipped.status).to.equal(400);
    const wrong = await browser.submit(page, { code: 'aaaaa-aaaaa' }, '/enrol-proof');
    expect(wrong.status).to.equal(401);
    expect(errorText(wrong)).to.equal('Kode salah atau sudah kedaluwarsa.');
    const mail = box.mails.find((m) => m.to === 'yanti.pakpahan@contoh.go.id');
    expect(mail, 'a mail to the official address').to.exist;
    const code = CODE.exec(mail!.data)![1]!;
    let next = await browser.submit(wrong, { code: code.toUpperCase().replace('-', ' ') }, '/enrol-proof');
    expect(stepOf(next)).to.equal('enrol');
    next = await phone.through(browser, next, 'yanti.pakpahan');
    const tokens = await exchangeCode(level2, new URL(next.url), start);
    expect(tokens.claims()!.acr).to.equal('urn:satu-akun:loa:2');
    const trail = await op.satu.audit.list({ event: ['mfa.enrolment_code_sent', 'mfa.enrolment_code_used'], limit: 10 });
    expect(trail.map((r) => r.event).sort()).to.deep.equal(['mfa.enrolment_code_sent', 'mfa.enrolment_code_used']);
    expect(JSON.stringify(await op.satu.audit.list({ limit: 1000 }))).not.to.contain(code);
    // The mail that carried it keeps no copy once sent, and the outbox page does not show it (review finding).
    const stored = (await op.satu.knex('outbox').where({ recipient: 'yanti.pakpahan@contoh.go.id' })) as { body: string; sensitive: unknown }[];
    expect(stored.map((m) => [m.body, Boolean(m.sensitive)])).to.deep.equal([['', true]]);
  });

  it('accepts a code once: used again in another sign-in it is refused', async () => {
    const first = newBrowser();
    const { page } = await toProof(first, 'rudi.hartono');
    const code = CODE.exec(box.mails.filter((m) => m.to === 'rudi.hartono@contoh.go.id').at(-1)!.data)![1]!;
    expect(stepOf(await first.submit(page, { code }, '/enrol-proof'))).to.equal('enrol');
    // A second browser within the minute gets no new mail, and the used code does not work there.
    const second = newBrowser();
    const other = await toProof(second, 'rudi.hartono');
    expect((await second.submit(other.page, { code }, '/enrol-proof')).status).to.equal(401);
  });

  it('sends my account through the sign-in (and its code) before a first factor is added there', async () => {
    const browser = newBrowser();
    await phone.through(browser, await browser.open(`${op.local}/akun`), 'bambang.susilo');
    const page = await browser.open(`${op.local}/akun/keamanan/autentikator`);
    expect(page.doc.querySelector('#totp-secret'), 'no secret on the level-1 session').to.equal(null);
    expect(stepOf(page)).to.equal('enrol-proof');
  });
});

describe('administrator-issued set-up codes (code mode)', () => {
  for (const store of [STORES.SQLite, STORES['PostgreSQL + Redis']]) {
    describe(`on ${store.name}`, () => {
      let op: TestProvider;
      let level2: oidc.Configuration;
      const time = steppingClock();
      const phone = createPhone(time);

      before(async function () {
        this.timeout(60_000);
        op = await startProviderOn(this, store, { mfaEnrolment: { firstFactorProof: 'code' } }, { clock: time.clock });
        level2 = await rp(op.issuer, 'app-l2');
      });
      after(async () => {
        await op?.stop();
      });

      it('an administrator creates a code in the console, shown once; the person uses it to enrol', async () => {
        // The administrator enrols first: with no factors of his own, he would need a code as well.
        const andi = (await op.satu.directory.findUser('andi.wijaya'))!;
        const own = await op.satu.enrolmentProof.issue({ sub: 'bootstrap' }, { directoryId: andi.id }, { ip: '127.0.0.1' });
        const admin = newBrowser();
        let page = await submitLogin(admin, await admin.open(`${op.local}/admin/orang?login=dewi.lestari`), 'andi.wijaya');
        expect(stepOf(page)).to.equal('enrol-proof');
        expect(page.html).to.contain('admin OPD Anda');
        await phone.through(admin, await admin.submit(page, { code: own }, '/enrol-proof'), 'andi.wijaya');
        page = await admin.open(`${op.local}/admin/orang?login=dewi.lestari`);
        expect(page.doc.querySelector('#issue-code'), 'the console offers a code for Dewi').to.exist;
        page = await admin.submit(page, {}, '/admin/orang/kode');
        const code = page.doc.querySelector('#enrolment-code')!.text.trim();
        expect(code).to.match(CODE);
        expect((await op.satu.audit.list({ event: 'mfa.enrolment_code_issued' })).filter((r) => r.actor !== 'bootstrap')).to.have.length(1);

        const dewi = newBrowser();
        const start = await authRequest(level2);
        let step = await submitLogin(dewi, await dewi.open(start.url.href), 'dewi.lestari');
        expect(stepOf(step)).to.equal('enrol-proof');
        step = await phone.through(dewi, await dewi.submit(step, { code }, '/enrol-proof'), 'dewi.lestari');
        expect((await exchangeCode(level2, new URL(step.url), start)).claims()!.acr).to.equal('urn:satu-akun:loa:2');
      });

      it('lets exactly one of several parallel uses of one code through', async () => {
        const person = (await op.satu.directory.findUser('siti.rahmawati'))!;
        const code = await op.satu.enrolmentProof.issue({ sub: 'admin' }, { directoryId: person.id }, { ip: '127.0.0.1' });
        const sessions = await Promise.all(
          Array.from({ length: 4 }, async () => {
            const browser = newBrowser();
            const page = await submitLogin(browser, await browser.open((await authRequest(level2)).url.href), 'siti.rahmawati');
            return { browser, page };
          }),
        );
        const results = await Promise.all(sessions.map(({ browser, page }) => browser.submit(page, { code }, '/enrol-proof')));
        expect(results.filter((p) => stepOf(p) === 'enrol')).to.have.length(1);
        expect(results.filter((p) => p.status === 401)).to.have.length(3);
      });
    });
  }
});
