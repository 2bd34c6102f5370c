import { JwtRsaVerifier } from 'aws-jwt-verify';
import {
  FetchError,
  JwksNotAvailableInCacheError,
  JwksValidationError,
  JwkValidationError,
  JwtExpiredError,
  JwtInvalidIssuerError,
  JwtInvalidSignatureError,
  JwtNotBeforeError,
  JwtParseError,
  JwtWithoutValidKidError,
  KidNotFoundInJwksError,
  WaitPeriodNotYetEndedJwkError,
} from 'aws-jwt-verify/error';
import type { JwtPayload } from 'aws-jwt-verify/jwt-model';
import { decomposeUnverifiedJwt } from 'aws-jwt-verify/jwt';
import { TokenKeysUnavailableError, UnauthenticatedError } from './errors';
import { BackoffJwksCache } from './jwks-cache';
import { JwksFetcher } from './jwks-fetcher';

/** The identity the proxy acts for, taken from a verified token. */
export interface AuthenticatedCaller {
  /** The token's `sub`. */
  readonly subject: string;
  /** The app client: `client_id`, else the matched `aud`. */
  readonly clientId: string;
  /** Scopes from `scope` (space-separated) and `scp` (array or string). */
  readonly scopes: ReadonlySet<string>;
}

/** Settings for verifying bearer tokens. */
export interface CallerAuthSettings {
  readonly jwtIssuer: string;
  readonly jwtAudiences: readonly string[];
  readonly jwtJwksUri: URL;
}

/** Accepted clock difference with the issuer, in seconds, for `exp` and `nbf`. */
export const CLOCK_SKEW_SECONDS = 30;
// Cognito access tokens are about 1 KB; 8 KB leaves room for large custom claims and rejects junk early.
const MAX_TOKEN_LENGTH = 8192;
const BEARER_PATTERN = /^Bearer ([A-Za-z0-9_-]+\.[A-Za-z0-9_-]+\.[A-Za-z0-9_-]+)$/i;

/** Verifies the caller's bearer token. Create one per container so the JWKS cache is shared. */
export class CallerAuthenticator {
  private readonly verifier;

  constructor(private readonly settings: CallerAuthSettings) {
    const audiences = new Set(settings.jwtAudiences);
    this.verifier = JwtRsaVerifier.create(
      {
        issuer: settings.jwtIssuer,
        jwksUri: settings.jwtJwksUri.href,
        // aud or client_id is checked in customJwtCheck, because the library checks aud alone.
        audience: null,
        graceSeconds: CLOCK_SKEW_SECONDS,
        customJwtCheck: ({ payload }) => {
          assertExpiry(payload);
          assertAudience(payload, audiences);
        },
      },
      { jwksCache: new BackoffJwksCache({ fetcher: new JwksFetcher() }) },
    );
  }

  /**
   * Verifies the `Authorization` header value of a request.
   *
   * @throws UnauthenticatedError for a missing, malformed or rejected token.
   * @throws TokenKeysUnavailableError when the issuer's JWKS cannot be fetched.
   */
  async authenticate(authorizationHeader: string | undefined): Promise<AuthenticatedCaller> {
    const token = extractBearerToken(authorizationHeader);
    assertRs256(token);

    let payload: JwtPayload;
    try {
      payload = await this.verifier.verify(token);
    } catch (error) {
      throw toAuthenticationError(error);
    }
    return toCaller(payload);
  }

  /** Loads the JWKS ahead of the first request, so the first caller does not wait for it. */
  async preloadKeys(): Promise<void> {
    await this.verifier.hydrate();
  }
}

function extractBearerToken(header: string | undefined): string {
  if (header === undefined || header.trim() === '') {
    throw new UnauthenticatedError('Missing bearer token in the Authorization header.', false);
  }
  const match = header.length <= MAX_TOKEN_LENGTH ? BEARER_PATTERN.exec(header.trim()) : null;
  if (!match?.[1]) {
    throw new UnauthenticatedError('The Authorization header must be "Bearer <JWT>" with exactly one token.', true);
  }
  return match[1];
}

// Only RS256 is accepted: the issuers this proxy serves sign with RSA, and a fixed algorithm rules out
// algorithm-confusion tokens before any key is looked up.
function assertRs256(token: string): void {
  let alg: unknown;
  try {
    alg = decomposeUnverifiedJwt(token).header.alg;
  } catch (error) {
    throw new UnauthenticatedError('The bearer token is not a well-formed JWT.', true, { cause: error });
  }
  if (alg !== 'RS256') {
    throw new UnauthenticatedError('The bearer token must be signed with RS256.', true);
  }
}

// aws-jwt-verify checks exp only when the claim is present; a token without one would never expire.
function assertExpiry(payload: JwtPayload): void {
  if (typeof payload.exp !== 'number') {
    throw new UnauthenticatedError('The bearer token has no exp claim.', true);
  }
}

function assertAudience(payload: JwtPayload, audiences: ReadonlySet<string>): void {
  const aud = payload.aud;
  if (aud !== undefined) {
    const values = Array.isArray(aud) ? aud : [aud];
    if (!values.some((value) => audiences.has(value))) {
      throw new UnauthenticatedError('The token audience is not accepted.', true);
    }
    return;
  }
  if (typeof payload.client_id !== 'string' || !audiences.has(payload.client_id)) {
    throw new UnauthenticatedError('The token audience is not accepted.', true);
  }
}

function toAuthenticationError(error: unknown): Error {
  if (error instanceof UnauthenticatedError) {
    return error;
  }
  const keysUnavailable =
    error instanceof FetchError ||
    error instanceof JwksValidationError ||
    error instanceof JwkValidationError ||
    error instanceof JwksNotAvailableInCacheError;
  if (keysUnavailable) {
    return new TokenKeysUnavailableError('Fetching the issuer JWKS failed.', { cause: error });
  }
  // Fixed sentences, because the library's messages echo claim values from the token.
  const reason = REJECTION_REASONS.find(([errorClass]) => error instanceof errorClass)?.[1] ?? 'failed verification';
  return new UnauthenticatedError(`The bearer token ${reason}.`, true, { cause: error });
}

const REJECTION_REASONS: ReadonlyArray<readonly [abstract new (...args: never[]) => Error, string]> = [
  [JwtExpiredError, 'has expired'],
  [JwtNotBeforeError, 'is not valid yet'],
  [JwtInvalidIssuerError, 'has an issuer that is not accepted'],
  [JwtInvalidSignatureError, 'has an invalid signature'],
  [KidNotFoundInJwksError, 'is signed with an unknown key'],
  [WaitPeriodNotYetEndedJwkError, 'is signed with an unknown key'],
  [JwtWithoutValidKidError, 'has no valid kid header'],
  [JwtParseError, 'is not a well-formed JWT'],
];

function toCaller(payload: JwtPayload): AuthenticatedCaller {
  if (typeof payload.sub !== 'string' || payload.sub === '') {
    throw new UnauthenticatedError('The token has no sub claim.', true);
  }
  const aud = Array.isArray(payload.aud) ? payload.aud[0] : payload.aud;
  const clientId = typeof payload.client_id === 'string' ? payload.client_id : (aud ?? '');
  return { subject: payload.sub, clientId, scopes: collectScopes(payload) };
}

function collectScopes(payload: JwtPayload): Set<string> {
  const scopes = new Set<string>();
  for (const claim of [payload.scope, payload.scp]) {
    let values: unknown[] = [];
    if (Array.isArray(claim)) {
      values = claim;
    } else if (typeof claim === 'string') {
      values = claim.split(' ');
    }
    for (const value of values) {
      if (typeof value === 'string' && value !== '') {
        scopes.add(value);
      }
    }
  }
  return scopes;
}
