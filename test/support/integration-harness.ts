import { createServer } from 'node:net';
import type { AddressInfo } from 'node:net';
import type { APIGatewayProxyEventV2 } from 'aws-lambda';
import type { HuaweiCredentials } from '../../functions/lib/huawei-signing';
import {
  generateCredentials,
  LOCAL_SECRET_ID,
  SEEDED_VERSION,
  SigningKey,
  startStandIns,
  type StandIns,
} from '../../local/stand-ins';
import { localTokenClaims } from '../../local/stand-ins/jwt-issuer';
import type { StandInRequest } from '../../local/stand-ins/json-server';
import { captureOutput, type CapturedOutput } from './captured-output';
import {
  applyEnvironment,
  invokeHandler,
  loadFreshHandler,
  type EnvironmentChanges,
  type HandlerResponse,
  type LoadedHandler,
} from './handler-loader';

/** Settings for {@link useIntegrationHarness}. */
export interface HarnessOptions {
  /** Credentials stored in the secret and accepted by ModelArts. Default: random AK/SK. */
  readonly credentials?: HuaweiCredentials;
  /** Signing key of the JWT issuer stand-in. Default: a new RSA key. */
  readonly signingKey?: SigningKey;
  /** Claims added to every token from {@link IntegrationHarness.token}, under the claims a test passes. */
  readonly tokenClaims?: Record<string, unknown>;
  /** Environment applied to every loaded handler, under the changes a test passes. */
  readonly env?: EnvironmentChanges;
}

/** Stand-ins, captured output and helpers shared by the tests of one file. */
export interface IntegrationHarness {
  /** The running stand-ins. Valid from `beforeAll` on. */
  readonly standIns: StandIns;
  readonly signingKey: SigningKey;
  /** Output captured since the current test started. */
  readonly output: CapturedOutput;
  /**
   * Imports a fresh handler against the stand-ins, with `changes` applied to the environment for the
   * rest of the test, and waits until its init prefetch of the secret has settled.
   */
  loadHandler(changes?: EnvironmentChanges): Promise<LoadedHandler>;
  /** Signs a token with the issuer's key: valid local claims, with `claims` merged over them. */
  token(claims?: Record<string, unknown>, header?: Record<string, unknown>): string;
  /** Invokes a loaded handler with `event`. */
  invoke(loaded: LoadedHandler, event: APIGatewayProxyEventV2): Promise<HandlerResponse>;
  /** Stop requests that the ModelArts stand-in received since the current test started. */
  modelArtsRequests(): StandInRequest[];
  /** GetSecretValue requests that the Secrets Manager stand-in received since the current test started. */
  getSecretValueCalls(): number;
}

/**
 * Starts one set of stand-ins for the test file and restores their state before each test. The secret and
 * the ModelArts credentials are the original ones, no fault is set or queued, the seeded version runs, the
 * issuer is up with only the original key, and the captured output is empty.
 */
export function useIntegrationHarness(options: HarnessOptions = {}): IntegrationHarness {
  const signingKey = options.signingKey ?? SigningKey.generate();
  const credentials = options.credentials ?? generateCredentials();
  let standIns: StandIns | undefined;
  let output: CapturedOutput | undefined;
  let restoreTestEnvironment: (() => void) | undefined;
  let modelArtsBaseline = 0;
  let secretsManagerBaseline = 0;

  const running = (): StandIns => {
    if (standIns === undefined) {
      throw new Error('The stand-ins are not running; call useIntegrationHarness at the top of a describe block.');
    }
    return standIns;
  };

  beforeAll(async () => {
    standIns = await startStandIns(signingKey, credentials);
    output = captureOutput();
  });

  afterAll(async () => {
    output?.restore();
    await standIns?.close();
  });

  beforeEach(() => {
    const current = running();
    current.secretsManager.setSecret(LOCAL_SECRET_ID, JSON.stringify(credentials));
    current.secretsManager.setFault(undefined);
    current.modelArts.setCredentials([credentials]);
    current.modelArts.clearFaults();
    current.issuer.setKeys([signingKey]);
    current.issuer.setDown(false);
    current.modelArts.seedVersion(SEEDED_VERSION.projectId, SEEDED_VERSION.taskId, SEEDED_VERSION.versionId, 'RUNNING');
    modelArtsBaseline = current.modelArts.stopRequests.length;
    secretsManagerBaseline = current.secretsManager.getSecretValueCalls;
    output?.clear();
  });

  afterEach(() => {
    restoreTestEnvironment?.();
    restoreTestEnvironment = undefined;
  });

  return {
    get standIns() {
      return running();
    },
    signingKey,
    get output() {
      if (output === undefined) {
        throw new Error('Output capture starts in beforeAll.');
      }
      return output;
    },
    loadHandler: async (changes = {}) => {
      restoreTestEnvironment?.();
      restoreTestEnvironment = applyEnvironment({ ...baseEnvironment(running()), ...options.env, ...changes });
      return loadFreshHandler();
    },
    token: (claims = {}, header = {}) => signingKey.sign({ ...localTokenClaims(), ...options.tokenClaims, ...claims }, header),
    invoke: (loaded, event) => invokeHandler(loaded.handler, event),
    modelArtsRequests: () => running().modelArts.stopRequests.slice(modelArtsBaseline),
    getSecretValueCalls: () => running().secretsManager.getSecretValueCalls - secretsManagerBaseline,
  };
}

/**
 * The stand-ins' handler environment, with every optional setting and every variable that could send the
 * SDK elsewhere cleared, so the developer's shell cannot change a test's environment.
 */
function baseEnvironment(standIns: StandIns): EnvironmentChanges {
  return {
    ...standIns.env,
    UPSTREAM_TIMEOUT_MS: undefined,
    SECRET_CACHE_TTL_SECONDS: undefined,
    STAGE: 'test',
    AWS_PROFILE: undefined,
    AWS_SESSION_TOKEN: undefined,
    AWS_MAX_ATTEMPTS: undefined,
    AWS_ENDPOINT_URL: undefined,
    AWS_EC2_METADATA_DISABLED: 'true',
    POWERTOOLS_DEV: undefined,
    POWERTOOLS_LOG_LEVEL: undefined,
    POWERTOOLS_METRICS_DISABLED: undefined,
  };
}

/** Returns a 127.0.0.1 URL on which nothing listens: the port of a server that was just closed. */
export async function closedLoopbackUrl(): Promise<string> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  await new Promise<void>((resolve) => server.close(() => resolve()));
  return `http://127.0.0.1:${port}`;
}

/** The error body fields every proxy error carries. */
export interface ErrorBody {
  readonly error_code: string;
  readonly error_msg: string;
  readonly request_id: string;
}

/** Asserts that the body has exactly the string fields `error_code`, `error_msg` and `request_id`, and returns it. */
export function expectErrorBody(response: HandlerResponse, requestId: string): ErrorBody {
  expect(response.body).toEqual({
    error_code: expect.any(String),
    error_msg: expect.any(String),
    request_id: requestId,
  });
  return response.body as ErrorBody;
}

/** Checks the headers every response carries: JSON content type and the proxy's request id. */
export function expectBaseHeaders(response: HandlerResponse, requestId: string): void {
  expect(response.headers['content-type']).toBe('application/json');
  expect(response.headers['x-request-id']).toBe(requestId);
}
