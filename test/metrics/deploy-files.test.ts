import { expect } from 'chai';
import { createMetrics } from '../../src/metrics/metrics.ts';
import { readDeploy } from '../deploy/deploy-files.ts';

/** Every series name /metrics can expose: each family, and a histogram's `_bucket`, `_sum` and `_count`. */
const exposedNames = async () => {
  const families = await createMetrics({ process: true }).registry.getMetricsAsJSON();
  return new Set(families.flatMap((f) => (String(f.type) === 'histogram' ? [f.name, `${f.name}_bucket`, `${f.name}_sum`, `${f.name}_count`] : [f.name])));
};

/** The metric names a PromQL expression reads (ours all start with `satu_akun_`; `up` is Prometheus's own). */
const namesIn = (expr: string) => [...expr.matchAll(/\b(satu_akun_[a-z0-9_]+|up)\b(?=\s*[{[)\s]|$)/g)].map((m) => m[1]!);

/** A cheap syntax check: brackets and quotes balance. */
const balanced = (expr: string) => {
  const stack: string[] = [];
  const pairs: Record<string, string> = { ')': '(', ']': '[', '}': '{' };
  for (const ch of expr.replace(/"[^"]*"/g, '""')) {
    if ('([{'.includes(ch)) stack.push(ch);
    else if (ch in pairs && stack.pop() !== pairs[ch]) return false;
  }
  return stack.length === 0 && (expr.match(/"/g)?.length ?? 0) % 2 === 0;
};

/** Our own metrics (not the process ones): the dashboard shows each of them. */
const OWN = ['http_requests_total', 'http_request_duration_seconds', 'signins_total', 'token_grants_total', 'store_duration_seconds', 'store_up', 'throttle_blocks_total', 'outbox_pending', 'cache_invalidations_total'].map((n) => `satu_akun_${n}`);

describe('deploy/grafana-dashboard.json', () => {
  interface Target {
    expr: string;
    datasource: { uid: string };
  }
  interface Panel {
    id: number;
    type: string;
    title: string;
    gridPos: { x: number; w: number };
    datasource?: { type: string; uid: string };
    targets?: Target[];
  }
  const dashboard = JSON.parse(readDeploy('grafana-dashboard.json')) as { __inputs: { name: string; pluginId: string }[]; panels: Panel[]; uid: string; title: string };
  const panels = dashboard.panels.filter((p) => p.type !== 'row');

  it('is a Grafana dashboard reading a Prometheus data source chosen at import (${DS_PROMETHEUS})', () => {
    expect(dashboard.__inputs).to.deep.include({ name: 'DS_PROMETHEUS', label: 'Prometheus', description: "The Prometheus server scraping Satu Akun's /metrics", type: 'datasource', pluginId: 'prometheus', pluginName: 'Prometheus' });
    expect(dashboard.uid).to.equal('satu-akun');
    expect(new Set(dashboard.panels.map((p) => p.id)).size).to.equal(dashboard.panels.length);
    for (const panel of panels) {
      expect(panel.datasource, panel.title).to.deep.equal({ type: 'prometheus', uid: '${DS_PROMETHEUS}' });
      expect(panel.targets, panel.title).to.have.length.greaterThan(0);
      for (const target of panel.targets!) expect(target.datasource.uid).to.equal('${DS_PROMETHEUS}');
      expect(panel.gridPos.x + panel.gridPos.w, panel.title).to.be.at.most(24);
    }
  });

  it('reads only metrics /metrics exposes, and shows every one of ours', async () => {
    const exposed = await exposedNames();
    const used = new Set<string>();
    for (const target of panels.flatMap((p) => p.targets!)) {
      expect(balanced(target.expr), target.expr).to.equal(true);
      const names = namesIn(target.expr);
      expect(names, target.expr).to.have.length.greaterThan(0);
      for (const name of names) {
        expect(exposed.has(name), `${name} in ${target.expr}`).to.equal(true);
        used.add(name.replace(/_(bucket|sum|count)$/, ''));
      }
    }
    for (const name of OWN) expect(used.has(name), name).to.equal(true);
  });
});

describe('deploy/prometheus-alerts.yml', () => {
  const text = readDeploy('prometheus-alerts.yml');

  /** The rules, read with the file's own plain shape: `- alert:` items, two-space indents, single-quoted expressions. */
  const rules = () => {
    const found: { alert: string; expr?: string; for?: string; severity?: string; summary?: string; description?: string }[] = [];
    for (const line of text.split('\n')) {
      const alert = /^ {6}- alert: (\S+)$/.exec(line);
      if (alert) found.push({ alert: alert[1]! });
      const field = /^ {8,10}(expr|for|severity|summary|description): (.+)$/.exec(line);
      if (field && found.length) {
        const value = field[2]!.startsWith("'") ? /^'(.*)'$/.exec(field[2]!)?.[1] : field[2];
        found.at(-1)![field[1] as 'expr'] = value;
      }
    }
    return found;
  };

  it('is a rules file of the plain shape Prometheus loads (groups, rules with expr, for, severity, summary)', () => {
    expect(text).not.to.contain('\t');
    expect(text.split('\n').find((l) => l && !l.startsWith('#'))).to.equal('groups:');
    for (const line of text.split('\n')) if (line.trim() && !line.startsWith('#')) expect(/^( {2})*\S/.test(line), line).to.equal(true);
    const all = rules();
    expect(all.length).to.be.greaterThan(5);
    expect(new Set(all.map((r) => r.alert)).size).to.equal(all.length);
    for (const rule of all) {
      expect(rule.expr, rule.alert).to.be.a('string');
      expect(rule.for, rule.alert).to.match(/^\d+[smh]$/);
      expect(rule.severity, rule.alert).to.be.oneOf(['critical', 'warning']);
      expect(rule.summary, rule.alert).to.be.a('string').and.not.equal('');
      expect(rule.description, rule.alert).to.be.a('string').and.not.equal('');
    }
  });

  it("alerts on DESIGN.md's failures (directory, Redis, SQL down), 5xx, guessing spikes and the outbox, with metrics /metrics exposes", async () => {
    const exposed = await exposedNames();
    const all = rules();
    expect(all.map((r) => r.alert)).to.include.members(['SatuAkunDirectoryDown', 'SatuAkunRedisDown', 'SatuAkunSqlDown', 'SatuAkunHighErrorRate', 'SatuAkunThrottleSpike', 'SatuAkunOutboxGrowing']);
    for (const rule of all) {
      expect(balanced(rule.expr!), rule.expr).to.equal(true);
      for (const name of namesIn(rule.expr!)) expect(name === 'up' || exposed.has(name), `${name} in ${rule.alert}`).to.equal(true);
    }
    const exprOf = (alert: string) => all.find((r) => r.alert === alert)!.expr!;
    expect(exprOf('SatuAkunDirectoryDown')).to.contain('satu_akun_store_up{store="ldap"}');
    expect(exprOf('SatuAkunRedisDown')).to.contain('satu_akun_store_up{store="redis"}');
    expect(exprOf('SatuAkunSqlDown')).to.contain('satu_akun_store_up{store="sql"}');
  });
});
