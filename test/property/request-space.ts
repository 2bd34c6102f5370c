import fc from 'fast-check';
import { parseAuthorizationHeader } from '../../functions/lib/huawei-signing';
import { SEEDED_VERSION } from '../../local/stand-ins';
import type { StandInRequest } from '../../local/stand-ins/json-server';
import { buildStopEvent, SEEDED_PATH_PARAMETERS } from '../support/events';
import type { HandlerResponse, LoadedHandler } from '../support/handler-loader';
import { expectBaseHeaders, type IntegrationHarness } from '../support/integration-harness';
import {
  authorizationCase,
  body,
  buildTokenPool,
  expectedOutcome,
  extraHeaders,
  pathParameters,
  rawPath,
  type CallerRequest,
  type PoolToken,
} from './arbitraries';

/** fast-check runs of each property. */
export interface RequestSpaceRuns {
  readonly authorization: number;
  readonly pathParameters: number;
  readonly headersAndBodies: number;
}

/** Options for {@link describeRequestSpaceProperties}. */
export interface RequestSpaceOptions {
  readonly runs: RequestSpaceRuns;
  /** Values that must appear in no log line and no response, besides the credentials and tokens in use. */
  readonly plantedSecrets?: () => readonly string[];
}

/** Only the seeded project is allowed in the harness environment. */
export const ALLOWED_UPSTREAM_PATH = new RegExp(
  `^/v2/${SEEDED_VERSION.projectId}/processor-tasks/[A-Za-z0-9_-]{1,64}/versions/[A-Za-z0-9_-]{1,64}/stop$`,
);
// The only headers the proxy sends to ModelArts, so a caller's header must never be among them.
const UPSTREAM_HEADER_NAMES = new Set(['host', 'content-type', 'content-length', 'connection', 'x-project-id', 'x-sdk-date', 'x-security-token', 'authorization']);
const REQUEST_LINE_MESSAGES = ['stop request completed', 'stop request failed'];
// An authorization scheme followed by a credential. The scheme names alone also occur in error messages
// such as "Bearer <JWT>".
const CREDENTIAL_MARKERS = /Bearer [A-Za-z0-9_-]{8,}|SDK-HMAC-SHA256 Access|AWS4-HMAC-SHA256 Credential/;
// Bounds one property's run time. A property sends thousands of requests of about a millisecond each.
const PROPERTY_TIMEOUT_MS = 120_000;

/**
 * Registers the request-space properties. Each generated request goes through a warm handler against
 * healthy stand-ins, and must:
 * - get the status that the documented contract gives, so never a 5xx;
 * - reach ModelArts only when it is authenticated, valid and authorized;
 * - reach it only under `/v2/{allowed project}/processor-tasks/`, with none of the caller's headers;
 * - write one request log line, and leave no credential, token or signature in any output.
 */
export function describeRequestSpaceProperties(harness: IntegrationHarness, options: RequestSpaceOptions): void {
  let pool: PoolToken[] = [];
  let loaded: LoadedHandler;

  beforeAll(() => {
    pool = buildTokenPool(harness);
  });

  beforeEach(async () => {
    loaded = await harness.loadHandler();
  });

  async function checkRequest(request: CallerRequest): Promise<void> {
    // Prepare
    harness.output.clear();
    const upstreamBefore = harness.standIns.modelArts.stopRequests.length;
    const event = buildStopEvent({ pathParameters: request.pathParameters, rawPath: request.rawPath, headers: { ...request.headers } });
    if (request.authorization.value === undefined) {
      delete event.headers.authorization;
    } else {
      event.headers.authorization = request.authorization.value;
    }
    if (request.body !== undefined) {
      event.body = request.body;
      event.isBase64Encoded = request.isBase64Encoded;
    }

    // Act
    const response = await harness.invoke(loaded, event);

    // Assess
    const upstream = harness.standIns.modelArts.stopRequests.slice(upstreamBefore);
    const expected = expectedOutcome(request);
    expect(response.status).toBeLessThan(500);
    expect(response.status).toBe(expected.status);
    expectBaseHeaders(response, event.requestContext.requestId);
    expect(response.body).toEqual(expect.any(Object));
    expect(upstream).toHaveLength(expected.callsModelArts ? 1 : 0);
    for (const forwarded of upstream) {
      expectContainedUpstreamRequest(forwarded, request);
    }
    const lines = harness.output.logLines(...REQUEST_LINE_MESSAGES).filter((line) => line.requestId === event.requestContext.requestId);
    expect(lines).toHaveLength(1);
    expectNoSecrets(harness, pool, response, upstream, options.plantedSecrets?.() ?? []);
  }

  it(
    'authorization headers and tokens',
    async () => {
      const requests = fc.record({
        authorization: authorizationCase(pool),
        pathParameters: fc.oneof({ arbitrary: fc.constant({ ...SEEDED_PATH_PARAMETERS }), weight: 3 }, { arbitrary: pathParameters, weight: 1 }),
        rawPath: fc.constant(undefined),
        headers: fc.constant({}),
        body: fc.constant(undefined),
        isBase64Encoded: fc.constant(false),
      });
      await fc.assert(fc.asyncProperty(requests, checkRequest), { numRuns: options.runs.authorization });
    },
    PROPERTY_TIMEOUT_MS,
  );

  it(
    'path parameters and raw paths',
    async () => {
      const validToken = fc.constantFrom(...pool.filter((entry) => entry.verifies && entry.scoped));
      const requests = fc.record({
        authorization: fc.oneof(
          { arbitrary: validToken.map((entry) => ({ label: entry.label, value: `Bearer ${entry.token}`, authenticated: true, scoped: true })), weight: 4 },
          { arbitrary: authorizationCase(pool), weight: 1 },
        ),
        pathParameters,
        rawPath,
        headers: fc.constant({}),
        body: fc.constant(undefined),
        isBase64Encoded: fc.constant(false),
      });
      await fc.assert(fc.asyncProperty(requests, checkRequest), { numRuns: options.runs.pathParameters });
    },
    PROPERTY_TIMEOUT_MS,
  );

  it(
    'extra headers and bodies',
    async () => {
      const requests = fc
        .record({
          authorization: authorizationCase(pool),
          pathParameters: fc.oneof({ arbitrary: fc.constant({ ...SEEDED_PATH_PARAMETERS }), weight: 3 }, { arbitrary: pathParameters, weight: 1 }),
          rawPath,
          headers: extraHeaders,
          payload: body,
        })
        .map(({ payload, ...rest }): CallerRequest => ({ ...rest, body: payload.body, isBase64Encoded: payload.isBase64Encoded }));
      await fc.assert(fc.asyncProperty(requests, checkRequest), { numRuns: options.runs.headersAndBodies });
    },
    PROPERTY_TIMEOUT_MS,
  );
}

/** Checks that a forwarded request stays on the stop route of an allowed project and carries no caller header. */
export function expectContainedUpstreamRequest(forwarded: StandInRequest, request?: CallerRequest): void {
  expect(forwarded.method).toBe('POST');
  expect(forwarded.path).toMatch(ALLOWED_UPSTREAM_PATH);
  expect(forwarded.headers['x-project-id']).toBe(SEEDED_VERSION.projectId);
  expect(forwarded.body).toBe('');
  expect(Object.keys(forwarded.headers).filter((name) => !UPSTREAM_HEADER_NAMES.has(name))).toEqual([]);
  if (request !== undefined) {
    expect(forwarded.path).toBe(
      `/v2/${request.pathParameters.project_id}/processor-tasks/${request.pathParameters.task_id}/versions/${request.pathParameters.version_id}/stop`,
    );
  }
}

/**
 * Checks one response and the log lines written for it against every secret the request could carry: the
 * Huawei credentials, every pool token and its signature, the signatures sent to ModelArts, and `planted`.
 */
export function expectNoSecrets(
  harness: IntegrationHarness,
  pool: readonly PoolToken[],
  response: HandlerResponse,
  upstream: readonly StandInRequest[],
  planted: readonly string[],
): void {
  const { credentials } = harness.standIns;
  const secrets = [
    credentials.ak,
    credentials.sk,
    credentials.securityToken,
    ...pool.map((entry) => entry.token),
    ...pool.map((entry) => entry.token.split('.')[2]),
    ...upstream.map((forwarded) => parseAuthorizationHeader(String(forwarded.headers.authorization))?.signature),
    ...planted,
  ].filter((value): value is string => value !== undefined && value.length >= 8);

  // One expect per check, not per value: thousands of runs make each matcher call count.
  const lines = harness.output.lines();
  const outputs = [...lines, response.rawBody, JSON.stringify(response.headers)];
  expect(secrets.filter((secret) => outputs.some((output) => output.includes(secret)))).toEqual([]);
  // Response headers are left out here, because a 401 challenge starts with "Bearer realm".
  expect([...lines, response.rawBody].filter((output) => CREDENTIAL_MARKERS.test(output))).toEqual([]);
}
