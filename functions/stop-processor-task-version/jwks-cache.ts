import { FetchError, JwksNotAvailableInCacheError } from 'aws-jwt-verify/error';
import type { Fetcher } from 'aws-jwt-verify/https';
import { SimpleJwksCache, type Jwk, type Jwks, type JwkWithKid } from 'aws-jwt-verify/jwk';
import type { JwtHeader, JwtPayload } from 'aws-jwt-verify/jwt-model';

/** Settings for {@link BackoffJwksCache}. */
export interface BackoffJwksCacheOptions {
  /** Downloads the JWKS document. */
  readonly fetcher: Fetcher;
  /**
   * How long downloads pause after two failed lookups in a row, in milliseconds.
   * @default 5000
   */
  readonly failurePauseMs?: number;
  /**
   * Age of a downloaded JWKS after which the next lookup downloads it again, in milliseconds. Bounds how
   * long a key that the issuer removed is still accepted while the issuer is reachable.
   * @default 900000 (15 minutes)
   */
  readonly maxAgeMs?: number;
  /**
   * How long past `maxAgeMs` the cached keys are still used while downloads fail, in milliseconds. After
   * that, lookups fail until a download succeeds, because the keys may have been removed meanwhile.
   * @default 3600000 (1 hour)
   */
  readonly staleGraceMs?: number;
}

/** The token parts a key lookup reads, as aws-jwt-verify passes them. */
interface DecomposedJwt {
  readonly header: JwtHeader;
  readonly payload: JwtPayload;
}

// The JWK members that define the public key. Two JWKs that agree on all of them verify the same signatures.
const KEY_MEMBERS = ['kty', 'alg', 'use', 'n', 'e', 'crv', 'x', 'y'] as const;

const DEFAULT_FAILURE_PAUSE_MS = 5000;
const DEFAULT_MAX_AGE_MS = 15 * 60 * 1000;
const DEFAULT_STALE_GRACE_MS = 60 * 60 * 1000;
// One failure may be a blip, such as a reset connection during init, so the next token retries at once.
const FAILURES_BEFORE_PAUSE = 2;

/**
 * aws-jwt-verify's JWKS cache with a maximum age and a pause after failed downloads.
 *
 * The library keeps a downloaded JWKS forever and downloads again only for an unknown `kid`, so a key that
 * the issuer removed would stay trusted in a warm container. Here the first lookup after `maxAgeMs`
 * downloads the JWKS again. Concurrent lookups share that one download, and later lookups use its result,
 * so it happens once per `maxAgeMs`, not once per request. If it fails, lookups keep using the cached keys
 * for up to `staleGraceMs` more, while downloads follow the pause below.
 *
 * The library also never remembers a failed download or an unparseable JWKS, so during an issuer outage
 * every request that needs the keys would download them again. After two failed lookups in a row, this
 * cache rejects lookups for `failurePauseMs` without a request, with the same FetchError class, so the
 * handler still returns 503.
 *
 * It keeps one failure state for all URIs, because the proxy verifies tokens of a single issuer.
 */
export class BackoffJwksCache extends SimpleJwksCache {
  private readonly failurePauseMs: number;
  private readonly maxAgeMs: number;
  private readonly staleGraceMs: number;
  private consecutiveFailures = 0;
  private pausedUntil = 0;
  /** When each URI's cached JWKS was stored, by `Date.now()`. */
  private readonly storedAt = new Map<string, number>();

  constructor(options: BackoffJwksCacheOptions) {
    super({ fetcher: options.fetcher });
    this.failurePauseMs = options.failurePauseMs ?? DEFAULT_FAILURE_PAUSE_MS;
    this.maxAgeMs = options.maxAgeMs ?? DEFAULT_MAX_AGE_MS;
    this.staleGraceMs = options.staleGraceMs ?? DEFAULT_STALE_GRACE_MS;
  }

  /**
   * Downloads, parses and caches the JWKS, unless the last lookups failed and the pause has not ended.
   *
   * @throws FetchError during the pause, and the library's own errors when the download or parsing fails.
   */
  override async getJwks(jwksUri: string): Promise<Jwks> {
    if (Date.now() < this.pausedUntil) {
      throw new FetchError(jwksUri, 'not downloaded, because the previous downloads failed and the retry pause has not ended');
    }
    try {
      const jwks = await super.getJwks(jwksUri);
      this.consecutiveFailures = 0;
      this.markStored(jwksUri);
      return jwks;
    } catch (error) {
      // Concurrent lookups that share one failed download each count, which only starts the pause sooner.
      this.consecutiveFailures++;
      if (this.consecutiveFailures >= FAILURES_BEFORE_PAUSE) {
        this.pausedUntil = Date.now() + this.failurePauseMs;
      }
      throw error;
    }
  }

  /**
   * Returns the key for the token's `kid`, downloading the JWKS first when the cached one is older than
   * `maxAgeMs`. Otherwise it behaves as the library's lookup, which downloads again for an unknown `kid`.
   *
   * @throws FetchError when the cached JWKS is past its grace and no download succeeds, and the library's
   *   errors for an unknown `kid`.
   */
  override async getJwk(jwksUri: string, decomposedJwt: DecomposedJwt): Promise<JwkWithKid> {
    const storedAt = this.storedAt.get(jwksUri);
    if (storedAt !== undefined && Date.now() - storedAt >= this.maxAgeMs) {
      await this.refreshExpired(jwksUri, storedAt);
    }
    return super.getJwk(jwksUri, decomposedJwt);
  }

  /**
   * Returns the key for the token's `kid` from the cached JWKS without downloading.
   *
   * @throws JwksNotAvailableInCacheError when nothing is cached or the cached JWKS is past its grace.
   */
  override getCachedJwk(jwksUri: string, decomposedJwt: DecomposedJwt): JwkWithKid {
    const storedAt = this.storedAt.get(jwksUri);
    if (storedAt !== undefined && Date.now() - storedAt >= this.maxAgeMs + this.staleGraceMs) {
      throw new JwksNotAvailableInCacheError(`the cached JWKS for ${jwksUri} is past its maximum age and grace`);
    }
    return super.getCachedJwk(jwksUri, decomposedJwt);
  }

  /** Stores a JWKS obtained elsewhere, with the current time as its download time. */
  override addJwks(jwksUri: string, jwks: Jwks): void {
    super.addJwks(jwksUri, jwks);
    this.markStored(jwksUri);
  }

  /**
   * Returns whether the cached JWKS of `jwksUri` is younger than `maxAgeMs` and still contains `jwk`: a key
   * with the same `kid` and the same key members. A result derived from a key, such as a verified token,
   * stays valid only while this returns true. It never downloads, so a JWKS past its maximum age returns
   * false until a lookup downloads it again.
   */
  isKeyCurrent(jwksUri: string, jwk: Jwk): boolean {
    const storedAt = this.storedAt.get(jwksUri);
    if (storedAt === undefined || Date.now() - storedAt >= this.maxAgeMs || typeof jwk.kid !== 'string') {
      return false;
    }
    let cached: Jwk;
    try {
      cached = super.getCachedJwk(jwksUri, { header: { kid: jwk.kid }, payload: {} });
    } catch {
      // The library reports a kid missing from the cached JWKS by throwing.
      return false;
    }
    return cached === jwk || KEY_MEMBERS.every((member) => cached[member] === jwk[member]);
  }

  private async refreshExpired(jwksUri: string, storedAt: number): Promise<void> {
    try {
      await this.getJwks(jwksUri);
    } catch (error) {
      if (Date.now() - storedAt < this.maxAgeMs + this.staleGraceMs) {
        // The issuer may be down for a moment; the keys it published last stay in use within the grace.
        return;
      }
      this.forget(jwksUri);
      throw error;
    }
  }

  private markStored(jwksUri: string): void {
    this.storedAt.set(jwksUri, Date.now());
  }

  // The library's map is private, so an empty key set marks "nothing cached". Every kid is then unknown,
  // and the library's lookup downloads again instead of trusting the old keys.
  private forget(jwksUri: string): void {
    super.addJwks(jwksUri, { keys: [] });
    this.storedAt.delete(jwksUri);
  }
}
