import { expect } from 'chai';
import { createRemoteJWKSet, jwtVerify } from 'jose';
import * as oidc from 'openid-client';
import { GONE_REASON } from '../../src/accounts/directory-sweep.ts';
import { samplePersonDn, toLdif } from '../../src/directory/sample/index.ts';
import { backchannelApp, backchannelRp, BACKCHANNEL_APP, startLogoutReceiver, type LogoutReceiver } from '../support/backchannel.ts';
import { newBrowser, signIn } from '../support/flow.ts';
import { steppingClock } from '../support/phone.ts';
import { testClients, type TestProvider } from '../support/provider.ts';
import { serviceMissing } from '../support/require-service.ts';
import { asDirectoryAdmin, slapdAvailable, startSlapd, type Slapd } from '../support/slapd.ts';
import { STORES, startProviderOn } from '../support/stores.ts';

const BACKCHANNEL_EVENT = 'http://schemas.openid.net/event/backchannel-logout';

/** The protocol error of a refused token request. */
const refusal = async (request: Promise<unknown>) => {
  const err = await request.then(() => undefined, (e: unknown) => e);
  expect(err, 'the token request was refused').to.be.instanceOf(oidc.ResponseBodyError);
  const { status, error, error_description } = err as oidc.ResponseBodyError;
  return { status, error, error_description };
};

for (const store of [STORES.SQLite, STORES['PostgreSQL + Redis']]) {
  /**
   * A person who left the service (their entry deleted from the directory) loses access at an app's next refresh
   * (issue 10 §1): the refresh is refused, the account disabled, and every session of theirs ended with the apps told.
   */
  describe(`accounts: a person deleted from the directory, at their app's next refresh, on ${store.name} (OpenLDAP slapd)`, () => {
    let slapd: Slapd | undefined;
    let op: TestProvider | undefined;
    let receiver: LogoutReceiver | undefined;
    let app: oidc.Configuration;
    const time = steppingClock();

    before(async function () {
      if (!slapdAvailable()) serviceMissing(this, 'slapd', 'install the Debian packages slapd and ldap-utils');
      this.timeout(60_000);
      slapd = await startSlapd({ ldif: toLdif() });
      receiver = await startLogoutReceiver();
      // The hourly sweep would find the person too: a week apart, only the refresh can notice here.
      op = await startProviderOn(this, store, { directory: { mode: 'ldap', url: slapd.url, sweepMinutes: 7 * 24 * 60 } }, { clock: time.clock, clients: [...testClients(), backchannelApp(receiver.url)] });
      app = await backchannelRp(op.issuer);
    });
    after(async () => {
      await op?.stop();
      await receiver?.close();
      await slapd?.close();
    });

    /** Signs `username` in to the back-channel app with offline access: tokens and their session id. */
    const signInToApp = async (username: string) => {
      const { tokens } = await signIn(app, newBrowser(), username, { scope: 'openid profile offline_access', prompt: 'consent' });
      const claims = tokens.claims()!;
      expect(tokens.refresh_token, 'offline access').to.be.a('string');
      return { tokens, sub: claims.sub, sid: claims.sid as string };
    };
    const account = async (sub: string) =>
      (await op!.satu.knex('accounts').where({ sub }).first('status', 'status_reason', 'status_changed_by')) as { status: string; status_reason: string | null; status_changed_by: string | null };
    const records = async (event: string, subject: string) => (await op!.satu.audit.list({ event })).filter((r) => r.subject === subject).map(({ actor, client_id, details }) => ({ actor, client_id, details }));

    it('refuses the refresh with invalid_grant; the sweep disables the account, ends its sessions and tells the app; others keep working', async () => {
      const rudi = await signInToApp('rudi.hartono');
      const siti = await signInToApp('siti.rahmawati');
      // While he is in the directory, his refresh works (and that answer is remembered for a minute).
      const rotated = await oidc.refreshTokenGrant(app, rudi.tokens.refresh_token!);
      expect(rotated.refresh_token).to.be.a('string').and.not.equal(rudi.tokens.refresh_token);
      expect(await op!.satu.sessions.count(rudi.sub)).to.equal(1);

      await asDirectoryAdmin(slapd!, (ldap) => ldap.del(samplePersonDn('rudi.hartono')));
      expect(await op!.satu.directory.findUser('rudi.hartono'), 'gone from the directory').to.equal(null);
      time.advance(2); // past the minute a directory answer stands
      const delivered = receiver!.received.length;

      expect(await refusal(oidc.refreshTokenGrant(app, rotated.refresh_token!))).to.deep.equal({
        status: 400,
        error: 'invalid_grant',
        error_description: 'grant request is invalid',
      });
      // The refresh alone changes nothing: the sweep, which sees the whole directory at once, disables.
      expect((await account(rudi.sub)).status).to.equal('active');
      expect(await op!.satu.directoryCheck.sweep()).to.deep.include({ gone: 1 });

      expect(await account(rudi.sub)).to.deep.equal({ status: 'disabled', status_reason: GONE_REASON, status_changed_by: 'system' });
      expect(await records('account.disabled', rudi.sub)).to.deep.equal([{ actor: null, client_id: null, details: { reason: GONE_REASON, from: 'active' } }]);
      expect(await records('session.ended', rudi.sub)).to.deep.equal([{ actor: 'system', client_id: null, details: { by: 'account', sessions: 1, grants: 0, reason: GONE_REASON } }]);
      expect(await op!.satu.sessions.count(rudi.sub)).to.equal(0);

      // The app was told, with a logout token it can verify (OIDC Back-Channel Logout 1.0 §2.6).
      const deliveries = receiver!.received.slice(delivered);
      expect(deliveries.map((d) => d.path)).to.deep.equal(['/backchannel-logout']);
      const { payload } = await jwtVerify(deliveries[0]!.logoutToken!, createRemoteJWKSet(new URL(app.serverMetadata().jwks_uri!)), {
        issuer: op!.issuer,
        audience: BACKCHANNEL_APP.clientId,
        typ: 'logout+jwt',
      });
      expect(payload).to.include({ sub: rudi.sub, sid: rudi.sid });
      expect(payload.events).to.deep.equal({ [BACKCHANNEL_EVENT]: {} });

      // Refused again, and nothing recorded twice.
      expect((await refusal(oidc.refreshTokenGrant(app, rotated.refresh_token!))).error).to.equal('invalid_grant');
      expect(await records('account.disabled', rudi.sub)).to.have.length(1);
      expect(await records('session.ended', rudi.sub)).to.have.length(1);

      // Someone still in the directory refreshes as before.
      const stays = await oidc.refreshTokenGrant(app, siti.tokens.refresh_token!);
      expect(stays.refresh_token).to.be.a('string');
      expect((await account(siti.sub)).status).to.equal('active');
      expect(await records('account.disabled', siti.sub)).to.deep.equal([]);
      expect((await op!.satu.audit.verify()).ok).to.equal(true);
    });
  });
}
