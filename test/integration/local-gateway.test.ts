import { request, type IncomingHttpHeaders } from 'node:http';
import { startLocalGateway, type LocalGateway } from '../../local/gateway';
import { SEEDED_VERSION } from '../../local/stand-ins';
import { SEEDED_PATH_PARAMETERS, stopPath } from '../support/events';
import { useIntegrationHarness } from '../support/integration-harness';

/** A complete HTTP response. */
interface HttpResponse {
  readonly status: number;
  readonly headers: IncomingHttpHeaders;
  readonly body: string;
}

/** Sends one request on a new connection, so no keep-alive socket outlives the test. */
function sendHttp(url: string, method: string, headers: Record<string, string> = {}): Promise<HttpResponse> {
  return new Promise((resolve, reject) => {
    const req = request(url, { method, headers, agent: false }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (chunk: Buffer) => chunks.push(chunk));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, headers: res.headers, body: Buffer.concat(chunks).toString('utf8') }));
      res.on('error', reject);
    });
    req.on('error', reject);
    req.end();
  });
}

describe('local gateway over HTTP', () => {
  const harness = useIntegrationHarness();
  let gateway: LocalGateway | undefined;

  async function startGateway(): Promise<string> {
    const loaded = await harness.loadHandler();
    gateway = await startLocalGateway(loaded.handler, 0);
    return gateway.url;
  }

  afterEach(async () => {
    await gateway?.close();
    gateway = undefined;
  });

  it('stops seeded version over HTTP', async () => {
    // Prepare
    const url = await startGateway();

    // Act
    const response = await sendHttp(`${url}${stopPath(SEEDED_PATH_PARAMETERS)}`, 'POST', {
      Authorization: `Bearer ${harness.token()}`,
    });

    // Assess
    expect(url).toMatch(/^http:\/\/127\.0\.0\.1:\d+$/);
    expect(response.status).toBe(200);
    expect(response.body).toBe('{}');
    expect(response.headers['content-type']).toBe('application/json');
    expect(response.headers['x-request-id']).toMatch(/^[0-9a-f-]{36}$/);
    expect(response.headers['x-upstream-request-id']).toMatch(/^[0-9a-f]{32}$/);
    expect(harness.standIns.modelArts.versionStatus(SEEDED_VERSION.projectId, SEEDED_VERSION.taskId, SEEDED_VERSION.versionId)).toBe(
      'STOPPED',
    );
  });

  it('returns 401 without token', async () => {
    // Prepare
    const url = await startGateway();

    // Act
    const response = await sendHttp(`${url}${stopPath(SEEDED_PATH_PARAMETERS)}`, 'POST');

    // Assess
    expect(response.status).toBe(401);
    expect(response.headers['www-authenticate']).toBe('Bearer realm="modelarts-stop-proxy"');
    expect(response.headers['content-type']).toBe('application/json');
    const requestId = response.headers['x-request-id'];
    expect(JSON.parse(response.body)).toEqual({ error_code: 'PROXY.0401', error_msg: expect.any(String), request_id: requestId });
    expect(harness.modelArtsRequests()).toHaveLength(0);
  });

  it.each([
    { method: 'POST', path: '/v2/unknown' },
    { method: 'GET', path: stopPath(SEEDED_PATH_PARAMETERS) },
    { method: 'POST', path: `${stopPath(SEEDED_PATH_PARAMETERS)}/extra` },
  ])('returns 404 for $method $path', async ({ method, path }) => {
    // Prepare
    const url = await startGateway();

    // Act
    const response = await sendHttp(`${url}${path}`, method, { Authorization: `Bearer ${harness.token()}` });

    // Assess
    expect(response.status).toBe(404);
    expect(JSON.parse(response.body)).toEqual({ message: 'Not Found' });
    expect(harness.output.logLines('stop request completed', 'stop request failed')).toHaveLength(0);
    expect(harness.modelArtsRequests()).toHaveLength(0);
  });

  it('decodes encoded slash before validation', async () => {
    // Prepare
    const url = await startGateway();
    const path = stopPath({ ...SEEDED_PATH_PARAMETERS, task_id: `${SEEDED_VERSION.taskId}%2F..` });

    // Act
    const response = await sendHttp(`${url}${path}`, 'POST', { Authorization: `Bearer ${harness.token()}` });

    // Assess
    expect(response.status).toBe(400);
    expect(JSON.parse(response.body)).toMatchObject({ error_code: 'PROXY.0400' });
    expect(harness.modelArtsRequests()).toHaveLength(0);
  });
});

describe('local gateway body limit', () => {
  const harness = useIntegrationHarness();

  it('rejects an endless body early', async () => {
    // Prepare: a chunked body that would never end on its own.
    const loaded = await harness.loadHandler();
    const gateway = await startLocalGateway(loaded.handler, 0);
    const chunk = Buffer.alloc(256 * 1024, 0x61);
    let bytesSent = 0;

    try {
      // Act
      const status = await new Promise<number>((resolve, reject) => {
        const req = request(`${gateway.url}${stopPath(SEEDED_PATH_PARAMETERS)}`, { method: 'POST', agent: false }, (res) => {
          res.resume();
          resolve(res.statusCode ?? 0);
          req.destroy();
        });
        req.on('error', (error) => (bytesSent > 0 ? undefined : reject(error)));
        const pump = (): void => {
          // Bounded: stops after 64 MiB even if the gateway kept reading.
          while (bytesSent < 64 * 1024 * 1024 && !req.destroyed) {
            bytesSent += chunk.length;
            if (!req.write(chunk)) {
              req.once('drain', pump);
              return;
            }
          }
        };
        pump();
      });

      // Assess: the 413 arrives after little more than the 1 MiB cap, not after the whole upload.
      expect(status).toBe(413);
      expect(bytesSent).toBeLessThan(16 * 1024 * 1024);
      expect(harness.modelArtsRequests()).toHaveLength(0);
    } finally {
      await gateway.close();
    }
  });
});
