import { collectDefaultMetrics, type Registry } from 'prom-client'

/**
 * prom-client's default Node.js process metrics, less the gauges it names `..._total`
 * (`nodejs_active_handles_total`, `..._requests_total`, `..._resources_total`): Prometheus
 * keeps that suffix for counters, so `promtool check metrics` reports them and rate() over
 * them would be wrong. The same figures remain by type (`nodejs_active_handles{type}` etc.):
 * sum() them for the totals.
 */
export function collectProcessMetrics (registry: Registry, prefix: string): void {
  collectDefaultMetrics({ register: registry, prefix })
  for (const { name, type } of registry.getMetricsAsArray()) {
    if (name.startsWith(prefix) && name.endsWith('_total') && String(type) !== 'counter') registry.removeSingleMetric(name)
  }
}
