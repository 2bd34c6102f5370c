import { FetchError, NonRetryableFetchError } from 'aws-jwt-verify/error';
import { JwksFetcher } from '../../../functions/stop-processor-task-version/jwks-fetcher';
import { captureError } from '../../support/unit/error-text';
import { sendJson, startTestServer, type TestHttpServer, type TestRequestHandler } from '../../support/unit/http-test-server';

let server: TestHttpServer | undefined;

afterEach(async () => {
  await server?.close();
  server = undefined;
});

async function serve(handle: TestRequestHandler): Promise<string> {
  server = await startTestServer(handle);
  return new URL('/.well-known/jwks.json', server.url).href;
}

function textOf(buffer: ArrayBuffer): string {
  return Buffer.from(buffer).toString('utf8');
}

describe('JwksFetcher', () => {
  it('returns the JWKS bytes', async () => {
    const uri = await serve((_request, res) => sendJson(res, 200, { keys: [] }));

    const body = await new JwksFetcher().fetch(uri);

    expect(textOf(body)).toBe('{"keys":[]}');
    expect(server?.requests[0]?.method).toBe('GET');
    expect(server?.requests[0]?.headers.accept).toBe('application/json');
  });

  it.each([404, 500, 503])('rejects status %i as non-retryable', async (status) => {
    const uri = await serve((_request, res) => sendJson(res, status, { message: 'no' }));

    const error = await captureError(() => new JwksFetcher().fetch(uri));

    expect(error).toBeInstanceOf(NonRetryableFetchError);
  });

  it('does not follow a redirect', async () => {
    const uri = await serve((request, res) => {
      if (request.url === '/.well-known/jwks.json') {
        res.writeHead(302, { location: '/other.json' });
        res.end();
        return;
      }
      sendJson(res, 200, { keys: [] });
    });

    await expect(new JwksFetcher().fetch(uri)).rejects.toBeInstanceOf(NonRetryableFetchError);
    expect(server?.requests).toHaveLength(1);
  });

  it('rejects a JWKS over the size limit', async () => {
    const uri = await serve((_request, res) => sendJson(res, 200, { keys: [], padding: 'x'.repeat(2000) }));

    const error = await captureError(() => new JwksFetcher({ timeoutMs: 2000, maxBytes: 1024 }).fetch(uri));

    expect(error).toBeInstanceOf(NonRetryableFetchError);
  });

  it('times out a stalled body', async () => {
    const uri = await serve((_request, res) => {
      res.writeHead(200, { 'content-type': 'application/json', 'content-length': '100' });
      res.write('{');
    });
    const startedAt = Date.now();

    const error = await captureError(() => new JwksFetcher({ timeoutMs: 150, maxBytes: 1024 }).fetch(uri));

    expect(error).toBeInstanceOf(FetchError);
    expect(Date.now() - startedAt).toBeLessThan(1500);
  });

  it('rejects a refused connection', async () => {
    const uri = await serve(() => undefined);
    await server?.close();
    server = undefined;

    await expect(new JwksFetcher().fetch(uri)).rejects.toBeInstanceOf(FetchError);
  });
});
