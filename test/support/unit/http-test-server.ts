import { createServer, type IncomingHttpHeaders, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';

/** A request as the test server received it. */
export interface ReceivedRequest {
  readonly method: string;
  readonly url: string;
  readonly headers: IncomingHttpHeaders;
  readonly body: string;
  /** Zero-based position of this request among all requests the server received. */
  readonly index: number;
}

/** Writes the response to one request. It may also leave the response open or destroy the socket. */
export type TestRequestHandler = (request: ReceivedRequest, res: ServerResponse) => void;

/** A node:http server on 127.0.0.1 that records what it receives. */
export interface TestHttpServer {
  /** Base URL, such as `http://127.0.0.1:43123/`. */
  readonly url: URL;
  /** Requests received so far, in arrival order. */
  readonly requests: readonly ReceivedRequest[];
  /** TCP connections accepted so far. */
  readonly connectionCount: number;
  close(): Promise<void>;
}

/**
 * Starts an HTTP server on 127.0.0.1 with a free port. Each request is read in full before `handle`
 * runs, so handlers see the body, and tests can script responses by `request.index`.
 */
export async function startTestServer(handle: TestRequestHandler): Promise<TestHttpServer> {
  const requests: ReceivedRequest[] = [];
  let connectionCount = 0;

  const server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (chunk: Buffer) => chunks.push(chunk));
    req.on('end', () => {
      const request: ReceivedRequest = {
        method: req.method ?? '',
        url: req.url ?? '',
        headers: req.headers,
        body: Buffer.concat(chunks).toString('utf8'),
        index: requests.length,
      };
      requests.push(request);
      handle(request, res);
    });
  });
  server.on('connection', () => {
    connectionCount++;
  });

  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => resolve());
  });
  const { port } = server.address() as AddressInfo;

  return {
    url: new URL(`http://127.0.0.1:${port}/`),
    requests,
    get connectionCount() {
      return connectionCount;
    },
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}

/** Sends a JSON response with the given status and headers. */
export function sendJson(res: ServerResponse, status: number, body: unknown, headers: Record<string, string> = {}): void {
  res.writeHead(status, { 'content-type': 'application/json', ...headers });
  res.end(body === undefined ? '' : JSON.stringify(body));
}
