import { FetchError } from 'aws-jwt-verify/error';
import type { Fetcher } from 'aws-jwt-verify/https';
import { SimpleJwksCache, type Jwks } from 'aws-jwt-verify/jwk';

/** Settings for {@link BackoffJwksCache}. */
export interface BackoffJwksCacheOptions {
  /** Downloads the JWKS document. */
  readonly fetcher: Fetcher;
  /**
   * How long downloads pause after two failed lookups in a row, in milliseconds.
   * @default 5000
   */
  readonly failurePauseMs?: number;
}

const DEFAULT_FAILURE_PAUSE_MS = 5000;
// One failure may be a blip, such as a reset connection during init, so the next token retries at once.
const FAILURES_BEFORE_PAUSE = 2;

/**
 * aws-jwt-verify's JWKS cache with a pause after failed downloads. The library never remembers a failed
 * download or an unparseable JWKS, so during an issuer outage every request that needs the keys would
 * download them again. After two failed lookups in a row, this cache rejects lookups for `failurePauseMs`
 * without a request, with the same FetchError class, so the handler still returns 503.
 *
 * It keeps one failure state for all URIs, because the proxy verifies tokens of a single issuer.
 */
export class BackoffJwksCache extends SimpleJwksCache {
  private readonly failurePauseMs: number;
  private consecutiveFailures = 0;
  private pausedUntil = 0;

  constructor(options: BackoffJwksCacheOptions) {
    super({ fetcher: options.fetcher });
    this.failurePauseMs = options.failurePauseMs ?? DEFAULT_FAILURE_PAUSE_MS;
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
}
