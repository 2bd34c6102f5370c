import { Agent as HttpAgent, request as httpRequest, type IncomingHttpHeaders } from 'node:http';
import { Agent as HttpsAgent, request as httpsRequest } from 'node:https';

/** One HTTP request to ModelArts. */
export interface UpstreamHttpRequest {
  readonly method: string;
  readonly url: URL;
  readonly headers: Readonly<Record<string, string>>;
  readonly body: string;
}

/** A complete ModelArts response. */
export interface UpstreamHttpResponse {
  readonly status: number;
  readonly headers: IncomingHttpHeaders;
  readonly body: string;
}

/** The deadline passed before the response body was complete. */
export class UpstreamDeadlineError extends Error {
  override readonly name = 'UpstreamDeadlineError';
}

/** The connection failed or closed before the response was complete. */
export class UpstreamConnectionError extends Error {
  override readonly name = 'UpstreamConnectionError';
}

/** The response body was larger than the proxy accepts. */
export class UpstreamBodyTooLargeError extends Error {
  override readonly name = 'UpstreamBodyTooLargeError';
}

/**
 * Largest response body read from ModelArts, in bytes. The stop response is `{}` and error bodies are a few
 * hundred bytes, so anything near this size is not a response the proxy can pass on.
 */
export const MAX_UPSTREAM_BODY_BYTES = 64 * 1024;

// Keep-alive agents at module scope: warm invocations reuse the TLS connection instead of opening one each
// time. Idle sockets close after 30 s, before typical load-balancer idle timeouts of 60 s.
const agentOptions = { keepAlive: true, maxSockets: 32, timeout: 30_000 };
const httpsAgent = new HttpsAgent(agentOptions);
const httpAgent = new HttpAgent(agentOptions);

/**
 * Sends one request and reads the whole response before `deadline` (epoch milliseconds). Redirects are not
 * followed: a 3xx comes back as a response like any other.
 *
 * @throws UpstreamDeadlineError, UpstreamConnectionError or UpstreamBodyTooLargeError.
 */
export function sendUpstreamRequest(request: UpstreamHttpRequest, deadline: number): Promise<UpstreamHttpResponse> {
  const secure = request.url.protocol === 'https:';
  const send = secure ? httpsRequest : httpRequest;
  const headers = { ...request.headers, 'content-length': String(Buffer.byteLength(request.body)) };

  return new Promise((resolve, reject) => {
    let settled = false;
    const req = send(request.url, { method: request.method, headers, agent: secure ? httpsAgent : httpAgent }, (res) => {
      const chunks: Buffer[] = [];
      let size = 0;
      res.on('data', (chunk: Buffer) => {
        size += chunk.length;
        if (size > MAX_UPSTREAM_BODY_BYTES) {
          fail(new UpstreamBodyTooLargeError(`response body exceeds ${MAX_UPSTREAM_BODY_BYTES} bytes`));
          return;
        }
        chunks.push(chunk);
      });
      res.on('end', () => {
        if (!res.complete) {
          fail(new UpstreamConnectionError('connection closed before the response body was complete'));
          return;
        }
        finish();
        resolve({ status: res.statusCode ?? 0, headers: res.headers, body: Buffer.concat(chunks).toString('utf8') });
      });
      res.on('error', (error) => fail(new UpstreamConnectionError(error.message, { cause: error })));
      res.on('aborted', () => fail(new UpstreamConnectionError('response aborted')));
    });

    const timer = setTimeout(
      () => fail(new UpstreamDeadlineError('no complete response before the upstream deadline')),
      Math.max(0, deadline - Date.now()),
    );

    function finish(): void {
      settled = true;
      clearTimeout(timer);
    }
    function fail(error: Error): void {
      if (settled) {
        return;
      }
      finish();
      // Destroying the request also drops the socket from the keep-alive pool, so a half-read
      // connection is never reused.
      req.destroy();
      reject(error);
    }

    req.on('error', (error) => fail(new UpstreamConnectionError(error.message, { cause: error })));
    req.end(request.body);
  });
}
