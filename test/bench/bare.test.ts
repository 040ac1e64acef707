import { strict as assert } from 'node:assert';
import { after, before, describe, it } from 'mocha';
import { toLdif, SAMPLE_PASSWORD } from '../../src/directory/sample/index.ts';
import { webAppId } from '../../bench/clients.ts';
import { startServer, type Server } from '../../bench/harness.ts';
import { stop } from '../../bench/procs.ts';
import { clientCredentials, firstSignIn, refresh, signIn, userinfo } from '../../bench/scenarios.ts';
import { benchStaff } from '../../bench/staff.ts';
import { startPrivateRedis } from '../support/redis.ts';
import { serviceMissing } from '../support/require-service.ts';
import { slapdAvailable, startSlapd, type Slapd } from '../support/slapd.ts';

describe('bench: generated directory', () => {
  it('gives the asked number of people, the sample first, with unique logins, the same every time', () => {
    const staff = benchStaff(600).staff;
    assert.equal(staff.length, 600);
    assert.equal(staff[0]!.uid, 'andi.wijaya');
    for (const key of ['uid', 'mail', 'entryUUID'] as const) assert.equal(new Set(staff.map((p) => p[key])).size, 600, key);
    const numbers = staff.flatMap((p) => (p.employeeNumber ? [p.employeeNumber] : []));
    assert.equal(new Set(numbers).size, numbers.length);
    assert.deepEqual(benchStaff(600).staff, staff);
  });
});

describe('bench: the bare oidc-provider engine drives through the same scenarios', function () {
  let redis: Awaited<ReturnType<typeof startPrivateRedis>>;
  let slapd: Slapd;
  let server: Server;
  const people = benchStaff(20).staff.map((p) => p.uid);

  before(async function () {
    if (!slapdAvailable()) serviceMissing(this, 'slapd', 'install the Debian packages slapd and ldap-utils');
    redis = await startPrivateRedis(this);
    slapd = await startSlapd({ ldif: toLdif(benchStaff(20)), equalityIndexes: ['uid', 'mail', 'employeeNumber'] });
    server = await startServer('./bare.ts', ['--redis-url', redis.url, '--ldap-url', slapd.url, '--web-apps', '2'], { cpu: undefined, readyPath: '/.well-known/openid-configuration' });
  });
  after(async () => {
    if (server) await stop(server.child);
    await slapd?.close();
    await redis?.close();
  });

  it('shows the notice on a first sign-in to an app, not on a returning one, and counts Redis round trips', async () => {
    const before = await server.counts();
    const first = await firstSignIn(server.issuer, people[3]!, SAMPLE_PASSWORD, webAppId(1));
    assert.ok(first.accessToken && first.refreshToken);
    const counts = await server.counts();
    assert.equal(counts.sql, 0);
    assert.ok(counts.redisRoundTrips > before.redisRoundTrips && counts.redisCommands >= counts.redisRoundTrips);
    assert.equal((await signIn(server.issuer, people[3]!, SAMPLE_PASSWORD)).sawNotice, false);
    assert.equal((await firstSignIn(server.issuer, people[3]!, SAMPLE_PASSWORD, webAppId(2))).sawNotice, true);
  });

  it('refuses a wrong password', async () => {
    await assert.rejects(signIn(server.issuer, people[4]!, 'not-the-password'), /no code/);
  });

  it('answers userinfo, rotates refresh tokens, and revokes the grant when a spent one comes back', async () => {
    const { refreshToken, accessToken } = await signIn(server.issuer, people[3]!, SAMPLE_PASSWORD);
    await userinfo(server.issuer, accessToken);
    const next = await refresh(server.issuer, refreshToken!);
    await refresh(server.issuer, next.refreshToken);
    await assert.rejects(refresh(server.issuer, refreshToken!), /refresh: 400/);
    await assert.rejects(userinfo(server.issuer, accessToken), /userinfo: 401/);
  });

  it('grants client credentials', async () => {
    await clientCredentials(server.issuer);
  });
});
