import { signRequest, type HuaweiCredentials } from '../lib/huawei-signing';
import type { CredentialsProvider, CredentialsSource } from './credentials';
import { InvalidParameterError } from './errors';
import type { TaskVersionIds } from './path-params';
import {
  sendUpstreamRequest,
  UpstreamConnectionError,
  type UpstreamHttpRequest,
  type UpstreamHttpResponse,
} from './upstream-http';

/** The final ModelArts response to one stop request, after any retry. */
export interface UpstreamExchange {
  /** The last response, or the error of the last attempt when no response arrived. */
  readonly result: { readonly response: UpstreamHttpResponse } | { readonly error: Error };
  /** Requests sent, 1 or 2. */
  readonly attempts: number;
  /** Wall time of all attempts, in milliseconds. */
  readonly latencyMs: number;
  /** True when a 401 made the proxy read the secret again. */
  readonly credentialsRefreshed: boolean;
  /** Source of the credentials used by the first attempt. */
  readonly credentialsSource: CredentialsSource;
}

/** Signing and transport hooks; tests replace the clock. */
export interface ModelArtsClientOptions {
  readonly endpoint: URL;
  /** Budget for the whole exchange, retry and response body included, in milliseconds. */
  readonly timeoutMs: number;
  readonly now?: () => Date;
}

// One retry at most, for any reason, keeps the worst case inside the upstream budget.
const MAX_ATTEMPTS = 2;

/**
 * Calls ModelArts StopProcessorTaskVersion with signed requests.
 *
 * Retry policy: a 401 re-reads the secret and retries once, with the same credentials when a re-read in
 * the last few seconds returned them unchanged. A 5xx or a failed connection (such as a keep-alive socket the server
 * closed) retries once. A deadline ends the exchange with no retry, because the budget is spent.
 */
export class ModelArtsClient {
  private readonly now: () => Date;

  constructor(
    private readonly credentials: CredentialsProvider,
    private readonly options: ModelArtsClientOptions,
  ) {
    this.now = options.now ?? (() => new Date());
  }

  /**
   * Sends the stop request and returns the last response. A spent budget comes back as an exchange whose
   * error is an UpstreamDeadlineError, so the request log still gets the attempts and the latency.
   *
   * @throws the credentials provider's errors when no credentials can be obtained.
   */
  async stopTaskVersion(ids: TaskVersionIds): Promise<UpstreamExchange> {
    const firstLookup = await this.credentials.get();
    let credentials = firstLookup.credentials;
    let credentialsRefreshed = false;
    const startedAt = Date.now();
    const deadline = startedAt + this.options.timeoutMs;

    for (let attempt = 1; ; attempt++) {
      const result = await this.sendOnce(ids, credentials, deadline);
      const exchange = (): UpstreamExchange => ({
        result,
        attempts: attempt,
        latencyMs: Date.now() - startedAt,
        credentialsRefreshed,
        credentialsSource: firstLookup.source,
      });

      if (attempt >= MAX_ATTEMPTS || Date.now() >= deadline) {
        return exchange();
      }

      if ('response' in result && result.response.status === 401) {
        // The re-read counts against the upstream budget, so a slow Secrets Manager cannot stretch it.
        // When a recent re-read returned these same credentials, the retry reuses them: a transient 401
        // still recovers, and a wrong secret costs no further Secrets Manager call.
        const refreshed = await this.credentials.refresh(credentials, deadline - Date.now());
        if (refreshed !== undefined) {
          credentials = refreshed.credentials;
          credentialsRefreshed = true;
        }
        continue;
      }
      const retryable =
        ('error' in result && result.error instanceof UpstreamConnectionError) ||
        ('response' in result && result.response.status >= 500);
      if (!retryable) {
        return exchange();
      }
    }
  }

  private async sendOnce(
    ids: TaskVersionIds,
    credentials: HuaweiCredentials,
    deadline: number,
  ): Promise<UpstreamExchange['result']> {
    // Each attempt is signed anew, so X-Sdk-Date is fresh even after a slow first attempt.
    const request = this.buildSignedRequest(ids, credentials);
    try {
      return { response: await sendUpstreamRequest(request, deadline) };
    } catch (error) {
      return { error: error instanceof Error ? error : new Error(String(error)) };
    }
  }

  private buildSignedRequest(ids: TaskVersionIds, credentials: HuaweiCredentials): UpstreamHttpRequest {
    const url = buildStopUrl(this.options.endpoint, ids);
    const unsigned = {
      method: 'POST',
      url,
      headers: { host: url.host, 'content-type': 'application/json', 'x-project-id': ids.projectId },
      body: '',
    };
    return { ...unsigned, headers: signRequest(unsigned, credentials, this.now()) };
  }
}

/**
 * Builds the StopProcessorTaskVersion URL from validated ids. The ids are percent-encoded although the
 * id patterns admit no character that needs it, and dot segments are rejected, so a looser pattern could
 * never change the path.
 *
 * @throws InvalidParameterError when an id is `.` or `..`.
 */
export function buildStopUrl(endpoint: URL, ids: TaskVersionIds): URL {
  const path = [
    'v2',
    ids.projectId,
    'processor-tasks',
    ids.taskId,
    'versions',
    ids.versionId,
    'stop',
  ].map(encodeURIComponent);
  // URL parsing removes "." and ".." segments even when written as %2E, so encoding cannot protect them.
  if (path.some((segment) => segment === '.' || segment === '..')) {
    throw new InvalidParameterError('Invalid path parameter: an id must not be "." or "..".');
  }
  return new URL(`/${path.join('/')}`, endpoint);
}
