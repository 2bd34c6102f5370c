import {
  DecryptionFailure,
  GetSecretValueCommand,
  InternalServiceError,
  InvalidParameterException,
  InvalidRequestException,
  ResourceNotFoundException,
  SecretsManagerClient,
  SecretsManagerServiceException,
} from '@aws-sdk/client-secrets-manager';
import { mockClient, type AwsClientStub } from 'aws-sdk-client-mock';
import {
  CredentialsProvider,
  parseSecret,
  type CredentialsProviderOptions,
} from '../../../functions/stop-processor-task-version/credentials';
import { CredentialsMisconfiguredError, CredentialsUnavailableError } from '../../../functions/stop-processor-task-version/errors';
import type { HuaweiCredentials } from '../../../functions/lib/huawei-signing';
import { startSecretsManager, type SecretsManagerStandIn } from '../../../local/stand-ins/secrets-manager';
import { captureError, collectErrorText } from '../../support/unit/error-text';

const SECRET_ID = 'modelarts-stop-proxy/test';
const TTL_SECONDS = 300;
const TTL_MS = TTL_SECONDS * 1000;
const STALE_GRACE_MS = 3600 * 1000;
const START_MS = Date.UTC(2024, 4, 6, 7, 0, 0);

const FIRST: HuaweiCredentials = { ak: 'AKFIRSTCREDENTIALS01', sk: 'sk-first-1f8a2c6d9e0b4a7c3d5e6f7a8b9c0d1e2f3a4b5c' };
const SECOND: HuaweiCredentials = { ak: 'AKSECONDCREDENTIAL02', sk: 'sk-second-7b6a5c4d3e2f1a0b9c8d7e6f5a4b3c2d1e0f9a8b' };
const THIRD: HuaweiCredentials = { ak: 'AKTHIRDCREDENTIALS03', sk: 'sk-third-0a1b2c3d4e5f6a7b8c9d0e1f2a3b4c5d6e7f8a9b' };

/** A clock the test moves by hand, in epoch milliseconds. */
class ManualClock {
  constructor(public nowMs = START_MS) {}

  readonly now = (): number => this.nowMs;

  advance(ms: number): void {
    this.nowMs += ms;
  }
}

/** Builds throttling as the SDK reports it: the base exception, because the client does not model ThrottlingException. */
function throttlingError(): SecretsManagerServiceException {
  return new SecretsManagerServiceException({
    name: 'ThrottlingException',
    $fault: 'client',
    $metadata: { httpStatusCode: 400 },
    message: 'Rate exceeded',
  });
}

function serviceError(name: string, httpStatusCode: number, fault: 'client' | 'server'): SecretsManagerServiceException {
  return new SecretsManagerServiceException({ name, $fault: fault, $metadata: { httpStatusCode }, message: `${name} happened` });
}

function networkError(): Error {
  return Object.assign(new Error('connect ECONNREFUSED 127.0.0.1:9'), { code: 'ECONNREFUSED' });
}

function secretOf(credentials: HuaweiCredentials): { SecretString: string } {
  return { SecretString: JSON.stringify(credentials) };
}

function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}

describe('CredentialsProvider with mocked client', () => {
  let secretsManager: AwsClientStub<SecretsManagerClient>;
  let clock: ManualClock;
  let client: SecretsManagerClient;

  beforeAll(() => {
    // Mocking the class (not one instance) also covers clients that the code under test might create.
    secretsManager = mockClient(SecretsManagerClient);
  });

  afterAll(() => {
    secretsManager.restore();
  });

  beforeEach(() => {
    secretsManager.reset();
    clock = new ManualClock();
    // The mock intercepts every send. The loopback discard port keeps even a broken mock off the network.
    client = new SecretsManagerClient({
      region: 'us-east-1',
      endpoint: 'http://127.0.0.1:9',
      credentials: { accessKeyId: 'AKIAUNITTEST', secretAccessKey: 'unit-test' },
    });
  });

  function getSecretValueCalls(): number {
    return secretsManager.commandCalls(GetSecretValueCommand).length;
  }

  function provider(options: Partial<CredentialsProviderOptions> = {}): CredentialsProvider {
    return new CredentialsProvider(client, { secretId: SECRET_ID, ttlSeconds: TTL_SECONDS, now: clock.now, ...options });
  }

  describe('reading', () => {
    it('reads ak and sk', async () => {
      secretsManager.on(GetSecretValueCommand).resolves(secretOf(FIRST));

      const lookup = await provider().get();

      expect(lookup).toEqual({ credentials: FIRST, source: 'secrets-manager' });
      expect(secretsManager.commandCalls(GetSecretValueCommand)[0]?.args[0].input).toEqual({ SecretId: SECRET_ID });
    });

    it('reads the security token', async () => {
      const temporary = { ...FIRST, securityToken: 'temporary-security-token' };
      secretsManager.on(GetSecretValueCommand).resolves(secretOf(temporary));

      const lookup = await provider().get();

      expect(lookup.credentials).toEqual(temporary);
    });

    it('passes an abort signal', async () => {
      secretsManager.on(GetSecretValueCommand).resolves(secretOf(FIRST));

      await provider({ fetchTimeoutMs: 1234 }).get();

      const call = secretsManager.commandCalls(GetSecretValueCommand)[0];
      // The stub types args as the command alone, but send() also receives the HTTP options.
      const options = (call?.args as unknown[] | undefined)?.[1] as { abortSignal?: AbortSignal } | undefined;
      expect(options?.abortSignal).toBeInstanceOf(AbortSignal);
    });
  });

  describe('caching', () => {
    it('reads once within TTL', async () => {
      // Prepare
      secretsManager.on(GetSecretValueCommand).resolvesOnce(secretOf(FIRST)).resolves(secretOf(SECOND));
      const credentials = provider();

      // Act
      const first = await credentials.get();
      clock.advance(TTL_MS - 1);
      const second = await credentials.get();

      // Assess
      expect(getSecretValueCalls()).toBe(1);
      expect(first).toEqual({ credentials: FIRST, source: 'secrets-manager' });
      expect(second).toEqual({ credentials: FIRST, source: 'cache' });
    });

    it('reads again after TTL', async () => {
      secretsManager.on(GetSecretValueCommand).resolvesOnce(secretOf(FIRST)).resolves(secretOf(SECOND));
      const credentials = provider();

      await credentials.get();
      clock.advance(TTL_MS);
      const refreshed = await credentials.get();

      expect(getSecretValueCalls()).toBe(2);
      expect(refreshed).toEqual({ credentials: SECOND, source: 'secrets-manager' });
    });

    it('shares one read between concurrent calls', async () => {
      // Prepare
      secretsManager
        .on(GetSecretValueCommand)
        .callsFake(async () => {
          await sleep(50);
          return secretOf(FIRST);
        });
      const credentials = provider();

      // Act
      const lookups = await Promise.all(Array.from({ length: 8 }, () => credentials.get()));

      // Assess
      expect(getSecretValueCalls()).toBe(1);
      expect(lookups.every((lookup) => lookup.credentials === lookups[0]?.credentials)).toBe(true);
    });

    it('shares a failed read then retries', async () => {
      secretsManager
        .on(GetSecretValueCommand)
        .callsFakeOnce(async () => {
          await sleep(20);
          throw throttlingError();
        })
        .resolves(secretOf(FIRST));
      const credentials = provider();

      const results = await Promise.allSettled([credentials.get(), credentials.get(), credentials.get()]);
      const retried = await credentials.get();

      expect(results.map((result) => result.status)).toEqual(['rejected', 'rejected', 'rejected']);
      expect(getSecretValueCalls()).toBe(2);
      expect(retried.credentials).toEqual(FIRST);
    });

    it('does not cache a transient failure', async () => {
      secretsManager.on(GetSecretValueCommand).rejectsOnce(throttlingError()).resolves(secretOf(FIRST));
      const credentials = provider();

      await expect(credentials.get()).rejects.toBeInstanceOf(CredentialsUnavailableError);
      const lookup = await credentials.get();

      expect(getSecretValueCalls()).toBe(2);
      expect(lookup.credentials).toEqual(FIRST);
    });

    it('does not cache a misconfiguration', async () => {
      secretsManager
        .on(GetSecretValueCommand)
        .resolvesOnce({ SecretString: 'not json' })
        .resolves(secretOf(FIRST));
      const credentials = provider();

      await expect(credentials.get()).rejects.toBeInstanceOf(CredentialsMisconfiguredError);
      const lookup = await credentials.get();

      expect(getSecretValueCalls()).toBe(2);
      expect(lookup.credentials).toEqual(FIRST);
    });

    it('prefetch fills the cache', async () => {
      secretsManager.on(GetSecretValueCommand).resolves(secretOf(FIRST));
      const credentials = provider();

      credentials.prefetch();
      const lookup = await credentials.get();

      expect(getSecretValueCalls()).toBe(1);
      expect(lookup.credentials).toEqual(FIRST);
    });

    it('prefetch failure is not cached', async () => {
      secretsManager.on(GetSecretValueCommand).rejectsOnce(networkError()).resolves(secretOf(FIRST));
      const credentials = provider();

      credentials.prefetch();
      await sleep(0);
      const lookup = await credentials.get();

      expect(getSecretValueCalls()).toBe(2);
      expect(lookup).toEqual({ credentials: FIRST, source: 'secrets-manager' });
    });
  });

  describe('stale credentials', () => {
    it('serves stale credentials on transient failure', async () => {
      // Prepare
      secretsManager.on(GetSecretValueCommand).resolvesOnce(secretOf(FIRST)).rejects(throttlingError());
      const onStaleServed = jest.fn();
      const credentials = provider({ onStaleServed });
      await credentials.get();
      clock.advance(TTL_MS + 1000);

      // Act
      const lookup = await credentials.get();

      // Assess
      expect(lookup).toEqual({ credentials: FIRST, source: 'stale-cache' });
      expect(onStaleServed).toHaveBeenCalledTimes(1);
      expect(onStaleServed.mock.calls[0]?.[0]).toBeInstanceOf(CredentialsUnavailableError);
      expect(getSecretValueCalls()).toBe(2);
    });

    it.each([
      ['throttling', throttlingError],
      ['InternalServiceError', () => new InternalServiceError({ message: 'boom', $metadata: { httpStatusCode: 500 } })],
      ['503', () => serviceError('ServiceUnavailable', 503, 'server')],
      ['network error', networkError],
    ])('serves stale credentials on %s', async (_case, makeError) => {
      secretsManager.on(GetSecretValueCommand).resolvesOnce(secretOf(FIRST)).rejects(makeError());
      const credentials = provider();
      await credentials.get();
      clock.advance(TTL_MS);

      const lookup = await credentials.get();

      expect(lookup.source).toBe('stale-cache');
    });

    it('serves stale until one hour past TTL', async () => {
      secretsManager.on(GetSecretValueCommand).resolvesOnce(secretOf(FIRST)).rejects(throttlingError());
      const credentials = provider();
      await credentials.get();
      clock.advance(TTL_MS + STALE_GRACE_MS - 1);

      const lookup = await credentials.get();

      expect(lookup).toEqual({ credentials: FIRST, source: 'stale-cache' });
    });

    it('stops serving stale one hour past TTL', async () => {
      // Prepare
      secretsManager.on(GetSecretValueCommand).resolvesOnce(secretOf(FIRST)).rejects(throttlingError());
      const onStaleServed = jest.fn();
      const credentials = provider({ onStaleServed });
      await credentials.get();
      clock.advance(TTL_MS + STALE_GRACE_MS);

      // Act
      const error = await captureError(() => credentials.get());

      // Assess
      expect(error).toBeInstanceOf(CredentialsUnavailableError);
      expect(onStaleServed).not.toHaveBeenCalled();
    });

    it('honours a custom stale grace', async () => {
      secretsManager.on(GetSecretValueCommand).resolvesOnce(secretOf(FIRST)).rejects(throttlingError());
      const credentials = provider({ staleGraceSeconds: 60 });
      await credentials.get();
      clock.advance(TTL_MS + 60_000);

      await expect(credentials.get()).rejects.toBeInstanceOf(CredentialsUnavailableError);
    });

    it('retries the read while serving stale', async () => {
      secretsManager
        .on(GetSecretValueCommand)
        .resolvesOnce(secretOf(FIRST))
        .rejectsOnce(throttlingError())
        .resolves(secretOf(SECOND));
      const credentials = provider();
      await credentials.get();
      clock.advance(TTL_MS);

      const stale = await credentials.get();
      const fresh = await credentials.get();

      expect(stale).toEqual({ credentials: FIRST, source: 'stale-cache' });
      expect(fresh).toEqual({ credentials: SECOND, source: 'secrets-manager' });
      expect(getSecretValueCalls()).toBe(3);
    });

    it('does not serve stale on misconfiguration', async () => {
      secretsManager
        .on(GetSecretValueCommand)
        .resolvesOnce(secretOf(FIRST))
        .rejects(new ResourceNotFoundException({ message: 'deleted', $metadata: { httpStatusCode: 400 } }));
      const onStaleServed = jest.fn();
      const credentials = provider({ onStaleServed });
      await credentials.get();
      clock.advance(TTL_MS);

      await expect(credentials.get()).rejects.toBeInstanceOf(CredentialsMisconfiguredError);
      expect(onStaleServed).not.toHaveBeenCalled();
    });

    it('throws without earlier credentials', async () => {
      secretsManager.on(GetSecretValueCommand).rejects(throttlingError());
      const onStaleServed = jest.fn();

      await expect(provider({ onStaleServed }).get()).rejects.toBeInstanceOf(CredentialsUnavailableError);
      expect(onStaleServed).not.toHaveBeenCalled();
    });
  });

  describe('refresh', () => {
    it('reuses newer credentials without a read', async () => {
      // Prepare: FIRST is replaced by SECOND after the TTL, while a request still uses FIRST.
      secretsManager
        .on(GetSecretValueCommand)
        .resolvesOnce(secretOf(FIRST))
        .resolvesOnce(secretOf(SECOND))
        .resolves(secretOf(THIRD));
      const credentials = provider();
      const inUse = (await credentials.get()).credentials;
      clock.advance(TTL_MS);
      await credentials.get();

      // Act
      const refreshed = await credentials.refresh(inUse);

      // Assess
      expect(refreshed).toEqual({ credentials: SECOND, source: 'cache' });
      expect(getSecretValueCalls()).toBe(2);
    });

    it('reads again for current credentials', async () => {
      secretsManager.on(GetSecretValueCommand).resolvesOnce(secretOf(FIRST)).resolves(secretOf(SECOND));
      const credentials = provider();
      const inUse = (await credentials.get()).credentials;

      const refreshed = await credentials.refresh(inUse);
      const next = await credentials.get();

      expect(refreshed).toEqual({ credentials: SECOND, source: 'secrets-manager' });
      expect(next).toEqual({ credentials: SECOND, source: 'cache' });
      expect(getSecretValueCalls()).toBe(2);
    });

    it('shares one read between refreshes', async () => {
      secretsManager
        .on(GetSecretValueCommand)
        .resolvesOnce(secretOf(FIRST))
        .callsFake(async () => {
          await sleep(30);
          return secretOf(SECOND);
        });
      const credentials = provider();
      const inUse = (await credentials.get()).credentials;

      const refreshed = await Promise.all([credentials.refresh(inUse), credentials.refresh(inUse), credentials.refresh(inUse)]);

      expect(refreshed.map((lookup) => lookup?.credentials)).toEqual([SECOND, SECOND, SECOND]);
      expect(getSecretValueCalls()).toBe(2);
    });

    it('skips re-read after unchanged result', async () => {
      let nowMs = 1_000_000;
      secretsManager.on(GetSecretValueCommand).resolves(secretOf(FIRST));
      const credentials = provider({ now: () => nowMs });
      const inUse = (await credentials.get()).credentials;

      const first = await credentials.refresh(inUse);
      nowMs += 9_000;
      const second = await credentials.refresh(first?.credentials ?? inUse);

      expect(first).toEqual({ credentials: FIRST, source: 'secrets-manager' });
      expect(second).toBeUndefined();
      expect(getSecretValueCalls()).toBe(2);
    });

    it('re-reads again after the interval', async () => {
      let nowMs = 1_000_000;
      secretsManager.on(GetSecretValueCommand).resolves(secretOf(FIRST));
      const credentials = provider({ now: () => nowMs });
      const inUse = (await credentials.get()).credentials;

      const first = await credentials.refresh(inUse);
      nowMs += 10_001;
      const second = await credentials.refresh(first?.credentials ?? inUse);

      expect(second).toEqual({ credentials: FIRST, source: 'secrets-manager' });
      expect(getSecretValueCalls()).toBe(3);
    });

    it('propagates refresh failure', async () => {
      secretsManager.on(GetSecretValueCommand).resolvesOnce(secretOf(FIRST)).rejects(throttlingError());
      const credentials = provider();
      const inUse = (await credentials.get()).credentials;

      await expect(credentials.refresh(inUse)).rejects.toBeInstanceOf(CredentialsUnavailableError);
    });
  });

  describe('read errors', () => {
    it.each([
      ['ResourceNotFoundException', () => new ResourceNotFoundException({ message: 'not found', $metadata: { httpStatusCode: 400 } })],
      ['DecryptionFailure', () => new DecryptionFailure({ message: 'kms', $metadata: { httpStatusCode: 400 } })],
      ['InvalidRequestException', () => new InvalidRequestException({ message: 'deleted', $metadata: { httpStatusCode: 400 } })],
      ['InvalidParameterException', () => new InvalidParameterException({ message: 'bad', $metadata: { httpStatusCode: 400 } })],
      ['AccessDeniedException', () => serviceError('AccessDeniedException', 400, 'client')],
    ])('maps %s to misconfigured', async (_case, makeError) => {
      const cause = makeError();
      secretsManager.on(GetSecretValueCommand).rejects(cause);

      const error = await captureError(() => provider().get());

      expect(error).toBeInstanceOf(CredentialsMisconfiguredError);
      expect((error as CredentialsMisconfiguredError).statusCode).toBe(500);
      expect((error as Error).cause).toBe(cause);
    });

    it.each([
      ['ThrottlingException', throttlingError],
      ['InternalServiceError', () => new InternalServiceError({ message: 'boom', $metadata: { httpStatusCode: 500 } })],
      ['503 service error', () => serviceError('ServiceUnavailable', 503, 'server')],
      ['retryable throttling trait', () => Object.assign(serviceError('SlowDown', 400, 'client'), { $retryable: { throttling: true } })],
      ['connection refused', networkError],
      ['abort', () => Object.assign(new Error('Request aborted'), { name: 'AbortError' })],
      ['timeout', () => Object.assign(new Error('The operation was aborted due to timeout'), { name: 'TimeoutError' })],
    ])('maps %s to unavailable', async (_case, makeError) => {
      secretsManager.on(GetSecretValueCommand).rejects(makeError());

      const error = await captureError(() => provider().get());

      expect(error).toBeInstanceOf(CredentialsUnavailableError);
      expect((error as CredentialsUnavailableError).statusCode).toBe(503);
    });
  });

  describe('secret content', () => {
    const sensitive = 'sk-SENSITIVE-9f8e7d6c5b4a3928';

    it.each([
      ['no SecretString', undefined],
      ['not JSON', `ak=AK1,sk=${sensitive}`],
      ['truncated JSON', `{"ak":"AK1","sk":"${sensitive}"`],
      ['JSON array', `["AK1","${sensitive}"]`],
      ['JSON string', JSON.stringify(sensitive)],
      ['JSON null', 'null'],
      ['missing ak', JSON.stringify({ sk: sensitive })],
      ['missing sk', JSON.stringify({ ak: 'AK1', secret: sensitive })],
      ['empty ak', JSON.stringify({ ak: '', sk: sensitive })],
      ['empty sk', JSON.stringify({ ak: 'AK1', sk: '' })],
      ['whitespace sk', JSON.stringify({ ak: 'AK1', sk: '   ' })],
      ['numeric ak', JSON.stringify({ ak: 12345, sk: sensitive })],
      ['object sk', JSON.stringify({ ak: 'AK1', sk: { value: sensitive } })],
      ['numeric securityToken', JSON.stringify({ ak: 'AK1', sk: sensitive, securityToken: 42 })],
      ['empty securityToken', JSON.stringify({ ak: 'AK1', sk: sensitive, securityToken: '' })],
      ['null securityToken', JSON.stringify({ ak: 'AK1', sk: sensitive, securityToken: null })],
    ])('rejects secret with %s', async (_case, secretString) => {
      // Prepare
      secretsManager.on(GetSecretValueCommand).resolves({ SecretString: secretString });

      // Act
      const error = await captureError(() => provider().get());

      // Assess
      expect(error).toBeInstanceOf(CredentialsMisconfiguredError);
      const text = collectErrorText(error);
      expect(text).not.toContain(sensitive);
      if (secretString !== undefined) {
        expect(text).not.toContain(secretString);
      }
      expect((error as CredentialsMisconfiguredError).publicMessage).not.toMatch(/\b(ak|sk|securityToken)\b/);
    });

    it('names the missing field', () => {
      const error = captureSync(() => parseSecret(JSON.stringify({ ak: 'AK1' })));

      expect(error).toBeInstanceOf(CredentialsMisconfiguredError);
      expect((error as Error).message).toContain('sk');
    });

    it('ignores unknown fields', () => {
      const credentials = parseSecret(JSON.stringify({ ak: 'AK1', sk: sensitive, region: 'cn-north-4' }));

      expect(credentials).toEqual({ ak: 'AK1', sk: sensitive });
    });
  });
});

function captureSync(action: () => unknown): unknown {
  try {
    action();
  } catch (error) {
    return error;
  }
  throw new Error('expected the action to throw, but it completed');
}

describe('CredentialsProvider with Secrets Manager stand-in', () => {
  const secretString = JSON.stringify(FIRST);
  let standIn: SecretsManagerStandIn;
  let clock: ManualClock;

  beforeEach(async () => {
    standIn = await startSecretsManager({ [SECRET_ID]: secretString });
    clock = new ManualClock();
  });

  afterEach(async () => {
    await standIn.close();
  });

  /** Creates a real SDK client aimed at the stand-in. One attempt per read keeps fault tests fast. */
  function realClient(endpoint = standIn.url, maxAttempts = 1): SecretsManagerClient {
    return new SecretsManagerClient({
      region: 'us-east-1',
      endpoint,
      maxAttempts,
      credentials: { accessKeyId: 'AKIALOCALSTANDIN0000', secretAccessKey: 'local-stand-in-secret' },
    });
  }

  function provider(client: SecretsManagerClient, options: Partial<CredentialsProviderOptions> = {}): CredentialsProvider {
    return new CredentialsProvider(client, { secretId: SECRET_ID, ttlSeconds: TTL_SECONDS, now: clock.now, ...options });
  }

  it('reads the secret over HTTP', async () => {
    const lookup = await provider(realClient()).get();

    expect(lookup).toEqual({ credentials: FIRST, source: 'secrets-manager' });
    expect(standIn.getSecretValueCalls).toBe(1);
  });

  it('reads the secret by ARN', async () => {
    const client = realClient();
    const byArn = new CredentialsProvider(client, {
      secretId: `arn:aws:secretsmanager:us-east-1:000000000000:secret:${SECRET_ID}`,
      ttlSeconds: TTL_SECONDS,
    });

    const lookup = await byArn.get();

    expect(lookup.credentials).toEqual(FIRST);
  });

  it('sends one GetSecretValue per TTL', async () => {
    const credentials = provider(realClient());

    await Promise.all([credentials.get(), credentials.get(), credentials.get()]);
    await credentials.get();
    clock.advance(TTL_MS - 1);
    await credentials.get();

    expect(standIn.getSecretValueCalls).toBe(1);
  });

  it('reads rotated secret after TTL', async () => {
    const credentials = provider(realClient());
    await credentials.get();
    standIn.setSecret(SECRET_ID, JSON.stringify(SECOND));
    clock.advance(TTL_MS);

    const lookup = await credentials.get();

    expect(lookup.credentials).toEqual(SECOND);
    expect(standIn.getSecretValueCalls).toBe(2);
  });

  it('bounds re-read by the given timeout', async () => {
    const credentials = provider(realClient());
    const inUse = (await credentials.get()).credentials;
    standIn.setFault({ kind: 'delay', delayMs: 1000 });
    const startedAt = Date.now();

    const error = await captureError(() => credentials.refresh(inUse, 100));

    expect(error).toBeInstanceOf(CredentialsUnavailableError);
    expect(Date.now() - startedAt).toBeLessThan(800);
  });

  it('maps a missing secret to misconfigured', async () => {
    standIn.setSecret(SECRET_ID, undefined);

    const error = await captureError(() => provider(realClient()).get());

    expect(error).toBeInstanceOf(CredentialsMisconfiguredError);
    expect((error as Error).cause).toBeInstanceOf(ResourceNotFoundException);
  });

  it('maps a non-JSON secret to misconfigured', async () => {
    const notJson = `ak=${FIRST.ak};sk=${FIRST.sk}`;
    standIn.setSecret(SECRET_ID, notJson);

    const error = await captureError(() => provider(realClient()).get());

    expect(error).toBeInstanceOf(CredentialsMisconfiguredError);
    expect(collectErrorText(error)).not.toContain(FIRST.sk);
  });

  it('maps access denied to misconfigured', async () => {
    standIn.setFault({ kind: 'access-denied' });

    await expect(provider(realClient()).get()).rejects.toBeInstanceOf(CredentialsMisconfiguredError);
  });

  it('maps throttling to unavailable', async () => {
    standIn.setFault({ kind: 'throttle' });

    const error = await captureError(() => provider(realClient()).get());

    expect(error).toBeInstanceOf(CredentialsUnavailableError);
    expect((error as Error).cause).toBeInstanceOf(SecretsManagerServiceException);
  });

  it('maps throttling after SDK retries', async () => {
    standIn.setFault({ kind: 'throttle' });

    const error = await captureError(() => provider(realClient(standIn.url, 3), { fetchTimeoutMs: 10_000 }).get());

    expect(error).toBeInstanceOf(CredentialsUnavailableError);
    expect(standIn.getSecretValueCalls).toBe(3);
  });

  it('maps a 500 to unavailable', async () => {
    standIn.setFault({ kind: 'internal-error' });

    await expect(provider(realClient()).get()).rejects.toBeInstanceOf(CredentialsUnavailableError);
  });

  it('maps a refused connection to unavailable', async () => {
    const closed = await startSecretsManager();
    await closed.close();

    await expect(provider(realClient(closed.url)).get()).rejects.toBeInstanceOf(CredentialsUnavailableError);
  });

  it('maps a slow answer to unavailable', async () => {
    standIn.setFault({ kind: 'delay', delayMs: 1000 });
    const startedAt = Date.now();

    const error = await captureError(() => provider(realClient(), { fetchTimeoutMs: 150 }).get());

    expect(error).toBeInstanceOf(CredentialsUnavailableError);
    expect(Date.now() - startedAt).toBeLessThan(900);
  });

  it('serves stale credentials while throttled', async () => {
    // Prepare
    const onStaleServed = jest.fn();
    const credentials = provider(realClient(), { onStaleServed });
    await credentials.get();
    standIn.setFault({ kind: 'throttle' });
    clock.advance(TTL_MS + 1);

    // Act
    const lookup = await credentials.get();

    // Assess
    expect(lookup).toEqual({ credentials: FIRST, source: 'stale-cache' });
    expect(onStaleServed).toHaveBeenCalledTimes(1);
    expect(collectErrorText(onStaleServed.mock.calls[0]?.[0])).not.toContain(FIRST.sk);
  });

  it('keeps the secret out of read errors', async () => {
    const failures: unknown[] = [];
    for (const fault of ['throttle', 'internal-error', 'access-denied'] as const) {
      standIn.setFault({ kind: fault });
      failures.push(await captureError(() => provider(realClient()).get()));
    }

    for (const failure of failures) {
      expect(collectErrorText(failure)).not.toContain(FIRST.sk);
      expect(collectErrorText(failure)).not.toContain(secretString);
    }
  });
});
