import {
  MAX_UPSTREAM_BODY_BYTES,
  sendUpstreamRequest,
  UpstreamBodyTooLargeError,
  UpstreamConnectionError,
  UpstreamDeadlineError,
  type UpstreamHttpRequest,
} from '../../../functions/stop-processor-task-version/upstream-http';
import { captureError } from '../../support/unit/error-text';
import { sendJson, startTestServer, type TestHttpServer, type TestRequestHandler } from '../../support/unit/http-test-server';

const STOP_PATH = '/v2/0123456789abcdef0123456789abcdef/processor-tasks/task-1/versions/version-1/stop';

let server: TestHttpServer | undefined;

afterEach(async () => {
  await server?.close();
  server = undefined;
});

async function serve(handle: TestRequestHandler): Promise<TestHttpServer> {
  server = await startTestServer(handle);
  return server;
}

function stopRequest(base: URL, overrides: Partial<UpstreamHttpRequest> = {}): UpstreamHttpRequest {
  const url = new URL(STOP_PATH, base);
  return {
    method: 'POST',
    url,
    headers: { host: url.host, 'content-type': 'application/json', 'x-project-id': '0123456789abcdef0123456789abcdef' },
    body: '',
    ...overrides,
  };
}

function deadlineIn(ms: number): number {
  return Date.now() + ms;
}

describe('sendUpstreamRequest', () => {
  it('returns a 2xx response', async () => {
    // Prepare
    const upstream = await serve((_request, res) => sendJson(res, 200, {}, { 'x-request-id': 'upstream-1' }));

    // Act
    const response = await sendUpstreamRequest(stopRequest(upstream.url), deadlineIn(2000));

    // Assess
    expect(response.status).toBe(200);
    expect(response.body).toBe('{}');
    expect(response.headers['x-request-id']).toBe('upstream-1');
  });

  it('sends method, path, headers and body', async () => {
    const upstream = await serve((_request, res) => sendJson(res, 200, {}));

    await sendUpstreamRequest(stopRequest(upstream.url, { body: '{"a":1}' }), deadlineIn(2000));

    const received = upstream.requests[0];
    expect(received?.method).toBe('POST');
    expect(received?.url).toBe(STOP_PATH);
    expect(received?.body).toBe('{"a":1}');
    expect(received?.headers['content-length']).toBe('7');
    expect(received?.headers['content-type']).toBe('application/json');
    expect(received?.headers['x-project-id']).toBe('0123456789abcdef0123456789abcdef');
    expect(received?.headers.host).toBe(upstream.url.host);
  });

  it('sends only the given headers', async () => {
    const upstream = await serve((_request, res) => sendJson(res, 200, {}));

    await sendUpstreamRequest(stopRequest(upstream.url), deadlineIn(2000));

    const names = Object.keys(upstream.requests[0]?.headers ?? {}).sort();
    expect(names).toEqual(['connection', 'content-length', 'content-type', 'host', 'x-project-id']);
    expect(upstream.requests[0]?.headers['content-length']).toBe('0');
  });

  it.each([400, 404, 429, 500, 503])('returns status %i as a response', async (status) => {
    const upstream = await serve((_request, res) => sendJson(res, status, { error_code: 'X', error_msg: 'y' }));

    const response = await sendUpstreamRequest(stopRequest(upstream.url), deadlineIn(2000));

    expect(response.status).toBe(status);
    expect(JSON.parse(response.body)).toEqual({ error_code: 'X', error_msg: 'y' });
  });

  it('decodes UTF-8 split across chunks', async () => {
    const encoded = Buffer.from('{"error_msg":"版本不存在"}', 'utf8');
    const upstream = await serve((_request, res) => {
      res.writeHead(404, { 'content-type': 'application/json' });
      res.write(encoded.subarray(0, 15));
      setTimeout(() => res.end(encoded.subarray(15)), 10);
    });

    const response = await sendUpstreamRequest(stopRequest(upstream.url), deadlineIn(2000));

    expect(response.body).toBe('{"error_msg":"版本不存在"}');
  });

  describe('redirects', () => {
    it.each([301, 302, 307, 308])('does not follow %i', async (status) => {
      // Prepare
      const upstream = await serve((request, res) => {
        if (request.url === '/elsewhere') {
          sendJson(res, 200, { followed: true });
          return;
        }
        res.writeHead(status, { location: '/elsewhere' });
        res.end();
      });

      // Act
      const response = await sendUpstreamRequest(stopRequest(upstream.url), deadlineIn(2000));

      // Assess
      expect(response.status).toBe(status);
      expect(response.headers.location).toBe('/elsewhere');
      expect(upstream.requests.map((request) => request.url)).toEqual([STOP_PATH]);
    });
  });

  describe('body cap', () => {
    it('accepts a body at the cap', async () => {
      const body = 'x'.repeat(MAX_UPSTREAM_BODY_BYTES);
      const upstream = await serve((_request, res) => {
        res.writeHead(200, { 'content-type': 'text/plain' });
        res.end(body);
      });

      const response = await sendUpstreamRequest(stopRequest(upstream.url), deadlineIn(2000));

      expect(response.body.length).toBe(MAX_UPSTREAM_BODY_BYTES);
    });

    it('rejects a body over the cap', async () => {
      const upstream = await serve((_request, res) => {
        res.writeHead(200, { 'content-type': 'text/plain' });
        res.end('x'.repeat(MAX_UPSTREAM_BODY_BYTES + 1));
      });

      await expect(sendUpstreamRequest(stopRequest(upstream.url), deadlineIn(2000))).rejects.toBeInstanceOf(
        UpstreamBodyTooLargeError,
      );
    });

    it('rejects an endless chunked body', async () => {
      // Prepare: a body with no content-length that keeps coming.
      const upstream = await serve((_request, res) => {
        res.writeHead(200, { 'content-type': 'application/json' });
        const chunk = 'y'.repeat(16 * 1024);
        const timer = setInterval(() => {
          if (res.destroyed) {
            clearInterval(timer);
            return;
          }
          res.write(chunk);
        }, 1);
        res.on('close', () => clearInterval(timer));
      });

      // Act
      const error = await captureError(() => sendUpstreamRequest(stopRequest(upstream.url), deadlineIn(5000)));

      // Assess
      expect(error).toBeInstanceOf(UpstreamBodyTooLargeError);
    });
  });

  describe('deadline', () => {
    it('covers a stalled body', async () => {
      // Prepare
      const upstream = await serve((_request, res) => {
        res.writeHead(200, { 'content-type': 'application/json', 'content-length': '100' });
        res.write('{');
      });
      const startedAt = Date.now();

      // Act
      const error = await captureError(() => sendUpstreamRequest(stopRequest(upstream.url), deadlineIn(300)));

      // Assess
      expect(error).toBeInstanceOf(UpstreamDeadlineError);
      const elapsed = Date.now() - startedAt;
      expect(elapsed).toBeGreaterThanOrEqual(250);
      expect(elapsed).toBeLessThan(2000);
    });

    it('covers a missing answer', async () => {
      const upstream = await serve(() => undefined);

      const error = await captureError(() => sendUpstreamRequest(stopRequest(upstream.url), deadlineIn(200)));

      expect(error).toBeInstanceOf(UpstreamDeadlineError);
    });

    it('fails at once when the deadline passed', async () => {
      const upstream = await serve((_request, res) => setTimeout(() => sendJson(res, 200, {}), 500));
      const startedAt = Date.now();

      const error = await captureError(() => sendUpstreamRequest(stopRequest(upstream.url), Date.now() - 1));

      expect(error).toBeInstanceOf(UpstreamDeadlineError);
      expect(Date.now() - startedAt).toBeLessThan(400);
    });
  });

  describe('connection failures', () => {
    it('maps a reset before the answer', async () => {
      const upstream = await serve((_request, res) => res.socket?.destroy());

      const error = await captureError(() => sendUpstreamRequest(stopRequest(upstream.url), deadlineIn(2000)));

      expect(error).toBeInstanceOf(UpstreamConnectionError);
    });

    it('maps a reset inside the body', async () => {
      const upstream = await serve((_request, res) => {
        res.writeHead(200, { 'content-type': 'application/json', 'content-length': '100' });
        res.write('{"partial":');
        setTimeout(() => res.socket?.destroy(), 20);
      });

      const error = await captureError(() => sendUpstreamRequest(stopRequest(upstream.url), deadlineIn(2000)));

      expect(error).toBeInstanceOf(UpstreamConnectionError);
    });

    it('maps a refused connection', async () => {
      const closed = await startTestServer(() => undefined);
      await closed.close();

      const error = await captureError(() => sendUpstreamRequest(stopRequest(closed.url), deadlineIn(2000)));

      expect(error).toBeInstanceOf(UpstreamConnectionError);
    });
  });

  describe('keep-alive', () => {
    it('reuses one connection for sequential requests', async () => {
      const upstream = await serve((_request, res) => sendJson(res, 200, {}));

      for (let i = 0; i < 5; i++) {
        const response = await sendUpstreamRequest(stopRequest(upstream.url), deadlineIn(2000));
        expect(response.status).toBe(200);
      }

      expect(upstream.requests).toHaveLength(5);
      expect(upstream.connectionCount).toBe(1);
    });

    it('drops a connection after a deadline', async () => {
      // Prepare: the first response stalls inside its body, the second is normal.
      const upstream = await serve((request, res) => {
        if (request.index === 0) {
          res.writeHead(200, { 'content-length': '100' });
          res.write('{');
          return;
        }
        sendJson(res, 200, {});
      });
      await expect(sendUpstreamRequest(stopRequest(upstream.url), deadlineIn(150))).rejects.toBeInstanceOf(UpstreamDeadlineError);

      // Act
      const response = await sendUpstreamRequest(stopRequest(upstream.url), deadlineIn(2000));

      // Assess
      expect(response.status).toBe(200);
      expect(upstream.connectionCount).toBe(2);
    });

    it('drops a connection after an oversized body', async () => {
      const upstream = await serve((request, res) => {
        res.writeHead(200, { 'content-type': 'text/plain' });
        res.end(request.index === 0 ? 'z'.repeat(MAX_UPSTREAM_BODY_BYTES + 1) : '{}');
      });
      await expect(sendUpstreamRequest(stopRequest(upstream.url), deadlineIn(2000))).rejects.toBeInstanceOf(
        UpstreamBodyTooLargeError,
      );

      const response = await sendUpstreamRequest(stopRequest(upstream.url), deadlineIn(2000));

      expect(response.body).toBe('{}');
      expect(upstream.connectionCount).toBe(2);
    });
  });
});
