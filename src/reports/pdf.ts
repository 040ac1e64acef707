import { translator } from '../i18n/index.ts';
import type { MessageKey } from '../i18n/index.ts';
import { dateFormatter } from '../i18n/dates.ts';
import type { TimeZone } from '../http/form-fields.ts';
import type { Item, ReportData } from './report-data.ts';

const TOP_ROWS = 7;
const BRAND = '#0b5394';

const percent = (n: number) => `${n.toLocaleString('id-ID', { maximumFractionDigits: 1 })}%`;
const number = (n: number) => n.toLocaleString('id-ID');

/**
 * The monthly report for the Bupati as a PDF, in Bahasa Indonesia: page 1 holds the headline figures, then each
 * agency has a page of its own (so the document has 1 + agencies pages). Drawn with pdfkit from the same
 * `ReportData` as the HTML page; text stays text (searchable, copyable). Built in memory: a month's report is a few
 * pages. pdfkit's built-in Helvetica covers Latin-1 only, which is enough for Indonesian names.
 */
export const monthlyPdf = async (data: ReportData, options: { regency: string; timeZone: string }): Promise<Buffer> => {
  // pdfkit, fontkit and the font metrics (some 20 MB resident) are loaded at the first PDF, not at start.
  const { default: PDFDocument } = await import('pdfkit');
  return new Promise((resolve, reject) => {
    const t = translator('id');
    const doc = new PDFDocument({ size: 'A4', margin: 50, info: { Title: `${t('reports.monthly.title')} ${data.period.from.slice(0, 7)}`, Author: `Satu Akun ${options.regency}` }, lang: 'id-ID', displayTitle: true });
    const chunks: Buffer[] = [];
    doc.on('data', (c: Buffer) => chunks.push(c));
    doc.on('end', () => resolve(Buffer.concat(chunks)));
    doc.on('error', reject);
    const width = doc.page.width - 100;

    const heading = (text: string, size = 13) => doc.moveDown(0.6).font('Helvetica-Bold').fontSize(size).fillColor('#000').text(text).font('Helvetica').fontSize(10).moveDown(0.2);
    // A label and its value side by side; a long value wraps in its own column.
    const line = (label: string, value: string) => {
      const y = doc.y;
      doc.font('Helvetica').fontSize(10).fillColor('#000').text(label, 50, y, { width: 200 });
      const below = doc.y;
      doc.font('Helvetica-Bold').text(value, 270, y, { width: width - 220 }).font('Helvetica');
      doc.x = 50;
      doc.y = Math.max(below, doc.y) + 2;
    };
    /** `text` cut with an ellipsis to fit `max` points at the current font. */
    const fit = (text: string, max: number) => {
      if (doc.widthOfString(text) <= max) return text;
      let cut = text;
      while (cut.length > 1 && doc.widthOfString(`${cut}...`) > max) cut = cut.slice(0, -1);
      return `${cut.trimEnd()}...`;
    };
    // A small bar chart: a label, a bar in proportion to the largest value, and the number (the same numbers as the HTML table).
    const bars = (items: Item[], fallback: string, format: (n: number) => string = number) => {
      const shown = items.slice(0, TOP_ROWS);
      if (!shown.length) return doc.fontSize(10).fillColor('#555').text(t('reports.none')).fillColor('#000');
      const max = Math.max(1, ...shown.map((i) => i.value));
      for (const item of shown) {
        const y = doc.y;
        doc.fontSize(9).fillColor('#000');
        doc.text(fit(item.name || fallback, 180), 50, y, { lineBreak: false });
        const w = Math.round(((width - 250) * item.value) / max);
        doc.rect(245, y + 1, Math.max(w, item.value ? 1 : 0), 8).fill(BRAND);
        doc.fillColor('#000').text(format(item.value), 250 + w, y, { lineBreak: false });
        doc.x = 50;
        doc.y = y + 13;
      }
      return doc;
    };
    const reason = (key: string) => t(`reports.reason.${key}` as MessageKey) || key;

    // Page 1: headline figures.
    doc.font('Helvetica-Bold').fontSize(18).fillColor(BRAND).text(t('reports.monthly.title'));
    doc.font('Helvetica').fontSize(11).fillColor('#000').text(t('reports.monthly.to', { regency: options.regency }));
    const day = dateFormatter('id', options.timeZone as TimeZone);
    const dayOf = (d: string) => day(new Date(`${d}T12:00:00Z`));
    doc.text(t('reports.period', { from: dayOf(data.period.from), to: dayOf(data.period.to), zone: options.timeZone }));
    heading(t('reports.headline'));
    line(t('reports.signins'), number(data.totals.signins));
    line(t('reports.active_people'), number(data.totals.activePeople));
    line(t('reports.failures'), number(data.totals.failures));
    line(t('reports.lockouts'), number(data.totals.lockouts));
    line(t('reports.waiting'), data.waiting.count ? t('reports.waiting_text', { count: data.waiting.count, oldest: data.waiting.oldestDays, average: number(data.waiting.averageDays) }) : t('reports.waiting_none'));
    line(t('reports.dormant'), t('reports.dormant_text', { count: data.dormant.count, days: data.dormant.days }));
    heading(t('reports.by_agency'), 11);
    bars(data.signinsByAgency, t('reports.no_agency'));
    heading(t('reports.active_by_app'), 11);
    bars(data.activeByApp, t('reports.no_app'));
    heading(t('reports.by_reason'), 11);
    bars(data.failuresByReason.map((i) => ({ ...i, name: reason(i.key) })), '');
    heading(t('reports.factors'), 11);
    bars(data.factors.rows, t('reports.no_agency'), percent);

    // Then one page per agency.
    for (const agency of data.agencies) {
      doc.addPage();
      doc.font('Helvetica-Bold').fontSize(15).fillColor(BRAND).text(agency.name || agency.code).font('Helvetica').fontSize(10).fillColor('#555').text(agency.code).fillColor('#000');
      heading(t('reports.headline'), 11);
      line(t('reports.signins'), number(agency.signins));
      line(t('reports.active_people'), number(agency.activePeople));
      line(t('reports.failures'), number(agency.failures));
      line(t('reports.lockouts'), number(agency.lockouts));
      if (agency.factor)
        doc.text(t('reports.monthly.factor_share', { with: agency.factor.withFactor, accounts: agency.factor.accounts, share: percent(agency.factor.accounts ? (agency.factor.withFactor / agency.factor.accounts) * 100 : 0) }));
      heading(t('reports.monthly.agency_apps'), 11);
      bars(agency.apps, t('reports.no_app'));
    }
    doc.end();
  });
};
