import { expect } from 'chai';
import * as oidc from 'openid-client';
import { askedAcrValues, requiredLevel } from '../../src/levels/levels.ts';
import { authRequest, newBrowser, signIn, type SecondFactorHandler } from '../support/flow.ts';
import { createPhone, steppingClock } from '../support/phone.ts';
import { rp, startProvider, type TestProvider } from '../support/provider.ts';

const LOA = (level: number) => `urn:satu-akun:loa:${level}`;
/** The `claims` parameter asking for an `acr` in the ID token. */
const acrClaim = (acr: Record<string, unknown>) => ({ claims: JSON.stringify({ id_token: { acr } }) });

describe('the claims parameter: acr (unit)', () => {
  it('reads value and values of id_token.acr beside acr_values, essential or not', () => {
    expect(askedAcrValues({ acr_values: `${LOA(1)} ${LOA(2)}` })).to.deep.equal([LOA(1), LOA(2)]);
    expect(askedAcrValues({ claims: JSON.stringify({ id_token: { acr: { essential: true, value: LOA(2) } } }) })).to.deep.equal([LOA(2)]);
    expect(askedAcrValues({ claims: { id_token: { acr: { values: [LOA(2), LOA(3)] } } } })).to.deep.equal([LOA(2), LOA(3)]);
    expect(askedAcrValues({ acr_values: LOA(1), claims: JSON.stringify({ id_token: { acr: { value: LOA(3) } } }) })).to.deep.equal([LOA(1), LOA(3)]);
    // An acr asked for in userinfo, or without a value, or malformed, asks for no level.
    for (const claims of [JSON.stringify({ userinfo: { acr: { value: LOA(3) } } }), JSON.stringify({ id_token: { acr: null } }), JSON.stringify({ id_token: { acr: { essential: true } } }), '{not json', JSON.stringify({ id_token: { acr: { values: LOA(3) } } })]) {
      expect(askedAcrValues({ claims }), claims).to.deep.equal([]);
    }
  });

  it('raises the level exactly as acr_values does: the highest level asked, never below the app, at most 3', () => {
    expect(requiredLevel(1, acrClaim({ essential: true, value: LOA(2) }))).to.equal(requiredLevel(1, { acr_values: LOA(2) })).and.equal(2);
    expect(requiredLevel(1, acrClaim({ values: [LOA(2), LOA(3)] }))).to.equal(requiredLevel(1, { acr_values: `${LOA(2)} ${LOA(3)}` })).and.equal(3);
    expect(requiredLevel(2, acrClaim({ essential: true, value: LOA(1) }))).to.equal(2);
    expect(requiredLevel(1, acrClaim({ essential: true, value: 'urn:other:gold' }))).to.equal(1);
  });
});

/**
 * OIDC Core 5.5.1.1: `claims={"id_token":{"acr":{"essential":true,"value":"urn:satu-akun:loa:2"}}}` raises the level
 * like `acr_values`, through the same sign-in steps (step-up, enrolment), seen by a real relying party.
 */
describe('the claims parameter with an acr (openid-client)', () => {
  let op: TestProvider;
  const time = steppingClock();
  const phone = createPhone(time);
  let level1: oidc.Configuration;
  let level2: oidc.Configuration;
  const factor = (username: string): SecondFactorHandler => (browser, page) => phone.answer(browser, page, username);

  before(async () => {
    op = await startProvider({}, { clock: time.clock });
    level1 = await rp(op.issuer, 'app-a');
    level2 = await rp(op.issuer, 'app-l2');
  });
  after(() => op?.stop());

  it('says claims_parameter_supported in discovery', () => {
    expect(level1.serverMetadata().claims_parameter_supported).to.equal(true);
  });

  it('makes a level-1 app ask for the second factor when an essential acr asks for level 2', async () => {
    const browser = newBrowser();
    const plain = await signIn(level1, browser, 'siti.rahmawati');
    expect(plain.tokens.claims()!.acr).to.equal(LOA(1));
    const essential = acrClaim({ essential: true, value: LOA(2) });
    // First time: the person has no second factor yet, so it is set up on the spot.
    const enrolled = await signIn(level1, newBrowser(), 'siti.rahmawati', essential, factor('siti.rahmawati'));
    expect(enrolled.steps).to.deep.equal(['login', 'enrol', 'recovery-codes']);
    expect(enrolled.tokens.claims()).to.deep.include({ acr: LOA(2), amr: ['pwd', 'otp', 'mfa'] });
    // A level-1 session steps up: only the second factor is asked for.
    const stepped = await signIn(level1, browser, undefined, essential, factor('siti.rahmawati'));
    expect(stepped.steps).to.deep.equal(['second-factor']);
    expect(stepped.tokens.claims()).to.deep.include({ acr: LOA(2), sub: plain.tokens.claims()!.sub });
  });

  it('reads values (an array) too, and a voluntary acr the same way', async () => {
    const withValues = await signIn(level1, newBrowser(), 'siti.rahmawati', acrClaim({ essential: true, values: [LOA(2)] }), factor('siti.rahmawati'));
    expect(withValues.steps).to.deep.equal(['login', 'second-factor']);
    expect(withValues.tokens.claims()!.acr).to.equal(LOA(2));
    const voluntary = await signIn(level1, newBrowser(), 'siti.rahmawati', acrClaim({ value: LOA(2) }), factor('siti.rahmawati'));
    expect(voluntary.steps).to.deep.equal(['login', 'second-factor']);
  });

  it('never lowers the level of a level-2 app', async () => {
    const { steps, tokens } = await signIn(level2, newBrowser(), 'siti.rahmawati', acrClaim({ essential: true, value: LOA(1) }), factor('siti.rahmawati'));
    expect(steps).to.include('second-factor');
    expect(tokens.claims()!.acr).to.equal(LOA(2));
  });

  it('asks nothing of a session above the level asked, and the ID token says the level reached', async () => {
    const browser = newBrowser();
    await signIn(level2, browser, 'siti.rahmawati', {}, factor('siti.rahmawati'));
    const { steps, tokens } = await signIn(level1, browser, undefined, acrClaim({ essential: true, value: LOA(1) }));
    expect(steps).to.deep.equal([]);
    expect(tokens.claims()!.acr).to.equal(LOA(2));
  });

  it('answers login_required to prompt=none when the session is below the level asked', async () => {
    const browser = newBrowser();
    await signIn(level1, browser, 'siti.rahmawati');
    const page = await browser.open((await authRequest(level1, { prompt: 'none', ...acrClaim({ essential: true, value: LOA(2) }) })).url.href);
    expect(Object.fromEntries(new URL(page.url).searchParams)).to.deep.include({ error: 'login_required', error_description: 'a higher security level is required' });
  });

  it('releases no data beyond the approved scopes for a claim it names, and the sign-in completes', async () => {
    const spa = await rp(op.issuer, 'spa');
    const claims = JSON.stringify({ id_token: { nip: { essential: true }, email: null }, userinfo: { nip: null, agency_code: null } });
    const { tokens, steps } = await signIn(spa, newBrowser(), 'siti.rahmawati', { scope: 'openid profile', claims });
    expect(steps).to.deep.equal(['login', 'notice']);
    expect(tokens.claims()).not.to.have.any.keys('nip', 'email');
    const info = await oidc.fetchUserInfo(spa, tokens.access_token, tokens.claims()!.sub);
    expect(info).to.include({ name: 'Siti Rahmawati' });
    expect(info).not.to.have.any.keys('nip', 'agency_code', 'email');
  });

  it('refuses a claims parameter that is not JSON with invalid_request', async () => {
    const page = await newBrowser().open((await authRequest(level1, { claims: '{"id_token":' })).url.href);
    expect(Object.fromEntries(new URL(page.url).searchParams)).to.deep.include({ error: 'invalid_request', error_description: 'could not parse the claims parameter JSON' });
  });
});
