import { parseAuthorizationHeader } from '../../functions/lib/huawei-signing';
import { generateCredentials, LOCAL_SECRET_ID, SigningKey } from '../../local/stand-ins';
import { localTokenClaims } from '../../local/stand-ins/jwt-issuer';
import type { JsonLine } from '../support/captured-output';
import { buildStopEvent, SEEDED_PATH_PARAMETERS, type StopEventOptions, type StopPathParameters } from '../support/events';
import type { HandlerResponse, LoadedHandler } from '../support/handler-loader';
import { useIntegrationHarness } from '../support/integration-harness';

// Values that cannot occur by chance, so finding one anywhere in the output proves a leak.
const SENTINEL_CREDENTIALS = {
  ak: 'SENTINELAK0000000001',
  sk: 'sentinel-secret-key-5f1e0c8a9b2d47e3a6c1',
  securityToken: 'sentinel-security-token-0b7d9e2c4a6f8130',
};
const REQUEST_LINE_MESSAGES = ['stop request completed', 'stop request failed'];
const UPSTREAM_TIMEOUT_MS = 500;

/** What the request line of one request must contain. */
interface SentRequest {
  readonly requestId: string;
  readonly pathParameters: StopPathParameters;
  readonly response: HandlerResponse;
  readonly outcome: string;
  /** True when the token verified, so the line carries callerSub. */
  readonly authenticated: boolean;
  /** True when the path parameters were valid, so the line carries the ids. */
  readonly idsValid: boolean;
  /** True when ModelArts was called, so the line carries upstreamLatencyMs. */
  readonly upstreamCalled: boolean;
  /** Status of ModelArts' final response, when one arrived. */
  readonly upstreamStatus?: number;
}

describe('stop handler log secrecy', () => {
  const harness = useIntegrationHarness({ credentials: SENTINEL_CREDENTIALS });

  it('keeps secrets out of logs', async () => {
    // Prepare
    const sent: SentRequest[] = [];
    const tokens: string[] = [];
    const callerAuthorizations: string[] = [];
    const token = (claims: Record<string, unknown> = {}): string => {
      const value = harness.token(claims);
      tokens.push(value);
      return value;
    };
    const send = async (
      loaded: LoadedHandler,
      options: StopEventOptions,
      expected: Omit<SentRequest, 'requestId' | 'pathParameters' | 'response'>,
    ): Promise<void> => {
      const event = buildStopEvent(options);
      callerAuthorizations.push(event.headers.authorization ?? '');
      const response = await harness.invoke(loaded, event);
      sent.push({ requestId: event.requestContext.requestId, pathParameters: event.pathParameters ?? {}, response, ...expected });
    };
    const { modelArts, secretsManager } = harness.standIns;
    const authorized = { authenticated: true, idsValid: true };

    // Act
    const main = await harness.loadHandler({ UPSTREAM_TIMEOUT_MS: String(UPSTREAM_TIMEOUT_MS) });
    await send(main, { token: token() }, { ...authorized, outcome: 'stopped', upstreamCalled: true, upstreamStatus: 200 });
    await send(
      main,
      { token: token(), pathParameters: { ...SEEDED_PATH_PARAMETERS, version_id: 'unknownVersion' } },
      { ...authorized, outcome: 'upstream_rejected', upstreamCalled: true, upstreamStatus: 404 },
    );
    await send(main, {}, { authenticated: false, idsValid: false, outcome: 'unauthenticated', upstreamCalled: false });
    const forged = SigningKey.generate(harness.signingKey.kid).sign(localTokenClaims());
    tokens.push(forged);
    await send(main, { token: forged }, { authenticated: false, idsValid: false, outcome: 'unauthenticated', upstreamCalled: false });
    await send(
      main,
      { token: token(), pathParameters: { ...SEEDED_PATH_PARAMETERS, task_id: 'bad/task' } },
      { authenticated: true, idsValid: false, outcome: 'invalid_request', upstreamCalled: false },
    );
    await send(main, { token: token({ scope: 'openid' }) }, { ...authorized, outcome: 'insufficient_scope', upstreamCalled: false });
    await send(
      main,
      { token: token(), pathParameters: { ...SEEDED_PATH_PARAMETERS, project_id: 'ffffffffffffffffffffffffffffffff' } },
      { ...authorized, outcome: 'forbidden', upstreamCalled: false },
    );
    modelArts.queueFaults({ kind: 'status', status: 429, body: '', headers: { 'retry-after': '3' } });
    await send(main, { token: token() }, { ...authorized, outcome: 'upstream_rate_limited', upstreamCalled: true, upstreamStatus: 429 });
    modelArts.queueFaults({ kind: 'status', status: 500 }, { kind: 'status', status: 503 });
    await send(main, { token: token() }, { ...authorized, outcome: 'upstream_failed', upstreamCalled: true, upstreamStatus: 503 });
    modelArts.queueFaults({ kind: 'reset' }, { kind: 'reset' });
    await send(main, { token: token() }, { ...authorized, outcome: 'upstream_failed', upstreamCalled: true });
    modelArts.queueFaults({ kind: 'no-answer' });
    await send(main, { token: token() }, { ...authorized, outcome: 'upstream_timeout', upstreamCalled: true });
    modelArts.setCredentials([generateCredentials()]);
    await send(
      main,
      { token: token() },
      { ...authorized, outcome: 'upstream_credentials_rejected', upstreamCalled: true, upstreamStatus: 401 },
    );
    modelArts.setCredentials([SENTINEL_CREDENTIALS]);

    // The parse error of a broken secret could quote it, so the broken secret contains the sentinel SK.
    secretsManager.setSecret(LOCAL_SECRET_ID, `{"ak": "${SENTINEL_CREDENTIALS.ak}", "sk": ${SENTINEL_CREDENTIALS.sk}}`);
    const brokenSecret = await harness.loadHandler();
    await send(brokenSecret, { token: token() }, { ...authorized, outcome: 'credentials_misconfigured', upstreamCalled: false });
    secretsManager.setSecret(LOCAL_SECRET_ID, JSON.stringify({ sk: SENTINEL_CREDENTIALS.sk, securityToken: SENTINEL_CREDENTIALS.securityToken }));
    const secretWithoutAk = await harness.loadHandler();
    await send(secretWithoutAk, { token: token() }, { ...authorized, outcome: 'credentials_misconfigured', upstreamCalled: false });
    secretsManager.setFault({ kind: 'throttle' });
    const throttled = await harness.loadHandler({ AWS_MAX_ATTEMPTS: '1' });
    await send(throttled, { token: token() }, { ...authorized, outcome: 'credentials_unavailable', upstreamCalled: false });

    // Assess
    const upstreamAuthorizations = modelArts.stopRequests.map((request) => String(request.headers.authorization ?? ''));
    const signatures = upstreamAuthorizations.map((value) => parseAuthorizationHeader(value)?.signature ?? '');
    expect(upstreamAuthorizations.length).toBeGreaterThanOrEqual(8);
    expect(signatures.every((signature) => /^[0-9a-f]{64}$/.test(signature))).toBe(true);
    expect(modelArts.stopRequests.some((request) => request.headers['x-security-token'] === SENTINEL_CREDENTIALS.securityToken)).toBe(true);

    const forbidden = [
      ...Object.values(SENTINEL_CREDENTIALS),
      ...tokens,
      ...callerAuthorizations.filter((value) => value !== ''),
      ...upstreamAuthorizations,
      ...signatures,
    ];
    const outputLines = harness.output.lines();
    expect(outputLines.length).toBeGreaterThan(sent.length);
    for (const line of outputLines) {
      for (const value of forbidden) {
        expect(line).not.toContain(value);
      }
      expect(line).not.toMatch(/Bearer |SDK-HMAC-SHA256|AWS4-HMAC-SHA256/);
      expect(line.toLowerCase()).not.toContain('"authorization"');
    }
    for (const { response } of sent) {
      const responseText = JSON.stringify(response);
      for (const value of forbidden) {
        expect(responseText).not.toContain(value);
      }
    }

    const requestLines = harness.output.logLines(...REQUEST_LINE_MESSAGES);
    expect(requestLines).toHaveLength(sent.length);
    for (const request of sent) {
      const lines = requestLines.filter((line) => line.requestId === request.requestId);
      expect(lines).toHaveLength(1);
      expectRequestLine(lines[0] ?? {}, request);
    }
  });

  it('writes one line per request', async () => {
    // Prepare
    const loaded = await harness.loadHandler({ UPSTREAM_TIMEOUT_MS: String(UPSTREAM_TIMEOUT_MS) });
    const cases: Array<{ options: StopEventOptions; expected: Omit<SentRequest, 'requestId' | 'pathParameters' | 'response'> }> = [
      { options: { token: harness.token() }, expected: { authenticated: true, idsValid: true, outcome: 'stopped', upstreamCalled: true, upstreamStatus: 200 } },
      { options: {}, expected: { authenticated: false, idsValid: false, outcome: 'unauthenticated', upstreamCalled: false } },
      {
        options: { token: harness.token(), pathParameters: { ...SEEDED_PATH_PARAMETERS, project_id: 'x' } },
        expected: { authenticated: true, idsValid: false, outcome: 'invalid_request', upstreamCalled: false },
      },
      {
        options: { token: harness.token({ scope: 'openid' }) },
        expected: { authenticated: true, idsValid: true, outcome: 'insufficient_scope', upstreamCalled: false },
      },
      {
        options: { token: harness.token(), pathParameters: { ...SEEDED_PATH_PARAMETERS, version_id: 'unknownVersion' } },
        expected: { authenticated: true, idsValid: true, outcome: 'upstream_rejected', upstreamCalled: true, upstreamStatus: 404 },
      },
      {
        options: { token: harness.token() },
        expected: { authenticated: true, idsValid: true, outcome: 'upstream_failed', upstreamCalled: true, upstreamStatus: 500 },
      },
      {
        options: { token: harness.token() },
        expected: { authenticated: true, idsValid: true, outcome: 'upstream_timeout', upstreamCalled: true },
      },
    ];
    const sent: SentRequest[] = [];

    // Act
    for (const [index, { options, expected }] of cases.entries()) {
      if (expected.outcome === 'upstream_failed') {
        harness.standIns.modelArts.queueFaults({ kind: 'status', status: 500 }, { kind: 'status', status: 500 });
      }
      if (expected.outcome === 'upstream_timeout') {
        harness.standIns.modelArts.queueFaults({ kind: 'no-answer' });
      }
      const event = buildStopEvent({ ...options, requestId: `request-${index}` });
      const response = await harness.invoke(loaded, event);
      sent.push({ requestId: event.requestContext.requestId, pathParameters: event.pathParameters ?? {}, response, ...expected });
    }

    // Assess
    const requestLines = harness.output.logLines(...REQUEST_LINE_MESSAGES);
    expect(requestLines).toHaveLength(sent.length);
    for (const request of sent) {
      const lines = requestLines.filter((line) => line.requestId === request.requestId);
      expect(lines).toHaveLength(1);
      expectRequestLine(lines[0] ?? {}, request);
    }
  });
});

/** Checks the fields of one request line against what the request should have produced. */
function expectRequestLine(line: JsonLine, request: SentRequest): void {
  const failed = request.response.status >= 500;
  expect(line).toMatchObject({
    message: failed ? 'stop request failed' : 'stop request completed',
    level: failed ? 'ERROR' : 'INFO',
    requestId: request.requestId,
    outcome: request.outcome,
    status: request.response.status,
  });
  if (request.authenticated) {
    expect(line.callerSub).toBe('local-user');
  } else {
    expect(line).not.toHaveProperty('callerSub');
  }
  if (request.idsValid) {
    expect(line).toMatchObject({
      projectId: request.pathParameters.project_id,
      taskId: request.pathParameters.task_id,
      versionId: request.pathParameters.version_id,
    });
  } else {
    expect(line).not.toHaveProperty('projectId');
  }
  if (request.upstreamStatus === undefined) {
    expect(line).not.toHaveProperty('upstreamStatus');
  } else {
    expect(line.upstreamStatus).toBe(request.upstreamStatus);
  }
  if (request.upstreamCalled) {
    expect(line.upstreamLatencyMs).toEqual(expect.any(Number));
  } else {
    expect(line).not.toHaveProperty('upstreamLatencyMs');
  }
}
