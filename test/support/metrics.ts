import type { Metrics } from '../../src/engine/metrics.js';

/** The value of one series (a histogram's by its `_sum`, `_count` or `_bucket` name), or undefined. */
export async function sample(
  metrics: Pick<Metrics, 'registry'>,
  name: string,
  labels: Record<string, string>,
): Promise<number | undefined> {
  const series = (await metrics.registry.getMetricsAsJSON())
    .flatMap((metric) =>
      metric.values.map((value) => ({
        ...value,
        // A histogram's values carry their own names (`…_bucket`, `…_sum`, `…_count`).
        name: (value as { metricName?: string }).metricName ?? metric.name,
      })),
    )
    .find(
      (each) =>
        each.name === name && Object.entries(labels).every(([key, wanted]) => each.labels[key] === wanted),
    );
  return series?.value;
}
