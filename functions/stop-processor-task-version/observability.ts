import { Logger } from '@aws-lambda-powertools/logger';
import { Metrics, MetricUnit } from '@aws-lambda-powertools/metrics';
import type { CredentialsSource } from './credentials';

export const SERVICE_NAME = 'modelarts-stop-proxy';
export const METRICS_NAMESPACE = 'ModelArtsStopProxy';

/** Structured JSON logger. POWERTOOLS_LOG_LEVEL and POWERTOOLS_SERVICE_NAME override the defaults. */
export const logger = new Logger({ serviceName: SERVICE_NAME });

/**
 * Creates the EMF metrics emitter with the stage as a default dimension. POWERTOOLS_METRICS_NAMESPACE
 * overrides the namespace, and POWERTOOLS_METRICS_DISABLED turns emission off for local runs.
 */
export function createMetrics(stage: string): Metrics {
  return new Metrics({ namespace: METRICS_NAMESPACE, serviceName: SERVICE_NAME, defaultDimensions: { stage } });
}

// One single-metric emitter per Metrics instance, for the outcome metric. `singleMetric()` builds a new
// Metrics with its own Console on each call, which added 84 to 141 µs to the warm p50 in three passes of
// the benchmark's latency measurement (docs/benchmarks.md). A single-metric emitter publishes on every
// addMetric and then clears its dimensions, so one instance can serve every request.
const outcomeEmitters = new WeakMap<Metrics, Metrics>();

function outcomeEmitterOf(metrics: Metrics): Metrics {
  let emitter = outcomeEmitters.get(metrics);
  if (emitter === undefined) {
    emitter = metrics.singleMetric();
    outcomeEmitters.set(metrics, emitter);
  }
  return emitter;
}

/** Per-request facts gathered by the handler for the single log line and the metrics. */
export interface RequestSummary {
  readonly requestId: string;
  projectId?: string;
  taskId?: string;
  versionId?: string;
  callerSub?: string;
  clientId?: string;
  outcome?: string;
  status?: number;
  upstreamStatus?: number;
  upstreamRequestId?: string;
  upstreamLatencyMs?: number;
  upstreamAttempts?: number;
  credentialsSource?: CredentialsSource;
  credentialsRefreshed?: boolean;
  /** True once the caller passed authentication, id validation and authorization. */
  authorized?: boolean;
  /** The error behind a 5xx, by class name and message. Messages never hold secret values. */
  error?: { name: string; message: string; cause?: string };
}

/**
 * Writes the request's one log line and its metrics. 5xx outcomes log at error level with the failing
 * step; nothing here reads headers or the event, so no token can reach the log.
 */
export function recordRequest(summary: RequestSummary, metrics: Metrics): void {
  const status = summary.status ?? 500;
  if (status >= 500) {
    logger.error('stop request failed', { ...summary });
  } else {
    logger.info('stop request completed', { ...summary });
  }

  if (summary.authorized) {
    writeAuditLine(summary);
  }

  // StopRequests goes out twice: per service and stage for the totals, and with the outcome dimension in
  // its own EMF document, so the outcome does not become a dimension of every other metric.
  metrics.addMetric('StopRequests', MetricUnit.Count, 1);
  const outcomeMetric = outcomeEmitterOf(metrics);
  outcomeMetric.addDimension('outcome', summary.outcome ?? 'unknown');
  outcomeMetric.addMetric('StopRequests', MetricUnit.Count, 1);

  if (summary.upstreamLatencyMs !== undefined) {
    metrics.addMetric('UpstreamLatency', MetricUnit.Milliseconds, summary.upstreamLatencyMs);
  }
  if (summary.outcome === 'upstream_credentials_rejected') {
    metrics.addMetric('UpstreamCredentialFailures', MetricUnit.Count, 1);
  }
  if (summary.credentialsRefreshed) {
    metrics.addMetric('CredentialRefreshes', MetricUnit.Count, 1);
  }
  if (summary.credentialsSource !== undefined) {
    const hit = summary.credentialsSource !== 'secrets-manager';
    metrics.addMetric(hit ? 'SecretCacheHits' : 'SecretCacheMisses', MetricUnit.Count, 1);
  }
}

/** Version of the audit line's schema; operators' saved queries depend on these field names. */
export const AUDIT_SCHEMA_VERSION = 1;

/**
 * Writes the audit line of an authorized stop: who requested to stop which version, and what ModelArts
 * returned. It carries identifiers only, never a token or credentials.
 */
function writeAuditLine(summary: RequestSummary): void {
  logger.info('stop audit', {
    audit: {
      schemaVersion: AUDIT_SCHEMA_VERSION,
      time: new Date().toISOString(),
      requestId: summary.requestId,
      callerSub: summary.callerSub,
      clientId: summary.clientId,
      projectId: summary.projectId,
      taskId: summary.taskId,
      versionId: summary.versionId,
      outcome: summary.outcome,
      upstreamStatus: summary.upstreamStatus ?? null,
      upstreamRequestId: summary.upstreamRequestId ?? null,
    },
  });
}
