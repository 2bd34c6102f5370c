import { createServer } from 'node:net';
import {
  ForbiddenError,
  InvalidRequestError,
  NetworkError,
  NotFoundError,
  RateLimitedError,
  RequestRejectedError,
  StopProcessorTaskVersionError,
  TimeoutError,
  UnauthenticatedError,
  UpstreamFailureError,
  stopProcessorTaskVersion,
  type StopProcessorTaskVersionOptions,
  type StopProcessorTaskVersionRequest,
} from '../../clients/typescript/src';
import { LOCAL_SECRET_ID, SEEDED_VERSION, SigningKey } from '../../local/stand-ins';
import { resetStandIns, startLocalServer, type LocalServer } from './local-server';

const SEEDED: StopProcessorTaskVersionRequest = {
  projectId: SEEDED_VERSION.projectId,
  taskId: SEEDED_VERSION.taskId,
  versionId: SEEDED_VERSION.versionId,
};
const UUID_PATTERN = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;
const huaweiError = (code: string): string => JSON.stringify({ error_code: code, error_msg: `ModelArts says ${code}.` });

/** Runs `call` and returns what it threw; fails the test when it resolves. */
async function rejectionOf(call: Promise<unknown>): Promise<StopProcessorTaskVersionError> {
  try {
    await call;
  } catch (error) {
    expect(error).toBeInstanceOf(StopProcessorTaskVersionError);
    return error as StopProcessorTaskVersionError;
  }
  throw new Error('Expected the call to reject, but it resolved.');
}

describe('stopProcessorTaskVersion against the local server', () => {
  let server: LocalServer;
  let options: StopProcessorTaskVersionOptions;

  beforeAll(async () => {
    // A short upstream budget keeps the 504 case fast.
    server = await startLocalServer({ env: { UPSTREAM_TIMEOUT_MS: '1000' } });
    options = { baseUrl: server.gateway.url, getToken: () => server.mintToken() };
  });

  afterAll(async () => {
    await server?.close();
  });

  beforeEach(() => {
    resetStandIns(server.standIns);
  });

  test('seeded version stops', async () => {
    const result = await stopProcessorTaskVersion(SEEDED, options);

    expect(result.kind).toBe('stopped');
    expect(result.status).toBe(200);
    expect(result.body).toEqual({});
    expect(result.requestId).toMatch(UUID_PATTERN);
    expect(result.upstreamRequestId).toMatch(/^[0-9a-f]{32}$/);
    expect(server.standIns.modelArts.versionStatus(SEEDED.projectId, SEEDED.taskId, SEEDED.versionId)).toBe('STOPPED');
  });

  test('base URL with trailing slash works', async () => {
    const result = await stopProcessorTaskVersion(SEEDED, { ...options, baseUrl: `${server.gateway.url}/` });

    expect(result.status).toBe(200);
  });

  test('invalid id fails before sending', async () => {
    // Prepare
    const getToken = jest.fn(() => server.mintToken());
    const invocationsBefore = server.handlerInvocations;

    // Act
    const error = await rejectionOf(stopProcessorTaskVersion({ ...SEEDED, taskId: 'bad.id' }, { ...options, getToken }));

    // Assess
    expect(error).toBeInstanceOf(InvalidRequestError);
    expect(error.status).toBeUndefined();
    expect(error.errorCode).toBe('CLIENT.INVALID_PARAMETER');
    expect(error.message).toContain('task_id');
    expect(getToken).not.toHaveBeenCalled();
    expect(server.handlerInvocations).toBe(invocationsBefore);
  });

  test('malformed token fails before sending', async () => {
    const invocationsBefore = server.handlerInvocations;

    const error = await rejectionOf(stopProcessorTaskVersion(SEEDED, { ...options, getToken: () => 'two words' }));

    expect(error).toBeInstanceOf(UnauthenticatedError);
    expect(error.errorCode).toBe('CLIENT.INVALID_TOKEN');
    expect(error.message).not.toContain('two words');
    expect(server.handlerInvocations).toBe(invocationsBefore);
  });

  test('foreign token gives UnauthenticatedError', async () => {
    const foreignToken = SigningKey.generate().sign({ sub: 'intruder' });

    const error = await rejectionOf(stopProcessorTaskVersion(SEEDED, { ...options, getToken: () => foreignToken }));

    expect(error).toBeInstanceOf(UnauthenticatedError);
    expect(error.kind).toBe('unauthenticated');
    expect(error.status).toBe(401);
    expect(error.errorCode).toBe('PROXY.0401');
    expect(error.requestId).toMatch(UUID_PATTERN);
    expect((error as UnauthenticatedError).challenge).toContain('error="invalid_token"');
  });

  test('missing scope gives ForbiddenError', async () => {
    const error = await rejectionOf(
      stopProcessorTaskVersion(SEEDED, { ...options, getToken: () => server.mintToken({ scope: 'other/scope' }) }),
    );

    expect(error).toBeInstanceOf(ForbiddenError);
    expect(error.status).toBe(403);
    expect(error.errorCode).toBe('PROXY.0403');
    expect((error as ForbiddenError).challenge).toContain('error="insufficient_scope"');
  });

  test('project outside allow list gives ForbiddenError', async () => {
    const error = await rejectionOf(stopProcessorTaskVersion({ ...SEEDED, projectId: 'f'.repeat(32) }, options));

    expect(error).toBeInstanceOf(ForbiddenError);
    expect((error as ForbiddenError).challenge).toBeUndefined();
  });

  test('unknown version gives NotFoundError', async () => {
    const error = await rejectionOf(stopProcessorTaskVersion({ ...SEEDED, versionId: 'no-such-version' }, options));

    expect(error).toBeInstanceOf(NotFoundError);
    expect(error.status).toBe(404);
    expect(error.errorCode).toBe('ModelArts.4352');
    expect(error.requestId).toMatch(UUID_PATTERN);
    expect(error.upstreamRequestId).toMatch(/^[0-9a-f]{32}$/);
  });

  test('upstream 400 gives InvalidRequestError', async () => {
    server.standIns.modelArts.queueFaults({ kind: 'status', status: 400, body: huaweiError('ModelArts.4001') });

    const error = await rejectionOf(stopProcessorTaskVersion(SEEDED, options));

    expect(error).toBeInstanceOf(InvalidRequestError);
    expect(error.status).toBe(400);
    expect(error.errorCode).toBe('ModelArts.4001');
    expect(error.message).toBe('ModelArts says ModelArts.4001.');
  });

  test('upstream 409 gives RequestRejectedError', async () => {
    server.standIns.modelArts.queueFaults({ kind: 'status', status: 409, body: huaweiError('ModelArts.4090') });

    const error = await rejectionOf(stopProcessorTaskVersion(SEEDED, options));

    expect(error).toBeInstanceOf(RequestRejectedError);
    expect(error.status).toBe(409);
    expect(error.errorCode).toBe('ModelArts.4090');
  });

  test('upstream 429 gives RateLimitedError', async () => {
    server.standIns.modelArts.queueFaults({
      kind: 'status',
      status: 429,
      body: huaweiError('APIG.1002'),
      headers: { 'retry-after': '7' },
    });

    const error = await rejectionOf(stopProcessorTaskVersion(SEEDED, options));

    expect(error).toBeInstanceOf(RateLimitedError);
    expect(error.status).toBe(429);
    expect((error as RateLimitedError).retryAfter).toBe(7);
    expect(error.requestId).toMatch(UUID_PATTERN);
  });

  test('upstream 5xx gives UpstreamFailureError', async () => {
    server.standIns.modelArts.queueFaults({ kind: 'status', status: 500 }, { kind: 'status', status: 500 });

    const error = await rejectionOf(stopProcessorTaskVersion(SEEDED, options));

    expect(error).toBeInstanceOf(UpstreamFailureError);
    expect(error.status).toBe(502);
    expect(error.errorCode).toBe('PROXY.0502');
    expect(error.requestId).toMatch(UUID_PATTERN);
  });

  test('upstream timeout gives TimeoutError', async () => {
    server.standIns.modelArts.queueFaults({ kind: 'no-answer' });

    const error = await rejectionOf(stopProcessorTaskVersion(SEEDED, options));

    expect(error).toBeInstanceOf(TimeoutError);
    expect(error.status).toBe(504);
    expect(error.errorCode).toBe('PROXY.0504');
    expect((error as TimeoutError).reason).toBe('upstream-timeout');
  });

  test('client timeout gives TimeoutError', async () => {
    server.standIns.modelArts.queueFaults({ kind: 'no-answer' });

    const error = await rejectionOf(stopProcessorTaskVersion(SEEDED, { ...options, timeoutMs: 100 }));

    expect(error).toBeInstanceOf(TimeoutError);
    expect(error.status).toBeUndefined();
    expect(error.errorCode).toBe('CLIENT.TIMEOUT');
    expect((error as TimeoutError).reason).toBe('client-timeout');
  });

  test('abort signal gives TimeoutError', async () => {
    // Prepare
    server.standIns.modelArts.queueFaults({ kind: 'no-answer' });
    const controller = new AbortController();
    setTimeout(() => controller.abort(), 100);

    // Act
    const error = await rejectionOf(stopProcessorTaskVersion(SEEDED, { ...options, signal: controller.signal }));

    // Assess
    expect(error).toBeInstanceOf(TimeoutError);
    expect(error.errorCode).toBe('CLIENT.ABORTED');
    expect((error as TimeoutError).reason).toBe('aborted');
  });

  test('aborted signal sends nothing', async () => {
    const invocationsBefore = server.handlerInvocations;

    const error = await rejectionOf(stopProcessorTaskVersion(SEEDED, { ...options, signal: AbortSignal.abort() }));

    expect((error as TimeoutError).reason).toBe('aborted');
    expect(server.handlerInvocations).toBe(invocationsBefore);
  });

  test('unreachable API gives NetworkError', async () => {
    // Prepare: a loopback port that was free a moment ago and has no listener now.
    const probe = createServer();
    await new Promise<void>((resolve) => probe.listen(0, '127.0.0.1', resolve));
    const address = probe.address();
    const port = typeof address === 'object' && address !== null ? address.port : 0;
    await new Promise<void>((resolve) => probe.close(() => resolve()));

    // Act
    const error = await rejectionOf(stopProcessorTaskVersion(SEEDED, { ...options, baseUrl: `http://127.0.0.1:${port}` }));

    // Assess
    expect(error).toBeInstanceOf(NetworkError);
    expect(error.status).toBeUndefined();
    expect(error.errorCode).toBe('CLIENT.NETWORK');
    // Compared by name, because Node's fetch raises its TypeError outside Jest's sandbox realm.
    expect((error.cause as Error).name).toBe('TypeError');
  });
});

describe('stopProcessorTaskVersion with failing credentials', () => {
  test('malformed secret gives UpstreamFailureError 500', async () => {
    // Prepare
    const server = await startLocalServer({ prepare: (standIns) => standIns.secretsManager.setSecret(LOCAL_SECRET_ID, 'not json') });
    try {
      // Act
      const error = await rejectionOf(
        stopProcessorTaskVersion(SEEDED, { baseUrl: server.gateway.url, getToken: () => server.mintToken() }),
      );

      // Assess
      expect(error).toBeInstanceOf(UpstreamFailureError);
      expect(error.status).toBe(500);
      expect(error.errorCode).toBe('PROXY.0500');
      expect(error.message).not.toContain(LOCAL_SECRET_ID);
    } finally {
      await server.close();
    }
  });

  test('throttled Secrets Manager gives UpstreamFailureError 503', async () => {
    // Prepare
    const server = await startLocalServer({ prepare: (standIns) => standIns.secretsManager.setFault({ kind: 'throttle' }) });
    try {
      // Act
      const error = await rejectionOf(
        stopProcessorTaskVersion(SEEDED, { baseUrl: server.gateway.url, getToken: () => server.mintToken() }),
      );

      // Assess
      expect(error).toBeInstanceOf(UpstreamFailureError);
      expect(error.status).toBe(503);
      expect(error.errorCode).toBe('PROXY.0503');
    } finally {
      await server.close();
    }
  });
});
