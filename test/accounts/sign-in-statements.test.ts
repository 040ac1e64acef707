import { expect } from 'chai';
import * as oidc from 'openid-client';
import { newBrowser, signIn } from '../support/flow.ts';
import { rp, type TestProvider } from '../support/provider.ts';
import { startProviderOn, STORES } from '../support/stores.ts';

/** Every SQL statement the provider sends while `work` runs; a named (prepared) one is marked `[prepared] `. */
const statementsDuring = async (op: TestProvider, work: () => Promise<unknown>): Promise<string[]> => {
  const seen: string[] = [];
  const listener = (q: { sql: string; options?: { name?: string } }) => seen.push(`${q.options?.name ? '[prepared] ' : ''}${q.sql}`);
  op.satu.knex.on('query', listener);
  try {
    await work();
  } finally {
    op.satu.knex.off('query', listener);
  }
  return seen;
};

/**
 * Issue 14: on the production layout (PostgreSQL + Redis) a returning person's whole sign-in is one SQL statement (the
 * account update, its audit record and the person's apps, src/accounts/accounts.service.ts `signedInAtOnce`), and the
 * token, userinfo and refresh requests that follow read no SQL at all: what they need was kept from the sign-in.
 */
describe('SQL statements per request (PostgreSQL + Redis)', () => {
  let op: TestProvider;
  before(async function () {
    op = await startProviderOn(this, STORES['PostgreSQL + Redis']);
  });
  after(async () => op?.stop());

  it('a returning sign-in runs one; userinfo and a refresh run none', async () => {
    const app = await rp(op.issuer, 'app-a');
    const scope = 'openid profile email nip kepegawaian roles';
    await signIn(app, newBrowser(), 'rudi.hartono', { scope });

    // A new browser: the password again, no notice (agreed before), then the code exchange.
    let tokens!: oidc.TokenEndpointResponse & oidc.TokenEndpointResponseHelpers;
    const signInStatements = await statementsDuring(op, async () => {
      const done = await signIn(app, newBrowser(), 'rudi.hartono', { scope });
      expect(done.steps).to.deep.equal(['login']);
      tokens = done.tokens;
    });
    // One statement: the account's update, the person's apps and the audit record, committed together.
    expect(signInStatements, signInStatements.join('\n')).to.have.length(1);
    // Prepared: PostgreSQL parses and plans its long text once per connection, not at every sign-in.
    expect(signInStatements[0]).to.match(/^\[prepared\] with done as \(update accounts .*insert into audit_log/s);
    expect(tokens.refresh_token).to.be.a('string');

    const sub = tokens.claims()!.sub;
    const userinfo = await statementsDuring(op, async () => expect(await oidc.fetchUserInfo(app, tokens.access_token, sub)).to.deep.include({ name: 'Rudi Hartono', roles: [] }));
    expect(userinfo, userinfo.join('\n')).to.deep.equal([]);

    const refresh = await statementsDuring(op, async () => expect((await oidc.refreshTokenGrant(app, tokens.refresh_token!)).claims()!.sub).to.equal(sub));
    expect(refresh, refresh.join('\n')).to.deep.equal([]);
  });

  it("records the notice's decision in one statement, merged with what was agreed before, and audited", async () => {
    const app = await rp(op.issuer, 'app-b');
    const browser = newBrowser();
    await signIn(app, browser, 'sri.purnomo', { scope: 'openid profile' });
    // Signed in already (single sign-on): only the notice for the new scope, and its decision.
    let steps: string[] = [];
    const decision = await statementsDuring(op, async () => void ({ steps } = await signIn(app, browser, 'sri.purnomo', { scope: 'openid email profile nip' })));
    expect(steps).to.deep.equal(['notice']);
    // The decision with its audit record, and the person's apps read again for the ID token's claims.
    expect(decision, decision.join('\n')).to.have.length(2);
    expect(decision[0]).to.match(/^\[prepared\] with done as \(insert into consents .*insert into audit_log/s);
    expect(decision[1]).to.match(/^\[prepared\] select "client_id", "scopes"/);
    const { sub, scopes } = (await op.satu.knex('consents').where({ client_id: 'app-b' }).first('sub', 'scopes')) as { sub: string; scopes: string };
    expect(scopes).to.equal('email nip openid profile');
    const granted = await op.satu.audit.list({ event: 'consent.granted', actor: sub, clientId: 'app-b' });
    expect(granted.map((r) => r.details)).to.deep.equal([{ scopes: ['email', 'nip'] }, { scopes: ['openid', 'profile'] }]);
    expect(await op.satu.audit.verify()).to.include({ ok: true });
  });
});
