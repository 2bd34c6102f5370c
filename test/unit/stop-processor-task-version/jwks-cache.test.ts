import { FetchError, KidNotFoundInJwksError } from 'aws-jwt-verify/error';
import type { Jwk } from 'aws-jwt-verify/jwk';
import { decomposeUnverifiedJwt } from 'aws-jwt-verify/jwt';
import { BackoffJwksCache } from '../../../functions/stop-processor-task-version/jwks-cache';
import { JwksFetcher } from '../../../functions/stop-processor-task-version/jwks-fetcher';
import { SigningKey, startJwtIssuer, type JwtIssuerStandIn } from '../../../local/stand-ins/jwt-issuer';

const MAX_AGE_MS = 60_000;
const GRACE_MS = 120_000;
const PAUSE_MS = 5_000;

const currentKey = SigningKey.generate('current-key');
const removedKey = SigningKey.generate('removed-key');

function decomposedFor(key: SigningKey): ReturnType<typeof decomposeUnverifiedJwt> {
  return decomposeUnverifiedJwt(key.sign({ sub: 'user-1' }));
}

describe('BackoffJwksCache', () => {
  let issuer: JwtIssuerStandIn;
  let cache: BackoffJwksCache;
  let startMs: number;

  /** Moves `Date.now()` to `offsetMs` after the start of the test. */
  function advanceTo(offsetMs: number): void {
    jest.spyOn(Date, 'now').mockReturnValue(startMs + offsetMs);
  }

  beforeEach(async () => {
    issuer = await startJwtIssuer([currentKey, removedKey]);
    cache = new BackoffJwksCache({ fetcher: new JwksFetcher(), maxAgeMs: MAX_AGE_MS, staleGraceMs: GRACE_MS, failurePauseMs: PAUSE_MS });
    startMs = Date.now();
    advanceTo(0);
  });

  afterEach(async () => {
    jest.restoreAllMocks();
    await issuer.close();
  });

  describe('maximum age', () => {
    it('uses the cached JWKS before max age', async () => {
      await cache.getJwk(issuer.jwksUri, decomposedFor(currentKey));
      advanceTo(MAX_AGE_MS - 1);

      await cache.getJwk(issuer.jwksUri, decomposedFor(currentKey));

      expect(issuer.jwksRequests).toBe(1);
    });

    it('downloads again at max age', async () => {
      await cache.getJwk(issuer.jwksUri, decomposedFor(currentKey));
      advanceTo(MAX_AGE_MS);

      const jwk = await cache.getJwk(issuer.jwksUri, decomposedFor(currentKey));

      expect(jwk.kid).toBe('current-key');
      expect(issuer.jwksRequests).toBe(2);
    });

    it('downloads once for many lookups', async () => {
      // Prepare
      await cache.getJwk(issuer.jwksUri, decomposedFor(currentKey));
      advanceTo(MAX_AGE_MS + 1);

      // Act: concurrent lookups share one download, and later ones use its result.
      await Promise.all(Array.from({ length: 5 }, () => cache.getJwk(issuer.jwksUri, decomposedFor(currentKey))));
      for (let i = 0; i < 5; i++) {
        await cache.getJwk(issuer.jwksUri, decomposedFor(currentKey));
      }

      // Assess
      expect(issuer.jwksRequests).toBe(2);
    });

    it('rejects a removed key after max age', async () => {
      // Prepare
      await cache.getJwk(issuer.jwksUri, decomposedFor(removedKey));
      issuer.setKeys([currentKey]);
      advanceTo(MAX_AGE_MS - 1);
      const beforeMaxAge = await cache.getJwk(issuer.jwksUri, decomposedFor(removedKey));
      advanceTo(MAX_AGE_MS);

      // Act
      const afterMaxAge = cache.getJwk(issuer.jwksUri, decomposedFor(removedKey));

      // Assess
      expect(beforeMaxAge.kid).toBe('removed-key');
      await expect(afterMaxAge).rejects.toBeInstanceOf(KidNotFoundInJwksError);
    });

    it('counts age from the last download', async () => {
      await cache.getJwk(issuer.jwksUri, decomposedFor(currentKey));
      advanceTo(MAX_AGE_MS);
      await cache.getJwk(issuer.jwksUri, decomposedFor(currentKey));
      advanceTo(2 * MAX_AGE_MS - 1);

      await cache.getJwk(issuer.jwksUri, decomposedFor(currentKey));

      expect(issuer.jwksRequests).toBe(2);
    });

    it('uses 15 minutes by default', async () => {
      // Prepare
      const defaultCache = new BackoffJwksCache({ fetcher: new JwksFetcher() });
      await defaultCache.getJwk(issuer.jwksUri, decomposedFor(currentKey));

      // Act
      advanceTo(15 * 60_000 - 1);
      await defaultCache.getJwk(issuer.jwksUri, decomposedFor(currentKey));
      const beforeDefault = issuer.jwksRequests;
      advanceTo(15 * 60_000);
      await defaultCache.getJwk(issuer.jwksUri, decomposedFor(currentKey));

      // Assess
      expect(beforeDefault).toBe(1);
      expect(issuer.jwksRequests).toBe(2);
    });
  });

  describe('failed refresh', () => {
    it('keeps cached keys within grace', async () => {
      await cache.getJwk(issuer.jwksUri, decomposedFor(currentKey));
      issuer.setDown(true);
      advanceTo(MAX_AGE_MS + GRACE_MS - 1);

      const jwk = await cache.getJwk(issuer.jwksUri, decomposedFor(currentKey));

      expect(jwk.kid).toBe('current-key');
      expect(issuer.jwksRequests).toBe(2);
    });

    it('pauses downloads within grace', async () => {
      // Prepare
      await cache.getJwk(issuer.jwksUri, decomposedFor(currentKey));
      issuer.setDown(true);
      advanceTo(MAX_AGE_MS);

      // Act
      const kids: string[] = [];
      for (let i = 0; i < 10; i++) {
        kids.push((await cache.getJwk(issuer.jwksUri, decomposedFor(currentKey))).kid);
      }

      // Assess: two failed downloads start the pause; the other lookups use the cached keys.
      expect(kids).toEqual(Array.from({ length: 10 }, () => 'current-key'));
      expect(issuer.jwksRequests).toBe(3);
    });

    it('fails after the grace', async () => {
      await cache.getJwk(issuer.jwksUri, decomposedFor(currentKey));
      issuer.setDown(true);
      advanceTo(MAX_AGE_MS + GRACE_MS);

      const lookup = cache.getJwk(issuer.jwksUri, decomposedFor(currentKey));

      await expect(lookup).rejects.toBeInstanceOf(FetchError);
    });

    it('stays failed after the grace', async () => {
      // Prepare: the grace ends during an outage, then the pause ends.
      await cache.getJwk(issuer.jwksUri, decomposedFor(currentKey));
      issuer.setDown(true);
      advanceTo(MAX_AGE_MS + GRACE_MS);
      await expect(cache.getJwk(issuer.jwksUri, decomposedFor(currentKey))).rejects.toBeInstanceOf(FetchError);
      advanceTo(MAX_AGE_MS + GRACE_MS + PAUSE_MS);

      // Act
      const lookup = cache.getJwk(issuer.jwksUri, decomposedFor(currentKey));

      // Assess: the old keys are gone, so the lookup needs a download, which fails.
      await expect(lookup).rejects.toBeInstanceOf(FetchError);
    });

    it('recovers after the grace', async () => {
      await cache.getJwk(issuer.jwksUri, decomposedFor(currentKey));
      issuer.setDown(true);
      advanceTo(MAX_AGE_MS + GRACE_MS);
      await expect(cache.getJwk(issuer.jwksUri, decomposedFor(currentKey))).rejects.toBeInstanceOf(FetchError);
      issuer.setDown(false);

      const jwk = await cache.getJwk(issuer.jwksUri, decomposedFor(currentKey));

      expect(jwk.kid).toBe('current-key');
    });
  });

  describe('isKeyCurrent', () => {
    it('is false before a download', () => {
      expect(cache.isKeyCurrent(issuer.jwksUri, currentKey.publicJwk() as Jwk)).toBe(false);
    });

    it('is true for a fresh key', async () => {
      const jwk = await cache.getJwk(issuer.jwksUri, decomposedFor(currentKey));
      advanceTo(MAX_AGE_MS - 1);

      expect(cache.isKeyCurrent(issuer.jwksUri, jwk)).toBe(true);
    });

    it('is false at max age', async () => {
      const jwk = await cache.getJwk(issuer.jwksUri, decomposedFor(currentKey));
      advanceTo(MAX_AGE_MS);

      expect(cache.isKeyCurrent(issuer.jwksUri, jwk)).toBe(false);
    });

    it('keeps a key across downloads', async () => {
      const jwk = await cache.getJwk(issuer.jwksUri, decomposedFor(currentKey));
      advanceTo(MAX_AGE_MS);
      await cache.getJwk(issuer.jwksUri, decomposedFor(currentKey));

      expect(cache.isKeyCurrent(issuer.jwksUri, jwk)).toBe(true);
    });

    it('is false once the key is removed', async () => {
      const jwk = await cache.getJwk(issuer.jwksUri, decomposedFor(removedKey));
      issuer.setKeys([currentKey]);
      advanceTo(MAX_AGE_MS);
      await cache.getJwk(issuer.jwksUri, decomposedFor(currentKey));

      expect(cache.isKeyCurrent(issuer.jwksUri, jwk)).toBe(false);
    });

    it('is false for another key with the same kid', async () => {
      await cache.getJwk(issuer.jwksUri, decomposedFor(currentKey));
      const impostor = SigningKey.generate('current-key').publicJwk() as Jwk;

      expect(cache.isKeyCurrent(issuer.jwksUri, impostor)).toBe(false);
    });
  });
});
