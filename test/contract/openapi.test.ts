import { execFile } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import fc from 'fast-check';
import { parse, stringify } from 'yaml';
import { mapUpstreamExchange } from '../../functions/stop-processor-task-version/error-mapping';
import * as errorsModule from '../../functions/stop-processor-task-version/errors';
import { parseTaskVersionIds } from '../../functions/stop-processor-task-version/path-params';
import type { UpstreamExchange } from '../../functions/stop-processor-task-version/upstream';
import { startLocalGateway } from '../../local/gateway';
import { LOCAL_SCOPE, LOCAL_SECRET_ID, SEEDED_VERSION, SigningKey, startStandIns, type StandIns } from '../../local/stand-ins';
import { localTokenClaims } from '../../local/stand-ins/jwt-issuer';
import { handlerEnvironment, loadFreshHandler, resetStandIns, setEnvironment } from '../clients/local-server';

const DOCUMENT_PATH = join(__dirname, '..', '..', 'docs', 'openapi.yaml');
const ROUTE = '/v2/{project_id}/processor-tasks/{task_id}/versions/{version_id}/stop';
const SWAGGER_PARSER_SCRIPT = join(__dirname, 'swagger-parser.mjs');

// Minimal typing of the dereferenced document: only the parts these tests read.
interface SchemaObject {
  readonly type?: string;
  readonly required?: readonly string[];
  readonly properties?: Readonly<Record<string, SchemaObject>>;
  readonly oneOf?: readonly SchemaObject[];
  readonly pattern?: string;
}
interface HeaderObject {
  readonly required?: boolean;
}
interface ResponseObject {
  readonly headers?: Readonly<Record<string, HeaderObject>>;
  readonly content: { readonly 'application/json': { readonly schema: SchemaObject } };
}
interface ParameterObject {
  readonly name: string;
  readonly schema: SchemaObject;
}
interface OpenApiDocument {
  readonly openapi: string;
  readonly paths: Record<
    string,
    {
      readonly parameters: readonly ParameterObject[];
      readonly post: { readonly responses: Record<string, ResponseObject>; readonly security: ReadonlyArray<Record<string, string[]>> };
    }
  >;
  readonly components: {
    readonly schemas: Record<string, SchemaObject>;
    readonly securitySchemes: Record<string, { readonly type: string; readonly scheme?: string; readonly bearerFormat?: string }>;
  };
}

/**
 * Validates a document with swagger-parser and returns it dereferenced.
 *
 * @throws Error with swagger-parser's message when the document is invalid.
 */
async function validateWithSwaggerParser(documentPath: string): Promise<OpenApiDocument> {
  try {
    const { stdout } = await promisify(execFile)(process.execPath, [SWAGGER_PARSER_SCRIPT, documentPath], {
      maxBuffer: 16 * 1024 * 1024,
    });
    return JSON.parse(stdout) as OpenApiDocument;
  } catch (error) {
    const stderr = (error as { stderr?: string }).stderr;
    throw new Error(`swagger-parser rejected ${documentPath}: ${stderr?.trim() || String(error)}`);
  }
}

/** Returns the documented response key for a status: the status itself, else its range such as `4XX`. */
function documentedKeyFor(status: number, keys: ReadonlySet<string>): string | undefined {
  if (keys.has(String(status))) {
    return String(status);
  }
  const range = `${Math.floor(status / 100)}XX`;
  return keys.has(range) ? range : undefined;
}

type ProxyErrorClass = new (...args: unknown[]) => errorsModule.ProxyError;

/**
 * Statuses of the error classes whose status does not depend on the upstream response. Each class is built
 * twice with different first arguments: a class whose status follows its arguments passes an upstream
 * status through, and the upstream sweep below covers it.
 */
function fixedErrorStatuses(): Map<string, number> {
  const statuses = new Map<string, number>();
  for (const [name, value] of Object.entries(errorsModule)) {
    if (typeof value !== 'function' || !(value.prototype instanceof errorsModule.ProxyError)) {
      continue;
    }
    const errorClass = value as unknown as ProxyErrorClass;
    const first = new errorClass(418, 'PROBE.CODE', 'probe message', undefined).statusCode;
    const second = new errorClass(419, 'PROBE.CODE', 'probe message', undefined).statusCode;
    // Abstract bases have no status at run time.
    if (typeof first === 'number' && first === second) {
      statuses.set(name, first);
    }
  }
  return statuses;
}

/** Every status the error mapping returns for upstream statuses 200 to 599 and for a failed connection. */
function upstreamMappedStatuses(): Set<number> {
  const exchange = (result: UpstreamExchange['result']): UpstreamExchange => ({
    result,
    attempts: 1,
    latencyMs: 1,
    credentialsRefreshed: false,
    credentialsSource: 'cache',
  });
  const results: UpstreamExchange['result'][] = [{ error: new Error('connection reset') }];
  for (let status = 200; status <= 599; status++) {
    const body = status < 300 ? '{}' : JSON.stringify({ error_code: 'ModelArts.0001', error_msg: 'probe' });
    results.push({ response: { status, headers: { 'x-request-id': 'probe' }, body } });
  }

  const statuses = new Set<number>();
  for (const result of results) {
    try {
      statuses.add(mapUpstreamExchange(exchange(result)).statusCode);
    } catch (error) {
      if (!(error instanceof errorsModule.ProxyError)) {
        throw error;
      }
      statuses.add(error.statusCode);
    }
  }
  return statuses;
}

/** Returns what in `value` breaks `schema`, for the keywords this document uses. */
function schemaViolations(value: unknown, schema: SchemaObject, path = 'body'): string[] {
  if (schema.oneOf) {
    const matching = schema.oneOf.filter((branch) => schemaViolations(value, branch, path).length === 0);
    return matching.length === 1 ? [] : [`${path} matches ${matching.length} oneOf branches, expected 1`];
  }
  if (schema.type === 'string') {
    return typeof value === 'string' ? [] : [`${path} is not a string`];
  }
  if (schema.type === 'object') {
    if (typeof value !== 'object' || value === null || Array.isArray(value)) {
      return [`${path} is not an object`];
    }
    const record = value as Record<string, unknown>;
    const missing = (schema.required ?? []).filter((name) => !(name in record)).map((name) => `${path}.${name} is missing`);
    const wrong = Object.entries(schema.properties ?? {})
      .filter(([name]) => name in record)
      .flatMap(([name, property]) => schemaViolations(record[name], property, `${path}.${name}`));
    return [...missing, ...wrong];
  }
  return [];
}

// Headers any HTTP server or the gateway's CORS adds; the document describes only the API's own headers.
const TRANSPORT_HEADERS = new Set(['content-type', 'content-length', 'date', 'connection', 'keep-alive', 'transfer-encoding', 'vary']);

/** One case that drives the real handler, behind the local gateway, against the stand-ins. */
interface Scenario {
  readonly name: string;
  readonly expectedStatus: number;
  /** Handler environment on top of the stand-ins' environment. */
  readonly env?: Record<string, string>;
  /** Runs before the handler module is loaded, so cold-start reads see the change. */
  readonly prepare?: (standIns: StandIns) => void;
  readonly taskId?: string;
  readonly versionId?: string;
  readonly projectId?: string;
  /** Token claims over the valid local claims; `null` sends no Authorization header. */
  readonly claims?: Record<string, unknown> | null;
  /** Extra checks on the response. */
  readonly assess?: (response: ObservedResponse) => void;
}

interface ObservedResponse {
  readonly status: number;
  readonly headers: Headers;
  readonly body: unknown;
}

const HUAWEI_ERROR = (code: string): string => JSON.stringify({ error_code: code, error_msg: `ModelArts says ${code}.` });

const SCENARIOS: readonly Scenario[] = [
  {
    name: 'seeded version stops',
    expectedStatus: 200,
    assess: (response) => expect(response.body).toEqual({}),
  },
  {
    name: 'upstream 202 passes through',
    expectedStatus: 202,
    prepare: (standIns) => standIns.modelArts.queueFaults({ kind: 'status', status: 202, body: '{"accepted":true}' }),
    assess: (response) => expect(response.body).toEqual({ accepted: true }),
  },
  {
    name: 'invalid task id',
    expectedStatus: 400,
    taskId: 'bad.id',
    assess: (response) => expect(response.body).toMatchObject({ error_code: 'PROXY.0400' }),
  },
  {
    name: 'upstream 400 passes through',
    expectedStatus: 400,
    prepare: (standIns) => standIns.modelArts.queueFaults({ kind: 'status', status: 400, body: HUAWEI_ERROR('ModelArts.4001') }),
    assess: (response) => expect(response.body).toMatchObject({ error_code: 'ModelArts.4001' }),
  },
  {
    name: 'missing token',
    expectedStatus: 401,
    claims: null,
    assess: (response) => expect(response.headers.get('www-authenticate')).toBe('Bearer realm="modelarts-stop-proxy"'),
  },
  {
    name: 'token without scope',
    expectedStatus: 403,
    claims: { scope: 'other/scope' },
    assess: (response) => expect(response.headers.get('www-authenticate')).toContain('error="insufficient_scope"'),
  },
  {
    name: 'project not allowed',
    expectedStatus: 403,
    projectId: 'ffffffffffffffffffffffffffffffff',
    assess: (response) => expect(response.headers.get('www-authenticate')).toBeNull(),
  },
  {
    name: 'unknown version',
    expectedStatus: 404,
    versionId: 'no-such-version',
    assess: (response) => expect(response.headers.get('x-upstream-request-id')).not.toBeNull(),
  },
  {
    name: 'upstream 409 passes through',
    expectedStatus: 409,
    prepare: (standIns) => standIns.modelArts.queueFaults({ kind: 'status', status: 409, body: HUAWEI_ERROR('ModelArts.4090') }),
    assess: (response) => expect(response.body).toMatchObject({ error_code: 'ModelArts.4090' }),
  },
  {
    name: 'upstream throttling with Retry-After',
    expectedStatus: 429,
    prepare: (standIns) =>
      standIns.modelArts.queueFaults({ kind: 'status', status: 429, body: HUAWEI_ERROR('APIG.1002'), headers: { 'retry-after': '7' } }),
    assess: (response) => expect(response.headers.get('retry-after')).toBe('7'),
  },
  {
    name: 'secret not JSON',
    expectedStatus: 500,
    prepare: (standIns) => standIns.secretsManager.setSecret(LOCAL_SECRET_ID, 'not json'),
    assess: (response) => expect(response.body).toMatchObject({ error_code: 'PROXY.0500' }),
  },
  {
    name: 'upstream 5xx twice',
    expectedStatus: 502,
    prepare: (standIns) =>
      standIns.modelArts.queueFaults({ kind: 'status', status: 500, body: '' }, { kind: 'status', status: 500, body: '' }),
  },
  {
    name: 'Secrets Manager throttled',
    expectedStatus: 503,
    prepare: (standIns) => standIns.secretsManager.setFault({ kind: 'throttle' }),
  },
  {
    name: 'upstream never responds',
    expectedStatus: 504,
    env: { UPSTREAM_TIMEOUT_MS: '300' },
    prepare: (standIns) => standIns.modelArts.queueFaults({ kind: 'no-answer' }),
  },
];

describe('OpenAPI document', () => {
  let document: OpenApiDocument;
  let documentedResponses: Record<string, ResponseObject>;
  let documentedKeys: Set<string>;

  beforeAll(async () => {
    document = await validateWithSwaggerParser(DOCUMENT_PATH);
    const route = document.paths[ROUTE];
    if (!route) {
      throw new Error(`docs/openapi.yaml has no path ${ROUTE}.`);
    }
    documentedResponses = route.post.responses;
    documentedKeys = new Set(Object.keys(documentedResponses));
  });

  test('document passes swagger-parser validation', async () => {
    const api = await validateWithSwaggerParser(DOCUMENT_PATH);

    expect(api.openapi).toBe('3.1.0');
  });

  test('swagger-parser rejects a broken copy', async () => {
    // Prepare: a response without its required description, which OpenAPI 3.1 forbids.
    const broken = parse(readFileSync(DOCUMENT_PATH, 'utf8')) as { paths: Record<string, { post: { responses: Record<string, unknown> } }> };
    const route = broken.paths[ROUTE];
    if (!route) {
      throw new Error(`docs/openapi.yaml has no path ${ROUTE}.`);
    }
    route.post.responses['200'] = { content: {} };
    const directory = mkdtempSync(join(tmpdir(), 'openapi-broken-'));
    const brokenPath = join(directory, 'openapi.yaml');
    writeFileSync(brokenPath, stringify(broken));

    try {
      // Act and assess
      await expect(validateWithSwaggerParser(brokenPath)).rejects.toThrow(/swagger-parser rejected/);
    } finally {
      rmSync(directory, { recursive: true, force: true });
    }
  });

  test('security scheme is bearer JWT', () => {
    const scheme = document.components.securitySchemes.bearerAuth;

    expect(scheme).toMatchObject({ type: 'http', scheme: 'bearer', bearerFormat: 'JWT' });
  });

  test('operation requires the local scope', () => {
    const security = document.paths[ROUTE]?.post.security;

    expect(security).toEqual([{ bearerAuth: [LOCAL_SCOPE] }]);
  });

  test.each(['project_id', 'task_id', 'version_id'])('%s pattern matches handler validation', (name) => {
    // Prepare
    const pattern = document.paths[ROUTE]?.parameters.find((parameter) => parameter.name === name)?.schema.pattern;
    expect(pattern).toBeDefined();
    const documented = new RegExp(pattern ?? '');
    const valid = { project_id: SEEDED_VERSION.projectId, task_id: SEEDED_VERSION.taskId, version_id: SEEDED_VERSION.versionId };
    const candidates = fc.oneof(
      fc.stringMatching(/^[0-9a-f]{32}$/),
      fc.stringMatching(/^[A-Za-z0-9_-]{1,64}$/),
      fc.string({ maxLength: 70 }),
      fc.string({ minLength: 60, maxLength: 70, unit: fc.constantFrom('a', 'Z', '0', '_', '-', '.', '/') }),
    );

    // Act and assess: the document and the handler accept exactly the same values.
    fc.assert(
      fc.property(candidates, (value) => {
        let accepted = true;
        try {
          parseTaskVersionIds({ ...valid, [name]: value });
        } catch {
          accepted = false;
        }
        return accepted === documented.test(value);
      }),
      { numRuns: 500 },
    );
  });

  test('every producible status is documented', () => {
    const producible = new Set([...fixedErrorStatuses().values(), ...upstreamMappedStatuses()]);

    const undocumented = [...producible].filter((status) => documentedKeyFor(status, documentedKeys) === undefined);

    expect(undocumented).toEqual([]);
  });

  test('every documented status is producible', () => {
    const producible = new Set([...fixedErrorStatuses().values(), ...upstreamMappedStatuses()]);

    const unproducible = [...documentedKeys].filter(
      (key) => ![...producible].some((status) => documentedKeyFor(status, documentedKeys) === key),
    );

    expect(unproducible).toEqual([]);
  });

  test('error class statuses are documented explicitly', () => {
    const fixed = fixedErrorStatuses();

    const onlyInRanges = [...fixed].filter(([, status]) => !documentedKeys.has(String(status))).map(([name]) => name);

    expect(fixed.size).toBeGreaterThan(5);
    expect(onlyInRanges).toEqual([]);
  });

  describe('against the handler', () => {
    let standIns: StandIns;
    let signingKey: SigningKey;
    const observedResponses = new Map<string, ObservedResponse>();

    beforeAll(async () => {
      signingKey = SigningKey.generate();
      standIns = await startStandIns(signingKey);
      for (const scenario of SCENARIOS) {
        observedResponses.set(scenario.name, await runScenario(scenario));
      }
    }, 120_000);

    afterAll(async () => {
      await standIns?.close();
    });

    async function runScenario(scenario: Scenario): Promise<ObservedResponse> {
      resetStandIns(standIns);
      scenario.prepare?.(standIns);
      const restoreEnvironment = setEnvironment(handlerEnvironment(standIns, scenario.env));
      const gateway = await startLocalGateway(loadFreshHandler(), 0);
      try {
        const projectId = scenario.projectId ?? SEEDED_VERSION.projectId;
        const taskId = scenario.taskId ?? SEEDED_VERSION.taskId;
        const versionId = scenario.versionId ?? SEEDED_VERSION.versionId;
        const headers: Record<string, string> = {};
        if (scenario.claims !== null) {
          headers.authorization = `Bearer ${signingKey.sign({ ...localTokenClaims(), ...scenario.claims })}`;
        }
        const response = await fetch(`${gateway.url}/v2/${projectId}/processor-tasks/${taskId}/versions/${versionId}/stop`, {
          method: 'POST',
          headers,
        });
        const text = await response.text();
        return { status: response.status, headers: response.headers, body: JSON.parse(text) as unknown };
      } finally {
        await gateway.close();
        restoreEnvironment();
      }
    }

    function observedResponseOf(scenario: Scenario): ObservedResponse {
      const response = observedResponses.get(scenario.name);
      if (!response) {
        throw new Error(`Scenario "${scenario.name}" did not run.`);
      }
      return response;
    }

    describe.each(SCENARIOS.map((scenario) => [scenario.name, scenario] as const))('%s', (_name, scenario) => {
      test('returns the expected status', () => {
        expect(observedResponseOf(scenario).status).toBe(scenario.expectedStatus);
      });

      test('matches the documented response', () => {
        // Prepare
        const response = observedResponseOf(scenario);
        const key = documentedKeyFor(response.status, documentedKeys);
        const documented = key === undefined ? undefined : documentedResponses[key];

        // Assess
        expect(documented).toBeDefined();
        const schema = documented?.content['application/json'].schema ?? {};
        expect(schemaViolations(response.body, schema)).toEqual([]);
        const requiredHeaders = Object.entries(documented?.headers ?? {}).filter(([, header]) => header.required);
        const missingHeaders = requiredHeaders.map(([name]) => name.toLowerCase()).filter((name) => !response.headers.has(name));
        expect(missingHeaders).toEqual([]);
        const documentedHeaders = new Set(Object.keys(documented?.headers ?? {}).map((name) => name.toLowerCase()));
        const headerNames: string[] = [];
        response.headers.forEach((_value, name) => headerNames.push(name));
        const undocumentedHeaders = headerNames.filter((name) => !TRANSPORT_HEADERS.has(name) && !documentedHeaders.has(name));
        expect(undocumentedHeaders).toEqual([]);
      });

      test('carries the proxy request id', () => {
        const response = observedResponseOf(scenario);

        const requestId = response.headers.get('x-request-id');

        expect(requestId).toMatch(/^[0-9a-f-]{36}$/);
        if (response.status >= 400) {
          expect(schemaViolations(response.body, document.components.schemas.Error ?? {})).toEqual([]);
          expect((response.body as { request_id?: string }).request_id).toBe(requestId);
        }
      });

      if (scenario.assess) {
        test('has the scenario details', () => {
          scenario.assess?.(observedResponseOf(scenario));
        });
      }
    });

    test('scenarios cover every documented status', () => {
      const observed = [...observedResponses.values()].map((response) => response.status);

      const uncovered = [...documentedKeys].filter(
        (key) => !observed.some((status) => documentedKeyFor(status, documentedKeys) === key),
      );

      expect(uncovered).toEqual([]);
    });
  });
});
