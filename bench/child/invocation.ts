/**
 * The API Gateway event and Lambda context that the measured processes pass to a handler. They are built by
 * hand, without imports, so loading them costs the same in every measured process.
 */
import type { APIGatewayProxyEventV2, Context } from 'aws-lambda';

/** Path parameters of the version that the ModelArts stand-in seeds as running. */
const SEEDED_PATH_PARAMETERS = {
  project_id: '0123456789abcdef0123456789abcdef',
  task_id: 'kM7j9TSa611ZzBThzSr',
  version_id: 'qSaudx2sbPvthHygckA',
} as const;

/** A Lambda handler for HTTP API payload 2.0 events, as a bundle exports it. */
export type BundledHandler = (event: APIGatewayProxyEventV2, context: Context) => Promise<{ statusCode?: number }>;

/** Builds the stop event of invocation `sequence`, carrying `bearerToken`. */
export function buildStopEvent(bearerToken: string, sequence: number): APIGatewayProxyEventV2 {
  const { project_id, task_id, version_id } = SEEDED_PATH_PARAMETERS;
  const rawPath = `/v2/${project_id}/processor-tasks/${task_id}/versions/${version_id}/stop`;
  const requestId = `bench-request-${sequence}`;
  const now = Date.now();
  return {
    version: '2.0',
    routeKey: 'POST /v2/{project_id}/processor-tasks/{task_id}/versions/{version_id}/stop',
    rawPath,
    rawQueryString: '',
    headers: { host: 'proxy.bench.test', 'user-agent': 'bench', authorization: `Bearer ${bearerToken}` },
    pathParameters: { ...SEEDED_PATH_PARAMETERS },
    isBase64Encoded: false,
    requestContext: {
      accountId: '000000000000',
      apiId: 'bench',
      domainName: 'proxy.bench.test',
      domainPrefix: 'proxy',
      requestId,
      routeKey: 'POST /v2/{project_id}/processor-tasks/{task_id}/versions/{version_id}/stop',
      stage: '$default',
      time: new Date(now).toUTCString(),
      timeEpoch: now,
      http: { method: 'POST', path: rawPath, protocol: 'HTTP/1.1', sourceIp: '127.0.0.1', userAgent: 'bench' },
    },
  };
}

/** Builds a Lambda context for invocation `sequence`. */
export function buildContext(sequence: number): Context {
  return {
    callbackWaitsForEmptyEventLoop: false,
    functionName: 'modelarts-stop-proxy-bench',
    functionVersion: '$LATEST',
    invokedFunctionArn: 'arn:aws:lambda:us-east-1:000000000000:function:modelarts-stop-proxy-bench',
    memoryLimitInMB: '512',
    awsRequestId: `bench-invocation-${sequence}`,
    logGroupName: '/aws/lambda/modelarts-stop-proxy-bench',
    logStreamName: 'bench',
    getRemainingTimeInMillis: () => 15_000,
    done: () => undefined,
    fail: () => undefined,
    succeed: () => undefined,
  };
}

/**
 * Imports a bundle and returns its `handler` export. Every bundle is loaded with `import()`, as the Lambda
 * Node.js runtime interface client loads a handler file of any extension (aws-lambda-nodejs-runtime-interface-client,
 * src/function/module-loader.ts).
 */
export async function importHandler(bundleUrl: string): Promise<BundledHandler> {
  const bundle = (await import(bundleUrl)) as { handler?: unknown };
  if (typeof bundle.handler !== 'function') {
    throw new Error(`bundle ${bundleUrl} exports no handler function`);
  }
  return bundle.handler as BundledHandler;
}
