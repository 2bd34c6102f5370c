import { parseAuthorizationHeader, parseSdkDate } from '../../functions/lib/huawei-signing';
import { CLOCK_SKEW_SECONDS } from '../../functions/stop-processor-task-version/caller-auth';
import { LOCAL_SECRET_ID } from '../../local/stand-ins';
import { SEEDED_PATH_PARAMETERS, stopPath } from '../support/events';
import type { FaultRow, MatrixStep, RowContext } from './matrix-types';

const STOPPED: MatrixStep = { status: 200, outcome: 'stopped' };
const CREDENTIALS_UNAVAILABLE: MatrixStep = { status: 503, errorCode: 'PROXY.0503', outcome: 'credentials_unavailable' };
const CREDENTIALS_MISCONFIGURED: MatrixStep = { status: 500, errorCode: 'PROXY.0500', outcome: 'credentials_misconfigured' };
const UPSTREAM_FAILED: MatrixStep = { status: 502, errorCode: 'PROXY.0502', outcome: 'upstream_failed' };
const UPSTREAM_CREDENTIALS_REJECTED: MatrixStep = {
  status: 502,
  errorCode: 'PROXY.0502',
  outcome: 'upstream_credentials_rejected',
};
const UPSTREAM_TIMEOUT: MatrixStep = { status: 504, errorCode: 'PROXY.0504', outcome: 'upstream_timeout' };
const TOKEN_KEYS_UNAVAILABLE: MatrixStep = { status: 503, errorCode: 'PROXY.0503', outcome: 'token_keys_unavailable' };
const UNAUTHENTICATED: MatrixStep = { status: 401, errorCode: 'PROXY.0401', outcome: 'unauthenticated' };

// The upstream budget of timeout rows: long enough for a loopback response, short enough to keep the suite fast.
const SHORT_UPSTREAM_TIMEOUT_MS = 300;
const shortUpstreamBudget = (): Record<string, string> => ({ UPSTREAM_TIMEOUT_MS: String(SHORT_UPSTREAM_TIMEOUT_MS) });
// Secrets Manager reads give up after 3 s (CredentialsProvider's default fetchTimeoutMs).
const SECRET_READ_TIMEOUT_MS = 3000;
// One SDK attempt per read makes GetSecretValue counts exact, because the SDK backs off from throttling with jitter.
const oneSdkAttempt = (): Record<string, string> => ({ AWS_MAX_ATTEMPTS: '1' });
// BackoffJwksCache's default pause after two failed JWKS downloads, plus a margin.
const PAST_JWKS_PAUSE_MS = 6000;
const HTML_BODY = '<html><head><title>502 Bad Gateway</title></head><body><h1>Bad Gateway</h1></body></html>';
const HUGE_BODY_BYTES = 1024 * 1024;
const OVERSIZED_HEADERS_FAULT = { kind: 'status', status: 200, body: '{}', headers: { 'x-padding': 'x'.repeat(32 * 1024) } } as const;

function rotateSecret(ctx: RowContext): void {
  ctx.harness.standIns.secretsManager.setSecret(LOCAL_SECRET_ID, JSON.stringify(ctx.rotatedCredentials));
}

function accessKeysSent(ctx: RowContext): string[] {
  return ctx.harness.modelArtsRequests().map((request) => parseAuthorizationHeader(String(request.headers.authorization))?.accessKey ?? '');
}

const SECRETS_MANAGER_ROWS: FaultRow[] = [
  {
    group: 'Secrets Manager',
    fault: 'unreachable',
    env: (ctx) => ({ AWS_ENDPOINT_URL_SECRETS_MANAGER: ctx.closedUrl }),
    steps: [CREDENTIALS_UNAVAILABLE],
    modelArtsRequests: 0,
    getSecretValueCalls: 0,
    secretReads: 2,
    jwksRequests: 1,
    seeAlso: 'test/integration/credentials.test.ts › returns 503 when unreachable',
  },
  {
    group: 'Secrets Manager',
    fault: 'throttled',
    env: oneSdkAttempt,
    coldStart: (ctx) => ctx.harness.standIns.secretsManager.setFault({ kind: 'throttle' }),
    steps: [CREDENTIALS_UNAVAILABLE],
    modelArtsRequests: 0,
    getSecretValueCalls: 2,
    secretReads: 2,
    jwksRequests: 1,
  },
  {
    group: 'Secrets Manager',
    fault: 'failing with 500',
    coldStart: (ctx) => ctx.harness.standIns.secretsManager.setFault({ kind: 'internal-error' }),
    steps: [CREDENTIALS_UNAVAILABLE],
    modelArtsRequests: 0,
    // The SDK's default of 3 attempts per read, for the init prefetch and for the request.
    getSecretValueCalls: 6,
    secretReads: 2,
    jwksRequests: 1,
  },
  {
    group: 'Secrets Manager',
    fault: 'slower than the read budget',
    coldStart: (ctx) => ctx.harness.standIns.secretsManager.setFault({ kind: 'delay', delayMs: SECRET_READ_TIMEOUT_MS + 1000 }),
    steps: [CREDENTIALS_UNAVAILABLE],
    modelArtsRequests: 0,
    // The read is aborted at its budget, and the SDK does not retry an aborted request.
    getSecretValueCalls: 2,
    secretReads: 2,
    jwksRequests: 1,
    budgetMs: SECRET_READ_TIMEOUT_MS + 1500,
  },
  {
    group: 'Secrets Manager',
    fault: 'secret missing',
    coldStart: (ctx) => ctx.harness.standIns.secretsManager.setSecret(LOCAL_SECRET_ID, undefined),
    steps: [CREDENTIALS_MISCONFIGURED],
    modelArtsRequests: 0,
    getSecretValueCalls: 2,
    secretReads: 2,
    jwksRequests: 1,
  },
  {
    group: 'Secrets Manager',
    fault: 'secret not JSON',
    coldStart: (ctx) => ctx.harness.standIns.secretsManager.setSecret(LOCAL_SECRET_ID, '{"ak": "AKNOTJSON", sk: broken'),
    steps: [CREDENTIALS_MISCONFIGURED],
    modelArtsRequests: 0,
    getSecretValueCalls: 2,
    secretReads: 2,
    jwksRequests: 1,
    seeAlso: 'test/integration/credentials.test.ts › returns 500 when secret is $description',
  },
  {
    group: 'Secrets Manager',
    fault: 'secret lacking sk',
    coldStart: (ctx) => ctx.harness.standIns.secretsManager.setSecret(LOCAL_SECRET_ID, JSON.stringify({ ak: ctx.rotatedCredentials.ak })),
    steps: [CREDENTIALS_MISCONFIGURED],
    modelArtsRequests: 0,
    getSecretValueCalls: 2,
    secretReads: 2,
    jwksRequests: 1,
  },
  {
    group: 'Secrets Manager',
    fault: 'access denied',
    coldStart: (ctx) => ctx.harness.standIns.secretsManager.setFault({ kind: 'access-denied' }),
    steps: [CREDENTIALS_MISCONFIGURED],
    modelArtsRequests: 0,
    getSecretValueCalls: 2,
    secretReads: 2,
    jwksRequests: 1,
  },
  {
    group: 'Secrets Manager',
    fault: 'rotated while cached, old key revoked',
    steps: [
      {
        ...STOPPED,
        before: (ctx) => {
          rotateSecret(ctx);
          ctx.harness.standIns.modelArts.setCredentials([ctx.rotatedCredentials]);
        },
      },
    ],
    // ModelArts rejects the cached key with 401, the secret is read again, and the retry uses the new key.
    modelArtsRequests: 2,
    getSecretValueCalls: 2,
    secretReads: 2,
    jwksRequests: 1,
    check: (ctx) => {
      expect(accessKeysSent(ctx)).toEqual([ctx.harness.standIns.credentials.ak, ctx.rotatedCredentials.ak]);
    },
    seeAlso: 'test/integration/upstream-mapping.test.ts › retries 401 with rotated secret',
  },
  {
    group: 'Secrets Manager',
    fault: 'rotated while cached, old key valid',
    steps: [
      {
        ...STOPPED,
        before: (ctx) => {
          rotateSecret(ctx);
          ctx.harness.standIns.modelArts.setCredentials([ctx.harness.standIns.credentials, ctx.rotatedCredentials]);
        },
      },
    ],
    // Both keys are valid during a rotation, so the cached one is used until its TTL ends.
    modelArtsRequests: 1,
    getSecretValueCalls: 1,
    secretReads: 1,
    jwksRequests: 1,
    check: (ctx) => {
      expect(accessKeysSent(ctx)).toEqual([ctx.harness.standIns.credentials.ak]);
    },
  },
  {
    group: 'Secrets Manager',
    fault: 'recovering after a failure',
    env: oneSdkAttempt,
    coldStart: (ctx) => ctx.harness.standIns.secretsManager.setFault({ kind: 'throttle' }),
    steps: [CREDENTIALS_UNAVAILABLE, { ...STOPPED, before: (ctx) => ctx.harness.standIns.secretsManager.setFault(undefined) }],
    modelArtsRequests: 1,
    // A failed read is never cached: the init prefetch, the failed request and the recovered request each read.
    getSecretValueCalls: 3,
    secretReads: 3,
    jwksRequests: 1,
  },
  {
    group: 'Secrets Manager',
    fault: 'down while credentials cached',
    steps: [{ ...STOPPED, repeat: 3, before: (ctx) => ctx.harness.standIns.secretsManager.setFault({ kind: 'internal-error' }) }],
    modelArtsRequests: 3,
    getSecretValueCalls: 1,
    secretReads: 1,
    jwksRequests: 1,
    seeAlso: 'test/integration/credentials.test.ts › serves stale credentials past TTL',
  },
  {
    group: 'Secrets Manager',
    fault: 'throttled when a 401 forces a re-read',
    env: oneSdkAttempt,
    steps: [
      {
        ...CREDENTIALS_UNAVAILABLE,
        before: (ctx) => {
          ctx.harness.standIns.modelArts.queueFaults({ kind: 'status', status: 401, body: '{"error_code":"APIG.0301"}' });
          ctx.harness.standIns.secretsManager.setFault({ kind: 'throttle' });
        },
      },
    ],
    modelArtsRequests: 1,
    getSecretValueCalls: 2,
    secretReads: 2,
    jwksRequests: 1,
  },
];

function upstreamFaultStep(step: MatrixStep, ...faults: Parameters<RowContext['harness']['standIns']['modelArts']['queueFaults']>): MatrixStep {
  return { ...step, before: (ctx) => ctx.harness.standIns.modelArts.queueFaults(...faults) };
}

const MODELARTS_ROWS: FaultRow[] = [
  {
    group: 'ModelArts',
    fault: '400 with an error body',
    steps: [
      upstreamFaultStep(
        { status: 400, errorCode: 'ModelArts.0104', outcome: 'upstream_rejected' },
        { kind: 'status', status: 400, body: JSON.stringify({ error_code: 'ModelArts.0104', error_msg: 'The version is not running.' }) },
      ),
    ],
    modelArtsRequests: 1,
    getSecretValueCalls: 1,
    secretReads: 1,
    jwksRequests: 1,
    seeAlso: 'test/integration/upstream-mapping.test.ts › passes 400 with upstream error',
  },
  {
    group: 'ModelArts',
    fault: '404 for an unknown version',
    steps: [
      {
        status: 404,
        errorCode: 'ModelArts.4352',
        outcome: 'upstream_rejected',
        event: (ctx) => ({ token: ctx.harness.token(), pathParameters: { ...SEEDED_PATH_PARAMETERS, version_id: 'unknownVersion' } }),
      },
    ],
    modelArtsRequests: 1,
    getSecretValueCalls: 1,
    secretReads: 1,
    jwksRequests: 1,
    seeAlso: 'test/integration/upstream-mapping.test.ts › passes 404 for unknown version',
  },
  {
    group: 'ModelArts',
    fault: '409 with an error body',
    steps: [
      upstreamFaultStep(
        { status: 409, errorCode: 'ModelArts.4360', outcome: 'upstream_rejected' },
        { kind: 'status', status: 409, body: JSON.stringify({ error_code: 'ModelArts.4360', error_msg: 'The version is stopping.' }) },
      ),
    ],
    modelArtsRequests: 1,
    getSecretValueCalls: 1,
    secretReads: 1,
    jwksRequests: 1,
  },
  {
    group: 'ModelArts',
    fault: '429 with Retry-After',
    steps: [
      upstreamFaultStep(
        { status: 429, errorCode: 'APIG.0308', outcome: 'upstream_rate_limited', headers: { 'retry-after': '7' } },
        {
          kind: 'status',
          status: 429,
          body: JSON.stringify({ error_code: 'APIG.0308', error_msg: 'The request is throttled.' }),
          headers: { 'retry-after': '7' },
        },
      ),
    ],
    // A 429 is the caller's to retry after Retry-After; the proxy does not retry it.
    modelArtsRequests: 1,
    getSecretValueCalls: 1,
    secretReads: 1,
    jwksRequests: 1,
    seeAlso: 'test/integration/upstream-mapping.test.ts › passes 429 with Retry-After seconds',
  },
  {
    group: 'ModelArts',
    fault: '500 twice',
    steps: [upstreamFaultStep(UPSTREAM_FAILED, { kind: 'status', status: 500, body: '{"error_code":"ModelArts.0001"}' }, { kind: 'status', status: 500 })],
    modelArtsRequests: 2,
    getSecretValueCalls: 1,
    secretReads: 1,
    jwksRequests: 1,
    seeAlso: 'test/integration/upstream-mapping.test.ts › returns 502 after two 5xx',
  },
  {
    group: 'ModelArts',
    fault: '500 once',
    steps: [upstreamFaultStep(STOPPED, { kind: 'status', status: 500, body: '' })],
    modelArtsRequests: 2,
    getSecretValueCalls: 1,
    secretReads: 1,
    jwksRequests: 1,
  },
  {
    group: 'ModelArts',
    fault: '502 with an HTML body twice',
    steps: [
      upstreamFaultStep(
        UPSTREAM_FAILED,
        { kind: 'status', status: 502, body: HTML_BODY, headers: { 'content-type': 'text/html' } },
        { kind: 'status', status: 502, body: HTML_BODY, headers: { 'content-type': 'text/html' } },
      ),
    ],
    modelArtsRequests: 2,
    getSecretValueCalls: 1,
    secretReads: 1,
    jwksRequests: 1,
  },
  {
    group: 'ModelArts',
    fault: '503 with an HTML body twice',
    steps: [
      upstreamFaultStep(
        UPSTREAM_FAILED,
        { kind: 'status', status: 503, body: HTML_BODY, headers: { 'content-type': 'text/html' } },
        { kind: 'status', status: 503, body: HTML_BODY, headers: { 'content-type': 'text/html' } },
      ),
    ],
    modelArtsRequests: 2,
    getSecretValueCalls: 1,
    secretReads: 1,
    jwksRequests: 1,
  },
  {
    group: 'ModelArts',
    fault: '503 with an empty body twice',
    steps: [upstreamFaultStep(UPSTREAM_FAILED, { kind: 'status', status: 503, body: '' }, { kind: 'status', status: 503, body: '' })],
    modelArtsRequests: 2,
    getSecretValueCalls: 1,
    secretReads: 1,
    jwksRequests: 1,
  },
  {
    group: 'ModelArts',
    fault: '404 with an empty body',
    steps: [upstreamFaultStep({ status: 404, errorCode: 'PROXY.UPSTREAM_404', outcome: 'upstream_rejected' }, { kind: 'status', status: 404, body: '' })],
    modelArtsRequests: 1,
    getSecretValueCalls: 1,
    secretReads: 1,
    jwksRequests: 1,
  },
  {
    group: 'ModelArts',
    fault: '200 with a huge body',
    steps: [upstreamFaultStep(UPSTREAM_FAILED, { kind: 'status', status: 200, body: `{"padding":"${'x'.repeat(HUGE_BODY_BYTES)}"}` })],
    // The read stops at the size limit, and a response that large is not retried.
    modelArtsRequests: 1,
    getSecretValueCalls: 1,
    secretReads: 1,
    jwksRequests: 1,
  },
  {
    group: 'ModelArts',
    fault: '500 with a huge body',
    steps: [upstreamFaultStep(UPSTREAM_FAILED, { kind: 'status', status: 500, body: 'x'.repeat(HUGE_BODY_BYTES) })],
    modelArtsRequests: 1,
    getSecretValueCalls: 1,
    secretReads: 1,
    jwksRequests: 1,
  },
  {
    group: 'ModelArts',
    fault: 'oversized response headers',
    steps: [upstreamFaultStep(UPSTREAM_FAILED, OVERSIZED_HEADERS_FAULT, OVERSIZED_HEADERS_FAULT)],
    // Node's HTTP parser rejects headers over 16 KiB as a connection error, which is retried once.
    modelArtsRequests: 2,
    getSecretValueCalls: 1,
    secretReads: 1,
    jwksRequests: 1,
  },
  {
    group: 'ModelArts',
    fault: 'headers sent, body stalled',
    env: shortUpstreamBudget,
    steps: [upstreamFaultStep(UPSTREAM_TIMEOUT, { kind: 'stall-body' })],
    modelArtsRequests: 1,
    getSecretValueCalls: 1,
    secretReads: 1,
    jwksRequests: 1,
    budgetMs: SHORT_UPSTREAM_TIMEOUT_MS + 500,
    seeAlso: 'test/integration/upstream-mapping.test.ts › returns 504 on $description',
  },
  {
    group: 'ModelArts',
    fault: 'no answer',
    env: shortUpstreamBudget,
    steps: [upstreamFaultStep(UPSTREAM_TIMEOUT, { kind: 'no-answer' })],
    modelArtsRequests: 1,
    getSecretValueCalls: 1,
    secretReads: 1,
    jwksRequests: 1,
    budgetMs: SHORT_UPSTREAM_TIMEOUT_MS + 500,
  },
  {
    group: 'ModelArts',
    fault: '503, then no answer on retry',
    env: shortUpstreamBudget,
    steps: [upstreamFaultStep(UPSTREAM_TIMEOUT, { kind: 'status', status: 503, body: '' }, { kind: 'no-answer' })],
    modelArtsRequests: 2,
    getSecretValueCalls: 1,
    secretReads: 1,
    jwksRequests: 1,
    budgetMs: SHORT_UPSTREAM_TIMEOUT_MS + 500,
    seeAlso: 'test/integration/upstream-mapping.test.ts › returns 504 when retry stalls',
  },
  {
    group: 'ModelArts',
    fault: 'connection reset twice',
    steps: [upstreamFaultStep(UPSTREAM_FAILED, { kind: 'reset' }, { kind: 'reset' })],
    modelArtsRequests: 2,
    getSecretValueCalls: 1,
    secretReads: 1,
    jwksRequests: 1,
    seeAlso: 'test/integration/upstream-mapping.test.ts › returns 502 after two resets',
  },
  {
    group: 'ModelArts',
    fault: 'connection reset once',
    steps: [upstreamFaultStep(STOPPED, { kind: 'reset' })],
    modelArtsRequests: 2,
    getSecretValueCalls: 1,
    secretReads: 1,
    jwksRequests: 1,
  },
  {
    group: 'ModelArts',
    fault: 'redirect to another host',
    steps: [
      {
        ...UPSTREAM_FAILED,
        before: (ctx) =>
          ctx.harness.standIns.modelArts.queueFaults({
            kind: 'status',
            status: 307,
            body: '',
            headers: { location: `${ctx.redirectTargetUrl.replace('127.0.0.1', 'localhost')}${stopPath(SEEDED_PATH_PARAMETERS)}` },
          }),
      },
    ],
    modelArtsRequests: 1,
    getSecretValueCalls: 1,
    secretReads: 1,
    jwksRequests: 1,
    seeAlso: 'test/integration/upstream-mapping.test.ts › returns 502 for %i redirect',
  },
  {
    group: 'ModelArts',
    fault: '401 after a key rotation',
    steps: [{ ...UPSTREAM_CREDENTIALS_REJECTED, before: (ctx) => ctx.harness.standIns.modelArts.setCredentials([ctx.rotatedCredentials]) }],
    // The secret still contains the old key: one re-read, one retry, then 502.
    modelArtsRequests: 2,
    getSecretValueCalls: 2,
    secretReads: 2,
    jwksRequests: 1,
    seeAlso: 'test/integration/upstream-mapping.test.ts › returns 502 after persistent 401',
  },
  {
    group: 'ModelArts',
    fault: '403 for the proxy credentials',
    steps: [
      upstreamFaultStep(UPSTREAM_CREDENTIALS_REJECTED, {
        kind: 'status',
        status: 403,
        body: JSON.stringify({ error_code: 'ModelArts.0203', error_msg: 'Permission denied for the IAM user.' }),
      }),
    ],
    modelArtsRequests: 1,
    getSecretValueCalls: 1,
    secretReads: 1,
    jwksRequests: 1,
    seeAlso: 'test/integration/upstream-mapping.test.ts › maps upstream 403 to 502',
  },
];

const ISSUER_KEY_ROWS: FaultRow[] = [
  {
    group: 'issuer keys',
    fault: 'JWKS down at cold start',
    coldStart: (ctx) => ctx.harness.standIns.issuer.setDown(true),
    steps: [
      { ...TOKEN_KEYS_UNAVAILABLE, repeat: 5 },
      { ...STOPPED, before: (ctx) => ctx.harness.standIns.issuer.setDown(false), advanceClockMs: PAST_JWKS_PAUSE_MS },
      { ...STOPPED, repeat: 3 },
    ],
    modelArtsRequests: 4,
    getSecretValueCalls: 1,
    secretReads: 1,
    // The init preload and the first request fail; the pause then spares the issuer until it has ended.
    jwksRequests: 3,
  },
  {
    group: 'issuer keys',
    fault: 'JWKS unreachable at cold start',
    env: (ctx) => ({ JWT_JWKS_URI: `${ctx.closedUrl}/.well-known/jwks.json` }),
    steps: [{ ...TOKEN_KEYS_UNAVAILABLE, repeat: 3 }],
    modelArtsRequests: 0,
    getSecretValueCalls: 1,
    secretReads: 1,
    jwksRequests: 0,
  },
  {
    group: 'issuer keys',
    fault: 'signing key rotated to a new kid',
    steps: [
      STOPPED,
      {
        ...STOPPED,
        repeat: 3,
        before: (ctx) => ctx.harness.standIns.issuer.setKeys([ctx.harness.signingKey, ctx.rotatedKey]),
        event: (ctx) => ({ token: ctx.rotatedKey.sign({ ...decodedClaims(ctx.harness.token()) }) }),
      },
    ],
    modelArtsRequests: 4,
    getSecretValueCalls: 1,
    secretReads: 1,
    // The init preload, then one download for the first token with the new kid.
    jwksRequests: 2,
  },
  {
    group: 'issuer keys',
    fault: 'many tokens with unknown kids',
    steps: [
      { ...UNAUTHENTICATED, repeat: 20, concurrent: true, event: (ctx, index) => ({ token: ctx.harness.token({}, { kid: `unknown-concurrent-${index}` }) }) },
      { ...UNAUTHENTICATED, repeat: 20, event: (ctx, index) => ({ token: ctx.harness.token({}, { kid: `unknown-sequential-${index}` }) }) },
      STOPPED,
    ],
    modelArtsRequests: 1,
    getSecretValueCalls: 1,
    secretReads: 1,
    // aws-jwt-verify downloads once for the first unknown kid, then rejects unknown kids for 10 s without a download.
    jwksRequests: 2,
  },
];

const TIME_ROWS: FaultRow[] = [
  {
    group: 'time',
    fault: `exp ${CLOCK_SKEW_SECONDS} s in the past`,
    pinClock: true,
    steps: [{ ...STOPPED, event: (ctx) => ({ token: ctx.harness.token({ exp: ctx.nowSeconds - CLOCK_SKEW_SECONDS, nbf: ctx.nowSeconds - 600 }) }) }],
    modelArtsRequests: 1,
    getSecretValueCalls: 1,
    secretReads: 1,
    jwksRequests: 1,
  },
  {
    group: 'time',
    fault: `exp ${CLOCK_SKEW_SECONDS + 1} s in the past`,
    pinClock: true,
    steps: [
      { ...UNAUTHENTICATED, event: (ctx) => ({ token: ctx.harness.token({ exp: ctx.nowSeconds - CLOCK_SKEW_SECONDS - 1, nbf: ctx.nowSeconds - 600 }) }) },
    ],
    modelArtsRequests: 0,
    getSecretValueCalls: 1,
    secretReads: 1,
    jwksRequests: 1,
  },
  {
    group: 'time',
    fault: `nbf ${CLOCK_SKEW_SECONDS} s in the future`,
    pinClock: true,
    steps: [{ ...STOPPED, event: (ctx) => ({ token: ctx.harness.token({ nbf: ctx.nowSeconds + CLOCK_SKEW_SECONDS }) }) }],
    modelArtsRequests: 1,
    getSecretValueCalls: 1,
    secretReads: 1,
    jwksRequests: 1,
  },
  {
    group: 'time',
    fault: `nbf ${CLOCK_SKEW_SECONDS + 1} s in the future`,
    pinClock: true,
    steps: [{ ...UNAUTHENTICATED, event: (ctx) => ({ token: ctx.harness.token({ nbf: ctx.nowSeconds + CLOCK_SKEW_SECONDS + 1 }) }) }],
    modelArtsRequests: 0,
    getSecretValueCalls: 1,
    secretReads: 1,
    jwksRequests: 1,
  },
  {
    group: 'time',
    fault: 'slow 503 before the retry',
    steps: [upstreamFaultStep(STOPPED, { kind: 'status', status: 503, body: '', delayMs: 1100 })],
    modelArtsRequests: 2,
    getSecretValueCalls: 1,
    secretReads: 1,
    jwksRequests: 1,
    budgetMs: 3000,
    // Each attempt is signed anew: the retry's X-Sdk-Date is later than the first attempt's by the delay.
    check: (ctx) => {
      const dates = ctx.harness.modelArtsRequests().map((request) => parseSdkDate(String(request.headers['x-sdk-date']))?.getTime() ?? Number.NaN);
      expect(dates).toHaveLength(2);
      expect((dates[1] ?? 0) - (dates[0] ?? 0)).toBeGreaterThanOrEqual(1000);
      const signatures = ctx.harness.modelArtsRequests().map((request) => parseAuthorizationHeader(String(request.headers.authorization))?.signature);
      expect(signatures[0]).not.toBe(signatures[1]);
    },
    seeAlso: 'test/unit/stop-processor-task-version/upstream.test.ts › uses a fresh X-Sdk-Date per attempt',
  },
];

/** Payload claims of a token, decoded without verification, to sign the same claims with another key. */
function decodedClaims(token: string): Record<string, unknown> {
  return JSON.parse(Buffer.from(token.split('.')[1] ?? '', 'base64url').toString('utf8')) as Record<string, unknown>;
}

/**
 * Every injected fault of the matrix: Secrets Manager, ModelArts, the issuer's keys and time. A row with
 * `seeAlso` names an older test that asserts more detail, such as passed-through headers and bodies. The
 * row itself asserts the contract that every fault shares.
 */
export const FAULT_ROWS: readonly FaultRow[] = [...SECRETS_MANAGER_ROWS, ...MODELARTS_ROWS, ...ISSUER_KEY_ROWS, ...TIME_ROWS];
