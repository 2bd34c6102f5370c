import type { IncomingHttpHeaders } from 'node:http';
import {
  InternalError,
  ProxyError,
  UpstreamCredentialsRejectedError,
  UpstreamFailureError,
  UpstreamRateLimitedError,
  UpstreamRejectedError,
  UpstreamTimeoutError,
} from './errors';
import type { UpstreamExchange } from './upstream';
import { UpstreamDeadlineError } from './upstream-http';

/** A ModelArts success, ready to return to the app. */
export interface UpstreamSuccess {
  readonly statusCode: number;
  /** Serialized JSON; an empty upstream body becomes `{}`. */
  readonly body: string;
  readonly upstreamRequestId: string | undefined;
}

// Header values copied from ModelArts to the app must be plain tokens, so a hostile or broken upstream
// cannot inject text into the app's response.
const UPSTREAM_REQUEST_ID_PATTERN = /^[A-Za-z0-9._:-]{1,128}$/;
const RETRY_AFTER_PATTERN = /^(\d{1,6}|[A-Za-z]{3}, \d{2} [A-Za-z]{3} \d{4} \d{2}:\d{2}:\d{2} GMT)$/;
const MAX_UPSTREAM_TEXT_LENGTH = 512;

/**
 * Maps the final ModelArts response to what the app receives.
 *
 * 2xx passes through. 4xx other than 401/403/429 passes through with ModelArts' error_code and error_msg.
 * 429 passes through with Retry-After. 401 (after the refresh retry) and 403 mean the proxy's own
 * credentials failed, and 3xx, 5xx, unreadable bodies and broken connections mean ModelArts failed: all
 * become a 502, because the app's user did nothing wrong. A spent upstream budget becomes a 504.
 *
 * @throws ProxyError for every response that is not a success.
 */
export function mapUpstreamExchange(exchange: UpstreamExchange): UpstreamSuccess {
  if ('error' in exchange.result && exchange.result.error instanceof UpstreamDeadlineError) {
    const message = `ModelArts sent no complete response within the upstream budget (${exchange.latencyMs} ms).`;
    throw new UpstreamTimeoutError(message, { cause: exchange.result.error });
  }
  if ('error' in exchange.result) {
    throw new UpstreamFailureError('ModelArts request failed without a response.', { cause: exchange.result.error });
  }
  const { status, headers, body } = exchange.result.response;
  const upstreamRequestId = headerToken(headers['x-request-id'], UPSTREAM_REQUEST_ID_PATTERN);

  const error = classifyStatus(status, headers, body);
  if (error) {
    error.upstreamRequestId = upstreamRequestId;
    throw error;
  }

  const successBody = body.trim() === '' ? '{}' : body;
  if (!isJson(successBody)) {
    const failure = new UpstreamFailureError(`ModelArts returned status ${status} with a body that is not JSON.`);
    failure.upstreamRequestId = upstreamRequestId;
    throw failure;
  }
  return { statusCode: status, body: successBody, upstreamRequestId };
}

function classifyStatus(status: number, headers: IncomingHttpHeaders, body: string): ProxyError | undefined {
  if (status >= 200 && status < 300) {
    return undefined;
  }
  if (status === 401 || status === 403) {
    return new UpstreamCredentialsRejectedError(`ModelArts rejected the proxy credentials with status ${status}.`);
  }
  if (status >= 400 && status < 500) {
    const { errorCode, errorMessage } = readUpstreamError(status, body);
    if (status === 429) {
      return new UpstreamRateLimitedError(errorCode, errorMessage, headerToken(headers['retry-after'], RETRY_AFTER_PATTERN));
    }
    return new UpstreamRejectedError(status, errorCode, errorMessage);
  }
  if (status >= 300 && status < 400) {
    return new UpstreamFailureError(`ModelArts returned redirect status ${status}, which is not followed.`);
  }
  return new UpstreamFailureError(`ModelArts returned status ${status}.`);
}

/** Reads ModelArts' `error_code` and `error_msg`, with generic values when the body lacks them. */
function readUpstreamError(status: number, body: string): { errorCode: string; errorMessage: string } {
  let parsed: unknown;
  try {
    parsed = JSON.parse(body);
  } catch {
    parsed = undefined;
  }
  const fields = typeof parsed === 'object' && parsed !== null ? (parsed as Record<string, unknown>) : {};
  const errorCode = boundedText(fields.error_code) ?? `PROXY.UPSTREAM_${status}`;
  const errorMessage = boundedText(fields.error_msg) ?? `ModelArts rejected the request with status ${status}.`;
  return { errorCode, errorMessage };
}

function boundedText(value: unknown): string | undefined {
  return typeof value === 'string' && value !== '' ? value.slice(0, MAX_UPSTREAM_TEXT_LENGTH) : undefined;
}

function headerToken(value: string | string[] | undefined, pattern: RegExp): string | undefined {
  const single = Array.isArray(value) ? value[0] : value;
  return single !== undefined && pattern.test(single) ? single : undefined;
}

function isJson(text: string): boolean {
  try {
    JSON.parse(text);
    return true;
  } catch {
    return false;
  }
}

/** Wraps anything that is not a ProxyError, so the app always receives the error body shape. */
export function toProxyError(error: unknown): ProxyError {
  return error instanceof ProxyError ? error : new InternalError('Unexpected failure.', { cause: error });
}
