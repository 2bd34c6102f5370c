import { generateCredentials, SEEDED_VERSION } from '../../local/stand-ins';
import type { JsonLine } from '../support/captured-output';
import { buildStopEvent } from '../support/events';
import { useIntegrationHarness } from '../support/integration-harness';

const NAMESPACE = 'ModelArtsStopProxy';

interface EmfMetricDirective {
  Namespace: string;
  Dimensions: string[][];
  Metrics: { Name: string; Unit?: string }[];
}

/** EMF documents among the captured JSON lines. */
function emfDocuments(lines: JsonLine[]): JsonLine[] {
  return lines.filter((line) => typeof line._aws === 'object' && line._aws !== null);
}

function directivesOf(document: JsonLine): EmfMetricDirective[] {
  return (document._aws as { CloudWatchMetrics: EmfMetricDirective[] }).CloudWatchMetrics;
}

/**
 * Sums the values of metric `name` over the EMF documents whose dimension set equals `dimensions`
 * (order ignored) and whose dimension values match.
 */
function metricSum(lines: JsonLine[], name: string, dimensions: Record<string, string>): number {
  const expectedSet = Object.keys(dimensions).sort().join(',');
  let sum = 0;
  for (const document of emfDocuments(lines)) {
    const declares = directivesOf(document).some(
      (directive) =>
        directive.Namespace === NAMESPACE &&
        directive.Metrics.some((metric) => metric.Name === name) &&
        directive.Dimensions.some((set) => [...set].sort().join(',') === expectedSet),
    );
    const valuesMatch = Object.entries(dimensions).every(([key, value]) => document[key] === value);
    if (declares && valuesMatch) {
      const value = document[name];
      sum += Array.isArray(value) ? value.reduce((total: number, item: number) => total + item, 0) : Number(value);
    }
  }
  return sum;
}

const BASE_DIMENSIONS = { service: 'modelarts-stop-proxy', stage: 'test' };

describe('stop handler metrics', () => {
  const harness = useIntegrationHarness();

  it('counts a stop by outcome', async () => {
    const loaded = await harness.loadHandler();

    await harness.invoke(loaded, buildStopEvent({ token: harness.token() }));

    const lines = harness.output.jsonLines();
    expect(metricSum(lines, 'StopRequests', BASE_DIMENSIONS)).toBe(1);
    expect(metricSum(lines, 'StopRequests', { ...BASE_DIMENSIONS, outcome: 'stopped' })).toBe(1);
  });

  it('records upstream latency', async () => {
    const loaded = await harness.loadHandler();

    await harness.invoke(loaded, buildStopEvent({ token: harness.token() }));

    const latency = emfDocuments(harness.output.jsonLines()).find((document) => 'UpstreamLatency' in document);
    expect(latency).toBeDefined();
    expect(typeof latency?.UpstreamLatency).toBe('number');
    expect(latency?.stage).toBe('test');
  });

  it('counts secret cache hits', async () => {
    // The init prefetch fills the cache, so the first request already hits it.
    const loaded = await harness.loadHandler();

    await harness.invoke(loaded, buildStopEvent({ token: harness.token() }));
    await harness.invoke(loaded, buildStopEvent({ token: harness.token() }));

    const lines = harness.output.jsonLines();
    expect(metricSum(lines, 'SecretCacheHits', BASE_DIMENSIONS)).toBe(2);
    expect(metricSum(lines, 'SecretCacheMisses', BASE_DIMENSIONS)).toBe(0);
  });

  it('counts a secret cache miss', async () => {
    const loaded = await harness.loadHandler({ SECRET_CACHE_TTL_SECONDS: '1' });
    await new Promise((resolve) => setTimeout(resolve, 1100));

    await harness.invoke(loaded, buildStopEvent({ token: harness.token() }));

    expect(metricSum(harness.output.jsonLines(), 'SecretCacheMisses', BASE_DIMENSIONS)).toBe(1);
  });

  it('counts credential failures and refreshes', async () => {
    // Prepare: ModelArts accepts other credentials than the secret holds, so both attempts get a 401.
    harness.standIns.modelArts.setCredentials([generateCredentials()]);
    const loaded = await harness.loadHandler();

    // Act
    const response = await harness.invoke(loaded, buildStopEvent({ token: harness.token() }));

    // Assess
    const lines = harness.output.jsonLines();
    expect(response.status).toBe(502);
    expect(metricSum(lines, 'UpstreamCredentialFailures', BASE_DIMENSIONS)).toBe(1);
    expect(metricSum(lines, 'CredentialRefreshes', BASE_DIMENSIONS)).toBe(1);
    expect(metricSum(lines, 'StopRequests', { ...BASE_DIMENSIONS, outcome: 'upstream_credentials_rejected' })).toBe(1);
  });

  it('counts one cold start', async () => {
    // Lambda sets this variable; Powertools counts cold starts only for on-demand initialization.
    const loaded = await harness.loadHandler({ AWS_LAMBDA_INITIALIZATION_TYPE: 'on-demand' });

    await harness.invoke(loaded, buildStopEvent({ token: harness.token() }));
    await harness.invoke(loaded, buildStopEvent({ token: harness.token() }));

    const coldStarts = emfDocuments(harness.output.jsonLines()).filter((document) => 'ColdStart' in document);
    expect(coldStarts).toHaveLength(1);
    expect(coldStarts[0]?.ColdStart).toBe(1);
  });
});

describe('stop handler audit line', () => {
  const harness = useIntegrationHarness();
  const { projectId, taskId, versionId } = SEEDED_VERSION;

  it('writes one audit line per stop', async () => {
    // Prepare
    const loaded = await harness.loadHandler();
    const token = harness.token({ sub: 'auditor-7', client_id: 'local-app' });
    const event = buildStopEvent({ token });

    // Act
    await harness.invoke(loaded, event);

    // Assess
    const auditLines = harness.output.logLines('stop audit');
    expect(auditLines).toHaveLength(1);
    const audit = auditLines[0]?.audit as Record<string, unknown>;
    expect(Object.keys(audit).sort()).toEqual(
      [
        'callerSub',
        'clientId',
        'outcome',
        'projectId',
        'requestId',
        'schemaVersion',
        'taskId',
        'time',
        'upstreamRequestId',
        'upstreamStatus',
        'versionId',
      ].sort(),
    );
    expect(audit.schemaVersion).toBe(1);
    expect(audit.requestId).toBe(event.requestContext.requestId);
    expect(audit.callerSub).toBe('auditor-7');
    expect(audit.clientId).toBe('local-app');
    expect(audit.projectId).toBe(projectId);
    expect(audit.taskId).toBe(taskId);
    expect(audit.versionId).toBe(versionId);
    expect(audit.upstreamStatus).toBe(200);
    expect(audit.upstreamRequestId).toMatch(/^[0-9a-f]{32}$/);
    expect(audit.outcome).toBe('stopped');
    expect(Number.isNaN(Date.parse(String(audit.time)))).toBe(false);
    expect(auditLines[0]?.level).toBe('INFO');
    expect(JSON.stringify(auditLines[0])).not.toContain(token);
  });

  it('records the ModelArts status of a rejected stop', async () => {
    const loaded = await harness.loadHandler();
    const event = buildStopEvent({
      token: harness.token(),
      pathParameters: { project_id: projectId, task_id: taskId, version_id: 'unknownVersion' },
    });

    const response = await harness.invoke(loaded, event);

    const audit = harness.output.logLines('stop audit')[0]?.audit as Record<string, unknown>;
    expect(response.status).toBe(404);
    expect(audit.upstreamStatus).toBe(404);
    expect(audit.outcome).toBe('upstream_rejected');
  });

  it('writes no audit line for a rejected caller', async () => {
    const loaded = await harness.loadHandler();
    const otherProject = buildStopEvent({
      token: harness.token(),
      pathParameters: { project_id: 'ffffffffffffffffffffffffffffffff', task_id: taskId, version_id: versionId },
    });

    await harness.invoke(loaded, otherProject);
    await harness.invoke(loaded, buildStopEvent({}));

    expect(harness.output.logLines('stop audit')).toHaveLength(0);
    expect(harness.output.logLines('stop request completed')).toHaveLength(2);
  });
});
