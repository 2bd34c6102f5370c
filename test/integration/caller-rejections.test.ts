import { LOCAL_SECRET_ID, SigningKey } from '../../local/stand-ins';
import { localTokenClaims } from '../../local/stand-ins/jwt-issuer';
import { buildStopEvent, SEEDED_PATH_PARAMETERS, type StopEventOptions } from '../support/events';
import type { HandlerResponse, LoadedHandler } from '../support/handler-loader';
import {
  expectBaseHeaders,
  expectErrorBody,
  useIntegrationHarness,
  type IntegrationHarness,
} from '../support/integration-harness';

/** A request the handler must reject before it reads the secret or calls ModelArts. */
interface RejectionCase {
  readonly name: string;
  /** Builds the event; runs inside the test, after the stand-ins have started. */
  readonly event: (harness: IntegrationHarness) => StopEventOptions;
}

const nowSeconds = (): number => Math.floor(Date.now() / 1000);
const OTHER_PROJECT_ID = 'ffffffffffffffffffffffffffffffff';

const UNAUTHENTICATED_CASES: RejectionCase[] = [
  { name: 'no Authorization header', event: () => ({}) },
  { name: 'empty Authorization header', event: () => ({ headers: { authorization: '' } }) },
  { name: 'Basic scheme', event: () => ({ headers: { authorization: 'Basic dXNlcjpwYXNzd29yZA==' } }) },
  { name: 'bearer value that is no JWT', event: () => ({ headers: { authorization: 'Bearer not-a-jwt' } }) },
  { name: 'JWT with undecodable parts', event: () => ({ headers: { authorization: 'Bearer aaa.bbb.ccc' } }) },
  { name: 'two bearer tokens', event: (h) => ({ headers: { authorization: `Bearer ${h.token()} ${h.token()}` } }) },
  {
    name: 'expired token',
    event: (h) => ({ token: h.token({ iat: nowSeconds() - 7200, nbf: nowSeconds() - 7200, exp: nowSeconds() - 3600 }) }),
  },
  { name: 'not yet valid token', event: (h) => ({ token: h.token({ nbf: nowSeconds() + 3600, exp: nowSeconds() + 7200 }) }) },
  { name: 'wrong issuer', event: (h) => ({ token: h.token({ iss: 'https://other-issuer.example' }) }) },
  { name: 'wrong audience', event: (h) => ({ token: h.token({ aud: 'other-app' }) }) },
  {
    name: 'client_id not accepted without aud',
    event: (h) => ({ token: h.token({ aud: undefined, client_id: 'other-app' }) }),
  },
  {
    name: 'signature by another key with the same kid',
    event: (h) => ({ token: SigningKey.generate(h.signingKey.kid).sign(localTokenClaims()) }),
  },
  { name: 'key id not in the JWKS', event: () => ({ token: SigningKey.generate('unknown-kid').sign(localTokenClaims()) }) },
  { name: 'HS256 algorithm header', event: (h) => ({ token: h.token({}, { alg: 'HS256' }) }) },
  { name: 'RS512 algorithm header', event: (h) => ({ token: h.token({}, { alg: 'RS512' }) }) },
  { name: 'none algorithm header', event: (h) => ({ token: h.token({}, { alg: 'none' }) }) },
  { name: 'token without sub', event: (h) => ({ token: h.token({ sub: undefined }) }) },
  {
    name: 'invalid token and invalid ids',
    event: () => ({
      headers: { authorization: 'Bearer not-a-jwt' },
      pathParameters: { ...SEEDED_PATH_PARAMETERS, project_id: 'NOT-HEX' },
    }),
  },
];

const INVALID_ID_CASES: RejectionCase[] = [
  { name: 'uppercase project_id', event: (h) => withIds(h, { project_id: '0123456789ABCDEF0123456789ABCDEF' }) },
  { name: 'short project_id', event: (h) => withIds(h, { project_id: '0123456789abcdef0123456789abcde' }) },
  { name: 'long project_id', event: (h) => withIds(h, { project_id: '0123456789abcdef0123456789abcdef0' }) },
  { name: 'task_id with a slash', event: (h) => withIds(h, { task_id: 'task/../other' }) },
  { name: 'task_id with a dot segment', event: (h) => withIds(h, { task_id: '..' }) },
  { name: 'task_id of 65 characters', event: (h) => withIds(h, { task_id: 'a'.repeat(65) }) },
  { name: 'version_id with percent encoding', event: (h) => withIds(h, { version_id: 'v%2Fstop' }) },
  { name: 'empty version_id', event: (h) => withIds(h, { version_id: '' }) },
  { name: 'missing version_id', event: (h) => withIds(h, { version_id: undefined }) },
  {
    name: 'invalid ids and missing scope',
    event: (h) => ({ token: h.token({ scope: 'other/scope' }), pathParameters: { ...SEEDED_PATH_PARAMETERS, task_id: '' } }),
  },
];

function withIds(h: IntegrationHarness, ids: Partial<Record<keyof typeof SEEDED_PATH_PARAMETERS, string | undefined>>): StopEventOptions {
  return { token: h.token(), pathParameters: { ...SEEDED_PATH_PARAMETERS, ...ids } };
}

describe('stop handler caller rejections', () => {
  const harness = useIntegrationHarness();

  /**
   * Sends the request to a handler whose init prefetch found no secret, so nothing is cached and any
   * credentials lookup before the rejection would show up as a second GetSecretValue call.
   */
  async function sendRejected(rejection: RejectionCase): Promise<{ response: HandlerResponse; requestId: string; loaded: LoadedHandler }> {
    const { secretsManager, credentials } = harness.standIns;
    secretsManager.setSecret(LOCAL_SECRET_ID, undefined);
    const loaded = await harness.loadHandler();
    secretsManager.setSecret(LOCAL_SECRET_ID, JSON.stringify(credentials));
    const event = buildStopEvent(rejection.event(harness));
    const response = await harness.invoke(loaded, event);
    return { response, requestId: event.requestContext.requestId, loaded };
  }

  /** Only the init prefetch reads the secret, and nothing reaches ModelArts. */
  function expectNoBackendCalls(loaded: LoadedHandler): void {
    expect(harness.getSecretValueCalls()).toBe(1);
    expect(loaded.secretReads).toBe(1);
    expect(harness.modelArtsRequests()).toHaveLength(0);
  }

  it.each(UNAUTHENTICATED_CASES)('returns 401 for $name', async (rejection) => {
    // Act
    const { response, requestId, loaded } = await sendRejected(rejection);

    // Assess
    expect(response.status).toBe(401);
    expectBaseHeaders(response, requestId);
    expect(response.headers['www-authenticate']).toMatch(/^Bearer realm="[^"]+"/);
    expect(response.headers['x-upstream-request-id']).toBeUndefined();
    expect(expectErrorBody(response, requestId).error_code).toBe('PROXY.0401');
    expectNoBackendCalls(loaded);
  });

  it('omits error code without token', async () => {
    // Act
    const { response } = await sendRejected({ name: 'no token', event: () => ({}) });

    // Assess
    expect(response.headers['www-authenticate']).toBe('Bearer realm="modelarts-stop-proxy"');
  });

  it('flags invalid token in challenge', async () => {
    // Act
    const { response } = await sendRejected({ name: 'wrong issuer', event: (h) => ({ token: h.token({ iss: 'other' }) }) });

    // Assess
    expect(response.headers['www-authenticate']).toBe('Bearer realm="modelarts-stop-proxy", error="invalid_token"');
  });

  it.each(INVALID_ID_CASES)('returns 400 for $name', async (rejection) => {
    // Act
    const { response, requestId, loaded } = await sendRejected(rejection);

    // Assess
    expect(response.status).toBe(400);
    expectBaseHeaders(response, requestId);
    expect(response.headers['www-authenticate']).toBeUndefined();
    const body = expectErrorBody(response, requestId);
    expect(body.error_code).toBe('PROXY.0400');
    expect(body.error_msg).toMatch(/path parameter (project_id|task_id|version_id)/);
    expectNoBackendCalls(loaded);
  });

  it('returns 403 without required scope', async () => {
    // Act
    const { response, requestId, loaded } = await sendRejected({
      name: 'missing scope',
      event: (h) => ({ token: h.token({ scope: 'openid profile' }) }),
    });

    // Assess
    expect(response.status).toBe(403);
    expectBaseHeaders(response, requestId);
    expect(response.headers['www-authenticate']).toBe(
      'Bearer realm="modelarts-stop-proxy", error="insufficient_scope", scope="modelarts/processor-tasks.stop"',
    );
    expect(expectErrorBody(response, requestId).error_code).toBe('PROXY.0403');
    expectNoBackendCalls(loaded);
  });

  it('accepts required scope in scp', async () => {
    // Act
    const { response } = await sendRejected({
      name: 'scope in scp',
      event: (h) => ({ token: h.token({ scope: undefined, scp: ['openid', 'modelarts/processor-tasks.stop'] }) }),
    });

    // Assess
    expect(response.status).toBe(200);
  });

  it('returns 403 for unlisted project', async () => {
    // Act
    const { response, requestId, loaded } = await sendRejected({
      name: 'unlisted project',
      event: (h) => withIds(h, { project_id: OTHER_PROJECT_ID }),
    });

    // Assess
    expect(response.status).toBe(403);
    expectBaseHeaders(response, requestId);
    expect(response.headers['www-authenticate']).toBeUndefined();
    const body = expectErrorBody(response, requestId);
    expect(body.error_code).toBe('PROXY.0403');
    expect(body.error_msg).toContain(OTHER_PROJECT_ID);
    expectNoBackendCalls(loaded);
  });
});
