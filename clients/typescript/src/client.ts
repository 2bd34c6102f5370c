import { NetworkError, TimeoutError, UnauthenticatedError } from './errors';
import type { operations } from './generated/openapi';
import { buildStopPath, validateTaskVersionPath } from './path-params';
import { mapResponse, type ReceivedResponse, type StopProcessorTaskVersionResult } from './response-mapping';

type PathParameters = operations['stopProcessorTaskVersion']['parameters']['path'];

/** The version to stop. */
export interface StopProcessorTaskVersionRequest {
  /** Huawei Cloud project id, 32 lowercase hexadecimal characters. */
  readonly projectId: PathParameters['project_id'];
  /** Processor task id, 1 to 64 characters from A-Z, a-z, 0-9, _ and -. */
  readonly taskId: PathParameters['task_id'];
  /** Version id, 1 to 64 characters from A-Z, a-z, 0-9, _ and -. */
  readonly versionId: PathParameters['version_id'];
}

/** How to reach the proxy and authenticate. */
export interface StopProcessorTaskVersionOptions {
  /** Base URL of the API, such as `https://api.example.com` or `http://127.0.0.1:3000`, without a query. */
  readonly baseUrl: string;
  /** Returns a current access token (a JWT). It is called once per stop, so it can refresh the token. */
  readonly getToken: () => string | Promise<string>;
  /** Aborts the call; the promise then rejects with a {@link TimeoutError} whose reason is `aborted`. */
  readonly signal?: AbortSignal;
  /**
   * Gives up after this many milliseconds, token fetch excluded, with a {@link TimeoutError} whose reason is
   * `client-timeout`.
   * @default no client-side limit; the proxy returns 504 when its own upstream timeout passes
   */
  readonly timeoutMs?: number;
  /**
   * The `fetch` to use.
   * @default globalThis.fetch, present in browsers, React Native and Node.js 18 or later
   */
  readonly fetch?: typeof fetch;
}

// RFC 6750 b64token, so a token with spaces or line breaks fails here instead of inside fetch.
const BEARER_TOKEN_PATTERN = /^[A-Za-z0-9\-._~+/]+=*$/;
// An absolute https URL, or plain http on a loopback host only, so a bearer token never crosses a network
// in clear text. No query or fragment. A regular expression instead of `URL`, because React Native's
// `URL` (0.72, for one) throws "not implemented" from getters such as `protocol`.
const BASE_URL_PATTERN =
  /^(https:\/\/[^/?#\s]+|http:\/\/(localhost|127\.\d{1,3}\.\d{1,3}\.\d{1,3}|\[::1\])(:\d{1,5})?)(\/[^?#\s]*)?$/i;

/**
 * Stops a processor-task version through the proxy.
 *
 * @returns the success result for a 2xx response.
 * @throws InvalidRequestError for an invalid id (before sending) or a 400.
 * @throws UnauthenticatedError for a 401, or when `getToken` returns an empty or malformed token.
 * @throws ForbiddenError (403), NotFoundError (404), RequestRejectedError (other 4xx) or RateLimitedError (429).
 * @throws UpstreamFailureError for a 5xx other than 504.
 * @throws TimeoutError for a 504, after `timeoutMs`, or when `signal` aborts.
 * @throws NetworkError when `fetch` fails without a response, including a CORS rejection in a browser.
 * @throws UnexpectedResponseError for a response the API does not document.
 * @throws TypeError or RangeError for invalid options, and whatever `getToken` throws, unchanged.
 *
 * @example
 * ```ts
 * const result = await stopProcessorTaskVersion(
 *   { projectId, taskId, versionId },
 *   { baseUrl: 'https://api.example.com', getToken: () => auth.accessToken() },
 * );
 * console.log(result.status, result.requestId);
 * ```
 */
export async function stopProcessorTaskVersion(
  request: StopProcessorTaskVersionRequest,
  options: StopProcessorTaskVersionOptions,
): Promise<StopProcessorTaskVersionResult> {
  const path = { project_id: request.projectId, task_id: request.taskId, version_id: request.versionId };
  validateTaskVersionPath(path);
  const url = `${validateBaseUrl(options.baseUrl)}${buildStopPath(path)}`;
  const fetchFunction = resolveFetch(options.fetch);
  validateTimeout(options.timeoutMs);

  const token = await options.getToken();
  if (typeof token !== 'string' || !BEARER_TOKEN_PATTERN.test(token)) {
    throw new UnauthenticatedError({
      message: 'The token provider returned an empty or malformed token; expected a JWT.',
      errorCode: 'CLIENT.INVALID_TOKEN',
    });
  }
  if (options.signal?.aborted) {
    throw abortedError(options.signal.reason);
  }

  const controller = new AbortController();
  let timedOut = false;
  const timer =
    options.timeoutMs === undefined
      ? undefined
      : setTimeout(() => {
          timedOut = true;
          controller.abort();
        }, options.timeoutMs);
  const forwardAbort = (): void => controller.abort();
  options.signal?.addEventListener('abort', forwardAbort, { once: true });

  let received: ReceivedResponse;
  try {
    // The body is read inside the same try, so an abort while it streams is reported like one before it.
    const response = await fetchFunction(url, {
      method: 'POST',
      headers: { accept: 'application/json', authorization: `Bearer ${token}` },
      credentials: 'omit',
      signal: controller.signal,
    });
    received = { status: response.status, headers: response.headers, bodyText: await response.text() };
  } catch (error) {
    if (timedOut) {
      throw new TimeoutError({
        message: `Timed out: no response within ${options.timeoutMs} ms.`,
        errorCode: 'CLIENT.TIMEOUT',
        reason: 'client-timeout',
        cause: error,
      });
    }
    if (options.signal?.aborted) {
      throw abortedError(options.signal.reason);
    }
    // With the inputs validated above, fetch and text() reject only for network failures, with a TypeError
    // per the Fetch standard. No class check, because `instanceof TypeError` misses errors made in another
    // realm, such as Node's fetch seen from a Jest sandbox.
    throw new NetworkError({
      message: 'The request failed without a response: the API is unreachable, or the browser rejected it because of CORS.',
      errorCode: 'CLIENT.NETWORK',
      cause: error,
    });
  } finally {
    clearTimeout(timer);
    options.signal?.removeEventListener('abort', forwardAbort);
  }

  return mapResponse(received, Date.now());
}

function abortedError(reason: unknown): TimeoutError {
  return new TimeoutError({
    message: 'The call was aborted by its AbortSignal.',
    errorCode: 'CLIENT.ABORTED',
    reason: 'aborted',
    cause: reason,
  });
}

function validateBaseUrl(baseUrl: string): string {
  if (typeof baseUrl !== 'string' || !BASE_URL_PATTERN.test(baseUrl)) {
    throw new TypeError(
      'Invalid baseUrl: expected an absolute https URL (plain http only for localhost, 127.0.0.0/8 or [::1]) without query or fragment.',
    );
  }
  return baseUrl.replace(/\/+$/, '');
}

function resolveFetch(custom: typeof fetch | undefined): typeof fetch {
  const candidate = custom ?? globalThis.fetch;
  if (typeof candidate !== 'function') {
    throw new TypeError('No fetch function: pass options.fetch on platforms without a global fetch.');
  }
  return candidate;
}

function validateTimeout(timeoutMs: number | undefined): void {
  if (timeoutMs !== undefined && !(Number.isFinite(timeoutMs) && timeoutMs > 0)) {
    throw new RangeError('Invalid timeoutMs: expected a positive number of milliseconds.');
  }
}
