import { Agent, request as httpRequest, type IncomingHttpHeaders } from 'node:http';
import fc from 'fast-check';
import { startLocalGateway, type LocalGateway } from '../../local/gateway';
import { SEEDED_VERSION } from '../../local/stand-ins';
import { SEEDED_PATH_PARAMETERS, stopPath } from '../support/events';
import type { HandlerResponse } from '../support/handler-loader';
import type { IntegrationHarness } from '../support/integration-harness';
import { authorizationCase, buildTokenPool, type AuthorizationCase, type PoolToken } from './arbitraries';
import { expectContainedUpstreamRequest, expectNoSecrets } from './request-space';

/** A raw HTTP request: the path as sent and the header lines in order, names in any case, names repeated. */
interface RawRequest {
  readonly path: string;
  /** True when the path is the seeded version's route written plainly. */
  readonly seededRoute: boolean;
  readonly authorizations: ReadonlyArray<{ readonly name: string; readonly value: AuthorizationCase }>;
  readonly otherHeaders: ReadonlyArray<readonly [string, string]>;
}

// Statuses the proxy documents for caller mistakes, plus the gateway's own 404 for an unknown route and
// 400 for a path it cannot decode.
const CALLER_STATUSES = [200, 400, 401, 403, 404];
const UNLISTED_PROJECT_ID = 'ffffffffffffffffffffffffffffffff';
const PATH_CHARACTERS = [...'abcdefABCDEF0123456789_-./%?~:@!$&\'()*+,;='];
const TOKEN_CHARACTERS = [...'abcdefghijklmnopqrstuvwxyz0123456789-_'];
// Node's HTTP server returns 431 without a body past 16 KiB of headers, and API Gateway has lower limits of
// its own. Both stop a request before the proxy runs, so the property stays below them.
const MAX_HEADER_BYTES = 12 * 1024;

function randomCase(name: string, flips: readonly boolean[]): string {
  return [...name].map((character, index) => (flips[index % Math.max(1, flips.length)] ? character.toUpperCase() : character)).join('');
}

/** Header values Node's HTTP client sends unchanged: visible ASCII, space and tab, no surrounding spaces. */
function sendableOverHttp(value: string | undefined): boolean {
  return value !== undefined && /^[\t\x20-\x7e]*$/.test(value);
}

function rawRequests(pool: readonly PoolToken[]): fc.Arbitrary<RawRequest> {
  const segment = fc.oneof(
    fc.constantFrom(SEEDED_VERSION.projectId, UNLISTED_PROJECT_ID, SEEDED_VERSION.taskId, SEEDED_VERSION.versionId, '.', '..', '%2F', '%2e%2e', '%00', '%ZZ'),
    fc.string({ unit: fc.constantFrom(...PATH_CHARACTERS), maxLength: 40 }),
    fc.string({ maxLength: 20 }).map(encodeURIComponent),
  );
  const path = fc.oneof(
    { arbitrary: fc.constant({ path: stopPath(SEEDED_PATH_PARAMETERS), seededRoute: true }), weight: 3 },
    {
      arbitrary: fc.tuple(segment, segment, segment).map(([p, t, v]) => ({ path: `/v2/${p}/processor-tasks/${t}/versions/${v}/stop`, seededRoute: false })),
      weight: 3,
    },
    { arbitrary: fc.string({ unit: fc.constantFrom(...PATH_CHARACTERS), maxLength: 120 }).map((raw) => ({ path: `/${raw}`, seededRoute: false })), weight: 1 },
    {
      arbitrary: fc.constantFrom('//', '//%', `//other-host${stopPath(SEEDED_PATH_PARAMETERS)}`, `/${stopPath(SEEDED_PATH_PARAMETERS)}`).map((raw) => ({ path: raw, seededRoute: false })),
      weight: 1,
    },
  );
  const authorization = fc.record({
    name: fc.array(fc.boolean(), { minLength: 1, maxLength: 13 }).map((flips) => randomCase('authorization', flips)),
    value: authorizationCase(pool).filter((candidate) => sendableOverHttp(candidate.value)),
  });
  const otherHeader = fc.tuple(
    fc.oneof(fc.constantFrom('X-Project-Id', 'X-Sdk-Date', 'X-Security-Token', 'Cookie', 'X-Forwarded-For'), fc.string({ unit: fc.constantFrom(...TOKEN_CHARACTERS), minLength: 1, maxLength: 16 })),
    fc.string({ unit: fc.constantFrom(...TOKEN_CHARACTERS, ' ', '=', ','), maxLength: 60 }),
  );

  return fc
    .record({
      path,
      authorizations: fc.oneof(
        { arbitrary: fc.array(authorization, { minLength: 1, maxLength: 1 }), weight: 4 },
        { arbitrary: fc.array(authorization, { maxLength: 3 }), weight: 1 },
      ),
      otherHeaders: fc.array(otherHeader, { maxLength: 4 }),
    })
    .map(({ path: { path: rawPath, seededRoute }, authorizations, otherHeaders }) => ({ path: rawPath, seededRoute, authorizations, otherHeaders }))
    .filter((raw) => headerBytes(raw) <= MAX_HEADER_BYTES);
}

function headerBytes(raw: RawRequest): number {
  const values = [...raw.authorizations.map(({ value }) => value.value ?? ''), ...raw.otherHeaders.map(([, value]) => value)];
  return values.reduce((total, value) => total + value.length, raw.path.length);
}

/** Sends one request with its header lines exactly as listed, on a keep-alive connection. */
function send(baseUrl: string, agent: Agent, raw: RawRequest): Promise<HandlerResponse> {
  // Given header lines as an array, the client adds no Host header, and Node's server rejects a request without one.
  const headerLines: string[] = ['Host', new URL(baseUrl).host];
  for (const { name, value } of raw.authorizations) {
    headerLines.push(name, value.value ?? '');
  }
  for (const [name, value] of raw.otherHeaders) {
    // The HTTP client rejects a header name that is also a connection-level header it manages.
    if (!['host', 'content-length', 'connection', 'transfer-encoding'].includes(name.toLowerCase())) {
      headerLines.push(name, value);
    }
  }
  return new Promise((resolve, reject) => {
    const req = httpRequest(`${baseUrl}${raw.path}`, { method: 'POST', headers: headerLines, agent }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (chunk: Buffer) => chunks.push(chunk));
      res.on('end', () => {
        const rawBody = Buffer.concat(chunks).toString('utf8');
        resolve({ status: res.statusCode ?? 0, headers: flattenHeaders(res.headers), rawBody, body: parseJson(rawBody) });
      });
      res.on('error', reject);
    });
    req.on('error', reject);
    req.end();
  });
}

function flattenHeaders(headers: IncomingHttpHeaders): Record<string, string> {
  return Object.fromEntries(Object.entries(headers).map(([name, value]) => [name, Array.isArray(value) ? value.join(',') : String(value)]));
}

function parseJson(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    return undefined;
  }
}

/**
 * Registers a property over raw HTTP requests through the local gateway: raw paths with encoded
 * separators and dot segments, and Authorization headers repeated or with oddly cased names. No request
 * may get a 5xx or a body that is not JSON, and ModelArts may only see a request that carried exactly one
 * accepted, scoped token and valid ids of the allowed project.
 */
export function describeGatewayProperty(harness: IntegrationHarness, numRuns: number, plantedSecrets: () => readonly string[] = () => []): void {
  let pool: PoolToken[] = [];
  let gateway: LocalGateway | undefined;
  let agent: Agent | undefined;

  beforeAll(() => {
    pool = buildTokenPool(harness);
  });

  afterEach(async () => {
    agent?.destroy();
    await gateway?.close();
    gateway = undefined;
  });

  it(
    'raw HTTP through the gateway',
    async () => {
      // Prepare
      gateway = await startLocalGateway((await harness.loadHandler()).handler, 0);
      agent = new Agent({ keepAlive: true, maxSockets: 1 });
      const baseUrl = gateway.url;
      const activeAgent = agent;

      // Act and assess
      await fc.assert(
        fc.asyncProperty(rawRequests(pool), async (raw) => {
          harness.output.clear();
          const upstreamBefore = harness.standIns.modelArts.stopRequests.length;

          const response = await send(baseUrl, activeAgent, raw);

          const upstream = harness.standIns.modelArts.stopRequests.slice(upstreamBefore);
          const single = raw.authorizations.length === 1 ? raw.authorizations[0]?.value : undefined;
          const mayStop = single !== undefined && single.authenticated && single.scoped;
          expect(CALLER_STATUSES).toContain(response.status);
          expect(response.body).toEqual(expect.any(Object));
          expect(upstream.length).toBeLessThanOrEqual(mayStop ? 1 : 0);
          for (const forwarded of upstream) {
            expectContainedUpstreamRequest(forwarded);
          }
          if (raw.seededRoute && mayStop) {
            expect(response.status).toBe(200);
            expect(upstream).toHaveLength(1);
          }
          expectNoSecrets(harness, pool, response, upstream, plantedSecrets());
        }),
        { numRuns },
      );
    },
    120_000,
  );
}
