import { request } from 'node:http';
import type { APIGatewayProxyStructuredResultV2 } from 'aws-lambda';
import { parseCorsOrigins, startLocalGateway, type HttpApiHandler, type LocalGateway } from '../../local/gateway';

const ALLOWED_ORIGIN = 'http://127.0.0.1:3001';
const OTHER_ORIGIN = 'http://127.0.0.1:4001';
const ROUTE_PATH = '/v2/0123456789abcdef0123456789abcdef/processor-tasks/task/versions/version/stop';

interface RawResponse {
  readonly status: number;
  readonly headers: Record<string, string | string[] | undefined>;
}

/** Sends one request with node:http, which, unlike a browser, lets the test set `Origin` freely. */
function send(url: string, method: string, headers: Record<string, string>): Promise<RawResponse> {
  return new Promise((resolve, reject) => {
    const req = request(url, { method, headers }, (res) => {
      res.resume();
      res.on('end', () => resolve({ status: res.statusCode ?? 0, headers: res.headers }));
    });
    req.on('error', reject);
    req.end();
  });
}

const preflightHeaders = (origin: string): Record<string, string> => ({
  origin,
  'access-control-request-method': 'POST',
  'access-control-request-headers': 'authorization',
});

describe('local gateway CORS', () => {
  let gateway: LocalGateway;
  let invocations: number;

  beforeAll(async () => {
    // A stand-in handler that also sets its own CORS header, which the gateway must drop.
    const handler: HttpApiHandler = async (): Promise<APIGatewayProxyStructuredResultV2> => {
      invocations++;
      return {
        statusCode: 200,
        headers: { 'content-type': 'application/json', 'x-request-id': 'req-1', 'access-control-allow-origin': '*' },
        body: '{}',
      };
    };
    gateway = await startLocalGateway(handler, 0, { cors: { allowOrigins: [ALLOWED_ORIGIN] } });
  });

  afterAll(async () => {
    await gateway?.close();
  });

  beforeEach(() => {
    invocations = 0;
  });

  test('allowed preflight skips the handler', async () => {
    const response = await send(`${gateway.url}${ROUTE_PATH}`, 'OPTIONS', preflightHeaders(ALLOWED_ORIGIN));

    expect(response.status).toBe(204);
    expect(response.headers['access-control-allow-origin']).toBe(ALLOWED_ORIGIN);
    expect(response.headers['access-control-allow-methods']).toBe('POST');
    expect(response.headers['access-control-allow-headers']).toBe('authorization,content-type');
    expect(response.headers['access-control-max-age']).toBe('300');
    expect(response.headers.vary).toBe('origin');
    expect(invocations).toBe(0);
  });

  test('preflight from other origin gets no grant', async () => {
    const response = await send(`${gateway.url}${ROUTE_PATH}`, 'OPTIONS', preflightHeaders(OTHER_ORIGIN));

    expect(response.status).toBe(204);
    expect(response.headers['access-control-allow-origin']).toBeUndefined();
    expect(response.headers['access-control-allow-headers']).toBeUndefined();
    expect(invocations).toBe(0);
  });

  test('OPTIONS without preflight headers is no route', async () => {
    const response = await send(`${gateway.url}${ROUTE_PATH}`, 'OPTIONS', { origin: ALLOWED_ORIGIN });

    expect(response.status).toBe(404);
    expect(invocations).toBe(0);
  });

  test('preflight for unknown path is no route', async () => {
    const response = await send(`${gateway.url}/v2/other`, 'OPTIONS', preflightHeaders(ALLOWED_ORIGIN));

    expect(response.status).toBe(404);
  });

  test('allowed origin reads exposed headers', async () => {
    const response = await send(`${gateway.url}${ROUTE_PATH}`, 'POST', { origin: ALLOWED_ORIGIN });

    expect(response.status).toBe(200);
    expect(response.headers['access-control-allow-origin']).toBe(ALLOWED_ORIGIN);
    expect(response.headers['access-control-expose-headers']).toBe('x-request-id,x-upstream-request-id,retry-after');
    expect(response.headers['x-request-id']).toBe('req-1');
    expect(invocations).toBe(1);
  });

  test('other origin gets no CORS headers', async () => {
    const response = await send(`${gateway.url}${ROUTE_PATH}`, 'POST', { origin: OTHER_ORIGIN });

    // Like API Gateway, the request itself still reaches the handler; the browser hides the response from the page.
    expect(response.status).toBe(200);
    expect(response.headers['access-control-allow-origin']).toBeUndefined();
    expect(response.headers['access-control-expose-headers']).toBeUndefined();
    expect(invocations).toBe(1);
  });

  test('gateway errors carry CORS headers', async () => {
    const response = await send(`${gateway.url}/v2/unknown`, 'POST', { origin: ALLOWED_ORIGIN });

    expect(response.status).toBe(404);
    expect(response.headers['access-control-allow-origin']).toBe(ALLOWED_ORIGIN);
  });

  test('gateway without CORS skips preflight', async () => {
    // Prepare
    const plain = await startLocalGateway(async () => ({ statusCode: 200, body: '{}' }), 0);

    try {
      // Act
      const preflight = await send(`${plain.url}${ROUTE_PATH}`, 'OPTIONS', preflightHeaders(ALLOWED_ORIGIN));
      const post = await send(`${plain.url}${ROUTE_PATH}`, 'POST', { origin: ALLOWED_ORIGIN });

      // Assess
      expect(preflight.status).toBe(404);
      expect(post.headers['access-control-allow-origin']).toBeUndefined();
    } finally {
      await plain.close();
    }
  });
});

describe('parseCorsOrigins', () => {
  test('list of origins parses', () => {
    expect(parseCorsOrigins('http://127.0.0.1:3001, https://app.example.test', 'CORS_ALLOWED_ORIGINS')).toEqual([
      'http://127.0.0.1:3001',
      'https://app.example.test',
    ]);
  });

  test.each(['*', 'http://127.0.0.1:3001/', 'http://127.0.0.1:3001/app', 'http://a.test,,http://b.test', '127.0.0.1:3001', 'ftp://a.test'])(
    '%p is rejected',
    (value) => {
      expect(() => parseCorsOrigins(value, 'CORS_ALLOWED_ORIGINS')).toThrow(/Invalid CORS_ALLOWED_ORIGINS/);
    },
  );
});
