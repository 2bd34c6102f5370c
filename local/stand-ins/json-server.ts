import { createServer, type IncomingHttpHeaders, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';

/** A request as the stand-ins see it. */
export interface StandInRequest {
  readonly method: string;
  readonly path: string;
  readonly headers: IncomingHttpHeaders;
  readonly body: string;
}

/** A JSON response, or a function that writes the raw response itself (for fault injection). */
export type StandInResponse =
  | { readonly status: number; readonly body?: unknown; readonly headers?: Record<string, string> }
  | { readonly raw: (res: ServerResponse) => void };

/** A server listening on 127.0.0.1. */
export interface RunningServer {
  /** Base URL, such as `http://127.0.0.1:43123`. */
  readonly url: string;
  close(): Promise<void>;
}

const MAX_REQUEST_BYTES = 64 * 1024;

/** Starts an HTTP server on 127.0.0.1 that responds to each request with `route`. Port 0 picks a free port. */
export async function startJsonServer(
  port: number,
  route: (request: StandInRequest) => StandInResponse | Promise<StandInResponse>,
): Promise<RunningServer> {
  const server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    let size = 0;
    req.on('data', (chunk: Buffer) => {
      size += chunk.length;
      if (size <= MAX_REQUEST_BYTES) {
        chunks.push(chunk);
      }
    });
    req.on('end', async () => {
      const request = {
        method: req.method ?? 'GET',
        path: req.url ?? '/',
        headers: req.headers,
        body: Buffer.concat(chunks).toString('utf8'),
      };
      try {
        writeResponse(res, await route(request));
      } catch {
        writeResponse(res, { status: 500, body: { message: 'stand-in failed' } });
      }
    });
  });

  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, '127.0.0.1', () => resolve());
  });
  const address = server.address() as AddressInfo;

  return {
    url: `http://127.0.0.1:${address.port}`,
    close: () =>
      new Promise((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}

function writeResponse(res: ServerResponse, response: StandInResponse): void {
  if ('raw' in response) {
    response.raw(res);
    return;
  }
  const body = response.body === undefined ? '' : JSON.stringify(response.body);
  res.writeHead(response.status, { 'content-type': 'application/json', ...response.headers });
  res.end(body);
}
