import { randomBytes } from 'node:crypto';
import { expect } from 'chai';
import type { Knex } from 'knex';
import { generateSync } from 'otplib';
import { pino } from 'pino';
import { createAuditService } from '../../src/audit/audit.service.ts';
import { migrate } from '../../src/db/knex.ts';
import { createMfaService, type MfaService } from '../../src/mfa/mfa.service.ts';
import { createLimiter, limitPolicies } from '../../src/throttle/limiter.ts';
import { MINUTE, SECOND } from '../support/clock.ts';
import { backends, fakeClock } from './backends.ts';
import { createAuditRepo } from '../../src/audit/audit.repo.ts';
import { createMfaRepo } from '../../src/mfa/mfa.repo.ts';

const ctx = { ip: '10.1.2.3', clientId: 'simpeg' };

for (const backend of backends()) {
  describe(`mfa service (${backend.name})`, () => {
    let knex: Knex;
    let clock: ReturnType<typeof fakeClock>;
    let mfa: MfaService;
    let n = 0;
    let sub = '';
    const keys = [randomBytes(32)];
    const code = (secret: string, offsetSteps = 0) => generateSync({ secret, epoch: clock.epoch() + offsetSteps * 30 });
    const auditOf = async (who: string) =>
      (await knex('audit_log').where({ actor: who }).orderBy('seq')) as Array<{ event: string; details: string | null; ip: string; client_id: string }>;

    /** An enrolled account; returns its secret and recovery codes. */
    const enrol = async () => {
      const { secret } = await mfa.beginTotp(sub, 'budi.santoso');
      const done = await mfa.confirmTotp(sub, code(secret), ctx);
      expect(done).to.not.equal(null);
      return { secret, recoveryCodes: done!.recoveryCodes };
    };

    before(async function () {
      knex = await backend.open(this);
      await migrate(knex);
    });
    after(async () => {
      await knex?.destroy();
      await backend.close();
    });
    beforeEach(async () => {
      clock = fakeClock();
      const logger = pino({ level: 'silent' });
      const limiter = createLimiter({ name: 'second-factor', policy: limitPolicies({ personFailures: 10, addressFailures: 50 }).secondFactor, clock });
      mfa = createMfaService({ knex, repo: createMfaRepo(knex), clock, keys, audit: createAuditService({ repo: createAuditRepo(knex), clock, logger }), limiter, logger, issuerLabel: 'Satu Akun Kabupaten Contoh' });
      sub = `sub-${++n}`;
      await knex('accounts').insert({ sub, directory_id: `uid=${sub}`, username: `user${n}`, profile: '{}', created_at: clock.now().toISOString() });
    });

    it('enrols: begin shows a secret and URI, a wrong code is refused, the right one confirms with ten recovery codes', async () => {
      expect(await mfa.factors(sub)).to.deep.equal({ totp: false, recoveryCodesLeft: 0 });
      const { secret, otpauthUri } = await mfa.beginTotp(sub, 'budi.santoso');
      expect(secret).to.match(/^[A-Z2-7]{32}$/); // 20 bytes in base32
      expect(otpauthUri).to.match(/^otpauth:\/\/totp\/Satu%20Akun%20Kabupaten%20Contoh:budi\.santoso\?/).and.contain(`secret=${secret}`);
      expect(await mfa.pendingTotp(sub)).to.deep.include({ secret });
      expect(await mfa.factors(sub)).to.deep.equal({ totp: false, recoveryCodesLeft: 0 }); // not until confirmed
      const wrong = String((Number(code(secret)) + 1) % 1_000_000).padStart(6, '0');
      expect(await mfa.confirmTotp(sub, wrong, ctx)).to.equal(null);
      const done = await mfa.confirmTotp(sub, code(secret), ctx);
      expect(done!.recoveryCodes).to.have.length(10);
      expect(new Set(done!.recoveryCodes).size).to.equal(10);
      for (const c of done!.recoveryCodes) expect(c).to.match(/^[2-9a-hjkmnp-z]{5}-[2-9a-hjkmnp-z]{5}$/);
      expect(await mfa.factors(sub)).to.deep.equal({ totp: true, recoveryCodesLeft: 10 });
      expect(await mfa.pendingTotp(sub)).to.equal(undefined);
      const events = (await auditOf(sub)).map((r) => [r.event, r.details && JSON.parse(r.details)]);
      expect(events).to.deep.equal([
        ['mfa.failed', { method: 'totp', reason: 'invalid' }],
        ['mfa.totp_enrolled', { replaced: false }],
        ['mfa.recovery_codes_generated', { count: 10 }],
      ]);
      // The code used to confirm is spent: the same step cannot sign in.
      expect(await mfa.verifyTotp(sub, code(secret), ctx)).to.equal('replayed');
    });

    it('accepts each time step once, one step either side, nothing older than the last used', async () => {
      const { secret } = await enrol(); // step S used
      clock.move(30 * SECOND); // S+1
      expect(await mfa.verifyTotp(sub, code(secret), ctx)).to.equal('ok');
      expect(await mfa.verifyTotp(sub, code(secret), ctx)).to.equal('replayed');
      clock.move(MINUTE); // S+3; S+2 never used
      expect(await mfa.verifyTotp(sub, code(secret, -1), ctx)).to.equal('ok'); // previous step, newer than S+1
      expect(await mfa.verifyTotp(sub, code(secret, -1), ctx)).to.equal('replayed');
      expect(await mfa.verifyTotp(sub, code(secret), ctx)).to.equal('ok');
      clock.move(MINUTE); // S+5
      expect(await mfa.verifyTotp(sub, code(secret, -2), ctx)).to.equal('invalid'); // two steps old
      expect(await mfa.verifyTotp(sub, code(secret, +2), ctx)).to.equal('invalid'); // two steps ahead
      expect(await mfa.verifyTotp(sub, code(secret, +1), ctx)).to.equal('ok'); // a fast phone
      // After a code of the next step, the current one is older than the last used.
      expect(await mfa.verifyTotp(sub, code(secret), ctx)).to.equal('replayed');
      clock.move(MINUTE);
      expect(await mfa.verifyTotp(sub, code(secret).replace(/^(...)/, '$1 '), ctx)).to.equal('ok'); // `123 456` as apps show it
    });

    it('refuses malformed input as invalid, and counts it as a failure', async () => {
      const { secret } = await enrol();
      clock.move(30 * SECOND);
      for (const bad of ['', 'abcdef', '1234567', '1'.repeat(65), `${code(secret)}x`]) {
        expect(await mfa.verifyTotp(sub, bad, ctx), bad).to.equal('invalid');
      }
      expect(await mfa.verifyTotp(sub, code(secret), ctx)).to.equal('throttled');
      const other = `sub-${n}-none`;
      expect(await mfa.verifyTotp(other, '123456', ctx)).to.equal('invalid'); // not enrolled
    });

    it('throttles after five failures, even a right code, until the window passes; success resets the count', async () => {
      const { secret } = await enrol();
      const wrong = () => String((Number(code(secret)) + 500_000) % 1_000_000).padStart(6, '0');
      clock.move(30 * SECOND);
      for (let i = 0; i < 4; i++) expect(await mfa.verifyTotp(sub, wrong(), ctx)).to.equal('invalid');
      expect(await mfa.verifyTotp(sub, code(secret), ctx)).to.equal('ok'); // resets
      for (let i = 0; i < 5; i++) expect(await mfa.verifyTotp(sub, wrong(), ctx)).to.equal('invalid');
      clock.move(30 * SECOND);
      expect(await mfa.verifyTotp(sub, code(secret), ctx)).to.equal('throttled');
      expect(await mfa.verifyRecoveryCode(sub, 'aaaaa-aaaaa', ctx)).to.equal('throttled'); // one counter for both
      expect(await mfa.confirmTotp(sub, code(secret), ctx)).to.equal(null);
      clock.move(14 * MINUTE);
      expect(await mfa.verifyTotp(sub, code(secret), ctx)).to.equal('throttled');
      clock.move(MINUTE); // 15 minutes after the first failure of the window
      expect(await mfa.verifyTotp(sub, code(secret), ctx)).to.equal('ok');
      const reasons = (await auditOf(sub)).filter((r) => r.event === 'mfa.failed').map((r) => JSON.parse(r.details!).reason);
      expect(reasons.filter((r) => r === 'throttled')).to.have.length(4);
    });

    it('recovery codes: each works once, in any case and spacing; regenerating voids the old ones', async () => {
      const { recoveryCodes } = await enrol();
      const [first, second] = recoveryCodes as [string, string];
      expect(await mfa.verifyRecoveryCode(sub, ` ${first.toUpperCase().replace('-', ' ')} `, ctx)).to.equal('ok');
      expect(await mfa.verifyRecoveryCode(sub, first, ctx)).to.equal('invalid');
      expect(await mfa.factors(sub)).to.deep.equal({ totp: true, recoveryCodesLeft: 9 });
      const fresh = await mfa.regenerateRecoveryCodes(sub, ctx);
      expect(fresh).to.have.length(10);
      expect(await mfa.verifyRecoveryCode(sub, second, ctx)).to.equal('invalid');
      expect(await mfa.verifyRecoveryCode(sub, fresh[0]!, ctx)).to.equal('ok');
      expect(await mfa.factors(sub)).to.deep.equal({ totp: true, recoveryCodesLeft: 9 });
      expect(await mfa.verifyRecoveryCode(sub, 'x'.repeat(65), ctx)).to.equal('invalid');
      const verified = (await auditOf(sub)).filter((r) => r.event === 'mfa.verified').map((r) => JSON.parse(r.details!));
      expect(verified).to.deep.equal([{ method: 'recovery', remaining: 9 }, { method: 'recovery', remaining: 9 }]);
    });

    it('re-enrolment keeps the confirmed secret working until the new one is confirmed', async () => {
      const { secret: old } = await enrol();
      const first = await mfa.beginTotp(sub, 'budi');
      const { secret: next } = await mfa.beginTotp(sub, 'budi'); // restarting replaces the unconfirmed one
      expect(next).not.to.equal(first.secret);
      clock.move(30 * SECOND);
      expect(await mfa.verifyTotp(sub, code(old), ctx)).to.equal('ok');
      clock.move(30 * SECOND);
      expect(await mfa.confirmTotp(sub, code(first.secret), ctx)).to.equal(null);
      expect(await mfa.confirmTotp(sub, code(next), ctx)).to.not.equal(null);
      clock.move(30 * SECOND);
      expect(await mfa.verifyTotp(sub, code(old), ctx)).to.equal('invalid');
      expect(await mfa.verifyTotp(sub, code(next), ctx)).to.equal('ok');
    });

    it('never writes a code or a secret to the audit trail or the database in clear', async () => {
      const { secret, recoveryCodes } = await enrol();
      clock.move(30 * SECOND);
      const used = [code(secret)];
      await mfa.verifyTotp(sub, used[0]!, ctx);
      await mfa.verifyTotp(sub, used[0]!, ctx);
      used.push('000000', '999999');
      for (const c of used.slice(1)) await mfa.verifyTotp(sub, c, ctx);
      await mfa.verifyRecoveryCode(sub, recoveryCodes[0]!, ctx);
      await mfa.verifyRecoveryCode(sub, 'zzzzz-zzzzz', ctx);
      // Digests and ciphertexts are random-looking text that may contain any six digits by chance: checked by shape.
      const omit = (rows: Array<Record<string, unknown>>, ...cols: string[]) => rows.map((r) => Object.fromEntries(Object.entries(r).filter(([k]) => !cols.includes(k))));
      const [log, totp, codes] = [await knex('audit_log'), await knex('totp_credentials').where({ sub }), await knex('recovery_codes').where({ sub })];
      expect(totp[0].secret_enc).to.match(/^v1\./);
      expect(codes.every((r: { code_hash: string }) => r.code_hash.startsWith('$argon2id$v=19$m=19456,p=1,t=2$'))).to.equal(true);
      const dump = JSON.stringify([omit(log, 'hash', 'prev_hash'), omit(totp, 'secret_enc'), omit(codes, 'code_hash')]);
      for (const needle of [secret, ...used, ...recoveryCodes, ...recoveryCodes.map((c) => c.replace('-', '')), 'zzzzzzzzzz']) {
        expect(dump, needle).not.to.contain(needle);
      }
      const rows = await auditOf(sub);
      expect(rows.every((r) => r.ip === ctx.ip && r.client_id === ctx.clientId)).to.equal(true);
    });

    if (backend.name === 'PostgreSQL') {
      it('of two simultaneous uses of one code, exactly one succeeds', async () => {
        const { secret, recoveryCodes } = await enrol();
        for (let round = 0; round < 5; round++) {
          clock.move(15 * MINUTE); // a new throttle window each round: the losers' replays count as failures
          const c = code(secret);
          const outcomes = await Promise.all([mfa.verifyTotp(sub, c, ctx), mfa.verifyTotp(sub, c, ctx), mfa.verifyTotp(sub, c, ctx)]);
          expect(outcomes.filter((o) => o === 'ok'), outcomes.join()).to.have.length(1);
          expect(outcomes.filter((o) => o === 'replayed')).to.have.length(2);
        }
        const r = recoveryCodes[1]!;
        const both = await Promise.all([mfa.verifyRecoveryCode(sub, r, ctx), mfa.verifyRecoveryCode(sub, r, ctx)]);
        expect(both.sort()).to.deep.equal(['invalid', 'ok']);
      });
    }
  });
}
