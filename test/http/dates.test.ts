import { expect } from 'chai';
import { dateFormatter, dateTimeFormatter } from '../../src/i18n/dates.ts';

describe('times on pages: in the regency’s time zone, labelled', () => {
  const at = new Date('2026-11-27T10:38:00Z');

  it('shows a time in WIB, WITA or WIT with its label, in both languages', () => {
    expect(dateTimeFormatter('id', 'WIB')(at)).to.match(/27 Nov 2026.* 17\.38 WIB$/);
    expect(dateTimeFormatter('id', 'WITA')(at)).to.match(/18\.38 WITA$/);
    expect(dateTimeFormatter('en', 'WIT')(at)).to.match(/27 Nov 2026.* 19:38 WIT$/);
    expect(dateTimeFormatter('id', 'WIB')(null)).to.equal('');
  });

  it('gives the calendar date of the regency, not of UTC', () => {
    // 20.00 UTC on the 27th is already the 28th in Jayapura (UTC+9) and the 28th in Jakarta (UTC+7) too.
    const evening = new Date('2026-11-27T20:00:00Z');
    expect(dateFormatter('id', 'WIB')(evening)).to.equal('28 November 2026');
    expect(dateFormatter('en', 'WIT')(new Date('2026-11-27T14:00:00Z'))).to.equal('27 November 2026');
    expect(dateFormatter('en', 'WIT')(new Date('2026-11-27T15:00:00Z'))).to.equal('28 November 2026');
  });
});
