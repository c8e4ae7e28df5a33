import { createHmac } from 'node:crypto';
import { Counter, collectDefaultMetrics, Histogram, Registry } from 'prom-client';

/** The service's Prometheus metrics, in a registry of their own (one per app instance). */
export interface Metrics {
  registry: Registry;
  requests: Counter<'method' | 'route' | 'status'>;
  duration: Histogram<'method' | 'route'>;
  /** The label to use for a tenant: an HMAC of its id, so metrics never carry tenant ids. */
  tenantLabel(tenantId: string): string;
}

/**
 * Creates the metrics registry. `labelKey` keys the HMAC of tenant labels: the same tenant gets
 * the same label across restarts and servers (so dashboards work), and nobody without the key can
 * map a label back to a tenant.
 */
export function createMetrics(labelKey: Uint8Array): Metrics {
  const registry = new Registry();
  collectDefaultMetrics({ register: registry, prefix: 'vaultmark_' });
  const requests = new Counter({
    name: 'vaultmark_http_requests_total',
    help: 'HTTP requests by method, route template and status.',
    labelNames: ['method', 'route', 'status'] as const,
    registers: [registry],
  });
  const duration = new Histogram({
    name: 'vaultmark_http_request_duration_seconds',
    help: 'HTTP request latency by method and route template.',
    labelNames: ['method', 'route'] as const,
    buckets: [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10],
    registers: [registry],
  });
  return {
    registry,
    requests,
    duration,
    tenantLabel: (tenantId) =>
      createHmac('sha256', labelKey).update(tenantId).digest('hex').slice(0, 16),
  };
}
