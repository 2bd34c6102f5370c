import { request as httpRequest } from 'node:http';
import { request as httpsRequest } from 'node:https';
import { FetchError, NonRetryableFetchError } from 'aws-jwt-verify/error';
import type { Fetcher } from 'aws-jwt-verify/https';

/** Limits for one JWKS download. */
export interface JwksFetchLimits {
  /** Whole-response budget in milliseconds. */
  readonly timeoutMs: number;
  /** Largest JWKS document accepted, in bytes. */
  readonly maxBytes: number;
}

const DEFAULT_LIMITS: JwksFetchLimits = { timeoutMs: 3000, maxBytes: 64 * 1024 };

/**
 * JWKS fetcher for aws-jwt-verify that also speaks plain http. The library's own fetcher is https-only,
 * and the configuration already restricts plain http to loopback stand-ins. It makes one attempt, because
 * aws-jwt-verify's cache already de-duplicates concurrent fetches and backs off after unknown key ids.
 */
export class JwksFetcher implements Fetcher {
  constructor(private readonly limits: JwksFetchLimits = DEFAULT_LIMITS) {}

  fetch(uri: string): Promise<ArrayBuffer> {
    const url = new URL(uri);
    const send = url.protocol === 'http:' ? httpRequest : httpsRequest;

    return new Promise((resolve, reject) => {
      const req = send(url, { method: 'GET', headers: { accept: 'application/json' } }, (res) => {
        if (res.statusCode !== 200) {
          res.resume();
          fail(new NonRetryableFetchError(uri, `JWKS endpoint returned status ${res.statusCode}`));
          return;
        }
        const chunks: Buffer[] = [];
        let size = 0;
        res.on('data', (chunk: Buffer) => {
          size += chunk.length;
          if (size > this.limits.maxBytes) {
            fail(new NonRetryableFetchError(uri, `JWKS is larger than ${this.limits.maxBytes} bytes`));
            return;
          }
          chunks.push(chunk);
        });
        res.on('end', () => {
          clearTimeout(timer);
          const body = Buffer.concat(chunks);
          resolve(body.buffer.slice(body.byteOffset, body.byteOffset + body.byteLength) as ArrayBuffer);
        });
        res.on('error', (error) => fail(new FetchError(uri, error.message)));
      });

      const timer = setTimeout(() => fail(new FetchError(uri, `no complete JWKS within ${this.limits.timeoutMs} ms`)), this.limits.timeoutMs);
      function fail(error: Error): void {
        clearTimeout(timer);
        req.destroy();
        reject(error);
      }
      req.on('error', (error) => fail(new FetchError(uri, error.message)));
      req.end();
    });
  }
}
