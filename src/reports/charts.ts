import type { Item } from './report-data.ts';

const escape = (text: string) => text.replace(/[&<>"']/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' })[c]!);

/** An element id from any text (an agency code comes from the directory): letters, digits, `-` and `_` only. */
const safeId = (id: string) => id.replace(/[^A-Za-z0-9_-]/g, '_');

const WIDTH = 400;
const ROW = 40;
const MAX_BARS = 15;

/**
 * A horizontal bar chart as inline SVG, drawn on the server: no script, no external file. It is an image with a
 * name (`<title>`) and a description (`<desc>`) that says the figures in words, for screen readers; the same numbers
 * stand in a table beside it. It scales with its container (viewBox, width 100%); each label sits on its own line
 * above its bar, so the text stays readable when a phone shrinks the picture.
 * `id`: unique on the page (names the title and description). `format`: how a value is written (e.g. a percentage).
 */
export const barChart = (rawId: string, title: string, items: Item[], format: (n: number) => string = String): string => {
  const id = safeId(rawId);
  const shown = items.slice(0, MAX_BARS);
  const max = Math.max(1, ...shown.map((i) => i.value));
  const height = Math.max(1, shown.length) * ROW + 4;
  const desc = shown.length ? shown.map((i) => `${i.name || i.key}: ${format(i.value)}`).join('; ') : '-';
  const bars = shown
    .map((item, n) => {
      const y = n * ROW;
      const w = Math.round(((WIDTH - 70) * item.value) / max);
      const name = item.name || item.key;
      const label = name.length > 46 ? `${name.slice(0, 45)}…` : name;
      return (
        `<text x="0" y="${y + 14}" class="chart-label">${escape(label)}</text>` +
        `<rect x="0" y="${y + 19}" width="${Math.max(w, item.value ? 2 : 0)}" height="14" class="chart-bar"></rect>` +
        `<text x="${w + 6}" y="${y + 31}" class="chart-value">${escape(format(item.value))}</text>`
      );
    })
    .join('');
  return (
    `<svg class="chart" role="img" aria-labelledby="${id}-title ${id}-desc" viewBox="0 0 ${WIDTH} ${height}" width="100%" preserveAspectRatio="xMinYMin meet" xmlns="http://www.w3.org/2000/svg">` +
    `<title id="${id}-title">${escape(title)}</title><desc id="${id}-desc">${escape(desc)}</desc>${bars}</svg>`
  );
};

/** Columns over time (one per day), with the same accessible name, description and table as the bar chart. */
export const dayChart = (rawId: string, title: string, items: Item[]): string => {
  const id = safeId(rawId);
  const max = Math.max(1, ...items.map((i) => i.value));
  const h = 120;
  const step = WIDTH / Math.max(1, items.length);
  const desc = items.map((i) => `${i.key}: ${i.value}`).join('; ') || '-';
  const cols = items
    .map((item, n) => {
      const bh = Math.round(((h - 30) * item.value) / max);
      return `<rect x="${Math.round(n * step + 1)}" y="${h - 20 - bh}" width="${Math.max(1, Math.round(step - 2))}" height="${bh}" class="chart-bar"></rect>`;
    })
    .join('');
  const ends = items.length
    ? `<text x="0" y="${h - 4}" class="chart-label">${escape(items[0]!.key.slice(5))}</text><text x="${WIDTH}" y="${h - 4}" text-anchor="end" class="chart-label">${escape(items[items.length - 1]!.key.slice(5))}</text><text x="0" y="12" class="chart-value">${max}</text>`
    : '';
  return (
    `<svg class="chart" role="img" aria-labelledby="${id}-title ${id}-desc" viewBox="0 0 ${WIDTH} ${h}" width="100%" preserveAspectRatio="xMinYMin meet" xmlns="http://www.w3.org/2000/svg">` +
    `<title id="${id}-title">${escape(title)}</title><desc id="${id}-desc">${escape(desc)}</desc>${cols}${ends}</svg>`
  );
};
