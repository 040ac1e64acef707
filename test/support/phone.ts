import { generate } from 'otplib';
import type { Browser, Page } from './browser.ts';
import { stepOf, submitLogin } from './flow.ts';

/**
 * Satu Akun's clock for tests that type TOTP codes: each code is accepted once per time step, so the test moves the
 * clock (and its own authenticator with it) to the next step before computing a code.
 */
export const steppingClock = () => {
  let offset = 0;
  const epoch = () => Math.floor((Date.now() + offset) / 1000);
  return {
    clock: { now: () => new Date(Date.now() + offset) },
    next: () => void (offset += 30_000),
    epoch,
    /** Moves the clock by `minutes` (e.g. past the 15 minutes level 3 lasts). */
    advance: (minutes: number) => void (offset += minutes * 60_000),
  };
};
export type SteppingClock = ReturnType<typeof steppingClock>;

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
