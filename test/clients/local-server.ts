import type { IncomingMessage } from 'node:http';
import type { APIGatewayProxyStructuredResultV2 } from 'aws-lambda';
import { startLocalGateway, type CorsSettings, type HttpApiHandler, type LocalGateway } from '../../local/gateway';
import { LOCAL_SECRET_ID, SEEDED_VERSION, SigningKey, startStandIns, type StandIns } from '../../local/stand-ins';
import { localTokenClaims } from '../../local/stand-ins/jwt-issuer';

/** Handler settings that keep test output quiet and fast, on top of the stand-ins' environment. */
const QUIET_ENVIRONMENT: Record<string, string> = {
  POWERTOOLS_LOG_LEVEL: 'SILENT',
  POWERTOOLS_METRICS_DISABLED: 'true',
  // One SDK attempt, so a Secrets Manager fault turns into the proxy's response without retry delays.
  AWS_MAX_ATTEMPTS: '1',
  AWS_EC2_METADATA_DISABLED: 'true',
};

/**
 * Sets `variables` in `process.env` and returns a function that restores the earlier values. The handler
 * reads its configuration at import, and the AWS SDK reads credentials on the first call, so the values
 * must stay set while the handler serves requests.
 */
export function setEnvironment(variables: Readonly<Record<string, string>>): () => void {
  const previous = Object.fromEntries(Object.keys(variables).map((name) => [name, process.env[name]]));
  Object.assign(process.env, variables);
  return () => {
    for (const [name, value] of Object.entries(previous)) {
      if (value === undefined) {
        delete process.env[name];
      } else {
        process.env[name] = value;
      }
    }
  };
}

/** Handler environment for `standIns`, quiet, with `overrides` applied last. */
export function handlerEnvironment(standIns: StandIns, overrides: Readonly<Record<string, string>> = {}): Record<string, string> {
  return { ...standIns.env, ...QUIET_ENVIRONMENT, ...overrides };
}

/**
 * Loads a new copy of the handler module, so its cold-start work (configuration, credentials cache, JWKS
 * cache) runs again against the current `process.env`.
 */
export function loadFreshHandler(): HttpApiHandler {
  let handler: HttpApiHandler | undefined;
  jest.isolateModules(() => {
    // A synchronous require, because jest.isolateModules does not wait for a dynamic import.
    handler = (require('../../functions/stop-processor-task-version/handler') as { handler: HttpApiHandler }).handler;
  });
  if (!handler) {
    throw new Error('The handler module did not export handler.');
  }
  return handler;
}

/** Puts the stand-ins back in the state `npm start` begins with: the secret intact and the seeded version running. */
export function resetStandIns(standIns: StandIns): void {
  standIns.secretsManager.setFault(undefined);
  standIns.secretsManager.setSecret(LOCAL_SECRET_ID, JSON.stringify(standIns.credentials));
  standIns.issuer.setDown(false);
  standIns.modelArts.seedVersion(SEEDED_VERSION.projectId, SEEDED_VERSION.taskId, SEEDED_VERSION.versionId, 'RUNNING');
}

/** Method and `Origin` header of a request that reached the local gateway. */
export interface GatewayRequest {
  readonly method: string;
  readonly origin: string | undefined;
}

/** The local server of `npm start`, on free loopback ports, with hooks for tests. */
export interface LocalServer {
  readonly standIns: StandIns;
  readonly gateway: LocalGateway;
  /** Number of handler invocations so far. */
  readonly handlerInvocations: number;
  /** Every request the gateway received, handled by the handler or not, in arrival order. */
  readonly gatewayRequests: readonly GatewayRequest[];
  /** Signs a token with the local issuer's key: valid local claims, with `claims` merged over them. */
  mintToken(claims?: Record<string, unknown>): string;
  close(): Promise<void>;
}

/** Options of {@link startLocalServer}. */
export interface LocalServerOptions {
  /** Handler environment variables on top of the stand-ins' ones, such as `UPSTREAM_TIMEOUT_MS`. */
  readonly env?: Readonly<Record<string, string>>;
  /** CORS settings of the local gateway. */
  readonly cors?: CorsSettings;
  /** Changes the stand-ins before the handler module loads, so its cold-start reads see the change. */
  readonly prepare?: (standIns: StandIns) => void;
}

/**
 * Starts what `npm start` starts with the stand-ins: the JWT issuer, Secrets Manager and ModelArts
 * stand-ins, and the local gateway in front of a fresh handler module.
 */
export async function startLocalServer(options: LocalServerOptions = {}): Promise<LocalServer> {
  const signingKey = SigningKey.generate();
  const standIns = await startStandIns(signingKey);
  options.prepare?.(standIns);
  const restoreEnvironment = setEnvironment(handlerEnvironment(standIns, options.env));
  const handler = loadFreshHandler();

  let handlerInvocations = 0;
  const countingHandler: HttpApiHandler = (event, context): Promise<APIGatewayProxyStructuredResultV2> => {
    handlerInvocations++;
    return handler(event, context);
  };
  const gateway = await startLocalGateway(countingHandler, 0, options.cors ? { cors: options.cors } : {});
  const gatewayRequests: GatewayRequest[] = [];
  gateway.server.on('request', (req: IncomingMessage) => {
    gatewayRequests.push({ method: req.method ?? '', origin: req.headers.origin });
  });

  return {
    standIns,
    gateway,
    get handlerInvocations() {
      return handlerInvocations;
    },
    gatewayRequests,
    mintToken: (claims = {}) => signingKey.sign({ ...localTokenClaims(), ...claims }),
    close: async () => {
      await gateway.close();
      await standIns.close();
      restoreEnvironment();
    },
  };
}
