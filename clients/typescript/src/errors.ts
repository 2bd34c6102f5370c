/**
 * Discriminant of every error that `stopProcessorTaskVersion` throws, for `switch (error.kind)`.
 */
export type StopErrorKind =
  | 'invalid-request'
  | 'unauthenticated'
  | 'forbidden'
  | 'not-found'
  | 'rejected'
  | 'rate-limited'
  | 'upstream-failure'
  | 'timeout'
  | 'network'
  | 'unexpected-response';

/** Details of a failed call, common to every error class. */
export interface StopErrorDetails {
  /** `error_msg` of the response, or the client's own sentence when no response arrived. */
  readonly message: string;
  /** HTTP status of the response; undefined when no response arrived. */
  readonly status?: number | undefined;
  /**
   * `error_code` of the response. Without one it is `HTTP.<status>`, and for failures before any response it
   * is the client's own code, such as `CLIENT.NETWORK`.
   */
  readonly errorCode: string;
  /** The proxy's request id (`x-request-id`); undefined when the proxy did not respond. */
  readonly requestId?: string | undefined;
  /** ModelArts' request id (`x-upstream-request-id`), when ModelArts responded. */
  readonly upstreamRequestId?: string | undefined;
  /** The underlying error, such as the `TypeError` of a failed `fetch`. */
  readonly cause?: unknown;
}

/**
 * Base of every error that `stopProcessorTaskVersion` throws. Match subclasses with `instanceof`, or
 * switch on `kind`.
 */
export abstract class StopProcessorTaskVersionError extends Error {
  /** Discriminant naming the subclass. */
  abstract readonly kind: StopErrorKind;
  /** HTTP status of the response; undefined when no response arrived. */
  readonly status: number | undefined;
  /** `error_code` of the response, `HTTP.<status>` without one, or a `CLIENT.*` code before any response. */
  readonly errorCode: string;
  /** The proxy's request id; quote it when reporting a failure to the operator. */
  readonly requestId: string | undefined;
  /** ModelArts' request id, when ModelArts responded. */
  readonly upstreamRequestId: string | undefined;

  constructor(details: StopErrorDetails) {
    super(details.message, details.cause === undefined ? undefined : { cause: details.cause });
    this.status = details.status;
    this.errorCode = details.errorCode;
    this.requestId = details.requestId;
    this.upstreamRequestId = details.upstreamRequestId;
  }
}

// Each subclass sets `name` as a string literal, because minifiers rename classes and `constructor.name`
// would then read as one letter in app error reports.

/** An id does not match its pattern: found by the client before sending (no status) or by the proxy (400). */
export class InvalidRequestError extends StopProcessorTaskVersionError {
  override readonly name = 'InvalidRequestError';
  readonly kind = 'invalid-request';
}

/** The token is missing, malformed or rejected (401). Get a new token and sign in again if needed. */
export class UnauthenticatedError extends StopProcessorTaskVersionError {
  override readonly name = 'UnauthenticatedError';
  readonly kind = 'unauthenticated';
  /**
   * The `WWW-Authenticate` challenge. Browsers show it to scripts only when the API's CORS settings expose
   * the header, so it can be undefined even when the proxy sent it.
   */
  readonly challenge: string | undefined;

  constructor(details: StopErrorDetails & { readonly challenge?: string | undefined }) {
    super(details);
    this.challenge = details.challenge;
  }
}

/** The token lacks the required scope, or the caller may not act on the project (403). */
export class ForbiddenError extends StopProcessorTaskVersionError {
  override readonly name = 'ForbiddenError';
  readonly kind = 'forbidden';
  /** The `WWW-Authenticate` challenge; names the missing scope. Same browser caveat as for 401. */
  readonly challenge: string | undefined;

  constructor(details: StopErrorDetails & { readonly challenge?: string | undefined }) {
    super(details);
    this.challenge = details.challenge;
  }
}

/** ModelArts does not know the project, task or version (404). */
export class NotFoundError extends StopProcessorTaskVersionError {
  override readonly name = 'NotFoundError';
  readonly kind = 'not-found';
}

/** ModelArts rejected the request with another 4xx status, passed through by the proxy. */
export class RequestRejectedError extends StopProcessorTaskVersionError {
  override readonly name = 'RequestRejectedError';
  readonly kind = 'rejected';
}

/** The request was throttled (429). Wait `retryAfter` seconds, when given, before retrying. */
export class RateLimitedError extends StopProcessorTaskVersionError {
  override readonly name = 'RateLimitedError';
  readonly kind = 'rate-limited';
  /** Seconds to wait, from `Retry-After` (seconds or an HTTP date); undefined when the response had none. */
  readonly retryAfter: number | undefined;

  constructor(details: StopErrorDetails & { readonly retryAfter?: number | undefined }) {
    super(details);
    this.retryAfter = details.retryAfter;
  }
}

/** The proxy or ModelArts failed (5xx other than 504). The user did nothing wrong; retry later. */
export class UpstreamFailureError extends StopProcessorTaskVersionError {
  override readonly name = 'UpstreamFailureError';
  readonly kind = 'upstream-failure';
}

/** Cause of a {@link TimeoutError}: the proxy's upstream timeout (504), the client's timeout, or an abort. */
export type TimeoutReason = 'upstream-timeout' | 'client-timeout' | 'aborted';

/**
 * No response in time: the proxy gave up on ModelArts (504), the client's `timeoutMs` passed, or the
 * caller's `AbortSignal` fired. The version may or may not have stopped.
 */
export class TimeoutError extends StopProcessorTaskVersionError {
  override readonly name = 'TimeoutError';
  readonly kind = 'timeout';
  /** Cause of the timeout. */
  readonly reason: TimeoutReason;

  constructor(details: StopErrorDetails & { readonly reason: TimeoutReason }) {
    super(details);
    this.reason = details.reason;
  }
}

/**
 * `fetch` failed without a response: the device is offline, the host is unreachable, or the browser
 * rejected the call because of CORS. Browsers do not tell scripts which of these happened.
 */
export class NetworkError extends StopProcessorTaskVersionError {
  override readonly name = 'NetworkError';
  readonly kind = 'network';
}

/** The response is not one the API documents, such as a 3xx or a 2xx body that is not a JSON object. */
export class UnexpectedResponseError extends StopProcessorTaskVersionError {
  override readonly name = 'UnexpectedResponseError';
  readonly kind = 'unexpected-response';
}

/** Every error that `stopProcessorTaskVersion` throws for a failed stop, as a union discriminated by `kind`. */
export type StopFailure =
  | InvalidRequestError
  | UnauthenticatedError
  | ForbiddenError
  | NotFoundError
  | RequestRejectedError
  | RateLimitedError
  | UpstreamFailureError
  | TimeoutError
  | NetworkError
  | UnexpectedResponseError;
