import { expect } from 'chai';
import { readDecision } from '../../src/clients/review/decision-form.ts';

const base = { version: '2', submitted: '2026-11-01T00:00:00.000Z', reason: 'Sesuai kebutuhan layanan' };

describe('review decision form (schema at the edge, limits shared with the service)', () => {
  it('refuses a missing outcome, a missing level, and level-3 settings below level 3', () => {
    expect(readDecision({ ...base }).error).to.deep.equal({ key: 'reviewer.error.outcome' });
    expect(readDecision({ ...base, outcome: 'approved' }).error).to.deep.equal({ key: 'apps.invalid.level' });
    expect(readDecision({ ...base, outcome: 'approved', level: '2', max_factor_age: '10' }).error).to.deep.equal({ key: 'reviewer.error.level3_only' });
  });

  it('keeps level-3 settings within the limits and names a bad network range', () => {
    expect(readDecision({ ...base, outcome: 'approved', level: '3', max_factor_age: '61' }).error).to.deep.equal({ key: 'reviewer.error.max_factor_age' });
    expect(readDecision({ ...base, outcome: 'approved', level: '3', networks: '10.0.0.0/8 bukan-cidr' }).error).to.deep.equal({ key: 'reviewer.error.network', params: { value: 'bukan-cidr' } });
    const many = Array.from({ length: 21 }, (_, i) => `10.${i}.0.0/16`).join('\n');
    expect(readDecision({ ...base, outcome: 'approved', level: '3', networks: many }).error).to.deep.equal({ key: 'reviewer.error.networks_many', params: { max: 20 } });
  });

  it('returns the service input with the submission seen, openid always among the scopes', () => {
    const { input, error } = readDecision({ ...base, outcome: 'approved', level: '3', max_factor_age: '10', networks: '10.20.0.0/16', scope_profile: 'on', accept_0: 'http://localhost:3003/cb' });
    expect(error).to.equal(undefined);
    expect(input).to.deep.equal({
      outcome: 'approved',
      reason: base.reason,
      seen: { version: 2, submittedAt: base.submitted },
      level: 3,
      scopes: ['openid', 'profile'],
      acceptedExceptions: ['http://localhost:3003/cb'],
      maxFactorAgeMinutes: 10,
      networks: ['10.20.0.0/16'],
      firstParty: false,
    });
    expect(readDecision({ ...base, outcome: 'rejected' }).input).to.deep.equal({ outcome: 'rejected', reason: base.reason, seen: { version: 2, submittedAt: base.submitted } });
  });

  it('reads the first-party mark (issue 11 §6): ticked is first-party, unticked is not, and only with an approval', () => {
    expect(readDecision({ ...base, outcome: 'approved', level: '1', first_party: 'on' }).input).to.include({ firstParty: true });
    expect(readDecision({ ...base, outcome: 'approved', level: '1' }).input).to.include({ firstParty: false });
    expect(readDecision({ ...base, outcome: 'changes_requested', first_party: 'on' }).input).not.to.have.property('firstParty');
  });

  it('changes the mark only when the box differs from the mark the form was shown with, which goes into what was seen', () => {
    const approve = { ...base, outcome: 'approved', level: '1' };
    const untouched = readDecision({ ...approve, first_party_shown: 'off' }).input!;
    expect(untouched, 'unticked as shown: the app keeps its mark').not.to.have.property('firstParty');
    expect(untouched.seen).to.deep.equal({ version: 2, submittedAt: base.submitted, firstParty: false });
    expect(readDecision({ ...approve, first_party_shown: 'on', first_party: 'on' }).input).not.to.have.property('firstParty');
    expect(readDecision({ ...approve, first_party_shown: 'off', first_party: 'on' }).input).to.include({ firstParty: true });
    expect(readDecision({ ...approve, first_party_shown: 'on' }).input).to.include({ firstParty: false });
    expect(readDecision({ ...base, outcome: 'rejected', first_party_shown: 'on' }).input!.seen).to.deep.equal({ version: 2, submittedAt: base.submitted, firstParty: true });
  });
});
