/**
 * The proxy's error family. Each failure has its own class, so the mapping to an HTTP response lives in one
 * place and callers match errors with `instanceof`, never by message text.
 *
 * A 4xx message is written for the app developer and is returned as is. A 5xx error keeps its detail in
 * `message` and `cause` for the logs, and the app receives only `publicMessage`.
 */
export abstract class ProxyError extends Error {
  /** HTTP status returned to the app. */
  abstract readonly statusCode: number;
  /** Stable code in the `error_code` field of the body. */
  abstract readonly errorCode: string;
  /** Outcome label for the request log line and the StopRequests metric. */
  abstract readonly outcome: string;
  /** Extra response headers, such as `WWW-Authenticate` or `Retry-After`. */
  readonly headers: Readonly<Record<string, string>> = {};
  /** ModelArts' `X-Request-Id`, when the error comes from a ModelArts response. */
  upstreamRequestId: string | undefined;

  constructor(message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = new.target.name;
  }

  /** Text for the `error_msg` field. 5xx errors override it with a generic sentence. */
  get publicMessage(): string {
    return this.message;
  }
}

const BEARER_REALM = 'modelarts-stop-proxy';

/** The caller sent no usable bearer token, or the token failed verification (401). */
export class UnauthenticatedError extends ProxyError {
  readonly statusCode = 401;
  readonly outcome: string = 'unauthenticated';
  readonly errorCode = 'PROXY.0401';
  override readonly headers: Readonly<Record<string, string>>;

  /** @param tokenPresent - false when the request had no token at all, which RFC 6750 challenges without an error code. */
  constructor(message: string, tokenPresent: boolean, options?: { cause?: unknown }) {
    super(message, options);
    this.headers = {
      'www-authenticate': tokenPresent
        ? `Bearer realm="${BEARER_REALM}", error="invalid_token"`
        : `Bearer realm="${BEARER_REALM}"`,
    };
  }
}

/** A path parameter does not match its pattern (400). */
export class InvalidParameterError extends ProxyError {
  readonly statusCode = 400;
  readonly outcome: string = 'invalid_request';
  readonly errorCode = 'PROXY.0400';
}

/** The caller is authenticated but may not perform this stop (403). */
export class ForbiddenError extends ProxyError {
  readonly statusCode = 403;
  readonly outcome: string = 'forbidden';
  readonly errorCode = 'PROXY.0403';
}

/** The token lacks the required scope (403, with the RFC 6750 `insufficient_scope` challenge). */
export class InsufficientScopeError extends ForbiddenError {
  override readonly outcome = 'insufficient_scope';
  override readonly headers: Readonly<Record<string, string>>;

  constructor(requiredScope: string) {
    super(`The token does not grant the scope ${requiredScope}.`);
    this.headers = {
      'www-authenticate': `Bearer realm="${BEARER_REALM}", error="insufficient_scope", scope="${requiredScope}"`,
    };
  }
}

/** Base of every error whose detail stays in the logs (5xx). */
export abstract class ServerSideError extends ProxyError {
  /** Generic sentence for the app: what failed, never why in detail. */
  protected abstract readonly genericMessage: string;

  override get publicMessage(): string {
    return this.genericMessage;
  }
}

/** The JWKS needed to verify the token could not be fetched (503). */
export class TokenKeysUnavailableError extends ServerSideError {
  readonly statusCode = 503;
  readonly outcome: string = 'token_keys_unavailable';
  readonly errorCode = 'PROXY.0503';
  protected readonly genericMessage = 'The token could not be verified right now. Retry later.';
}

/** Secrets Manager was unreachable, throttled or too slow (503). */
export class CredentialsUnavailableError extends ServerSideError {
  readonly statusCode = 503;
  readonly outcome: string = 'credentials_unavailable';
  readonly errorCode = 'PROXY.0503';
  protected readonly genericMessage = 'The service credentials are temporarily unavailable. Retry later.';
}

/** The secret is missing, unreadable or malformed: a deployment fault (500). */
export class CredentialsMisconfiguredError extends ServerSideError {
  readonly statusCode = 500;
  readonly outcome: string = 'credentials_misconfigured';
  readonly errorCode = 'PROXY.0500';
  protected readonly genericMessage = 'The service is misconfigured. Contact the operator with the request id.';
}

/** ModelArts could not be reached, failed, or returned a response the proxy cannot pass on (502). */
export class UpstreamFailureError extends ServerSideError {
  readonly statusCode = 502;
  readonly outcome: string = 'upstream_failed';
  readonly errorCode = 'PROXY.0502';
  protected readonly genericMessage = 'ModelArts could not complete the request. Retry later.';
}

/** ModelArts rejected the proxy's own credentials, after one refresh of the secret (502). */
export class UpstreamCredentialsRejectedError extends UpstreamFailureError {
  override readonly outcome = 'upstream_credentials_rejected';
}

/** ModelArts sent no complete response within the upstream budget (504). */
export class UpstreamTimeoutError extends ServerSideError {
  readonly statusCode = 504;
  readonly outcome: string = 'upstream_timeout';
  readonly errorCode = 'PROXY.0504';
  protected readonly genericMessage = 'ModelArts did not answer in time. Retry later.';
}

/** ModelArts rejected the request for a reason the app can act on, such as 400 or 404: passed through. */
export class UpstreamRejectedError extends ProxyError {
  readonly outcome: string = 'upstream_rejected';

  constructor(
    readonly statusCode: number,
    readonly errorCode: string,
    message: string,
  ) {
    super(message);
  }
}

/** ModelArts throttled the request (429). `Retry-After` is passed through when ModelArts sent one. */
export class UpstreamRateLimitedError extends UpstreamRejectedError {
  override readonly outcome = 'upstream_rate_limited';
  override readonly headers: Readonly<Record<string, string>>;

  constructor(errorCode: string, message: string, retryAfter: string | undefined) {
    super(429, errorCode, message);
    this.headers = retryAfter === undefined ? {} : { 'retry-after': retryAfter };
  }
}

/** Any failure the proxy did not foresee (500). */
export class InternalError extends ServerSideError {
  readonly statusCode = 500;
  readonly outcome: string = 'internal_error';
  readonly errorCode = 'PROXY.0500';
  protected readonly genericMessage = 'The request failed inside the proxy. Contact the operator with the request id.';
}
