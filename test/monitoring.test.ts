import { mkdtemp, readFile, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { parse, parseAllDocuments, stringify } from 'yaml';
import { createMetrics } from '../src/engine/metrics.js';
import { RunRecords } from '../src/engine/records.js';
import { metricNamesIn, selectorOfVariableQuery, withoutGrafanaVariables } from './support/promql.js';
import { promtool, skipWithoutPromtool } from './support/promtool.js';

const root = fileURLToPath(new URL('..', import.meta.url));
const read = (path: string) => readFile(join(root, path), 'utf8');

interface AlertRule {
  alert: string;
  expr: string;
}
interface AlertTest {
  alertname: string;
  exp_alerts?: unknown[];
}

/**
 * Every series name the daemon exports, from the registry it serves on /metrics — a histogram as
 * its `_bucket`, `_sum` and `_count` series — plus `up`, which Prometheus adds to every target.
 */
async function exportedSeriesNames(): Promise<Set<string>> {
  const metrics = createMetrics(new RunRecords(), { everyMs: 3_600_000 });
  const names = new Set(['up']);
  for (const metric of await metrics.registry.getMetricsAsJSON()) {
    const type = String(metric.type);
    if (type === 'histogram')
      for (const suffix of ['_bucket', '_sum', '_count']) names.add(metric.name + suffix);
    else if (type === 'summary') for (const suffix of ['', '_sum', '_count']) names.add(metric.name + suffix);
    else names.add(metric.name);
  }
  return names;
}

async function alertRules(): Promise<AlertRule[]> {
  const file = parse(await read('deploy/prometheus/janitor-rules.yaml'));
  return file.groups.flatMap((group: { rules: AlertRule[] }) => group.rules);
}

/** Every PromQL expression of the dashboard: each panel's queries and each variable's. */
async function dashboardExpressions(): Promise<string[]> {
  const dashboard = JSON.parse(await read('deploy/grafana/janitor.json'));
  const panels: { targets?: { expr: string }[] }[] = dashboard.panels;
  return [
    ...panels.flatMap((panel) => (panel.targets ?? []).map((target) => target.expr)),
    ...dashboard.templating.list.map((variable: { query: { query: string } }) =>
      selectorOfVariableQuery(variable.query.query),
    ),
  ].map(withoutGrafanaVariables);
}

describe('Grafana dashboard (deploy/grafana/janitor.json)', () => {
  it('asks for its Prometheus data source on import, as dashboards shared on grafana.com do', async () => {
    const dashboard = JSON.parse(await read('deploy/grafana/janitor.json'));
    expect(dashboard.__inputs).toEqual([
      expect.objectContaining({ name: 'DS_PROMETHEUS', type: 'datasource', pluginId: 'prometheus' }),
    ]);
    expect(dashboard.id).toBeNull();
    const sources = [
      ...dashboard.panels.filter((panel: { type: string }) => panel.type !== 'row'),
      ...dashboard.panels.flatMap((panel: { targets?: unknown[] }) => panel.targets ?? []),
      ...dashboard.templating.list,
    ].map((each: { datasource: unknown }) => each.datasource);
    expect(new Set(sources.map((source) => JSON.stringify(source)))).toEqual(
      // biome-ignore lint/suspicious/noTemplateCurlyInString: Grafana's placeholder, which its import replaces.
      new Set([JSON.stringify({ type: 'prometheus', uid: '${DS_PROMETHEUS}' })]),
    );
  });

  it('queries only metrics the daemon exports, and every one of its own', async () => {
    const exported = await exportedSeriesNames();
    const expressions = await dashboardExpressions();
    const used = new Set(expressions.flatMap(metricNamesIn));
    expect([...used].filter((name) => !exported.has(name))).toEqual([]);
    // Each of the janitor's own series is on the dashboard or in an alert.
    const alerting = new Set((await alertRules()).flatMap((rule) => metricNamesIn(rule.expr)));
    const own = [...exported].filter(
      (name) => /^(janitor|worker)_/.test(name) && !name.endsWith('_bucket') && !name.endsWith('_count'),
    );
    expect(own.filter((name) => !used.has(name) && !alerting.has(name))).toEqual([]);
  });

  it.skipIf(skipWithoutPromtool)('has expressions Prometheus itself accepts', async () => {
    // promtool has no query syntax check of its own: each expression goes in as a recording rule.
    const expressions = await dashboardExpressions();
    const directory = await mkdtemp(join(tmpdir(), 'janitor-dashboard-'));
    const rules = expressions.map((expr, index) => ({ record: `janitor_dashboard:query_${index}`, expr }));
    await writeFile(join(directory, 'queries.yaml'), stringify({ groups: [{ name: 'dashboard', rules }] }));
    const checked = await promtool(['check', 'rules', 'queries.yaml'], directory);
    expect(checked.output).toContain(`SUCCESS: ${expressions.length} rules found`);
    expect(checked.code).toBe(0);
  });
});

describe('Prometheus alert rules (deploy/prometheus)', () => {
  it('use only metrics the daemon exports, in the rules and in their tests’ input series', async () => {
    const exported = await exportedSeriesNames();
    const tests = parse(await read('deploy/prometheus/janitor-rules.test.yaml'));
    const series: string[] = tests.tests.flatMap((test: { input_series: { series: string }[] }) =>
      test.input_series.map((input) => input.series),
    );
    const used = new Set(
      [...(await alertRules()).map((rule) => rule.expr), ...series].flatMap(metricNamesIn),
    );
    expect([...used].filter((name) => !exported.has(name))).toEqual([]);
  });

  it('test every alert firing when it should and quiet when it should not', async () => {
    const tests = parse(await read('deploy/prometheus/janitor-rules.test.yaml'));
    const cases: AlertTest[] = tests.tests.flatMap(
      (test: { alert_rule_test: AlertTest[] }) => test.alert_rule_test,
    );
    const alerts = (await alertRules()).map((rule) => rule.alert);
    expect(alerts).toHaveLength(7);
    for (const alert of alerts) {
      const own = cases.filter((each) => each.alertname === alert);
      expect(
        own.some((each) => (each.exp_alerts ?? []).length > 0),
        `${alert} is never shown firing`,
      ).toBe(true);
      expect(
        own.some((each) => (each.exp_alerts ?? []).length === 0),
        `${alert} is never shown quiet`,
      ).toBe(true);
    }
  });

  it('are the same as a PrometheusRule next to the Kubernetes manifests', async () => {
    const [document, ...others] = parseAllDocuments(await read('deploy/kubernetes/prometheus-rule.yaml'));
    expect(others).toEqual([]);
    const resource = document?.toJS();
    expect(resource).toMatchObject({ apiVersion: 'monitoring.coreos.com/v1', kind: 'PrometheusRule' });
    expect(resource.spec).toEqual(parse(await read('deploy/prometheus/janitor-rules.yaml')));
  });

  describe.skipIf(skipWithoutPromtool)('promtool', () => {
    const directory = join(root, 'deploy/prometheus');

    it('checks the rules', async () => {
      const checked = await promtool(['check', 'rules', 'janitor-rules.yaml'], directory);
      expect(checked.output).toContain('SUCCESS: 7 rules found');
      expect(checked.code).toBe(0);
    });

    it('passes the unit tests of every alert', async () => {
      const tested = await promtool(['test', 'rules', 'janitor-rules.test.yaml'], directory);
      expect(tested.output).toContain('SUCCESS');
      expect(tested.code, tested.output).toBe(0);
    });
  });
});
