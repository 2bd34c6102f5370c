import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { APIGatewayProxyEventV2 } from 'aws-lambda';
import { parseAuthorizationHeader } from '../../functions/lib/huawei-signing';
import { generateCredentials, SEEDED_VERSION, SigningKey } from '../../local/stand-ins';
import { startJsonServer, type RunningServer } from '../../local/stand-ins/json-server';
import { buildStopEvent } from '../support/events';
import type { HandlerResponse, LoadedHandler } from '../support/handler-loader';
import { closedLoopbackUrl, expectBaseHeaders, expectErrorBody, type IntegrationHarness } from '../support/integration-harness';
import type { FaultRow, MatrixStep, RowContext } from './matrix-types';

/** Options for {@link describeFaultMatrix}. */
export interface FaultMatrixOptions {
  /** Values that must appear in no log line and no response, besides the ones each row collects itself. */
  readonly plantedSecrets?: () => readonly string[];
}

const DEFAULT_STEP_BUDGET_MS = 2000;
const REQUEST_LINE_MESSAGES = ['stop request completed', 'stop request failed'];
// An authorization scheme followed by a credential: the caller's token, the Huawei signature, the AWS one.
// The scheme names alone also occur in error messages such as "Bearer <JWT>".
const CREDENTIAL_MARKERS = /Bearer [A-Za-z0-9_-]{8,}|SDK-HMAC-SHA256 Access|AWS4-HMAC-SHA256 Credential/;
const REPOSITORY_ROOT = join(__dirname, '..', '..');

/** One request sent by a row, with its response and how long the handler took. */
interface SentRequest {
  readonly event: APIGatewayProxyEventV2;
  readonly response: HandlerResponse;
  readonly elapsedMs: number;
  readonly step: MatrixStep;
}

/**
 * Registers one test per fault row. Each test loads a fresh handler against the harness stand-ins, injects
 * the fault and sends the row's requests. It then checks the contract that every fault must keep:
 * - the documented status, with a JSON error body for errors;
 * - the exact number of ModelArts, GetSecretValue and JWKS requests;
 * - one request log line with the expected outcome;
 * - no step slower than its budget, and no 2xx unless ModelArts stopped the version;
 * - no credential in any log line or response.
 */
export function describeFaultMatrix(
  harness: IntegrationHarness,
  rows: readonly FaultRow[],
  options: FaultMatrixOptions = {},
): void {
  let redirectTarget: RunningServer;
  let redirectTargetRequests = 0;
  let closedUrl = '';
  const rotatedKey = SigningKey.generate('rotated-key');

  beforeAll(async () => {
    redirectTarget = await startJsonServer(0, () => {
      redirectTargetRequests++;
      return { status: 200, body: {} };
    });
    closedUrl = await closedLoopbackUrl();
  });

  afterAll(async () => {
    await redirectTarget?.close();
  });

  afterEach(() => {
    jest.restoreAllMocks();
  });

  const groups = [...new Set(rows.map((row) => row.group))];
  for (const group of groups) {
    describe(group, () => {
      it.each(rows.filter((row) => row.group === group).map((row) => [describeRow(row), row] as const))('%s', async (_name, row) => {
        // Prepare
        const redirectsBefore = redirectTargetRequests;
        const jwksBefore = harness.standIns.issuer.jwksRequests;
        const ctx: RowContext = {
          harness,
          nowSeconds: Math.floor(Date.now() / 1000),
          rotatedKey,
          rotatedCredentials: generateCredentials(),
          closedUrl,
          redirectTargetUrl: redirectTarget.url,
        };
        row.coldStart?.(ctx);
        const loaded = await harness.loadHandler(row.env?.(ctx) ?? {});
        const clock = installClock(row.pinClock === true ? ctx.nowSeconds * 1000 : undefined);

        // Act
        const sent: SentRequest[] = [];
        for (const step of row.steps) {
          clock.advance(step.advanceClockMs ?? 0);
          step.before?.(ctx);
          sent.push(...(await sendStep(harness, loaded, ctx, step, row.budgetMs ?? DEFAULT_STEP_BUDGET_MS)));
        }
        clock.restore();

        // Assess
        for (const request of sent) {
          expectStepResponse(harness, request);
        }
        expect(harness.modelArtsRequests()).toHaveLength(row.modelArtsRequests);
        expect(harness.getSecretValueCalls()).toBe(row.getSecretValueCalls);
        expect(loaded.secretReads).toBe(row.secretReads);
        expect(harness.standIns.issuer.jwksRequests - jwksBefore).toBe(row.jwksRequests);
        expect(redirectTargetRequests - redirectsBefore).toBe(0);
        expectNoSecrets(harness, ctx, sent, options.plantedSecrets?.() ?? []);
        row.check?.(ctx, sent.map((request) => request.response));
      });
    });
  }

  it('names existing tests in seeAlso', () => {
    for (const row of rows.filter((candidate) => candidate.seeAlso !== undefined)) {
      const [file = '', testName = ''] = (row.seeAlso ?? '').split(' › ');
      const source = readFileSync(join(REPOSITORY_ROOT, file), 'utf8');
      expect(source).toContain(`'${testName}'`);
    }
  });
}

function describeRow(row: FaultRow): string {
  const statuses = [...new Set(row.steps.map((step) => step.status))].join(', then ');
  return `${row.fault} → ${statuses}`;
}

/** Replaces Date.now while a row runs, pinned to `pinnedMs` or following the real clock, plus an offset. */
function installClock(pinnedMs: number | undefined): { advance(ms: number): void; restore(): void } {
  const realNow = Date.now.bind(Date);
  let offsetMs = 0;
  const spy = jest.spyOn(Date, 'now').mockImplementation(() => (pinnedMs ?? realNow()) + offsetMs);
  return {
    advance: (ms) => {
      offsetMs += ms;
    },
    restore: () => spy.mockRestore(),
  };
}

async function sendStep(
  harness: IntegrationHarness,
  loaded: LoadedHandler,
  ctx: RowContext,
  step: MatrixStep,
  budgetMs: number,
): Promise<SentRequest[]> {
  const events = Array.from({ length: step.repeat ?? 1 }, (_, index) => buildStopEvent(step.event?.(ctx, index) ?? { token: harness.token() }));
  const send = async (event: APIGatewayProxyEventV2): Promise<SentRequest> => {
    // Each request meets the seeded version running, so a 2xx can be matched with a real stop.
    harness.standIns.modelArts.seedVersion(SEEDED_VERSION.projectId, SEEDED_VERSION.taskId, SEEDED_VERSION.versionId, 'RUNNING');
    const startedAt = performance.now();
    const response = await harness.invoke(loaded, event);
    const elapsedMs = performance.now() - startedAt;
    return { event, response, elapsedMs, step };
  };

  if (step.concurrent === true) {
    const startedAt = performance.now();
    const sent = await Promise.all(events.map(send));
    expect(performance.now() - startedAt).toBeLessThan(budgetMs);
    expectNoFalseSuccess(harness, sent);
    return sent;
  }
  const sent: SentRequest[] = [];
  for (const event of events) {
    const request = await send(event);
    expect(request.elapsedMs).toBeLessThan(budgetMs);
    expectNoFalseSuccess(harness, [request]);
    sent.push(request);
  }
  return sent;
}

/** Checks that the requests got a 2xx exactly when ModelArts really stopped the seeded version. */
function expectNoFalseSuccess(harness: IntegrationHarness, requests: readonly SentRequest[]): void {
  const { projectId, taskId, versionId } = SEEDED_VERSION;
  const stopped = harness.standIns.modelArts.versionStatus(projectId, taskId, versionId) === 'STOPPED';
  const statuses = requests.map((request) => request.response.status);
  const anySuccess = statuses.some((status) => status >= 200 && status < 300);
  expect({ statuses, stopped }).toEqual({ statuses, stopped: anySuccess });
}

function expectStepResponse(harness: IntegrationHarness, { event, response, step }: SentRequest): void {
  const requestId = event.requestContext.requestId;
  expect(response.status).toBe(step.status);
  expectBaseHeaders(response, requestId);
  if (step.status >= 400) {
    expect(expectErrorBody(response, requestId).error_code).toBe(step.errorCode);
  } else {
    expect(response.body).toBeDefined();
  }
  for (const [name, value] of Object.entries(step.headers ?? {})) {
    expect(response.headers[name]).toBe(value);
  }

  const lines = harness.output.logLines(...REQUEST_LINE_MESSAGES).filter((line) => line.requestId === requestId);
  expect(lines).toHaveLength(1);
  const failed = step.status >= 500;
  expect(lines[0]).toMatchObject({
    message: failed ? 'stop request failed' : 'stop request completed',
    level: failed ? 'ERROR' : 'INFO',
    outcome: step.outcome,
    status: step.status,
  });
  // A 5xx line names the failing step for the operator; a 4xx is the caller's and needs no error detail.
  expect(lines[0]?.error === undefined).toBe(!failed);
}

/**
 * Checks that no credential the row used appears in the output or a response: the Huawei AK/SK and
 * security token of both key generations, every bearer token and its signature, and every SDK-HMAC-SHA256
 * signature sent to ModelArts.
 */
function expectNoSecrets(harness: IntegrationHarness, ctx: RowContext, sent: readonly SentRequest[], planted: readonly string[]): void {
  const { credentials } = harness.standIns;
  const tokens = sent.map((request) => (request.event.headers.authorization ?? '').replace(/^Bearer /, '')).filter((token) => token !== '');
  const upstreamSignatures = harness
    .modelArtsRequests()
    .map((request) => parseAuthorizationHeader(String(request.headers.authorization))?.signature ?? '');
  const secrets = [
    credentials.ak,
    credentials.sk,
    credentials.securityToken,
    ctx.rotatedCredentials.ak,
    ctx.rotatedCredentials.sk,
    ...tokens,
    ...tokens.map((token) => token.split('.')[2]),
    ...upstreamSignatures,
    ...planted,
  ].filter((value): value is string => value !== undefined && value.length >= 8);

  // Response headers are left out of the marker check, because a 401 challenge starts with "Bearer realm".
  const markerFree = [...harness.output.lines(), ...sent.map((request) => request.response.rawBody)];
  const secretFree = [...markerFree, ...sent.map((request) => JSON.stringify(request.response.headers))];
  expect(secrets.filter((secret) => secretFree.some((output) => output.includes(secret)))).toEqual([]);
  expect(markerFree.filter((output) => CREDENTIAL_MARKERS.test(output))).toEqual([]);
}
