import type { APIGatewayProxyEventV2 } from 'aws-lambda';
import type { HttpApiHandler } from '../../local/gateway';
import { buildLambdaContext } from './events';

/** Environment changes: a string sets the variable, undefined removes it. */
export type EnvironmentChanges = Readonly<Record<string, string | undefined>>;

/** One freshly imported copy of the handler module, with its own config, caches and SDK client. */
export interface LoadedHandler {
  readonly handler: HttpApiHandler;
  /**
   * GetSecretValue commands this copy has sent through its SDK client. One command is one read by the
   * credentials provider, and the SDK's own retries of it stay inside that one command.
   */
  readonly secretReads: number;
  /** Waits until every Secrets Manager read and JWKS download started so far has settled and its result is cached. */
  settle(): Promise<void>;
}

/** A handler response with lowercase header names and the body parsed as JSON. */
export interface HandlerResponse {
  readonly status: number;
  readonly headers: Readonly<Record<string, string>>;
  readonly rawBody: string;
  readonly body: unknown;
}

const HANDLER_MODULE = '../../functions/stop-processor-task-version/handler';
const SECRETS_MANAGER_MODULE = '@aws-sdk/client-secrets-manager';
const JWKS_FETCHER_MODULE = '../../functions/stop-processor-task-version/jwks-fetcher';

/**
 * Sets `env` in `process.env` and returns a function that puts the previous values back. Variables stay set
 * after loading, because the SDK client resolves its endpoint from the environment on its first request.
 */
export function applyEnvironment(env: EnvironmentChanges): () => void {
  const previous = Object.keys(env).map((name) => [name, process.env[name]] as const);
  setVariables(env);
  return () => setVariables(Object.fromEntries(previous));
}

function setVariables(env: EnvironmentChanges): void {
  for (const [name, value] of Object.entries(env)) {
    if (value === undefined) {
      delete process.env[name];
    } else {
      process.env[name] = value;
    }
  }
}

/**
 * Imports a fresh copy of the handler module, so its cold start (configuration, Secrets Manager prefetch,
 * JWKS preload) runs again against the current environment, and waits until the prefetch and the preload
 * have settled. The copy gets its own module registry, including its own AWS SDK, whose `send` is wrapped to
 * count and await the handler's reads without changing them, and the JWKS fetcher is wrapped the same way.
 */
export async function loadFreshHandler(): Promise<LoadedHandler> {
  const reads: Promise<unknown>[] = [];
  const jwksDownloads: Promise<unknown>[] = [];
  let handler: HttpApiHandler | undefined;

  jest.isolateModules(() => {
    // Same registry as the handler below, so this is the client class the handler instantiates.
    const sdk = require(SECRETS_MANAGER_MODULE) as typeof import('@aws-sdk/client-secrets-manager');
    const prototype = sdk.SecretsManagerClient.prototype;
    const originalSend = prototype.send;
    prototype.send = function send(this: unknown, ...args: unknown[]) {
      const result = (originalSend as (...a: unknown[]) => unknown).apply(this, args);
      if (result instanceof Promise) {
        reads.push(result);
      }
      return result;
    } as typeof originalSend;

    // The JWKS preload runs in the background too, and tests that count downloads need it finished first.
    const fetcher = (require(JWKS_FETCHER_MODULE) as typeof import('../../functions/stop-processor-task-version/jwks-fetcher')).JwksFetcher
      .prototype;
    const originalFetch = fetcher.fetch;
    fetcher.fetch = function fetch(this: unknown, uri: string) {
      const download = originalFetch.call(this, uri);
      jwksDownloads.push(download);
      return download;
    } as typeof originalFetch;

    handler = (require(HANDLER_MODULE) as { handler: HttpApiHandler }).handler;
  });
  if (handler === undefined) {
    throw new Error(`${HANDLER_MODULE} exports no handler`);
  }

  const loaded: LoadedHandler = {
    handler,
    get secretReads() {
      return reads.length;
    },
    settle: async () => {
      await Promise.allSettled([...reads, ...jwksDownloads]);
      // The provider and the JWKS cache store results in continuations queued behind each read, so let them run.
      await new Promise((resolve) => setImmediate(resolve));
    },
  };
  await loaded.settle();
  return loaded;
}

/** Invokes `handler` with `event` and a matching Lambda context, and parses the response. */
export async function invokeHandler(handler: HttpApiHandler, event: APIGatewayProxyEventV2): Promise<HandlerResponse> {
  const result = await handler(event, buildLambdaContext(event.requestContext.requestId));
  const headers = Object.fromEntries(
    Object.entries(result.headers ?? {}).map(([name, value]) => [name.toLowerCase(), String(value)]),
  );
  const rawBody = result.body ?? '';
  return { status: result.statusCode ?? 200, headers, rawBody, body: parseJson(rawBody) };
}

function parseJson(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    return undefined;
  }
}
