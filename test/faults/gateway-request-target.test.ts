import { request } from 'node:http';
import { startLocalGateway, type LocalGateway } from '../../local/gateway';
import { SEEDED_PATH_PARAMETERS, stopPath } from '../support/events';

// Regression: the local gateway resolved the request target against a base URL, so "//" made it throw
// (a 500) and "//host/v2/..." was routed to the handler as if the path were "/v2/...".

/** Sends a POST with `path` as the request target, exactly as written. */
function post(gateway: LocalGateway, path: string): Promise<{ status: number; body: string }> {
  const { hostname, port } = new URL(gateway.url);
  return new Promise((resolve, reject) => {
    const req = request({ hostname, port, path, method: 'POST', agent: false }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (chunk: Buffer) => chunks.push(chunk));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, body: Buffer.concat(chunks).toString('utf8') }));
      res.on('error', reject);
    });
    req.on('error', reject);
    req.end();
  });
}

describe('local gateway request target', () => {
  let gateway: LocalGateway;
  let handlerCalls = 0;

  beforeAll(async () => {
    gateway = await startLocalGateway(async () => {
      handlerCalls++;
      return { statusCode: 200, headers: { 'content-type': 'application/json' }, body: '{}' };
    }, 0);
  });

  afterAll(async () => {
    await gateway.close();
  });

  it.each([
    { label: '//', path: '//' },
    { label: '//%', path: '//%' },
    { label: '//%ZZ', path: '//%ZZ' },
    { label: 'a host before the route', path: `//other-host${stopPath(SEEDED_PATH_PARAMETERS)}` },
  ])('returns 404 for $label', async ({ path }) => {
    // Prepare
    const callsBefore = handlerCalls;

    // Act
    const response = await post(gateway, path);

    // Assess
    expect(response.status).toBe(404);
    expect(JSON.parse(response.body)).toEqual({ message: 'Not Found' });
    expect(handlerCalls - callsBefore).toBe(0);
  });

  it('still routes the stop path', async () => {
    // Prepare
    const callsBefore = handlerCalls;

    // Act
    const response = await post(gateway, stopPath(SEEDED_PATH_PARAMETERS));

    // Assess
    expect(response.status).toBe(200);
    expect(handlerCalls - callsBefore).toBe(1);
  });
});
