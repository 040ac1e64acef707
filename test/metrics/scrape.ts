import { expect } from 'chai';
import parsePrometheusTextFormat, { type MetricFamily, type Sample } from 'parse-prometheus-text-format';

/** A parsed `/metrics` answer, with lookups by name and labels. */
export interface Scrape {
  families: MetricFamily[];
  /** The samples of a series whose labels include `labels` (a histogram's: `name_count`, `name_bucket`...). */
  samples(name: string, labels?: Record<string, string>): Sample[];
  /** A counter's or gauge's value (summed over matching samples; 0 when there is none). */
  value(name: string, labels?: Record<string, string>): number;
  /** A histogram's observation count (its `_count` series, summed over matching samples). */
  count(name: string, labels?: Record<string, string>): number;
  /** Every label value in the answer. */
  labelValues(): string[];
}

/** Fetches `/metrics` with `token` and parses it as Prometheus does. */
export const scrape = async (origin: string, token: string): Promise<Scrape> => {
  const res = await fetch(`${origin}/metrics`, { headers: { authorization: `Bearer ${token}` } });
  expect(res.status).to.equal(200);
  expect(res.headers.get('content-type')).to.match(/^text\/plain; version=0\.0\.4/);
  const text = await res.text();
  const families = parsePrometheusTextFormat(text);
  // The parser folds all of a histogram's series into one, dropping their labels (it handles unlabelled histograms
  // only): read the labelled `_count`/`_sum`/`_bucket` series from a second view where histograms are untyped. There
  // each label set's run of lines is a family of its own, so a name may appear several times.
  const flat = parsePrometheusTextFormat(text.replace(/^# TYPE (\S+) histogram$/gm, '# TYPE $1 untyped'));
  const samples = (name: string, labels: Record<string, string> = {}) =>
    flat.filter((f) => f.name === name).flatMap((f) => f.metrics).filter((s) => Object.entries(labels).every(([k, v]) => s.labels?.[k] === v));
  return {
    families,
    samples,
    value: (name, labels) => samples(name, labels).reduce((sum, s) => sum + Number(s.value), 0),
    count: (name, labels) => samples(`${name}_count`, labels).reduce((sum, s) => sum + Number(s.value), 0),
    labelValues: () => flat.flatMap((f) => f.metrics.flatMap((s) => Object.values(s.labels ?? {}))),
  };
};
