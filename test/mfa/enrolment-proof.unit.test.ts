import { expect } from 'chai';
import type { Knex } from 'knex';
import type { Account } from '../../src/accounts/accounts.repo.ts';
import type { AuditService } from '../../src/audit/audit.service.ts';
import type { EnrolmentCodeRow, EnrolmentCodesRepo } from '../../src/mfa/enrolment-codes.repo.ts';
import { createEnrolmentProof } from '../../src/mfa/enrolment-proof.service.ts';
import { createLimiter, limitPolicies } from '../../src/throttle/limiter.ts';
import { manualClock } from '../support/clock.ts';

/** The service on stubs (a unit test): a repository in memory, a transaction that just runs, an audit that keeps nothing. */
const serviceWith = (hashKeys: string[], rows: Map<string, EnrolmentCodeRow>) => {
  const clock = manualClock('2026-11-27T08:00:00Z');
  const repo: EnrolmentCodesRepo = {
    put: async (row) => void rows.set(`${row.directoryId}|${row.channel}`, row),
    sentSince: async (id, channel, since) => (rows.get(`${id}|${channel}`)?.createdAt ?? -1) > since,
    forPerson: async (id) => [...rows.values()].filter((r) => r.directoryId === id),
    take: async (id, channel, hash) => rows.get(`${id}|${channel}`)?.codeHash === hash && rows.delete(`${id}|${channel}`),
  };
  return createEnrolmentProof({
    knex: { transaction: (run: (trx: unknown) => unknown) => run({}) } as unknown as Knex,
    repo,
    clock,
    audit: { record: async () => ({}) } as unknown as AuditService,
    limiter: createLimiter({ name: 'unit', policy: limitPolicies({ personFailures: 10, addressFailures: 50 }).secondFactor, clock }),
    mode: 'code',
    hashKeys,
    enqueue: async () => undefined,
    flush: async () => undefined,
  });
};

describe('set-up codes across a key rotation (unit)', () => {
  it('accepts a code issued under the previous key once a new key is prepended, and only once', async () => {
    const rows = new Map<string, EnrolmentCodeRow>();
    const person = { sub: 'sub-1', directoryId: 'uuid-1' } as Account;
    const code = await serviceWith(['old-key'], rows).issue({ sub: 'admin' }, { directoryId: person.directoryId }, { ip: '127.0.0.1' });
    const rotated = serviceWith(['new-key', 'old-key'], rows);
    expect(await rotated.verify(person, code, { ip: '127.0.0.1' })).to.equal('ok');
    expect(await rotated.verify(person, code, { ip: '127.0.0.1' })).to.equal('invalid');
    const code2 = await serviceWith(['old-key'], rows).issue({ sub: 'admin' }, { directoryId: person.directoryId }, { ip: '127.0.0.1' });
    expect(await serviceWith(['new-key'], rows).verify(person, code2, { ip: '127.0.0.1' }), 'the old key dropped').to.equal('invalid');
  });
});
