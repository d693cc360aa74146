import { parser } from '@prometheus-io/lezer-promql';

/**
 * The metric names a PromQL expression selects, read from its syntax tree (Prometheus's own
 * grammar): an identifier that names a vector selector, never a function, label or keyword.
 * Throws on an expression that does not parse.
 */
export function metricNamesIn(expression: string): string[] {
  const names: string[] = [];
  const errors: number[] = [];
  parser.parse(expression).iterate({
    enter(node) {
      if (node.type.isError) errors.push(node.from);
      if (node.name === 'Identifier' && node.node.parent?.name === 'VectorSelector')
        names.push(expression.slice(node.from, node.to));
    },
  });
  if (errors.length > 0) throw new Error(`does not parse at ${errors[0]}: ${expression}`);
  return names;
}

/** Grafana's variables, replaced by values that keep the expression valid PromQL. */
export function withoutGrafanaVariables(expression: string): string {
  return expression.replaceAll(/\$__(?:rate_interval|interval|range)\b/g, '5m');
}

/** Grafana's `label_values(SELECTOR, label)` variable query → its selector (PromQL); else the query. */
export function selectorOfVariableQuery(query: string): string {
  return /^label_values\((.*),\s*\w+\)$/.exec(query.trim())?.[1] ?? query;
}
