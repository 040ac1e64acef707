import { expect } from 'chai';
import { endOfDay } from '../../src/http/form-fields.ts';

describe('end dates typed on forms (endOfDay)', () => {
  it("ends the day at 23:59:59 in the regency's time zone", () => {
    expect(endOfDay('2026-12-01')!.toISOString(), 'WIB by default').to.equal('2026-12-01T16:59:59.000Z');
    expect(endOfDay('2026-12-01', 'WIB')!.toISOString()).to.equal('2026-12-01T16:59:59.000Z');
    expect(endOfDay('2026-12-01', 'WITA')!.toISOString()).to.equal('2026-12-01T15:59:59.000Z');
    expect(endOfDay('2026-12-01', 'WIT')!.toISOString()).to.equal('2026-12-01T14:59:59.000Z');
  });

  it('reads blank as no date, and refuses what no calendar has rather than rolling it over', () => {
    expect(endOfDay('')).to.equal(undefined);
    for (const bad of ['2026-11-31', '2027-02-29', '2026-13-01', '2026-00-10', '01-12-2026', '2026-1-1', '2026-12-01T00:00']) {
      expect(endOfDay(bad), bad).to.equal(null);
    }
    expect(endOfDay('2028-02-29')!.toISOString(), 'a leap day').to.equal('2028-02-29T16:59:59.000Z');
  });
});
