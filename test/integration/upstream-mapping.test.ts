import { generateCredentials, LOCAL_SECRET_ID, SEEDED_VERSION } from '../../local/stand-ins';
import { startJsonServer, type RunningServer } from '../../local/stand-ins/json-server';
import { parseAuthorizationHeader } from '../../functions/lib/huawei-signing';
import { buildStopEvent, SEEDED_PATH_PARAMETERS, stopPath } from '../support/events';
import type { HandlerResponse, LoadedHandler } from '../support/handler-loader';
import { expectBaseHeaders, expectErrorBody, useIntegrationHarness } from '../support/integration-harness';

const SEEDED_STOP_PATH = stopPath(SEEDED_PATH_PARAMETERS);
const SHORT_TIMEOUT_MS = 300;

describe('stop handler upstream mapping', () => {
  const harness = useIntegrationHarness();

  /** Loads a fresh handler and sends one authorized stop request for the seeded version. */
  async function stopSeeded(
    env: Record<string, string> = {},
  ): Promise<{ response: HandlerResponse; requestId: string; loaded: LoadedHandler; token: string }> {
    const loaded = await harness.loadHandler(env);
    const token = harness.token();
    const event = buildStopEvent({ token });
    const response = await harness.invoke(loaded, event);
    return { response, requestId: event.requestContext.requestId, loaded, token };
  }

  function seededStatus(): string | undefined {
    return harness.standIns.modelArts.versionStatus(SEEDED_VERSION.projectId, SEEDED_VERSION.taskId, SEEDED_VERSION.versionId);
  }

  function accessKeysSent(): string[] {
    return harness.modelArtsRequests().map((request) => parseAuthorizationHeader(String(request.headers.authorization))?.accessKey ?? '');
  }

  describe('success passthrough', () => {
    it('passes 202 status and body', async () => {
      // Prepare
      harness.standIns.modelArts.queueFaults({
        kind: 'status',
        status: 202,
        body: '{"status":"STOPPING"}',
        headers: { 'x-request-id': 'upstream-202' },
      });

      // Act
      const { response, requestId } = await stopSeeded();

      // Assess
      expect(response.status).toBe(202);
      expect(response.rawBody).toBe('{"status":"STOPPING"}');
      expectBaseHeaders(response, requestId);
      expect(response.headers['x-upstream-request-id']).toBe('upstream-202');
      expect(harness.modelArtsRequests()).toHaveLength(1);
      expect(harness.getSecretValueCalls()).toBe(1);
    });

    it('turns empty 200 body into {}', async () => {
      // Prepare
      harness.standIns.modelArts.queueFaults({ kind: 'status', status: 200, body: '', headers: { 'x-request-id': 'upstream-empty' } });

      // Act
      const { response, requestId } = await stopSeeded();

      // Assess
      expect(response.status).toBe(200);
      expect(response.rawBody).toBe('{}');
      expectBaseHeaders(response, requestId);
      expect(response.headers['x-upstream-request-id']).toBe('upstream-empty');
      expect(harness.modelArtsRequests()).toHaveLength(1);
      expect(harness.getSecretValueCalls()).toBe(1);
    });

    it('rejects 200 with non-JSON body', async () => {
      // Prepare
      harness.standIns.modelArts.queueFaults({ kind: 'status', status: 200, body: '<html>ok</html>' });

      // Act
      const { response, requestId } = await stopSeeded();

      // Assess
      expect(response.status).toBe(502);
      expect(expectErrorBody(response, requestId).error_code).toBe('PROXY.0502');
      expect(harness.modelArtsRequests()).toHaveLength(1);
    });

    it('drops unsafe upstream request id', async () => {
      // Prepare
      harness.standIns.modelArts.queueFaults({ kind: 'status', status: 200, body: '{}', headers: { 'x-request-id': 'id with spaces' } });

      // Act
      const { response } = await stopSeeded();

      // Assess
      expect(response.status).toBe(200);
      expect(response.headers['x-upstream-request-id']).toBeUndefined();
    });
  });

  describe('client error passthrough', () => {
    it('passes 404 for unknown version', async () => {
      // Prepare
      const loaded = await harness.loadHandler();
      const event = buildStopEvent({ token: harness.token(), pathParameters: { ...SEEDED_PATH_PARAMETERS, version_id: 'unknownVersion' } });

      // Act
      const response = await harness.invoke(loaded, event);

      // Assess
      expect(response.status).toBe(404);
      expectBaseHeaders(response, event.requestContext.requestId);
      expect(response.headers['x-upstream-request-id']).toMatch(/^[0-9a-f]{32}$/);
      const body = expectErrorBody(response, event.requestContext.requestId);
      expect(body.error_code).toBe('ModelArts.4352');
      expect(body.error_msg).toBe(`Processor task version unknownVersion of task ${SEEDED_VERSION.taskId} does not exist.`);
      expect(harness.modelArtsRequests()).toHaveLength(1);
      expect(harness.getSecretValueCalls()).toBe(1);
    });

    it('passes 400 with upstream error', async () => {
      // Prepare
      harness.standIns.modelArts.queueFaults({
        kind: 'status',
        status: 400,
        body: JSON.stringify({ error_code: 'ModelArts.0104', error_msg: 'The version is not running.' }),
        headers: { 'x-request-id': 'upstream-400' },
      });

      // Act
      const { response, requestId } = await stopSeeded();

      // Assess
      expect(response.status).toBe(400);
      expectBaseHeaders(response, requestId);
      expect(response.headers['x-upstream-request-id']).toBe('upstream-400');
      expect(response.body).toEqual({ error_code: 'ModelArts.0104', error_msg: 'The version is not running.', request_id: requestId });
      expect(harness.modelArtsRequests()).toHaveLength(1);
      expect(harness.getSecretValueCalls()).toBe(1);
    });

    it('fills generic fields for bodiless 409', async () => {
      // Prepare
      harness.standIns.modelArts.queueFaults({ kind: 'status', status: 409, body: '' });

      // Act
      const { response, requestId } = await stopSeeded();

      // Assess
      expect(response.status).toBe(409);
      expect(response.body).toEqual({
        error_code: 'PROXY.UPSTREAM_409',
        error_msg: 'ModelArts rejected the request with status 409.',
        request_id: requestId,
      });
      expect(harness.modelArtsRequests()).toHaveLength(1);
    });

    it('passes 429 with Retry-After seconds', async () => {
      // Prepare
      harness.standIns.modelArts.queueFaults({
        kind: 'status',
        status: 429,
        body: JSON.stringify({ error_code: 'APIG.0308', error_msg: 'The request is throttled.' }),
        headers: { 'retry-after': '7', 'x-request-id': 'upstream-429' },
      });

      // Act
      const { response, requestId } = await stopSeeded();

      // Assess
      expect(response.status).toBe(429);
      expectBaseHeaders(response, requestId);
      expect(response.headers['retry-after']).toBe('7');
      expect(response.headers['x-upstream-request-id']).toBe('upstream-429');
      expect(response.body).toEqual({ error_code: 'APIG.0308', error_msg: 'The request is throttled.', request_id: requestId });
      expect(harness.modelArtsRequests()).toHaveLength(1);
      expect(harness.getSecretValueCalls()).toBe(1);
    });

    it('passes 429 with Retry-After date', async () => {
      // Prepare
      const retryAt = 'Wed, 21 Oct 2026 07:28:00 GMT';
      harness.standIns.modelArts.queueFaults({ kind: 'status', status: 429, body: '', headers: { 'retry-after': retryAt } });

      // Act
      const { response } = await stopSeeded();

      // Assess
      expect(response.status).toBe(429);
      expect(response.headers['retry-after']).toBe(retryAt);
    });
  });

  describe('upstream credential rejection', () => {
    it('returns 502 after persistent 401', async () => {
      // Prepare
      harness.standIns.modelArts.setCredentials([generateCredentials()]);

      // Act
      const { response, requestId, loaded } = await stopSeeded();

      // Assess
      expect(response.status).toBe(502);
      expectBaseHeaders(response, requestId);
      expect(response.headers['x-upstream-request-id']).toMatch(/^[0-9a-f]{32}$/);
      const body = expectErrorBody(response, requestId);
      expect(body.error_code).toBe('PROXY.0502');
      expect(body.error_msg).not.toContain('APIG');
      expect(harness.modelArtsRequests()).toHaveLength(2);
      // The init prefetch plus one re-read after the first 401.
      expect(harness.getSecretValueCalls()).toBe(2);
      expect(loaded.secretReads).toBe(2);
      expect(seededStatus()).toBe('RUNNING');
    });

    it('retries 401 with rotated secret', async () => {
      // Prepare
      const loaded = await harness.loadHandler();
      const previous = harness.standIns.credentials;
      const rotated = generateCredentials();
      harness.standIns.secretsManager.setSecret(LOCAL_SECRET_ID, JSON.stringify(rotated));
      harness.standIns.modelArts.setCredentials([rotated]);
      const event = buildStopEvent({ token: harness.token() });

      // Act
      const response = await harness.invoke(loaded, event);

      // Assess
      expect(response.status).toBe(200);
      expect(response.rawBody).toBe('{}');
      expect(accessKeysSent()).toEqual([previous.ak, rotated.ak]);
      expect(harness.getSecretValueCalls()).toBe(2);
      expect(loaded.secretReads).toBe(2);
      expect(seededStatus()).toBe('STOPPED');
    });

    it('keeps rotated secret for next request', async () => {
      // Prepare
      const loaded = await harness.loadHandler();
      const rotated = generateCredentials();
      harness.standIns.secretsManager.setSecret(LOCAL_SECRET_ID, JSON.stringify(rotated));
      harness.standIns.modelArts.setCredentials([rotated]);
      await harness.invoke(loaded, buildStopEvent({ token: harness.token() }));

      // Act
      const response = await harness.invoke(loaded, buildStopEvent({ token: harness.token() }));

      // Assess
      expect(response.status).toBe(200);
      expect(accessKeysSent()).toEqual([harness.standIns.credentials.ak, rotated.ak, rotated.ak]);
      expect(harness.getSecretValueCalls()).toBe(2);
    });

    it('maps upstream 403 to 502', async () => {
      // Prepare
      harness.standIns.modelArts.queueFaults({
        kind: 'status',
        status: 403,
        body: JSON.stringify({ error_code: 'ModelArts.0203', error_msg: 'Permission denied for the IAM user.' }),
        headers: { 'x-request-id': 'upstream-403' },
      });

      // Act
      const { response, requestId, loaded } = await stopSeeded();

      // Assess
      expect(response.status).toBe(502);
      expectBaseHeaders(response, requestId);
      expect(response.headers['x-upstream-request-id']).toBe('upstream-403');
      const body = expectErrorBody(response, requestId);
      expect(body.error_code).toBe('PROXY.0502');
      expect(body.error_msg).not.toContain('IAM');
      expect(harness.modelArtsRequests()).toHaveLength(1);
      expect(harness.getSecretValueCalls()).toBe(1);
      expect(loaded.secretReads).toBe(1);
    });
  });

  describe('upstream failures', () => {
    it('returns 502 after two 5xx', async () => {
      // Prepare
      harness.standIns.modelArts.queueFaults(
        { kind: 'status', status: 500, body: '{"error_code":"ModelArts.0001","error_msg":"internal"}' },
        { kind: 'status', status: 503, body: '', headers: { 'x-request-id': 'upstream-503' } },
      );

      // Act
      const { response, requestId } = await stopSeeded();

      // Assess
      expect(response.status).toBe(502);
      expectBaseHeaders(response, requestId);
      expect(response.headers['x-upstream-request-id']).toBe('upstream-503');
      expect(expectErrorBody(response, requestId).error_code).toBe('PROXY.0502');
      expect(harness.modelArtsRequests()).toHaveLength(2);
      expect(harness.getSecretValueCalls()).toBe(1);
      expect(seededStatus()).toBe('RUNNING');
    });

    it('recovers after one 5xx', async () => {
      // Prepare
      harness.standIns.modelArts.queueFaults({ kind: 'status', status: 502, body: '' });

      // Act
      const { response } = await stopSeeded();

      // Assess
      expect(response.status).toBe(200);
      expect(harness.modelArtsRequests()).toHaveLength(2);
      expect(seededStatus()).toBe('STOPPED');
    });

    it('returns 502 after two resets', async () => {
      // Prepare
      harness.standIns.modelArts.queueFaults({ kind: 'reset' }, { kind: 'reset' });

      // Act
      const { response, requestId } = await stopSeeded();

      // Assess
      expect(response.status).toBe(502);
      expectBaseHeaders(response, requestId);
      expect(response.headers['x-upstream-request-id']).toBeUndefined();
      expect(expectErrorBody(response, requestId).error_code).toBe('PROXY.0502');
      expect(harness.modelArtsRequests()).toHaveLength(2);
      expect(harness.getSecretValueCalls()).toBe(1);
    });

    it('recovers after one reset', async () => {
      // Prepare
      harness.standIns.modelArts.queueFaults({ kind: 'reset' });

      // Act
      const { response } = await stopSeeded();

      // Assess
      expect(response.status).toBe(200);
      expect(harness.modelArtsRequests()).toHaveLength(2);
      expect(seededStatus()).toBe('STOPPED');
    });

    it.each([
      { fault: 'no-answer' as const, description: 'no answer' },
      { fault: 'stall-body' as const, description: 'stalled body' },
    ])('returns 504 on $description', async ({ fault }) => {
      // Prepare
      const loaded = await harness.loadHandler({ UPSTREAM_TIMEOUT_MS: String(SHORT_TIMEOUT_MS) });
      harness.standIns.modelArts.queueFaults({ kind: fault });
      const event = buildStopEvent({ token: harness.token() });
      const startedAt = performance.now();

      // Act
      const response = await harness.invoke(loaded, event);
      const elapsedMs = performance.now() - startedAt;

      // Assess
      expect(response.status).toBe(504);
      expectBaseHeaders(response, event.requestContext.requestId);
      expect(response.headers['x-upstream-request-id']).toBeUndefined();
      expect(expectErrorBody(response, event.requestContext.requestId).error_code).toBe('PROXY.0504');
      expect(elapsedMs).toBeGreaterThanOrEqual(SHORT_TIMEOUT_MS - 20);
      expect(elapsedMs).toBeLessThan(SHORT_TIMEOUT_MS + 500);
      expect(harness.modelArtsRequests()).toHaveLength(1);
      expect(harness.getSecretValueCalls()).toBe(1);
      const [line] = harness.output.logLines('stop request failed');
      expect(line?.upstreamAttempts).toBe(1);
      expect(line?.upstreamLatencyMs).toBeGreaterThanOrEqual(SHORT_TIMEOUT_MS - 20);
    });

    it('returns 504 when retry stalls', async () => {
      // Prepare
      const loaded = await harness.loadHandler({ UPSTREAM_TIMEOUT_MS: String(SHORT_TIMEOUT_MS) });
      harness.standIns.modelArts.queueFaults({ kind: 'status', status: 503, body: '' }, { kind: 'no-answer' });
      const event = buildStopEvent({ token: harness.token() });
      const startedAt = performance.now();

      // Act
      const response = await harness.invoke(loaded, event);
      const elapsedMs = performance.now() - startedAt;

      // Assess
      expect(response.status).toBe(504);
      expect(elapsedMs).toBeLessThan(SHORT_TIMEOUT_MS + 500);
      expect(harness.modelArtsRequests()).toHaveLength(2);
      expect(harness.output.logLines('stop request failed')[0]?.upstreamAttempts).toBe(2);
    });
  });

  describe('redirects', () => {
    let target: RunningServer;
    let targetRequests = 0;

    beforeAll(async () => {
      target = await startJsonServer(0, () => {
        targetRequests++;
        return { status: 200, body: {} };
      });
    });

    afterAll(async () => {
      await target.close();
    });

    it.each([301, 302, 307, 308])('returns 502 for %i redirect', async (status) => {
      // Prepare
      const before = targetRequests;
      harness.standIns.modelArts.queueFaults({
        kind: 'status',
        status,
        body: '',
        headers: { location: `${target.url}${SEEDED_STOP_PATH}`, 'x-request-id': `upstream-${status}` },
      });

      // Act
      const { response, requestId } = await stopSeeded();

      // Assess
      expect(response.status).toBe(502);
      expectBaseHeaders(response, requestId);
      expect(response.headers['x-upstream-request-id']).toBe(`upstream-${status}`);
      expect(response.headers.location).toBeUndefined();
      expect(expectErrorBody(response, requestId).error_code).toBe('PROXY.0502');
      expect(targetRequests - before).toBe(0);
      expect(harness.modelArtsRequests()).toHaveLength(1);
      expect(harness.getSecretValueCalls()).toBe(1);
    });
  });

  describe('forwarded request', () => {
    it('never forwards caller Authorization', async () => {
      // Act
      const { response, token } = await stopSeeded();

      // Assess
      expect(response.status).toBe(200);
      const [request] = harness.modelArtsRequests();
      expect(String(request?.headers.authorization)).toMatch(/^SDK-HMAC-SHA256 Access=/);
      expect(JSON.stringify(request?.headers)).not.toContain(token);
      expect(JSON.stringify(request?.headers)).not.toContain('Bearer');
      expect(request?.body).toBe('');
    });

    it('signs the required headers', async () => {
      // Act
      await stopSeeded();

      // Assess
      const [request] = harness.modelArtsRequests();
      const fields = parseAuthorizationHeader(String(request?.headers.authorization));
      expect(fields?.accessKey).toBe(harness.standIns.credentials.ak);
      expect(fields?.signedHeaders).toEqual(['content-type', 'host', 'x-project-id', 'x-sdk-date']);
      expect(request?.headers['x-project-id']).toBe(SEEDED_VERSION.projectId);
      expect(request?.headers['x-security-token']).toBeUndefined();
    });

    it('builds URL from pathParameters', async () => {
      // Prepare
      const loaded = await harness.loadHandler();
      const rawPath = stopPath({ project_id: 'ffffffffffffffffffffffffffffffff', task_id: 'otherTask', version_id: 'other%2F..%2Fversion' });
      const event = buildStopEvent({ token: harness.token(), rawPath });

      // Act
      const response = await harness.invoke(loaded, event);

      // Assess
      expect(response.status).toBe(200);
      expect(harness.modelArtsRequests().map((request) => request.path)).toEqual([SEEDED_STOP_PATH]);
      expect(seededStatus()).toBe('STOPPED');
    });
  });
});
