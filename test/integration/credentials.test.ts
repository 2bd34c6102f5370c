import { parseAuthorizationHeader } from '../../functions/lib/huawei-signing';
import { generateCredentials, LOCAL_SECRET_ID } from '../../local/stand-ins';
import type { SecretsManagerFault } from '../../local/stand-ins/secrets-manager';
import { buildStopEvent } from '../support/events';
import type { HandlerResponse, LoadedHandler } from '../support/handler-loader';
import { closedLoopbackUrl, expectBaseHeaders, expectErrorBody, useIntegrationHarness } from '../support/integration-harness';

const GENERIC_MISCONFIGURED_MESSAGE = 'The service is misconfigured. Contact the operator with the request id.';
const GENERIC_UNAVAILABLE_MESSAGE = 'The service credentials are temporarily unavailable. Retry later.';

describe('stop handler credentials', () => {
  const harness = useIntegrationHarness();

  async function stopSeeded(loaded: LoadedHandler): Promise<{ response: HandlerResponse; requestId: string }> {
    const event = buildStopEvent({ token: harness.token() });
    const response = await harness.invoke(loaded, event);
    return { response, requestId: event.requestContext.requestId };
  }

  /** Asserts that a 5xx body names no secret, no key and no field of the secret. */
  function expectNothingNamed(response: HandlerResponse, secretString: string | undefined): void {
    expect(response.rawBody).not.toContain(LOCAL_SECRET_ID);
    expect(response.rawBody).not.toMatch(/\b(ak|sk|securityToken|SecretString|secret id)\b/i);
    expect(response.rawBody).not.toContain(harness.standIns.credentials.ak);
    expect(response.rawBody).not.toContain(harness.standIns.credentials.sk);
    if (secretString !== undefined && secretString.length > 2) {
      expect(response.rawBody).not.toContain(secretString);
    }
  }

  describe('Secrets Manager failures', () => {
    it.each<{ description: string; fault: SecretsManagerFault; env: Record<string, string>; attemptsPerRead: number }>([
      // The SDK backs off from throttling for 500 ms and more with jitter, so within the 3 s read budget the
      // number of its attempts would vary. One attempt per read keeps the count exact and the test fast.
      { description: 'throttled', fault: { kind: 'throttle' }, env: { AWS_MAX_ATTEMPTS: '1' }, attemptsPerRead: 1 },
      // The SDK's default of 3 attempts, with 100 ms backoff, fits the read budget every time.
      { description: 'failing with 500', fault: { kind: 'internal-error' }, env: {}, attemptsPerRead: 3 },
    ])('returns 503 when $description', async ({ fault, env, attemptsPerRead }) => {
      // Prepare
      harness.standIns.secretsManager.setFault(fault);
      const loaded = await harness.loadHandler(env);

      // Act
      const { response, requestId } = await stopSeeded(loaded);

      // Assess
      expect(response.status).toBe(503);
      expectBaseHeaders(response, requestId);
      const body = expectErrorBody(response, requestId);
      expect(body.error_code).toBe('PROXY.0503');
      expect(body.error_msg).toBe(GENERIC_UNAVAILABLE_MESSAGE);
      expectNothingNamed(response, undefined);
      // A failed read is never cached: the init prefetch and the request each read once.
      expect(loaded.secretReads).toBe(2);
      expect(harness.getSecretValueCalls()).toBe(2 * attemptsPerRead);
      expect(harness.modelArtsRequests()).toHaveLength(0);
    });

    it('returns 503 when unreachable', async () => {
      // Prepare
      const loaded = await harness.loadHandler({ AWS_ENDPOINT_URL_SECRETS_MANAGER: await closedLoopbackUrl() });

      // Act
      const { response, requestId } = await stopSeeded(loaded);

      // Assess
      expect(response.status).toBe(503);
      expectBaseHeaders(response, requestId);
      expect(expectErrorBody(response, requestId).error_code).toBe('PROXY.0503');
      expectNothingNamed(response, undefined);
      expect(loaded.secretReads).toBe(2);
      expect(harness.getSecretValueCalls()).toBe(0);
      expect(harness.modelArtsRequests()).toHaveLength(0);
    });

    it('returns 500 when access denied', async () => {
      // Prepare
      harness.standIns.secretsManager.setFault({ kind: 'access-denied' });
      const loaded = await harness.loadHandler();

      // Act
      const { response, requestId } = await stopSeeded(loaded);

      // Assess
      expect(response.status).toBe(500);
      expect(expectErrorBody(response, requestId).error_msg).toBe(GENERIC_MISCONFIGURED_MESSAGE);
      expect(harness.getSecretValueCalls()).toBe(2);
      expect(harness.modelArtsRequests()).toHaveLength(0);
    });

    it('serves stale credentials past TTL', async () => {
      // Prepare
      const loaded = await harness.loadHandler({ SECRET_CACHE_TTL_SECONDS: '1' });
      harness.standIns.secretsManager.setFault({ kind: 'internal-error' });
      await new Promise((resolve) => setTimeout(resolve, 1100));

      // Act
      const { response } = await stopSeeded(loaded);

      // Assess
      expect(response.status).toBe(200);
      expect(harness.getSecretValueCalls()).toBeGreaterThanOrEqual(2);
      expect(harness.modelArtsRequests()).toHaveLength(1);
      const warnings = harness.output.logLines('serving cached upstream credentials past their TTL because the refresh failed');
      expect(warnings).toHaveLength(1);
      expect(warnings[0]?.level).toBe('WARN');
    });
  });

  describe('secret content', () => {
    it.each([
      { description: 'missing', secretString: undefined },
      { description: 'not JSON', secretString: '{"ak": "AKNOTJSON", sk: broken' },
      { description: 'a JSON array', secretString: '["ak", "sk"]' },
      { description: 'lacking ak', secretString: JSON.stringify({ sk: 'only-the-secret-key' }) },
      { description: 'lacking sk', secretString: JSON.stringify({ ak: 'ONLYTHEACCESSKEY0000' }) },
      { description: 'an empty ak', secretString: JSON.stringify({ ak: '', sk: 'secret-key-with-empty-ak' }) },
      { description: 'a numeric sk', secretString: JSON.stringify({ ak: 'NUMERICSKACCESSKEY00', sk: 12345 }) },
      {
        description: 'an empty securityToken',
        secretString: JSON.stringify({ ak: 'EMPTYTOKENACCESSKEY0', sk: 'secret-key-empty-token', securityToken: '' }),
      },
    ])('returns 500 when secret is $description', async ({ secretString }) => {
      // Prepare
      harness.standIns.secretsManager.setSecret(LOCAL_SECRET_ID, secretString);
      const loaded = await harness.loadHandler();

      // Act
      const { response, requestId } = await stopSeeded(loaded);

      // Assess
      expect(response.status).toBe(500);
      expectBaseHeaders(response, requestId);
      const body = expectErrorBody(response, requestId);
      expect(body.error_code).toBe('PROXY.0500');
      expect(body.error_msg).toBe(GENERIC_MISCONFIGURED_MESSAGE);
      expectNothingNamed(response, secretString);
      // A failed read is never cached: the init prefetch and the request each read once.
      expect(harness.getSecretValueCalls()).toBe(2);
      expect(loaded.secretReads).toBe(2);
      expect(harness.modelArtsRequests()).toHaveLength(0);
    });

    it('sends and signs securityToken', async () => {
      // Prepare
      const temporary = { ...generateCredentials(), securityToken: 'temporary-security-token-value' };
      harness.standIns.secretsManager.setSecret(LOCAL_SECRET_ID, JSON.stringify(temporary));
      harness.standIns.modelArts.setCredentials([temporary]);
      const loaded = await harness.loadHandler();

      // Act
      const { response } = await stopSeeded(loaded);

      // Assess
      expect(response.status).toBe(200);
      const [request] = harness.modelArtsRequests();
      expect(request?.headers['x-security-token']).toBe(temporary.securityToken);
      const fields = parseAuthorizationHeader(String(request?.headers.authorization));
      expect(fields?.accessKey).toBe(temporary.ak);
      expect(fields?.signedHeaders).toContain('x-security-token');
    });

    it('rejects wrong securityToken upstream', async () => {
      // Prepare
      const temporary = { ...generateCredentials(), securityToken: 'the-token-modelarts-expects' };
      harness.standIns.secretsManager.setSecret(LOCAL_SECRET_ID, JSON.stringify({ ...temporary, securityToken: 'a-stale-token' }));
      harness.standIns.modelArts.setCredentials([temporary]);
      const loaded = await harness.loadHandler();

      // Act
      const { response } = await stopSeeded(loaded);

      // Assess
      expect(response.status).toBe(502);
      expect(harness.modelArtsRequests()).toHaveLength(2);
    });
  });

  describe('cache', () => {
    it('reads secret once per TTL', async () => {
      // Prepare
      const loaded = await harness.loadHandler();

      // Act
      const statuses: number[] = [];
      for (let i = 0; i < 3; i++) {
        statuses.push((await stopSeeded(loaded)).response.status);
      }

      // Assess
      expect(statuses).toEqual([200, 200, 200]);
      expect(harness.getSecretValueCalls()).toBe(1);
      expect(loaded.secretReads).toBe(1);
      expect(harness.modelArtsRequests()).toHaveLength(3);
    });
  });
});
