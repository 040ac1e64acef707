import { generate } from 'otplib';
import type { Browser, Page } from './browser.ts';
import type { SteppingClock } from './clock.ts';
import { stepOf, submitLogin } from './flow.ts';

// The phone follows the provider's clock; tests that use one take both from here.
export { steppingClock, type SteppingClock } from './clock.ts';

/** Reads the recovery codes a page shows. */
export const recoveryCodesOn = (page: Page) => page.doc.querySelectorAll('#recovery-codes code').map((c) => c.text.trim());

/**
 * The test person's phone: an authenticator app per person (the secret read off the enrolment page), and the recovery
 * codes each was last shown. `answer` handles one sign-in page; `through` answers every sign-in page until another.
 */
export const createPhone = (time: SteppingClock) => {
  const secrets = new Map<string, string>();
  const codes = new Map<string, string[]>();

  const code = async (username: string) => {
    time.next();
    return generate({ secret: secrets.get(username)!, epoch: time.epoch() });
  };

  const answer = async (browser: Browser, page: Page, username: string): Promise<Page> => {
    const step = stepOf(page);
    if (step === 'login') return submitLogin(browser, page, username);
    if (step === 'enrol') {
      secrets.set(username, page.doc.querySelector('#totp-secret')!.text.replace(/\s/g, ''));
      return browser.submit(page, { code: await code(username) }, '/enrol');
    }
    if (step === 'second-factor') return browser.submit(page, { code: await code(username) }, '/second-factor');
    if (step === 'recovery-codes') {
      codes.set(username, recoveryCodesOn(page));
      return browser.submit(page, {}, '/continue');
    }
    if (step === 'notice') return browser.submit(page, { decision: 'accept' }, '/notice');
    if (step === 'remind') return browser.submit(page, { choice: 'now' }, '/remind');
    return page;
  };

  const through = async (browser: Browser, start: Page, username: string): Promise<Page> => {
    let page = start;
    for (let i = 0; i < 10; i++) {
      if (stepOf(page) === 'other') return page;
      page = await answer(browser, page, username);
    }
    throw new Error(`sign-in loops at ${page.url}`);
  };

  return { secrets, codes, code, answer, through };
};
export type Phone = ReturnType<typeof createPhone>;
