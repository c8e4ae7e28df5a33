import { createHmac } from 'node:crypto';
import { Counter, collectDefaultMetrics, Histogram, Registry } from 'prom-client';

/** The service's Prometheus metrics, in a registry of their own (one per app instance). */
export interface Metrics {
  registry: Registry;
  requests: Counter<'method' | 'route' | 'status'>;
  duration: Histogram<'method' | 'route'>;
  /** Per-organization events (uploads, shares, streams, downloads, investigations, errors). */
  organizationEvents: Counter<'organization' | 'event'>;
  /** The label to use for a tenant: an HMAC of its id, so metrics never carry tenant ids. */
  tenantLabel(tenantId: string): string;
}

/** What the per-organization counter counts. */
export type OrganizationEvent =
  | 'upload'
  | 'share'
  | 'stream'
  | 'download'
  | 'investigation'
  | 'error';

/** The organization event an answered request is, by method, route template and status. */
export function organizationEventOf(
  method: string,
  route: string,
  status: number,
): OrganizationEvent | undefined {
  if (status >= 500) return 'error';
  if (status >= 300) return undefined;
  const events: Record<string, OrganizationEvent> = {
    'POST /api/tracks': 'upload',
    'POST /api/tracks/:id/versions': 'upload',
    'POST /api/shares': 'share',
    'GET /s/:token/tracks/:trackId/stream': 'stream',
    'GET /s/:token/tracks/:trackId/download': 'download',
    'POST /api/investigations': 'investigation',
  };
  return events[`${method} ${route}`];
}

/**
 * Creates the metrics registry. `labelKey` keys the HMAC of tenant labels: given the same key
 * (the server derives it from its key-encryption key), the same tenant gets the same label across
 * restarts and servers (so dashboards work), and nobody without the key can map a label back to
 * a tenant.
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
  const organizationEvents = new Counter({
    name: 'vaultmark_organization_events_total',
    help: 'Uploads, shares, streams, downloads, investigations and server errors per organization (label: keyed hash of its id).',
    labelNames: ['organization', 'event'] as const,
    registers: [registry],
  });
  return {
    registry,
    requests,
    duration,
    organizationEvents,
    tenantLabel: (tenantId) =>
      createHmac('sha256', labelKey).update(tenantId).digest('hex').slice(0, 16),
  };
}
