import { GetSecretValueCommand, SecretsManagerClient } from '@aws-sdk/client-secrets-manager';
import { mockClient } from 'aws-sdk-client-mock';
import fc from 'fast-check';
import { computeSignature, parseAuthorizationHeader, type HuaweiCredentials } from '../../../functions/lib/huawei-signing';
import { CredentialsProvider } from '../../../functions/stop-processor-task-version/credentials';
import { CredentialsUnavailableError, InvalidParameterError } from '../../../functions/stop-processor-task-version/errors';
import type { TaskVersionIds } from '../../../functions/stop-processor-task-version/path-params';
import { buildStopUrl, ModelArtsClient, type UpstreamExchange } from '../../../functions/stop-processor-task-version/upstream';
import { UpstreamConnectionError, UpstreamDeadlineError } from '../../../functions/stop-processor-task-version/upstream-http';
import { SEEDED_VERSION, startModelArts } from '../../../local/stand-ins/modelarts';
import { captureError } from '../../support/unit/error-text';
import {
  sendJson,
  startTestServer,
  type ReceivedRequest,
  type TestHttpServer,
  type TestRequestHandler,
} from '../../support/unit/http-test-server';

const IDS: TaskVersionIds = {
  projectId: '0123456789abcdef0123456789abcdef',
  taskId: 'kM7j9TSa611ZzBThzSr',
  versionId: 'qSaudx2sbPvthHygckA',
};
const STOP_PATH = `/v2/${IDS.projectId}/processor-tasks/${IDS.taskId}/versions/${IDS.versionId}/stop`;
const FIRST: HuaweiCredentials = { ak: 'AKFIRSTCREDENTIALS01', sk: 'sk-first-5d4c3b2a1f0e9d8c7b6a5f4e3d2c1b0a9f8e7d6c' };
const SECOND: HuaweiCredentials = { ak: 'AKSECONDCREDENTIAL02', sk: 'sk-second-0f1e2d3c4b5a69788796a5b4c3d2e1f0a1b2c3d4' };
const SIGNING_DATES = [new Date('2024-05-06T07:08:09Z'), new Date('2024-05-06T07:08:16Z')];

const secretsManager = mockClient(SecretsManagerClient);
let server: TestHttpServer | undefined;

beforeEach(() => {
  secretsManager.reset();
});

afterEach(async () => {
  await server?.close();
  server = undefined;
});

afterAll(() => {
  secretsManager.restore();
});

async function serve(handle: TestRequestHandler): Promise<TestHttpServer> {
  server = await startTestServer(handle);
  return server;
}

function secretOf(credentials: HuaweiCredentials): { SecretString: string } {
  return { SecretString: JSON.stringify(credentials) };
}

function credentialsProvider(): CredentialsProvider {
  // The mock intercepts every send. The loopback discard port keeps even a broken mock off the network.
  const client = new SecretsManagerClient({
    region: 'us-east-1',
    endpoint: 'http://127.0.0.1:9',
    credentials: { accessKeyId: 'AKIAUNITTEST', secretAccessKey: 'unit-test' },
  });
  return new CredentialsProvider(client, { secretId: 'modelarts-stop-proxy/test', ttlSeconds: 300 });
}

/** A clock that returns the given dates in turn, then repeats the last one. */
function sequenceClock(dates: readonly Date[]): () => Date {
  let index = 0;
  return () => {
    const date = dates[Math.min(index, dates.length - 1)] ?? new Date(0);
    index++;
    return new Date(date.getTime());
  };
}

function modelArtsClient(endpoint: URL, options: { timeoutMs?: number; now?: () => Date } = {}): ModelArtsClient {
  return new ModelArtsClient(credentialsProvider(), { endpoint, timeoutMs: options.timeoutMs ?? 2000, now: options.now });
}

function accessKeyOf(request: ReceivedRequest | undefined): string | undefined {
  return parseAuthorizationHeader(String(request?.headers.authorization ?? ''))?.accessKey;
}

/** Recomputes the SDK-HMAC-SHA256 signature of a received request, as ModelArts would. */
function hasValidSignature(request: ReceivedRequest | undefined, credentials: HuaweiCredentials): boolean {
  const fields = parseAuthorizationHeader(String(request?.headers.authorization ?? ''));
  if (!request || !fields) {
    return false;
  }
  const headers = Object.fromEntries(Object.entries(request.headers).map(([name, value]) => [name, String(value)]));
  const url = new URL(request.url, `http://${headers.host ?? ''}`);
  const expected = computeSignature({ method: request.method, url, headers, body: request.body }, fields.signedHeaders, credentials.sk);
  return expected === fields.signature;
}

function statusOf(exchange: UpstreamExchange): number | undefined {
  return 'response' in exchange.result ? exchange.result.response.status : undefined;
}

function errorOf(exchange: UpstreamExchange): Error | undefined {
  return 'error' in exchange.result ? exchange.result.error : undefined;
}

describe('ModelArtsClient', () => {
  describe('request', () => {
    it('posts to the URL built from ids', async () => {
      // Prepare
      secretsManager.on(GetSecretValueCommand).resolves(secretOf(FIRST));
      const upstream = await serve((_request, res) => sendJson(res, 200, {}));

      // Act
      const exchange = await modelArtsClient(upstream.url).stopTaskVersion(IDS);

      // Assess
      expect(statusOf(exchange)).toBe(200);
      expect(exchange.attempts).toBe(1);
      expect(upstream.requests).toHaveLength(1);
      expect(upstream.requests[0]?.method).toBe('POST');
      expect(upstream.requests[0]?.url).toBe(STOP_PATH);
      expect(upstream.requests[0]?.body).toBe('');
    });

    it('sends only signed headers', async () => {
      // Prepare
      secretsManager.on(GetSecretValueCommand).resolves(secretOf(FIRST));
      const upstream = await serve((_request, res) => sendJson(res, 200, {}));

      // Act
      await modelArtsClient(upstream.url, { now: sequenceClock(SIGNING_DATES) }).stopTaskVersion(IDS);

      // Assess
      const received = upstream.requests[0];
      expect(Object.keys(received?.headers ?? {}).sort()).toEqual([
        'authorization',
        'connection',
        'content-length',
        'content-type',
        'host',
        'x-project-id',
        'x-sdk-date',
      ]);
      expect(received?.headers['x-project-id']).toBe(IDS.projectId);
      expect(received?.headers['content-type']).toBe('application/json');
      expect(received?.headers['x-sdk-date']).toBe('20240506T070809Z');
    });

    it('sends the SDK-HMAC-SHA256 Authorization only', async () => {
      secretsManager.on(GetSecretValueCommand).resolves(secretOf(FIRST));
      const upstream = await serve((_request, res) => sendJson(res, 200, {}));

      await modelArtsClient(upstream.url).stopTaskVersion(IDS);

      const received = upstream.requests[0];
      expect(received?.headers.authorization).toMatch(/^SDK-HMAC-SHA256 Access=AKFIRSTCREDENTIALS01, SignedHeaders=/);
      expect(parseAuthorizationHeader(String(received?.headers.authorization))?.signedHeaders).toEqual([
        'content-type',
        'host',
        'x-project-id',
        'x-sdk-date',
      ]);
      expect(hasValidSignature(received, FIRST)).toBe(true);
    });

    it('sends and signs the security token', async () => {
      const temporary = { ...FIRST, securityToken: 'temporary-security-token' };
      secretsManager.on(GetSecretValueCommand).resolves(secretOf(temporary));
      const upstream = await serve((_request, res) => sendJson(res, 200, {}));

      await modelArtsClient(upstream.url).stopTaskVersion(IDS);

      const received = upstream.requests[0];
      expect(received?.headers['x-security-token']).toBe('temporary-security-token');
      expect(parseAuthorizationHeader(String(received?.headers.authorization))?.signedHeaders).toContain('x-security-token');
      expect(hasValidSignature(received, temporary)).toBe(true);
    });

    it('is accepted by the ModelArts stand-in', async () => {
      // Prepare
      secretsManager.on(GetSecretValueCommand).resolves(secretOf(FIRST));
      const standIn = await startModelArts([FIRST]);

      try {
        // Act
        const exchange = await modelArtsClient(new URL(standIn.url)).stopTaskVersion(SEEDED_VERSION);

        // Assess
        expect(statusOf(exchange)).toBe(200);
        expect(standIn.versionStatus(SEEDED_VERSION.projectId, SEEDED_VERSION.taskId, SEEDED_VERSION.versionId)).toBe('STOPPED');
      } finally {
        await standIn.close();
      }
    });

    it('reports the credentials source', async () => {
      secretsManager.on(GetSecretValueCommand).resolves(secretOf(FIRST));
      const upstream = await serve((_request, res) => sendJson(res, 200, {}));
      const client = modelArtsClient(upstream.url);

      const first = await client.stopTaskVersion(IDS);
      const second = await client.stopTaskVersion(IDS);

      expect(first.credentialsSource).toBe('secrets-manager');
      expect(second.credentialsSource).toBe('cache');
      expect(first.credentialsRefreshed).toBe(false);
      expect(first.latencyMs).toBeGreaterThanOrEqual(0);
      expect(secretsManager.commandCalls(GetSecretValueCommand)).toHaveLength(1);
    });

    it('sends nothing without credentials', async () => {
      secretsManager.on(GetSecretValueCommand).rejects(Object.assign(new Error('connect ECONNREFUSED'), { code: 'ECONNREFUSED' }));
      const upstream = await serve((_request, res) => sendJson(res, 200, {}));

      const error = await captureError(() => modelArtsClient(upstream.url).stopTaskVersion(IDS));

      expect(error).toBeInstanceOf(CredentialsUnavailableError);
      expect(upstream.requests).toHaveLength(0);
    });
  });

  describe('retries', () => {
    it('retries a 5xx once', async () => {
      secretsManager.on(GetSecretValueCommand).resolves(secretOf(FIRST));
      const upstream = await serve((request, res) => sendJson(res, request.index === 0 ? 503 : 200, {}));

      const exchange = await modelArtsClient(upstream.url).stopTaskVersion(IDS);

      expect(statusOf(exchange)).toBe(200);
      expect(exchange.attempts).toBe(2);
      expect(upstream.requests).toHaveLength(2);
    });

    it('stops after two 5xx answers', async () => {
      secretsManager.on(GetSecretValueCommand).resolves(secretOf(FIRST));
      const upstream = await serve((_request, res) => sendJson(res, 500, { error_code: 'ModelArts.0001' }));

      const exchange = await modelArtsClient(upstream.url).stopTaskVersion(IDS);

      expect(statusOf(exchange)).toBe(500);
      expect(exchange.attempts).toBe(2);
      expect(upstream.requests).toHaveLength(2);
    });

    it('retries a connection reset once', async () => {
      secretsManager.on(GetSecretValueCommand).resolves(secretOf(FIRST));
      const upstream = await serve((request, res) => {
        if (request.index === 0) {
          res.socket?.destroy();
          return;
        }
        sendJson(res, 200, {});
      });

      const exchange = await modelArtsClient(upstream.url).stopTaskVersion(IDS);

      expect(statusOf(exchange)).toBe(200);
      expect(exchange.attempts).toBe(2);
      expect(upstream.requests).toHaveLength(2);
    });

    it('stops after two connection resets', async () => {
      secretsManager.on(GetSecretValueCommand).resolves(secretOf(FIRST));
      const upstream = await serve((_request, res) => res.socket?.destroy());

      const exchange = await modelArtsClient(upstream.url).stopTaskVersion(IDS);

      expect(errorOf(exchange)).toBeInstanceOf(UpstreamConnectionError);
      expect(exchange.attempts).toBe(2);
      expect(upstream.requests).toHaveLength(2);
    });

    it.each([400, 403, 404, 409, 429, 302])('does not retry status %i', async (status) => {
      secretsManager.on(GetSecretValueCommand).resolves(secretOf(FIRST));
      const upstream = await serve((_request, res) => sendJson(res, status, { error_code: 'X', error_msg: 'y' }));

      const exchange = await modelArtsClient(upstream.url).stopTaskVersion(IDS);

      expect(statusOf(exchange)).toBe(status);
      expect(exchange.attempts).toBe(1);
      expect(exchange.credentialsRefreshed).toBe(false);
      expect(upstream.requests).toHaveLength(1);
      expect(secretsManager.commandCalls(GetSecretValueCommand)).toHaveLength(1);
    });

    it('uses a fresh X-Sdk-Date per attempt', async () => {
      // Prepare
      secretsManager.on(GetSecretValueCommand).resolves(secretOf(FIRST));
      const upstream = await serve((request, res) => sendJson(res, request.index === 0 ? 502 : 200, {}));
      const client = modelArtsClient(upstream.url, { now: sequenceClock(SIGNING_DATES) });

      // Act
      await client.stopTaskVersion(IDS);

      // Assess
      const dates = upstream.requests.map((request) => request.headers['x-sdk-date']);
      expect(dates).toEqual(['20240506T070809Z', '20240506T070816Z']);
      const signatures = upstream.requests.map((request) => parseAuthorizationHeader(String(request.headers.authorization))?.signature);
      expect(signatures[0]).not.toBe(signatures[1]);
      expect(upstream.requests.every((request) => hasValidSignature(request, FIRST))).toBe(true);
    });
  });

  describe('credential refresh', () => {
    it('refreshes and retries after a 401', async () => {
      // Prepare
      secretsManager.on(GetSecretValueCommand).resolvesOnce(secretOf(FIRST)).resolves(secretOf(SECOND));
      const upstream = await serve((request, res) => {
        if (accessKeyOf(request) === FIRST.ak) {
          sendJson(res, 401, { error_code: 'APIG.0301', error_msg: 'Incorrect IAM authentication information.' });
          return;
        }
        sendJson(res, 200, {});
      });

      // Act
      const exchange = await modelArtsClient(upstream.url).stopTaskVersion(IDS);

      // Assess
      expect(statusOf(exchange)).toBe(200);
      expect(exchange.attempts).toBe(2);
      expect(exchange.credentialsRefreshed).toBe(true);
      expect(upstream.requests.map(accessKeyOf)).toEqual([FIRST.ak, SECOND.ak]);
      expect(hasValidSignature(upstream.requests[1], SECOND)).toBe(true);
      expect(secretsManager.commandCalls(GetSecretValueCommand)).toHaveLength(2);
    });

    it('stops after a second 401', async () => {
      secretsManager.on(GetSecretValueCommand).resolvesOnce(secretOf(FIRST)).resolves(secretOf(SECOND));
      const upstream = await serve((_request, res) => sendJson(res, 401, { error_code: 'APIG.0301', error_msg: 'denied' }));

      const exchange = await modelArtsClient(upstream.url).stopTaskVersion(IDS);

      expect(statusOf(exchange)).toBe(401);
      expect(exchange.attempts).toBe(2);
      expect(exchange.credentialsRefreshed).toBe(true);
      expect(upstream.requests).toHaveLength(2);
      expect(secretsManager.commandCalls(GetSecretValueCommand)).toHaveLength(2);
    });

    it('skips re-read while the secret is unchanged', async () => {
      // Prepare: the stored AK/SK is wrong, so every request gets a 401.
      secretsManager.on(GetSecretValueCommand).resolves(secretOf(FIRST));
      const upstream = await serve((_request, res) => sendJson(res, 401, { error_code: 'APIG.0301', error_msg: 'denied' }));
      const client = modelArtsClient(upstream.url);

      // Act
      const first = await client.stopTaskVersion(IDS);
      const second = await client.stopTaskVersion(IDS);

      // Assess: the first request re-reads and retries; the second retries without a read.
      expect(first.attempts).toBe(2);
      expect(first.credentialsRefreshed).toBe(true);
      expect(second.attempts).toBe(2);
      expect(statusOf(second)).toBe(401);
      expect(second.credentialsRefreshed).toBe(false);
      expect(upstream.requests).toHaveLength(4);
      expect(secretsManager.commandCalls(GetSecretValueCommand)).toHaveLength(2);
    });

    it('recovers from transient 401 during pause', async () => {
      // Prepare: a wrong-looking 401 starts the re-read pause, then ModelArts fails once more and recovers.
      secretsManager.on(GetSecretValueCommand).resolves(secretOf(FIRST));
      const upstream = await serve((request, res) => {
        if (request.index < 3) {
          sendJson(res, 401, { error_code: 'APIG.0301', error_msg: 'denied' });
          return;
        }
        sendJson(res, 200, {});
      });
      const client = modelArtsClient(upstream.url);
      await client.stopTaskVersion(IDS);

      // Act
      const exchange = await client.stopTaskVersion(IDS);

      // Assess
      expect(statusOf(exchange)).toBe(200);
      expect(exchange.attempts).toBe(2);
      expect(exchange.credentialsRefreshed).toBe(false);
      expect(secretsManager.commandCalls(GetSecretValueCommand)).toHaveLength(2);
    });

    it('recovers from rotation at the stand-in', async () => {
      // Prepare: the stand-in already accepts only SECOND while the cache still has FIRST.
      secretsManager.on(GetSecretValueCommand).resolvesOnce(secretOf(FIRST)).resolves(secretOf(SECOND));
      const standIn = await startModelArts([SECOND]);

      try {
        // Act
        const exchange = await modelArtsClient(new URL(standIn.url)).stopTaskVersion(SEEDED_VERSION);

        // Assess
        expect(statusOf(exchange)).toBe(200);
        expect(exchange.credentialsRefreshed).toBe(true);
        expect(standIn.stopRequests).toHaveLength(2);
      } finally {
        await standIn.close();
      }
    });
  });

  describe('deadline', () => {
    it('returns a deadline error for a stalled body', async () => {
      // Prepare
      secretsManager.on(GetSecretValueCommand).resolves(secretOf(FIRST));
      const upstream = await serve((_request, res) => {
        res.writeHead(200, { 'content-type': 'application/json', 'content-length': '100' });
        res.write('{');
      });

      // Act
      const exchange = await modelArtsClient(upstream.url, { timeoutMs: 200 }).stopTaskVersion(IDS);

      // Assess
      expect(errorOf(exchange)).toBeInstanceOf(UpstreamDeadlineError);
      expect(exchange.attempts).toBe(1);
      expect(exchange.latencyMs).toBeGreaterThanOrEqual(190);
      expect(upstream.requests).toHaveLength(1);
    });

    it('covers the retry within one budget', async () => {
      // Prepare: the first response is a 5xx, and the retry gets no response.
      secretsManager.on(GetSecretValueCommand).resolves(secretOf(FIRST));
      const upstream = await serve((request, res) => {
        if (request.index === 0) {
          setTimeout(() => sendJson(res, 500, {}), 100);
        }
      });

      // Act
      const exchange = await modelArtsClient(upstream.url, { timeoutMs: 300 }).stopTaskVersion(IDS);

      // Assess
      expect(errorOf(exchange)).toBeInstanceOf(UpstreamDeadlineError);
      expect(exchange.attempts).toBe(2);
      expect(upstream.requests).toHaveLength(2);
      expect(exchange.latencyMs).toBeLessThan(1000);
    });

    it('does not retry once the budget is spent', async () => {
      // Prepare: the clock jumps past the budget while ModelArts prepares its 5xx, so the response
      // arrives complete but with no time left for a retry.
      secretsManager.on(GetSecretValueCommand).resolves(secretOf(FIRST));
      const realNow = Date.now.bind(Date);
      let clockOffsetMs = 0;
      const clock = jest.spyOn(Date, 'now').mockImplementation(() => realNow() + clockOffsetMs);
      const upstream = await serve((_request, res) => {
        clockOffsetMs = 5000;
        sendJson(res, 500, {});
      });

      try {
        // Act
        const exchange = await modelArtsClient(upstream.url, { timeoutMs: 2000 }).stopTaskVersion(IDS);

        // Assess
        expect(statusOf(exchange)).toBe(500);
        expect(exchange.attempts).toBe(1);
        expect(upstream.requests).toHaveLength(1);
      } finally {
        clock.mockRestore();
      }
    });
  });
});

describe('buildStopUrl', () => {
  const endpoint = new URL('https://modelarts.cn-north-4.myhuaweicloud.com');
  const resourceId = fc.string({
    unit: fc.constantFrom(...'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789_-'),
    minLength: 1,
    maxLength: 64,
  });
  const projectId = fc.string({ unit: fc.constantFrom(...'0123456789abcdef'), minLength: 32, maxLength: 32 });

  it('builds the stop path', () => {
    const url = buildStopUrl(endpoint, IDS);

    expect(url.href).toBe(`https://modelarts.cn-north-4.myhuaweicloud.com${STOP_PATH}`);
  });

  it('keeps the endpoint port', () => {
    const url = buildStopUrl(new URL('http://127.0.0.1:4567/'), IDS);

    expect(url.host).toBe('127.0.0.1:4567');
    expect(url.pathname).toBe(STOP_PATH);
  });

  it('places valid ids verbatim', () => {
    fc.assert(
      fc.property(projectId, resourceId, resourceId, (project, task, version) => {
        const url = buildStopUrl(endpoint, { projectId: project, taskId: task, versionId: version });

        expect(url.pathname).toBe(`/v2/${project}/processor-tasks/${task}/versions/${version}/stop`);
        expect(url.host).toBe(endpoint.host);
        expect(url.search).toBe('');
      }),
    );
  });

  it('keeps arbitrary ids inside their segments', () => {
    const anyId = fc.oneof(fc.string({ unit: 'grapheme', maxLength: 20 }), fc.constantFrom('.', '..', '%2e', '%2E%2E', '.%2e'));

    fc.assert(
      fc.property(anyId, anyId, (task, version) => {
        let url: URL;
        try {
          url = buildStopUrl(endpoint, { projectId: IDS.projectId, taskId: task, versionId: version });
        } catch (error) {
          // Rejecting an id is safe, but building a URL that points elsewhere is not.
          expect(error).toBeInstanceOf(InvalidParameterError);
          return;
        }

        const segments = url.pathname.split('/').map((segment) => decodeURIComponent(segment));
        expect(segments).toEqual(['', 'v2', IDS.projectId, 'processor-tasks', task, 'versions', version, 'stop']);
        expect(url.host).toBe(endpoint.host);
      }),
      { numRuns: 500 },
    );
  });

  it.each(['.', '..'])('rejects dot segment id %j', (dotSegment) => {
    expect(() => buildStopUrl(endpoint, { ...IDS, taskId: dotSegment })).toThrow(InvalidParameterError);
    expect(() => buildStopUrl(endpoint, { ...IDS, versionId: dotSegment })).toThrow(InvalidParameterError);
  });

  it('encodes separators in ids', () => {
    const url = buildStopUrl(endpoint, { projectId: IDS.projectId, taskId: 'a/b?c#d', versionId: '%2F' });

    expect(url.pathname).toBe(`/v2/${IDS.projectId}/processor-tasks/a%2Fb%3Fc%23d/versions/%252F/stop`);
    expect(url.search).toBe('');
    expect(url.hash).toBe('');
  });
});
