import { randomUUID } from 'node:crypto';
import type { APIGatewayProxyEventV2, Context } from 'aws-lambda';
import { ROUTE_KEY } from '../../local/gateway';
import { SEEDED_VERSION } from '../../local/stand-ins';

/** Path parameters of the stop route, as API Gateway passes them (any may be missing). */
export interface StopPathParameters {
  project_id?: string;
  task_id?: string;
  version_id?: string;
}

/** What a test varies in a stop request. */
export interface StopEventOptions {
  /** Path parameters. Default: the seeded version. */
  readonly pathParameters?: StopPathParameters;
  /** Raw path. Default: the route path built from `pathParameters`. */
  readonly rawPath?: string;
  /** Bearer token sent as `authorization: Bearer <token>`. */
  readonly token?: string;
  /** Extra headers with lowercase names, as payload 2.0 delivers them. They override `token`. */
  readonly headers?: Record<string, string>;
  /** Request id. Default: a new UUID. */
  readonly requestId?: string;
}

/** Path parameters of the version that the ModelArts stand-in seeds as running. */
export const SEEDED_PATH_PARAMETERS: Required<StopPathParameters> = {
  project_id: SEEDED_VERSION.projectId,
  task_id: SEEDED_VERSION.taskId,
  version_id: SEEDED_VERSION.versionId,
};

/** Builds the route path `/v2/{project_id}/processor-tasks/{task_id}/versions/{version_id}/stop`. */
export function stopPath(params: StopPathParameters): string {
  return `/v2/${params.project_id}/processor-tasks/${params.task_id}/versions/${params.version_id}/stop`;
}

/** Builds an API Gateway HTTP API payload 2.0 event for the stop route. */
export function buildStopEvent(options: StopEventOptions = {}): APIGatewayProxyEventV2 {
  const pathParameters = options.pathParameters ?? SEEDED_PATH_PARAMETERS;
  const rawPath = options.rawPath ?? stopPath(pathParameters);
  const requestId = options.requestId ?? randomUUID();
  const headers: Record<string, string> = {
    host: 'proxy.example.test',
    'user-agent': 'integration-test',
    ...(options.token === undefined ? {} : { authorization: `Bearer ${options.token}` }),
    ...options.headers,
  };
  const now = new Date();

  return {
    version: '2.0',
    routeKey: ROUTE_KEY,
    rawPath,
    rawQueryString: '',
    headers,
    pathParameters: { ...pathParameters },
    isBase64Encoded: false,
    requestContext: {
      accountId: '000000000000',
      apiId: 'integration',
      domainName: 'proxy.example.test',
      domainPrefix: 'proxy',
      requestId,
      routeKey: ROUTE_KEY,
      stage: '$default',
      time: now.toUTCString(),
      timeEpoch: now.getTime(),
      http: { method: 'POST', path: rawPath, protocol: 'HTTP/1.1', sourceIp: '127.0.0.1', userAgent: 'integration-test' },
    },
  };
}

/** Builds a Lambda context whose `awsRequestId` is `awsRequestId`. */
export function buildLambdaContext(awsRequestId: string = randomUUID()): Context {
  return {
    callbackWaitsForEmptyEventLoop: false,
    functionName: 'modelarts-stop-proxy-test',
    functionVersion: '$LATEST',
    invokedFunctionArn: 'arn:aws:lambda:us-east-1:000000000000:function:modelarts-stop-proxy-test',
    memoryLimitInMB: '256',
    awsRequestId,
    logGroupName: '/aws/lambda/modelarts-stop-proxy-test',
    logStreamName: 'test',
    getRemainingTimeInMillis: () => 15_000,
    done: () => undefined,
    fail: () => undefined,
    succeed: () => undefined,
  };
}
