import type { ServerResponse } from 'node:http';
import { FetchError, JwksValidationError } from 'aws-jwt-verify/error';
import { CallerAuthenticator } from '../../functions/stop-processor-task-version/caller-auth';
import { TokenKeysUnavailableError } from '../../functions/stop-processor-task-version/errors';
import { BackoffJwksCache } from '../../functions/stop-processor-task-version/jwks-cache';
import { JwksFetcher } from '../../functions/stop-processor-task-version/jwks-fetcher';
import { SigningKey } from '../../local/stand-ins';
import { sendJson, startTestServer, type TestHttpServer } from '../support/unit/http-test-server';

// Regression: aws-jwt-verify keeps no record of a failed JWKS download, so during an issuer outage every
// request downloaded the JWKS again. These tests pin the pause that bounds those downloads.

const PAUSE_MS = 5000;
const ISSUER = 'https://issuer.example.com/pool-1';

/** What the JWKS server returns: the key set, an outage, or a page that is not JSON. */
type JwksAnswer = 'keys' | 'down' | 'html';

describe('JWKS outage backoff', () => {
  const signingKey = SigningKey.generate('outage-key');
  let server: TestHttpServer;
  let answer: JwksAnswer = 'keys';
  let jwksUri = '';

  function respond(res: ServerResponse): void {
    if (answer === 'down') {
      sendJson(res, 503, { message: 'Service Unavailable' });
    } else if (answer === 'html') {
      res.writeHead(200, { 'content-type': 'text/html' });
      res.end('<html><body>Sign in to the network</body></html>');
    } else {
      sendJson(res, 200, { keys: [signingKey.publicJwk()] });
    }
  }

  beforeAll(async () => {
    server = await startTestServer((_request, res) => respond(res));
    jwksUri = new URL('/.well-known/jwks.json', server.url).href;
  });

  afterAll(async () => {
    await server.close();
  });

  beforeEach(() => {
    answer = 'keys';
  });

  afterEach(() => {
    jest.restoreAllMocks();
  });

  function downloads(since: number): number {
    return server.requests.length - since;
  }

  /** Runs `count` lookups one after another and returns what each rejected with. */
  async function failedLookups(cache: BackoffJwksCache, count: number): Promise<unknown[]> {
    const errors: unknown[] = [];
    for (let i = 0; i < count; i++) {
      errors.push(await cache.getJwks(jwksUri).then(() => undefined, (error: unknown) => error));
    }
    return errors;
  }

  it.each<{ answer: JwksAnswer; firstError: new (...args: never[]) => Error }>([
    { answer: 'down', firstError: FetchError },
    { answer: 'html', firstError: JwksValidationError },
  ])('pauses after two $answer answers', async ({ answer: failure, firstError }) => {
    // Prepare
    answer = failure;
    const cache = new BackoffJwksCache({ fetcher: new JwksFetcher(), failurePauseMs: PAUSE_MS });
    const before = server.requests.length;

    // Act
    const errors = await failedLookups(cache, 10);

    // Assess
    expect(downloads(before)).toBe(2);
    expect(errors[0]).toBeInstanceOf(firstError);
    expect(errors[1]).toBeInstanceOf(firstError);
    for (const error of errors.slice(2)) {
      expect(error).toBeInstanceOf(FetchError);
    }
  });

  it('retries one failure at once', async () => {
    // Prepare
    const cache = new BackoffJwksCache({ fetcher: new JwksFetcher(), failurePauseMs: PAUSE_MS });
    answer = 'down';
    await failedLookups(cache, 1);
    answer = 'keys';

    // Act
    const jwks = await cache.getJwks(jwksUri);

    // Assess
    expect(jwks.keys).toHaveLength(1);
  });

  it('downloads again after the pause', async () => {
    // Prepare
    const cache = new BackoffJwksCache({ fetcher: new JwksFetcher(), failurePauseMs: PAUSE_MS });
    answer = 'down';
    await failedLookups(cache, 2);
    answer = 'keys';
    const before = server.requests.length;
    const realNow = Date.now();

    // Act
    jest.spyOn(Date, 'now').mockReturnValue(realNow + PAUSE_MS - 100);
    const duringPause = await failedLookups(cache, 1);
    jest.spyOn(Date, 'now').mockReturnValue(realNow + PAUSE_MS + 100);
    const jwks = await cache.getJwks(jwksUri);

    // Assess
    expect(duringPause[0]).toBeInstanceOf(FetchError);
    expect(jwks.keys).toHaveLength(1);
    expect(downloads(before)).toBe(1);
  });

  it('resets the count after a success', async () => {
    // Prepare
    const cache = new BackoffJwksCache({ fetcher: new JwksFetcher(), failurePauseMs: PAUSE_MS });
    answer = 'down';
    await failedLookups(cache, 1);
    answer = 'keys';
    await cache.getJwks(jwksUri);
    answer = 'down';
    const before = server.requests.length;

    // Act
    await failedLookups(cache, 1);

    // Assess: one failure after a success is retried at once, like the first failure ever.
    answer = 'keys';
    await expect(cache.getJwks(jwksUri)).resolves.toBeDefined();
    expect(downloads(before)).toBe(2);
  });

  it('maps the pause to 503', async () => {
    // Prepare: the authenticator preloads once and a request fails once, which starts the pause.
    answer = 'down';
    const authenticator = new CallerAuthenticator({ jwtIssuer: ISSUER, jwtAudiences: ['app'], jwtJwksUri: new URL(jwksUri) });
    await expect(authenticator.preloadKeys()).rejects.toBeInstanceOf(Error);
    const now = Math.floor(Date.now() / 1000);
    const token = signingKey.sign({ iss: ISSUER, sub: 'user', aud: 'app', iat: now, exp: now + 600 });
    const before = server.requests.length;

    // Act
    const errors: unknown[] = [];
    for (let i = 0; i < 20; i++) {
      errors.push(await authenticator.authenticate(`Bearer ${token}`).then(() => undefined, (error: unknown) => error));
    }

    // Assess
    expect(downloads(before)).toBe(1);
    for (const error of errors) {
      expect(error).toBeInstanceOf(TokenKeysUnavailableError);
    }
  });
});
