import { expect } from 'chai';
import { barChart, dayChart } from '../../src/reports/charts.ts';

describe('report charts (server-side SVG)', () => {
  it('keeps an id from the directory (an agency code) from breaking out of its attribute', () => {
    const hostile = 'X" onmouseover="alert(1)><script>alert(2)</script>';
    for (const svg of [barChart(`apps-${hostile}`, 'Aplikasi <b>', [{ key: 'a', name: '<i>A</i>', value: 3 }]), dayChart(hostile, 'Hari', [{ key: '2026-11-01', name: '1 Nov', value: 1 }])]) {
      expect(svg).to.not.contain('<script').and.not.contain('onmouseover="').and.not.contain('<b>').and.not.contain('<i>');
      expect(svg).to.match(/aria-labelledby="[A-Za-z0-9_-]+-title [A-Za-z0-9_-]+-desc"/);
    }
  });
});
