import { randomUUID } from 'node:crypto';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { APIGatewayProxyEventV2, APIGatewayProxyStructuredResultV2, Context } from 'aws-lambda';

/** A Lambda handler for HTTP API payload format 2.0 events. */
export type HttpApiHandler = (event: APIGatewayProxyEventV2, context: Context) => Promise<APIGatewayProxyStructuredResultV2>;

/** The one route the proxy exposes, as API Gateway's route key. */
export const ROUTE_KEY = 'POST /v2/{project_id}/processor-tasks/{task_id}/versions/{version_id}/stop';
const ROUTE_PATTERN = /^\/v2\/([^/]+)\/processor-tasks\/([^/]+)\/versions\/([^/]+)\/stop$/;
const ROUTE_PARAMETERS = ['project_id', 'task_id', 'version_id'] as const;
// HTTP API accepts payloads up to 10 MB; the route takes no body, so a small cap is enough locally.
const MAX_BODY_BYTES = 1024 * 1024;

/** A running local gateway. */
export interface LocalGateway {
  readonly url: string;
  readonly server: Server;
  close(): Promise<void>;
}

/**
 * Serves `handler` over HTTP on 127.0.0.1 the way an HTTP API route would: it matches the route, builds a
 * payload 2.0 event (lowercase header names, repeated headers joined with commas, decoded path parameters)
 * and writes the handler's result back. It adds no authorizer, because the handler verifies tokens itself.
 */
export async function startLocalGateway(handler: HttpApiHandler, port: number): Promise<LocalGateway> {
  const server = createServer((req, res) => {
    readBody(req)
      .then((body) => serve(handler, req, body, res))
      .catch(() => writeJson(res, 500, { message: 'Internal Server Error' }));
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, '127.0.0.1', () => resolve());
  });
  const address = server.address() as AddressInfo;

  return {
    url: `http://127.0.0.1:${address.port}`,
    server,
    close: () =>
      new Promise((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}

async function serve(handler: HttpApiHandler, req: IncomingMessage, body: Buffer | undefined, res: ServerResponse): Promise<void> {
  if (body === undefined) {
    writeJson(res, 413, { message: 'Request Entity Too Large' });
    return;
  }
  const url = new URL(req.url ?? '/', 'http://127.0.0.1');
  const match = ROUTE_PATTERN.exec(url.pathname);
  if (req.method !== 'POST' || !match) {
    // API Gateway's own answer for a path or method with no route.
    writeJson(res, 404, { message: 'Not Found' });
    return;
  }

  const pathParameters = decodePathParameters(match.slice(1));
  if (!pathParameters) {
    writeJson(res, 400, { message: 'Bad Request' });
    return;
  }
  const event = buildEvent(req, url, pathParameters, body);
  const result = await handler(event, lambdaContext(event.requestContext.requestId));
  res.writeHead(result.statusCode ?? 200, result.headers as Record<string, string>);
  res.end(result.body ?? '');
}

function decodePathParameters(segments: string[]): Record<string, string> | undefined {
  try {
    return Object.fromEntries(ROUTE_PARAMETERS.map((name, index) => [name, decodeURIComponent(segments[index] ?? '')]));
  } catch {
    return undefined;
  }
}

function buildEvent(req: IncomingMessage, url: URL, pathParameters: Record<string, string>, body: Buffer): APIGatewayProxyEventV2 {
  const headers: Record<string, string> = {};
  for (let i = 0; i < req.rawHeaders.length; i += 2) {
    const name = (req.rawHeaders[i] ?? '').toLowerCase();
    const value = req.rawHeaders[i + 1] ?? '';
    headers[name] = headers[name] === undefined ? value : `${headers[name]},${value}`;
  }
  const now = new Date();
  const requestId = randomUUID();

  return {
    version: '2.0',
    routeKey: ROUTE_KEY,
    rawPath: url.pathname,
    rawQueryString: url.search.slice(1),
    headers,
    pathParameters,
    isBase64Encoded: body.length > 0,
    ...(body.length > 0 ? { body: body.toString('base64') } : {}),
    requestContext: {
      accountId: 'local',
      apiId: 'local',
      domainName: headers.host ?? '127.0.0.1',
      domainPrefix: 'local',
      requestId,
      routeKey: ROUTE_KEY,
      stage: '$default',
      time: now.toUTCString(),
      timeEpoch: now.getTime(),
      http: {
        method: req.method ?? 'POST',
        path: url.pathname,
        protocol: `HTTP/${req.httpVersion}`,
        sourceIp: req.socket.remoteAddress ?? '127.0.0.1',
        userAgent: headers['user-agent'] ?? '',
      },
    },
  };
}

function lambdaContext(awsRequestId: string): Context {
  return {
    callbackWaitsForEmptyEventLoop: false,
    functionName: 'modelarts-stop-proxy-local',
    functionVersion: '$LATEST',
    invokedFunctionArn: 'arn:aws:lambda:us-east-1:000000000000:function:modelarts-stop-proxy-local',
    memoryLimitInMB: '256',
    awsRequestId,
    logGroupName: '/aws/lambda/modelarts-stop-proxy-local',
    logStreamName: 'local',
    getRemainingTimeInMillis: () => 15_000,
    done: () => undefined,
    fail: () => undefined,
    succeed: () => undefined,
  };
}

function readBody(req: IncomingMessage): Promise<Buffer | undefined> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    req.on('data', (chunk: Buffer) => {
      size += chunk.length;
      if (size <= MAX_BODY_BYTES) {
        chunks.push(chunk);
      }
    });
    req.on('end', () => resolve(size > MAX_BODY_BYTES ? undefined : Buffer.concat(chunks)));
    req.on('error', reject);
  });
}

function writeJson(res: ServerResponse, status: number, body: unknown): void {
  res.writeHead(status, { 'content-type': 'application/json' });
  res.end(JSON.stringify(body));
}
