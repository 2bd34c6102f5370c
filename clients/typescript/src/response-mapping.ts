import {
  ForbiddenError,
  InvalidRequestError,
  NotFoundError,
  RateLimitedError,
  RequestRejectedError,
  TimeoutError,
  UnauthenticatedError,
  UnexpectedResponseError,
  UpstreamFailureError,
  type StopErrorDetails,
  type StopErrorKind,
  type StopFailure,
} from './errors';
import type { components, operations } from './generated/openapi';

type Responses = operations['stopProcessorTaskVersion']['responses'];

/** ModelArts' response body to a stop, passed through by the proxy. StopProcessorTaskVersion returns `{}`. */
export type StopResultBody = Responses[200]['content']['application/json'];

/** Error body written by the proxy handler, in the ModelArts error shape. */
export type ErrorBody = components['schemas']['Error'];

/** Body of a response that API Gateway writes itself, before the proxy handler runs. */
export type GatewayMessageBody = components['schemas']['GatewayMessage'];

/** A successful stop. */
export interface StopProcessorTaskVersionResult {
  /** Discriminant of the success case. */
  readonly kind: 'stopped';
  /** 200, or another 2xx status that ModelArts returned. */
  readonly status: number;
  /** ModelArts' response body, `{}` for this call. */
  readonly body: StopResultBody;
  /** The proxy's request id. */
  readonly requestId: string | undefined;
  /** ModelArts' request id, when ModelArts sent one. */
  readonly upstreamRequestId: string | undefined;
}

/** An HTTP response with its body read completely. */
export interface ReceivedResponse {
  readonly status: number;
  readonly headers: { get(name: string): string | null };
  readonly bodyText: string;
}

// Keyed by the error statuses of the OpenAPI document. When the regenerated types gain or lose a status,
// this table stops compiling until the client handles the change.
const ERROR_KIND_BY_STATUS: { readonly [Status in Exclude<keyof Responses, 200 | '2XX'>]: StopErrorKind } = {
  400: 'invalid-request',
  401: 'unauthenticated',
  403: 'forbidden',
  404: 'not-found',
  '4XX': 'rejected',
  429: 'rate-limited',
  500: 'upstream-failure',
  502: 'upstream-failure',
  503: 'upstream-failure',
  504: 'timeout',
};

/**
 * Turns a complete response into the success result.
 *
 * @throws StopFailure for every response that is not a 2xx with a JSON object body.
 * @param nowMs - current time in epoch milliseconds, to turn a `Retry-After` date into seconds.
 */
export function mapResponse(response: ReceivedResponse, nowMs: number): StopProcessorTaskVersionResult {
  const requestId = headerValue(response, 'x-request-id');
  const upstreamRequestId = headerValue(response, 'x-upstream-request-id');

  if (response.status >= 200 && response.status < 300) {
    const body = parseJsonObject(response.bodyText);
    if (body === undefined) {
      throw new UnexpectedResponseError({
        message: `The API returned status ${response.status} with a body that is not a JSON object.`,
        status: response.status,
        errorCode: `HTTP.${response.status}`,
        requestId,
        upstreamRequestId,
      });
    }
    return { kind: 'stopped', status: response.status, body, requestId, upstreamRequestId };
  }

  throw toStopFailure(response, nowMs);
}

function toStopFailure(response: ReceivedResponse, nowMs: number): StopFailure {
  const fields = readErrorFields(response.bodyText);
  const details: StopErrorDetails = {
    message: fields.message ?? `The API returned status ${response.status}.`,
    status: response.status,
    errorCode: fields.errorCode ?? `HTTP.${response.status}`,
    requestId: headerValue(response, 'x-request-id') ?? fields.requestId,
    upstreamRequestId: headerValue(response, 'x-upstream-request-id'),
  };
  const challenge = headerValue(response, 'www-authenticate');

  const kind = errorKindForStatus(response.status);
  switch (kind) {
    case 'invalid-request':
      return new InvalidRequestError(details);
    case 'unauthenticated':
      return new UnauthenticatedError({ ...details, challenge });
    case 'forbidden':
      return new ForbiddenError({ ...details, challenge });
    case 'not-found':
      return new NotFoundError(details);
    case 'rejected':
      return new RequestRejectedError(details);
    case 'rate-limited':
      return new RateLimitedError({ ...details, retryAfter: parseRetryAfter(headerValue(response, 'retry-after'), nowMs) });
    case 'upstream-failure':
      return new UpstreamFailureError(details);
    case 'timeout':
      return new TimeoutError({ ...details, reason: 'upstream-timeout' });
    case 'network':
    case 'unexpected-response':
      return new UnexpectedResponseError(details);
  }
}

/** Picks the error kind of a non-2xx status: exact documented status, then its `4XX`-style range. */
export function errorKindForStatus(status: number): StopErrorKind {
  const table: Readonly<Record<string, StopErrorKind>> = ERROR_KIND_BY_STATUS;
  const documented = table[String(status)] ?? table[`${Math.floor(status / 100)}XX`];
  if (documented !== undefined) {
    return documented;
  }
  // A 5xx the document does not list can still come from a load balancer or proxy on the way.
  return status >= 500 && status < 600 ? 'upstream-failure' : 'unexpected-response';
}

/**
 * Converts `Retry-After` to whole seconds from now. It accepts delta-seconds and HTTP dates (RFC 9110,
 * section 10.2.3); a date in the past gives 0.
 */
export function parseRetryAfter(value: string | undefined, nowMs: number): number | undefined {
  if (value === undefined) {
    return undefined;
  }
  const trimmed = value.trim();
  if (/^\d+$/.test(trimmed)) {
    return Number(trimmed);
  }
  const dateMs = Date.parse(trimmed);
  if (Number.isNaN(dateMs)) {
    return undefined;
  }
  return Math.max(0, Math.ceil((dateMs - nowMs) / 1000));
}

/** Reads `error_code`, `error_msg` and `request_id`, or API Gateway's `message`, from an error body. */
function readErrorFields(bodyText: string): {
  errorCode: string | undefined;
  message: string | undefined;
  requestId: string | undefined;
} {
  const body = parseJsonObject(bodyText) ?? {};
  return {
    errorCode: nonEmptyString(body.error_code),
    message: nonEmptyString(body.error_msg) ?? nonEmptyString(body.message),
    requestId: nonEmptyString(body.request_id),
  };
}

function nonEmptyString(value: unknown): string | undefined {
  return typeof value === 'string' && value !== '' ? value : undefined;
}

function parseJsonObject(text: string): Record<string, unknown> | undefined {
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch {
    return undefined;
  }
  return typeof parsed === 'object' && parsed !== null && !Array.isArray(parsed) ? (parsed as Record<string, unknown>) : undefined;
}

function headerValue(response: ReceivedResponse, name: string): string | undefined {
  const value = response.headers.get(name);
  return value === null || value === '' ? undefined : value;
}
