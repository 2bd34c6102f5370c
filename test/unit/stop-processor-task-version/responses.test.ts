import type { IncomingHttpHeaders } from 'node:http';
import type { APIGatewayProxyStructuredResultV2 } from 'aws-lambda';
import { mapUpstreamExchange, toProxyError } from '../../../functions/stop-processor-task-version/error-mapping';
import {
  CredentialsMisconfiguredError,
  CredentialsUnavailableError,
  ForbiddenError,
  InsufficientScopeError,
  InternalError,
  InvalidParameterError,
  TokenKeysUnavailableError,
  UnauthenticatedError,
  UpstreamCredentialsRejectedError,
  UpstreamFailureError,
  UpstreamRateLimitedError,
  UpstreamRejectedError,
  UpstreamTimeoutError,
  type ProxyError,
} from '../../../functions/stop-processor-task-version/errors';
import { errorResponse, jsonResponse, type ErrorBody } from '../../../functions/stop-processor-task-version/responses';
import type { UpstreamExchange } from '../../../functions/stop-processor-task-version/upstream';
import { UpstreamConnectionError, UpstreamDeadlineError } from '../../../functions/stop-processor-task-version/upstream-http';

const REQUEST_ID = 'req-6f1d2c3b';

function headersOf(response: APIGatewayProxyStructuredResultV2): Record<string, string | number | boolean> {
  return response.headers ?? {};
}

function bodyOf(response: APIGatewayProxyStructuredResultV2): ErrorBody {
  return JSON.parse(response.body ?? '') as ErrorBody;
}

function exchangeOf(status: number, body: string, headers: IncomingHttpHeaders = {}): UpstreamExchange {
  return {
    result: { response: { status, headers, body } },
    attempts: 1,
    latencyMs: 10,
    credentialsRefreshed: false,
    credentialsSource: 'cache',
  };
}

function failedExchange(error: Error): UpstreamExchange {
  return { result: { error }, attempts: 2, latencyMs: 5000, credentialsRefreshed: false, credentialsSource: 'cache' };
}

/** Runs the handler's mapping steps: a success becomes a JSON response, anything else an error response. */
function respond(exchange: UpstreamExchange): APIGatewayProxyStructuredResultV2 {
  try {
    const success = mapUpstreamExchange(exchange);
    return jsonResponse(success.statusCode, success.body, REQUEST_ID, success.upstreamRequestId);
  } catch (error) {
    return errorResponse(toProxyError(error), REQUEST_ID);
  }
}

describe('jsonResponse', () => {
  it('sets status, body and base headers', () => {
    const response = jsonResponse(200, '{}', REQUEST_ID);

    expect(response).toEqual({
      statusCode: 200,
      headers: { 'content-type': 'application/json', 'x-request-id': REQUEST_ID },
      body: '{}',
    });
  });

  it('adds the upstream request id', () => {
    const response = jsonResponse(202, '{"ok":true}', REQUEST_ID, 'upstream-1');

    expect(headersOf(response)['x-upstream-request-id']).toBe('upstream-1');
    expect(response.body).toBe('{"ok":true}');
  });
});

describe('errorResponse', () => {
  it('writes the error body shape', () => {
    const response = errorResponse(new InvalidParameterError('Invalid path parameter task_id: expected 1 to 64 characters.'), REQUEST_ID);

    expect(response.statusCode).toBe(400);
    expect(bodyOf(response)).toEqual({
      error_code: 'PROXY.0400',
      error_msg: 'Invalid path parameter task_id: expected 1 to 64 characters.',
      request_id: REQUEST_ID,
    });
    expect(headersOf(response)).toEqual({ 'content-type': 'application/json', 'x-request-id': REQUEST_ID });
  });

  it('challenges a missing token', () => {
    const response = errorResponse(new UnauthenticatedError('Missing bearer token in the Authorization header.', false), REQUEST_ID);

    expect(response.statusCode).toBe(401);
    expect(headersOf(response)['www-authenticate']).toBe('Bearer realm="modelarts-stop-proxy"');
    expect(bodyOf(response).error_code).toBe('PROXY.0401');
  });

  it('challenges an invalid token', () => {
    const response = errorResponse(new UnauthenticatedError('The bearer token has expired.', true), REQUEST_ID);

    expect(response.statusCode).toBe(401);
    expect(headersOf(response)['www-authenticate']).toBe('Bearer realm="modelarts-stop-proxy", error="invalid_token"');
    expect(bodyOf(response).error_msg).toBe('The bearer token has expired.');
  });

  it('challenges an insufficient scope', () => {
    const response = errorResponse(new InsufficientScopeError('modelarts/stop'), REQUEST_ID);

    expect(response.statusCode).toBe(403);
    expect(headersOf(response)['www-authenticate']).toBe(
      'Bearer realm="modelarts-stop-proxy", error="insufficient_scope", scope="modelarts/stop"',
    );
  });

  it('explains a forbidden project', () => {
    const response = errorResponse(new ForbiddenError('The caller may not act on project 0123.'), REQUEST_ID);

    expect(response.statusCode).toBe(403);
    expect(bodyOf(response).error_msg).toBe('The caller may not act on project 0123.');
  });

  it('passes 429 Retry-After', () => {
    const error = new UpstreamRateLimitedError('ModelArts.0999', 'Too many requests.', '30');
    error.upstreamRequestId = 'upstream-429';

    const response = errorResponse(error, REQUEST_ID);

    expect(response.statusCode).toBe(429);
    expect(headersOf(response)['retry-after']).toBe('30');
    expect(headersOf(response)['x-upstream-request-id']).toBe('upstream-429');
    expect(bodyOf(response)).toEqual({ error_code: 'ModelArts.0999', error_msg: 'Too many requests.', request_id: REQUEST_ID });
  });

  it('passes upstream 4xx fields', () => {
    const response = errorResponse(new UpstreamRejectedError(404, 'ModelArts.4352', 'Version v1 does not exist.'), REQUEST_ID);

    expect(response.statusCode).toBe(404);
    expect(bodyOf(response)).toEqual({ error_code: 'ModelArts.4352', error_msg: 'Version v1 does not exist.', request_id: REQUEST_ID });
  });

  it.each([
    ['TokenKeysUnavailableError', () => new TokenKeysUnavailableError('JWKS at https://issuer.example.com/jwks returned 503'), 503],
    ['CredentialsUnavailableError', () => new CredentialsUnavailableError('secret modelarts/prod throttled'), 503],
    ['CredentialsMisconfiguredError', () => new CredentialsMisconfiguredError('secret modelarts/prod has no field sk'), 500],
    ['UpstreamFailureError', () => new UpstreamFailureError('ModelArts host 10.1.2.3 answered 500'), 502],
    ['UpstreamCredentialsRejectedError', () => new UpstreamCredentialsRejectedError('AK AKFIRST rejected with 403'), 502],
    ['UpstreamTimeoutError', () => new UpstreamTimeoutError('no answer from 10.1.2.3 within 5000 ms'), 504],
    ['InternalError', () => new InternalError('TypeError at credentials.ts:42', { cause: new Error('sk=abc') }), 500],
  ])('keeps %s body generic', (_name, makeError, status) => {
    // Prepare
    const error: ProxyError = makeError();

    // Act
    const response = errorResponse(error, REQUEST_ID);

    // Assess
    expect(response.statusCode).toBe(status);
    const body = bodyOf(response);
    expect(Object.keys(body).sort()).toEqual(['error_code', 'error_msg', 'request_id']);
    expect(body.error_code).toBe(`PROXY.0${status}`);
    expect(body.request_id).toBe(REQUEST_ID);
    expect(body.error_msg).toBe(error.publicMessage);
    expect(body.error_msg).not.toBe(error.message);
    for (const detail of ['modelarts/prod', 'field sk', '10.1.2.3', 'AKFIRST', 'issuer.example.com', 'credentials.ts', 'sk=abc']) {
      expect(response.body).not.toContain(detail);
    }
  });
});

describe('status table', () => {
  it.each([
    ['upstream 200 {}', exchangeOf(200, '{}'), 200],
    ['upstream 202 JSON', exchangeOf(202, '{"status":"stopping"}'), 202],
    ['upstream 404', exchangeOf(404, '{"error_code":"ModelArts.4352","error_msg":"not found"}'), 404],
    ['upstream 400', exchangeOf(400, '{"error_code":"ModelArts.0101","error_msg":"bad"}'), 400],
    ['upstream 429', exchangeOf(429, '', { 'retry-after': '5' }), 429],
    ['upstream 401 after retry', exchangeOf(401, '{"error_code":"APIG.0301","error_msg":"bad signature"}'), 502],
    ['upstream 403', exchangeOf(403, '{"error_code":"APIG.0302","error_msg":"no permission"}'), 502],
    ['upstream 500', exchangeOf(500, '{}'), 502],
    ['upstream 503', exchangeOf(503, ''), 502],
    ['upstream redirect', exchangeOf(302, '', { location: 'https://elsewhere.example.com/' }), 502],
    ['upstream non-JSON 200', exchangeOf(200, '<html></html>'), 502],
    ['connection error', failedExchange(new UpstreamConnectionError('socket hang up')), 502],
    ['upstream timeout', failedExchange(new UpstreamDeadlineError('no complete response')), 504],
  ])('maps %s', (_case, exchange, status) => {
    const response = respond(exchange);

    expect(response.statusCode).toBe(status);
    expect(headersOf(response)['content-type']).toBe('application/json');
    expect(headersOf(response)['x-request-id']).toBe(REQUEST_ID);
    expect(() => JSON.parse(response.body ?? '')).not.toThrow();
  });

  it('returns {} for an empty 2xx', () => {
    const response = respond(exchangeOf(200, ''));

    expect(response.statusCode).toBe(200);
    expect(response.body).toBe('{}');
  });

  it('returns the upstream 2xx body', () => {
    const response = respond(exchangeOf(200, '{"version_id":"v1"}', { 'x-request-id': 'upstream-1' }));

    expect(response.body).toBe('{"version_id":"v1"}');
    expect(headersOf(response)['x-upstream-request-id']).toBe('upstream-1');
  });

  it('keeps upstream 4xx code and message', () => {
    const response = respond(
      exchangeOf(404, '{"error_code":"ModelArts.4352","error_msg":"Version v1 does not exist."}', { 'x-request-id': 'upstream-404' }),
    );

    expect(bodyOf(response)).toEqual({ error_code: 'ModelArts.4352', error_msg: 'Version v1 does not exist.', request_id: REQUEST_ID });
    expect(headersOf(response)['x-upstream-request-id']).toBe('upstream-404');
  });

  it('passes Retry-After on 429', () => {
    const response = respond(exchangeOf(429, '{"error_code":"ModelArts.0999","error_msg":"slow down"}', { 'retry-after': '120' }));

    expect(headersOf(response)['retry-after']).toBe('120');
    expect(bodyOf(response).error_code).toBe('ModelArts.0999');
  });

  it('keeps 5xx bodies generic', () => {
    const response = respond(exchangeOf(500, '{"error_code":"ModelArts.0001","error_msg":"db-7 on 10.0.0.5 is down"}'));

    expect(bodyOf(response)).toEqual({
      error_code: 'PROXY.0502',
      error_msg: 'ModelArts could not complete the request. Retry later.',
      request_id: REQUEST_ID,
    });
  });

  it('hides upstream 401 details', () => {
    const response = respond(exchangeOf(401, '{"error_code":"APIG.0301","error_msg":"AK AKFIRST signature mismatch"}'));

    expect(response.body).not.toContain('APIG.0301');
    expect(response.body).not.toContain('AKFIRST');
  });

  it('drops injected upstream headers', () => {
    // Prepare
    const exchange = exchangeOf(429, '', {
      'retry-after': '5\r\nSet-Cookie: session=stolen',
      'x-request-id': 'abc\r\nX-Injected: yes',
    });

    // Act
    const response = respond(exchange);

    // Assess
    const headers = headersOf(response);
    expect(headers['retry-after']).toBeUndefined();
    expect(headers['x-upstream-request-id']).toBeUndefined();
    expect(Object.keys(headers).sort()).toEqual(['content-type', 'x-request-id']);
    for (const value of Object.values(headers)) {
      expect(String(value)).not.toMatch(/[\r\n]/);
    }
  });

  it('drops injected request id on success', () => {
    const response = respond(exchangeOf(200, '{}', { 'x-request-id': 'ok\nSet-Cookie: a=b' }));

    expect(response.statusCode).toBe(200);
    expect(headersOf(response)['x-upstream-request-id']).toBeUndefined();
  });

  it('wraps unexpected failures as 500', () => {
    const response = errorResponse(toProxyError(new TypeError('x is undefined')), REQUEST_ID);

    expect(response.statusCode).toBe(500);
    expect(bodyOf(response).error_code).toBe('PROXY.0500');
    expect(response.body).not.toContain('x is undefined');
  });
});
