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
  UnexpectedResponseError,
  UpstreamFailureError,
  parseRetryAfter,
  stopProcessorTaskVersion,
  type StopProcessorTaskVersionRequest,
} from '../../clients/typescript/src';

const REQUEST: StopProcessorTaskVersionRequest = {
  projectId: '0123456789abcdef0123456789abcdef',
  taskId: 'task_1',
  versionId: 'version-1',
};
const TOKEN = 'header.payload.signature';

/** A fetch stand-in that returns one fixed response to every call and records the calls. */
function stubFetch(status: number, body: string | null, headers: Record<string, string> = {}) {
  return jest.fn(async (_input: string | URL | Request, _init?: RequestInit) => new Response(body, { status, headers }));
}

async function rejectionOf(call: Promise<unknown>): Promise<StopProcessorTaskVersionError> {
  try {
    await call;
  } catch (error) {
    expect(error).toBeInstanceOf(StopProcessorTaskVersionError);
    return error as StopProcessorTaskVersionError;
  }
  throw new Error('Expected the call to reject, but it resolved.');
}

function callWith(fetch: ReturnType<typeof stubFetch>, extra: { getToken?: () => string | Promise<string>; baseUrl?: string } = {}) {
  return stopProcessorTaskVersion(REQUEST, {
    baseUrl: extra.baseUrl ?? 'https://api.example.test/prod',
    getToken: extra.getToken ?? (() => TOKEN),
    fetch: fetch as unknown as typeof globalThis.fetch,
  });
}

describe('stopProcessorTaskVersion request', () => {
  test('sends bearer POST to the route', async () => {
    // Prepare
    const fetch = stubFetch(200, '{}', { 'x-request-id': 'req-1' });

    // Act
    const result = await callWith(fetch);

    // Assess
    expect(result).toEqual({ kind: 'stopped', status: 200, body: {}, requestId: 'req-1', upstreamRequestId: undefined });
    expect(fetch).toHaveBeenCalledTimes(1);
    const [url, init] = fetch.mock.calls[0] ?? [];
    expect(url).toBe(`https://api.example.test/prod/v2/${REQUEST.projectId}/processor-tasks/task_1/versions/version-1/stop`);
    expect(init?.method).toBe('POST');
    expect(init?.body).toBeUndefined();
    expect(init?.credentials).toBe('omit');
    expect(init?.headers).toEqual({ accept: 'application/json', authorization: `Bearer ${TOKEN}` });
  });

  test('token provider error propagates unchanged', async () => {
    const failure = new Error('signed out');

    await expect(callWith(stubFetch(200, '{}'), { getToken: () => Promise.reject(failure) })).rejects.toBe(failure);
  });

  test('invalid base URL throws TypeError', async () => {
    await expect(callWith(stubFetch(200, '{}'), { baseUrl: 'api.example.test' })).rejects.toThrow(TypeError);
  });

  test.each(['http://api.example.test/prod', 'http://10.0.0.8:3000', 'http://127.0.0.1.example.test'])(
    'plain http to %s throws TypeError',
    async (baseUrl) => {
      const fetch = stubFetch(200, '{}');

      await expect(callWith(fetch, { baseUrl })).rejects.toThrow(TypeError);
      expect(fetch).not.toHaveBeenCalled();
    },
  );

  test.each(['http://127.0.0.1:3000', 'http://localhost:3000/', 'http://[::1]:3000'])('plain http to %s is allowed', async (baseUrl) => {
    const result = await callWith(stubFetch(200, '{}'), { baseUrl });

    expect(result.status).toBe(200);
  });
});

describe('stopProcessorTaskVersion response mapping', () => {
  test.each([
    [400, InvalidRequestError, 'invalid-request'],
    [401, UnauthenticatedError, 'unauthenticated'],
    [403, ForbiddenError, 'forbidden'],
    [404, NotFoundError, 'not-found'],
    [409, RequestRejectedError, 'rejected'],
    [422, RequestRejectedError, 'rejected'],
    [429, RateLimitedError, 'rate-limited'],
    [500, UpstreamFailureError, 'upstream-failure'],
    [501, UpstreamFailureError, 'upstream-failure'],
    [502, UpstreamFailureError, 'upstream-failure'],
    [503, UpstreamFailureError, 'upstream-failure'],
    [504, TimeoutError, 'timeout'],
    [302, UnexpectedResponseError, 'unexpected-response'],
  ] as const)('status %i maps to its error class', async (status, errorClass, kind) => {
    // Prepare
    const body = JSON.stringify({ error_code: 'CODE.1', error_msg: 'explained', request_id: 'req-2' });

    // Act
    const error = await rejectionOf(callWith(stubFetch(status, body, { 'x-request-id': 'req-2' })));

    // Assess
    expect(error).toBeInstanceOf(errorClass);
    expect(error.kind).toBe(kind);
    expect(error.status).toBe(status);
    expect(error.errorCode).toBe('CODE.1');
    expect(error.message).toBe('explained');
    expect(error.requestId).toBe('req-2');
  });

  test('gateway message body maps by status', async () => {
    // Prepare: API Gateway's JWT authorizer responds before the handler runs, without the proxy's headers.
    const headers = { 'www-authenticate': 'Bearer error="invalid_token"', 'apigw-requestid': 'abc=' };

    // Act
    const error = await rejectionOf(callWith(stubFetch(401, '{"message":"Unauthorized"}', headers)));

    // Assess
    expect(error).toBeInstanceOf(UnauthenticatedError);
    expect(error.errorCode).toBe('HTTP.401');
    expect(error.message).toBe('Unauthorized');
    expect(error.requestId).toBeUndefined();
    expect((error as UnauthenticatedError).challenge).toBe('Bearer error="invalid_token"');
  });

  test('non-JSON error body keeps status', async () => {
    const error = await rejectionOf(callWith(stubFetch(503, '<html>busy</html>')));

    expect(error).toBeInstanceOf(UpstreamFailureError);
    expect(error.errorCode).toBe('HTTP.503');
    expect(error.message).toBe('The API returned status 503.');
  });

  test('request id falls back to body', async () => {
    const body = JSON.stringify({ error_code: 'PROXY.0502', error_msg: 'failed', request_id: 'from-body' });

    const error = await rejectionOf(callWith(stubFetch(502, body)));

    expect(error.requestId).toBe('from-body');
  });

  test('non-object 2xx body is unexpected', async () => {
    const error = await rejectionOf(callWith(stubFetch(200, '[1, 2]')));

    expect(error).toBeInstanceOf(UnexpectedResponseError);
    expect(error.status).toBe(200);
  });

  test('Retry-After HTTP date becomes seconds', async () => {
    // Prepare
    const retryAt = new Date(Date.now() + 90_000).toUTCString();

    // Act
    const error = await rejectionOf(callWith(stubFetch(429, '{}', { 'retry-after': retryAt })));

    // Assess: whole seconds, and the date's seconds precision can cost up to one.
    const retryAfter = (error as RateLimitedError).retryAfter ?? -1;
    expect(retryAfter).toBeGreaterThanOrEqual(88);
    expect(retryAfter).toBeLessThanOrEqual(90);
  });
});

describe('parseRetryAfter', () => {
  const now = Date.parse('Wed, 21 Oct 2015 07:28:00 GMT');

  test.each([
    ['120', 120],
    [' 5 ', 5],
    ['Wed, 21 Oct 2015 07:28:30 GMT', 30],
    ['Wed, 21 Oct 2015 07:27:00 GMT', 0],
    ['soon', undefined],
    [undefined, undefined],
  ])('value %p gives %p seconds', (value, expected) => {
    expect(parseRetryAfter(value, now)).toBe(expected);
  });
});

describe('client error classes', () => {
  test.each([
    InvalidRequestError,
    NotFoundError,
    RequestRejectedError,
    UpstreamFailureError,
    NetworkError,
    UnexpectedResponseError,
  ])('%p name survives minification', (errorClass) => {
    // `name` is a literal, so it equals the class name here and stays so after a minifier renames the class.
    const error = new errorClass({ message: 'm', errorCode: 'C' });

    expect(error.name).toBe(errorClass.name);
  });

  test.each([
    ['UnauthenticatedError', new UnauthenticatedError({ message: 'm', errorCode: 'C' })],
    ['ForbiddenError', new ForbiddenError({ message: 'm', errorCode: 'C' })],
    ['RateLimitedError', new RateLimitedError({ message: 'm', errorCode: 'C' })],
    ['TimeoutError', new TimeoutError({ message: 'm', errorCode: 'C', reason: 'aborted' })],
  ])('%s keeps its name', (name, error) => {
    expect(error.name).toBe(name);
  });
});
