// The jwt-verifier entry point, not the package root, which also loads the Cognito verifier (2.4 KB minified).
import { JwtVerifier } from 'aws-jwt-verify/jwt-verifier';
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
import type { Jwk } from 'aws-jwt-verify/jwk';
import type { JwtPayload } from 'aws-jwt-verify/jwt-model';
import { decomposeUnverifiedJwt } from 'aws-jwt-verify/jwt';
import { TokenKeysUnavailableError, UnauthenticatedError } from './errors';
import { BackoffJwksCache } from './jwks-cache';
import { JwksFetcher } from './jwks-fetcher';

/** The identity the proxy acts for, taken from a verified token. */
export interface AuthenticatedCaller {
  /** The token's `sub`. */
  readonly subject: string;
  /** The app client: the `aud` value that matched `JWT_AUDIENCE`, or `client_id` for a token without `aud`. */
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

/** Cache settings of {@link CallerAuthenticator}. The defaults suit a Lambda container. */
export interface CallerAuthCacheOptions {
  /**
   * Age of the downloaded JWKS after which the next lookup downloads it again, in milliseconds.
   * @default 900000 (15 minutes)
   */
  readonly jwksMaxAgeMs?: number;
  /**
   * How long past `jwksMaxAgeMs` the cached keys are still used while JWKS downloads fail, in milliseconds.
   * @default 3600000 (1 hour)
   */
  readonly jwksStaleGraceMs?: number;
  /**
   * Largest number of verified tokens kept. The oldest entry makes room for a new one.
   * @default 256
   */
  readonly verifiedTokenMaxEntries?: number;
  /**
   * Maximum time a verified token is reused without verifying it again, in milliseconds. A token is never
   * reused at or after its `exp`, nor while the JWKS is past its maximum age or lacks the key that verified it.
   * @default 300000 (5 minutes)
   */
  readonly verifiedTokenMaxAgeMs?: number;
}

/** Accepted clock difference with the issuer, in seconds, for `exp` and `nbf`. */
export const CLOCK_SKEW_SECONDS = 30;
// 256 tokens of at most 8 KB stay below 3 MB. A container serves one request at a time, so even a busy
// function rarely serves that many distinct tokens in one container within the maximum age.
const DEFAULT_VERIFIED_TOKEN_MAX_ENTRIES = 256;
const DEFAULT_VERIFIED_TOKEN_MAX_AGE_MS = 5 * 60 * 1000;
// Cognito access tokens are about 1 KB; 8 KB leaves room for large custom claims and rejects junk early.
const MAX_TOKEN_LENGTH = 8192;
// The signature segment may be empty here, so an unsigned token is reported as a malformed JWT rather than
// as a malformed header.
const BEARER_PATTERN = /^Bearer ([A-Za-z0-9_-]+\.[A-Za-z0-9_-]+\.[A-Za-z0-9_-]*)$/i;

/**
 * Verifies the caller's bearer token. Create one per container so the JWKS cache and the verified tokens
 * are shared.
 *
 * A token that passed verification is reused, keyed by its exact text, until its `exp` or the maximum age
 * of the entry. Reuse also requires that the JWKS is younger than its maximum age and still contains the
 * key that verified the token. So a repeated call skips the RSA verification, and a token signed with a key that the
 * issuer removed stops verifying once the JWKS is downloaded again.
 */
export class CallerAuthenticator {
  private readonly verifier;
  private readonly issuer: string;
  private readonly audiences: ReadonlySet<string>;
  private readonly jwksCache: BackoffJwksCache;
  private readonly jwksUri: string;
  private readonly verifiedTokens: VerifiedTokenCache;

  constructor(settings: CallerAuthSettings, cacheOptions: CallerAuthCacheOptions = {}) {
    this.issuer = settings.jwtIssuer;
    this.audiences = new Set(settings.jwtAudiences);
    this.jwksUri = settings.jwtJwksUri.href;
    this.jwksCache = new BackoffJwksCache({
      fetcher: new JwksFetcher(),
      ...(cacheOptions.jwksMaxAgeMs === undefined ? {} : { maxAgeMs: cacheOptions.jwksMaxAgeMs }),
      ...(cacheOptions.jwksStaleGraceMs === undefined ? {} : { staleGraceMs: cacheOptions.jwksStaleGraceMs }),
    });
    this.verifiedTokens = new VerifiedTokenCache(
      cacheOptions.verifiedTokenMaxEntries ?? DEFAULT_VERIFIED_TOKEN_MAX_ENTRIES,
      cacheOptions.verifiedTokenMaxAgeMs ?? DEFAULT_VERIFIED_TOKEN_MAX_AGE_MS,
    );
    this.verifier = JwtVerifier.create(
      {
        issuer: settings.jwtIssuer,
        jwksUri: this.jwksUri,
        // aud or client_id is checked in customJwtCheck, because the library checks aud alone.
        audience: null,
        graceSeconds: CLOCK_SKEW_SECONDS,
        // Each verify call passes its own customJwtCheck, which also records the key that verified the token.
      },
      { jwksCache: this.jwksCache },
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
    const cached = this.verifiedTokens.get(token, (jwk) => this.jwksCache.isKeyCurrent(this.jwksUri, jwk));
    if (cached !== undefined) {
      return cached;
    }
    assertHeaderAndIssuer(token, this.issuer);

    let payload: JwtPayload;
    let verifiedWith: Jwk | undefined;
    let clientId = '';
    try {
      payload = await this.verifier.verify(token, {
        customJwtCheck: ({ payload: claims, jwk }) => {
          assertExpiry(claims);
          clientId = matchAudience(claims, this.audiences);
          verifiedWith = jwk;
        },
      });
    } catch (error) {
      throw toAuthenticationError(error);
    }

    const caller = toCaller(payload, clientId);
    if (verifiedWith !== undefined) {
      this.verifiedTokens.set(token, caller, payload.exp as number, verifiedWith);
    }
    return caller;
  }

  /** Loads the JWKS ahead of the first request, so the first caller does not wait for it. */
  async preloadKeys(): Promise<void> {
    await this.verifier.hydrate();
  }
}

/** A verified token's caller, and the conditions under which it may be reused. */
interface VerifiedToken {
  readonly caller: AuthenticatedCaller;
  /** `Date.now()` value from which the entry is no longer used: the earlier of `exp` and the maximum age. */
  readonly reusableUntil: number;
  /** The JWKS key that verified the token's signature. */
  readonly jwk: Jwk;
}

/** Verified tokens by their exact text, bounded in number and age. */
class VerifiedTokenCache {
  // A Map iterates in insertion order, so its first key is the oldest entry.
  private readonly entries = new Map<string, VerifiedToken>();

  constructor(
    private readonly maxEntries: number,
    private readonly maxAgeMs: number,
  ) {}

  /**
   * Returns the caller of a token whose entry is younger than its limits and whose key `isKeyCurrent`
   * accepts, or undefined. An entry that fails either check is dropped.
   */
  get(token: string, isKeyCurrent: (jwk: Jwk) => boolean): AuthenticatedCaller | undefined {
    const entry = this.entries.get(token);
    if (entry === undefined) {
      return undefined;
    }
    if (Date.now() >= entry.reusableUntil || !isKeyCurrent(entry.jwk)) {
      this.entries.delete(token);
      return undefined;
    }
    return entry.caller;
  }

  set(token: string, caller: AuthenticatedCaller, expSeconds: number, jwk: Jwk): void {
    const now = Date.now();
    const reusableUntil = Math.min(expSeconds * 1000, now + this.maxAgeMs);
    // A token inside the clock-skew leeway after its exp verifies, but is not reused.
    if (reusableUntil <= now || this.maxEntries < 1) {
      return;
    }
    this.entries.delete(token);
    if (this.entries.size >= this.maxEntries) {
      const oldest = this.entries.keys().next();
      if (oldest.done !== true) {
        this.entries.delete(oldest.value);
      }
    }
    this.entries.set(token, { caller, reusableUntil, jwk });
  }
}

function extractBearerToken(header: string | undefined): string {
  if (header === undefined || header.trim() === '') {
    throw new UnauthenticatedError('Missing bearer token in the Authorization header.', false);
  }
  if (header.length > MAX_TOKEN_LENGTH) {
    throw new UnauthenticatedError(`The Authorization header is longer than ${MAX_TOKEN_LENGTH} characters.`, true);
  }
  const match = BEARER_PATTERN.exec(header.trim());
  if (!match?.[1]) {
    throw new UnauthenticatedError('The Authorization header must be "Bearer <JWT>" with exactly one token.', true);
  }
  return match[1];
}

/**
 * Checks what can be checked before any key lookup. Only RS256 is accepted: the issuers this proxy serves
 * sign with RSA, and a fixed algorithm rules out algorithm-confusion tokens. A `crit` header names
 * extensions that RFC 7515 requires a verifier to understand, and this one understands none. The issuer is
 * compared first because aws-jwt-verify caches a key object per unverified `iss` before it checks the
 * signature, so forged tokens with made-up issuers would otherwise grow that cache without bound.
 */
function assertHeaderAndIssuer(token: string, issuer: string): void {
  let header: Record<string, unknown>;
  let iss: unknown;
  try {
    const decomposed = decomposeUnverifiedJwt(token);
    header = decomposed.header;
    iss = decomposed.payload.iss;
  } catch (error) {
    throw new UnauthenticatedError('The bearer token is not a well-formed JWT.', true, { cause: error });
  }
  if (header.alg !== 'RS256') {
    throw new UnauthenticatedError('The bearer token must be signed with RS256.', true);
  }
  if (header.crit !== undefined) {
    throw new UnauthenticatedError('The bearer token has a crit header, and no extension is supported.', true);
  }
  if (iss !== issuer) {
    throw new UnauthenticatedError('The bearer token has an issuer that is not accepted.', true);
  }
}

// aws-jwt-verify checks exp only when the claim is present; a token without one would never expire.
function assertExpiry(payload: JwtPayload): void {
  if (typeof payload.exp !== 'number') {
    throw new UnauthenticatedError('The bearer token has no exp claim.', true);
  }
}

/** Returns the accepted client id: the matching `aud` value, or `client_id` when the token has no `aud`. */
function matchAudience(payload: JwtPayload, audiences: ReadonlySet<string>): string {
  const aud = payload.aud;
  if (aud !== undefined) {
    const values = Array.isArray(aud) ? aud : [aud];
    const matched = values.find((value) => audiences.has(value));
    if (matched === undefined) {
      throw new UnauthenticatedError('The token audience is not accepted.', true);
    }
    return matched;
  }
  if (typeof payload.client_id !== 'string' || !audiences.has(payload.client_id)) {
    throw new UnauthenticatedError('The token audience is not accepted.', true);
  }
  return payload.client_id;
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

function toCaller(payload: JwtPayload, clientId: string): AuthenticatedCaller {
  if (typeof payload.sub !== 'string' || payload.sub === '') {
    throw new UnauthenticatedError('The token has no sub claim.', true);
  }
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
