import type { IncomingHttpHeaders } from 'node:http';
import { mapUpstreamExchange, toProxyError } from '../../../functions/stop-processor-task-version/error-mapping';
import {
  CredentialsMisconfiguredError,
  CredentialsUnavailableError,
  ForbiddenError,
  InternalError,
  InvalidParameterError,
  ProxyError,
  TokenKeysUnavailableError,
  UnauthenticatedError,
  UpstreamCredentialsRejectedError,
  UpstreamFailureError,
  UpstreamRateLimitedError,
  UpstreamRejectedError,
  UpstreamTimeoutError,
} from '../../../functions/stop-processor-task-version/errors';
import type { UpstreamExchange } from '../../../functions/stop-processor-task-version/upstream';
import {
  UpstreamBodyTooLargeError,
  UpstreamConnectionError,
  UpstreamDeadlineError,
} from '../../../functions/stop-processor-task-version/upstream-http';

function responseExchange(status: number, body = '', headers: IncomingHttpHeaders = {}): UpstreamExchange {
  return {
    result: { response: { status, headers, body } },
    attempts: 1,
    latencyMs: 42,
    credentialsRefreshed: false,
    credentialsSource: 'cache',
  };
}

function errorExchange(error: Error): UpstreamExchange {
  return { result: { error }, attempts: 2, latencyMs: 5000, credentialsRefreshed: false, credentialsSource: 'cache' };
}

function mappingErrorOf(exchange: UpstreamExchange): ProxyError {
  try {
    mapUpstreamExchange(exchange);
  } catch (error) {
    if (error instanceof ProxyError) {
      return error;
    }
    throw error;
  }
  throw new Error('expected mapUpstreamExchange to throw a ProxyError');
}

function huaweiError(errorCode: string, errorMessage: string): string {
  return JSON.stringify({ error_code: errorCode, error_msg: errorMessage });
}

describe('mapUpstreamExchange', () => {
  describe('2xx', () => {
    it('passes status and body through', () => {
      const success = mapUpstreamExchange(responseExchange(200, '{}', { 'x-request-id': 'abc123' }));

      expect(success).toEqual({ statusCode: 200, body: '{}', upstreamRequestId: 'abc123' });
    });

    it.each([200, 201, 202, 204])('keeps status %i', (status) => {
      const success = mapUpstreamExchange(responseExchange(status, '{"result":"ok"}'));

      expect(success.statusCode).toBe(status);
      expect(success.body).toBe('{"result":"ok"}');
    });

    it.each([
      ['empty', ''],
      ['whitespace', '  \n'],
    ])('turns %s body into {}', (_case, body) => {
      const success = mapUpstreamExchange(responseExchange(200, body));

      expect(success.body).toBe('{}');
    });

    it.each([
      ['HTML', '<html>Gateway</html>'],
      ['truncated JSON', '{"a":'],
      ['plain text', 'OK'],
    ])('maps non-JSON %s body to 502', (_case, body) => {
      const error = mappingErrorOf(responseExchange(200, body, { 'x-request-id': 'req-1' }));

      expect(error).toBeInstanceOf(UpstreamFailureError);
      expect(error.statusCode).toBe(502);
      expect(error.upstreamRequestId).toBe('req-1');
    });

    it('omits an absent request id', () => {
      const success = mapUpstreamExchange(responseExchange(200, '{}'));

      expect(success.upstreamRequestId).toBeUndefined();
    });
  });

  describe('4xx passthrough', () => {
    it.each([400, 404, 409, 422])('passes %i with error_code and error_msg', (status) => {
      // Prepare
      const body = huaweiError('ModelArts.4352', 'Processor task version v1 of task t1 does not exist.');

      // Act
      const error = mappingErrorOf(responseExchange(status, body, { 'x-request-id': 'upstream-404' }));

      // Assess
      expect(error).toBeInstanceOf(UpstreamRejectedError);
      expect(error.statusCode).toBe(status);
      expect(error.errorCode).toBe('ModelArts.4352');
      expect(error.publicMessage).toBe('Processor task version v1 of task t1 does not exist.');
      expect(error.upstreamRequestId).toBe('upstream-404');
      expect(error.outcome).toBe('upstream_rejected');
    });

    it.each([
      ['empty body', ''],
      ['non-JSON body', 'Not Found'],
      ['JSON without fields', '{"message":"nope"}'],
      ['non-string fields', '{"error_code":404,"error_msg":["x"]}'],
      ['empty fields', '{"error_code":"","error_msg":""}'],
      ['JSON null', 'null'],
    ])('uses generic text for %s', (_case, body) => {
      const error = mappingErrorOf(responseExchange(404, body));

      expect(error.statusCode).toBe(404);
      expect(error.errorCode).toBe('PROXY.UPSTREAM_404');
      expect(error.publicMessage).toBe('ModelArts rejected the request with status 404.');
    });

    it('truncates long upstream text', () => {
      const error = mappingErrorOf(responseExchange(400, huaweiError('C'.repeat(600), 'm'.repeat(2000))));

      expect(error.errorCode).toHaveLength(512);
      expect(error.publicMessage).toHaveLength(512);
    });
  });

  describe('429', () => {
    it('passes Retry-After seconds', () => {
      const error = mappingErrorOf(responseExchange(429, huaweiError('ModelArts.0999', 'Too many requests.'), { 'retry-after': '30' }));

      expect(error).toBeInstanceOf(UpstreamRateLimitedError);
      expect(error.statusCode).toBe(429);
      expect(error.headers).toEqual({ 'retry-after': '30' });
      expect(error.errorCode).toBe('ModelArts.0999');
      expect(error.publicMessage).toBe('Too many requests.');
    });

    it('passes Retry-After HTTP date', () => {
      const error = mappingErrorOf(responseExchange(429, '', { 'retry-after': 'Wed, 21 Oct 2015 07:28:00 GMT' }));

      expect(error.headers).toEqual({ 'retry-after': 'Wed, 21 Oct 2015 07:28:00 GMT' });
    });

    it('omits absent Retry-After', () => {
      const error = mappingErrorOf(responseExchange(429, ''));

      expect(error.statusCode).toBe(429);
      expect(error.headers).toEqual({});
    });

    it.each([
      ['CRLF injection', '30\r\nSet-Cookie: session=stolen'],
      ['LF injection', '30\nX-Injected: 1'],
      ['negative', '-1'],
      ['seven digits', '1234567'],
      ['decimal', '1.5'],
      ['text', 'soon'],
      ['date with extra text', 'Wed, 21 Oct 2015 07:28:00 GMT\r\nX: y'],
      ['empty', ''],
    ])('drops Retry-After with %s', (_case, value) => {
      const error = mappingErrorOf(responseExchange(429, '', { 'retry-after': value }));

      expect(error.statusCode).toBe(429);
      expect(error.headers).toEqual({});
    });
  });

  describe('X-Request-Id', () => {
    it.each([
      ['CRLF injection', 'abc\r\nSet-Cookie: session=stolen'],
      ['space', 'abc def'],
      ['quote', 'abc"def'],
      ['129 characters', 'a'.repeat(129)],
      ['empty', ''],
      ['non-ASCII', 'abc\u00e9'],
    ])('drops a request id with %s', (_case, value) => {
      const success = mapUpstreamExchange(responseExchange(200, '{}', { 'x-request-id': value }));
      const error = mappingErrorOf(responseExchange(404, '', { 'x-request-id': value }));

      expect(success.upstreamRequestId).toBeUndefined();
      expect(error.upstreamRequestId).toBeUndefined();
    });

    it('uses the first of repeated request ids', () => {
      const success = mapUpstreamExchange(responseExchange(200, '{}', { 'x-request-id': ['first-id', 'second-id'] as unknown as string }));

      expect(success.upstreamRequestId).toBe('first-id');
    });

    it.each(['4f3c2b1a0e9d8c7b6a5f4e3d2c1b0a9f', '2024-05-06T07:08:09.123Z:node-1', 'a'.repeat(128)])(
      'keeps request id %s',
      (value) => {
        const success = mapUpstreamExchange(responseExchange(200, '{}', { 'x-request-id': value }));

        expect(success.upstreamRequestId).toBe(value);
      },
    );
  });

  describe('502 and 504', () => {
    it.each([401, 403])('maps upstream %i to 502', (status) => {
      const error = mappingErrorOf(responseExchange(status, huaweiError('APIG.0301', 'Incorrect IAM authentication information.')));

      expect(error).toBeInstanceOf(UpstreamCredentialsRejectedError);
      expect(error.statusCode).toBe(502);
      expect(error.outcome).toBe('upstream_credentials_rejected');
      expect(error.publicMessage).not.toContain('APIG.0301');
      expect(error.publicMessage).not.toContain('IAM');
    });

    it.each([500, 502, 503, 504, 599])('maps upstream %i to 502', (status) => {
      const error = mappingErrorOf(responseExchange(status, huaweiError('ModelArts.0001', 'Internal database host db-7 is down.')));

      expect(error).toBeInstanceOf(UpstreamFailureError);
      expect(error.statusCode).toBe(502);
      expect(error.errorCode).toBe('PROXY.0502');
      expect(error.publicMessage).not.toContain('db-7');
    });

    it.each([301, 302, 303, 307, 308])('maps redirect %i to 502', (status) => {
      const error = mappingErrorOf(responseExchange(status, '', { location: 'https://elsewhere.example.com/' }));

      expect(error).toBeInstanceOf(UpstreamFailureError);
      expect(error.statusCode).toBe(502);
    });

    it.each([100, 0, 600])('maps odd status %i to 502', (status) => {
      const error = mappingErrorOf(responseExchange(status, '{}'));

      expect(error.statusCode).toBe(502);
    });

    it('keeps the upstream request id on 502', () => {
      const error = mappingErrorOf(responseExchange(503, '', { 'x-request-id': 'upstream-503' }));

      expect(error.upstreamRequestId).toBe('upstream-503');
    });

    it.each([
      ['connection error', new UpstreamConnectionError('socket hang up')],
      ['oversized body', new UpstreamBodyTooLargeError('response body exceeds 65536 bytes')],
      ['unknown error', new Error('surprise')],
    ])('maps %s to 502', (_case, cause) => {
      const error = mappingErrorOf(errorExchange(cause));

      expect(error).toBeInstanceOf(UpstreamFailureError);
      expect(error.statusCode).toBe(502);
      expect(error.cause).toBe(cause);
    });

    it('maps a spent budget to 504', () => {
      const cause = new UpstreamDeadlineError('no complete response before the upstream deadline');

      const error = mappingErrorOf(errorExchange(cause));

      expect(error).toBeInstanceOf(UpstreamTimeoutError);
      expect(error.statusCode).toBe(504);
      expect(error.errorCode).toBe('PROXY.0504');
      expect(error.cause).toBe(cause);
    });
  });
});

describe('toProxyError', () => {
  it.each([
    ['UnauthenticatedError', new UnauthenticatedError('The bearer token has expired.', true), 401],
    ['InvalidParameterError', new InvalidParameterError('Invalid path parameter task_id.'), 400],
    ['ForbiddenError', new ForbiddenError('The caller may not act on project x.'), 403],
    ['TokenKeysUnavailableError', new TokenKeysUnavailableError('JWKS down'), 503],
    ['CredentialsUnavailableError', new CredentialsUnavailableError('throttled'), 503],
    ['CredentialsMisconfiguredError', new CredentialsMisconfiguredError('no sk'), 500],
    ['UpstreamTimeoutError', new UpstreamTimeoutError('slow'), 504],
    ['UpstreamFailureError', new UpstreamFailureError('broken'), 502],
  ])('keeps %s', (_name, error, status) => {
    const proxyError = toProxyError(error);

    expect(proxyError).toBe(error);
    expect(proxyError.statusCode).toBe(status);
  });

  it.each([
    ['an Error', new TypeError('cannot read properties of undefined')],
    ['a string', 'boom'],
    ['undefined', undefined],
  ])('wraps %s as 500', (_case, thrown) => {
    const proxyError = toProxyError(thrown);

    expect(proxyError).toBeInstanceOf(InternalError);
    expect(proxyError.statusCode).toBe(500);
    expect(proxyError.cause).toBe(thrown);
    expect(proxyError.publicMessage).not.toContain('cannot read');
  });
});
