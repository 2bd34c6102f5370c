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

/**
 * Browser CORS settings, applied the way API Gateway HTTP API applies its built-in CORS configuration. The
 * gateway responds to preflight requests for the route itself, and adds the CORS headers to the handler's
 * responses and to its own error responses. It drops any CORS headers that the handler set.
 */
export interface CorsSettings {
  /** Origins allowed to call the API, such as `http://127.0.0.1:3001`, compared exactly with `Origin`. */
  readonly allowOrigins: readonly string[];
  /** @default ['authorization', 'content-type'] */
  readonly allowHeaders?: readonly string[];
  /** @default ['POST'] */
  readonly allowMethods?: readonly string[];
  /** Response headers that browser scripts may read. @default ['x-request-id', 'x-upstream-request-id', 'retry-after'] */
  readonly exposeHeaders?: readonly string[];
  /** How long a browser may cache a preflight response, in seconds. @default 300 */
  readonly maxAgeSeconds?: number;
}

/** Options of {@link startLocalGateway}. */
export interface LocalGatewayOptions {
  /**
   * CORS for browser apps.
   * @default undefined, which responds to no preflight and adds no CORS headers, like an API without CORS
   */
  readonly cors?: CorsSettings;
}

const DEFAULT_CORS_ALLOW_HEADERS = ['authorization', 'content-type'];
const DEFAULT_CORS_ALLOW_METHODS = ['POST'];
// Retry-After and the request ids are not CORS-safelisted response headers, so scripts see them only when exposed.
const DEFAULT_CORS_EXPOSE_HEADERS = ['x-request-id', 'x-upstream-request-id', 'retry-after'];
const DEFAULT_CORS_MAX_AGE_SECONDS = 300;

/**
 * Parses a comma-separated list of browser origins, such as the value of CORS_ALLOWED_ORIGINS.
 *
 * @throws Error naming `variable` when an entry is empty, `*`, or not an origin (scheme, host and port only).
 */
export function parseCorsOrigins(value: string, variable: string): string[] {
  const origins = value.split(',').map((origin) => origin.trim());
  for (const origin of origins) {
    if (!isOrigin(origin)) {
      throw new Error(
        `Invalid ${variable}: expected a comma-separated list of origins such as http://127.0.0.1:3001, ` +
          `with no path, trailing slash or wildcard (got "${origin}").`,
      );
    }
  }
  return origins;
}

function isOrigin(value: string): boolean {
  try {
    const url = new URL(value);
    return (url.protocol === 'http:' || url.protocol === 'https:') && url.origin === value;
  } catch {
    return false;
  }
}

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
 * With `options.cors` it also responds to CORS preflight requests for the route itself, without calling the handler.
 */
export async function startLocalGateway(
  handler: HttpApiHandler,
  port: number,
  options: LocalGatewayOptions = {},
): Promise<LocalGateway> {
  // Bounds how long a slow client may take to send a whole request, instead of Node's default 300 s.
  const server = createServer({ requestTimeout: 30_000 }, (req, res) => {
    readBody(req)
      .then((body) => serve(handler, options.cors, req, body, res))
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

async function serve(
  handler: HttpApiHandler,
  cors: CorsSettings | undefined,
  req: IncomingMessage,
  body: Buffer | undefined,
  res: ServerResponse,
): Promise<void> {
  const corsHeaders = cors ? corsResponseHeaders(cors, req.headers.origin) : {};
  if (body === undefined) {
    // The rest of the body is never read: the connection closes once the 413 is sent.
    writeJson(res, 413, { message: 'Request Entity Too Large' }, { ...corsHeaders, connection: 'close' });
    res.on('finish', () => req.destroy());
    return;
  }
  // The request target is read as a path. Resolved against a base, "//x/..." would name host x, and "//"
  // would throw. A target that is not a path, such as "*", routes nowhere.
  const url = new URL(`http://127.0.0.1${req.url?.startsWith('/') ? req.url : '/'}`);
  const match = ROUTE_PATTERN.exec(url.pathname);
  if (cors && match && isPreflight(req)) {
    writePreflight(res, cors, req.headers.origin);
    return;
  }
  if (req.method !== 'POST' || !match) {
    // API Gateway's own response for a path or method with no route.
    writeJson(res, 404, { message: 'Not Found' }, corsHeaders);
    return;
  }

  const pathParameters = decodePathParameters(match.slice(1));
  if (!pathParameters) {
    writeJson(res, 400, { message: 'Bad Request' }, corsHeaders);
    return;
  }
  const event = buildEvent(req, url, pathParameters, body);
  const result = await handler(event, lambdaContext(event.requestContext.requestId));
  const headers = result.headers as Record<string, string> | undefined;
  res.writeHead(result.statusCode ?? 200, cors ? { ...withoutCorsHeaders(headers), ...corsHeaders } : headers);
  res.end(result.body ?? '');
}

/** Checks for a CORS preflight: OPTIONS with both `Origin` and `Access-Control-Request-Method`, as API Gateway requires. */
function isPreflight(req: IncomingMessage): boolean {
  return req.method === 'OPTIONS' && req.headers.origin !== undefined && req.headers['access-control-request-method'] !== undefined;
}

/**
 * Responds to a preflight without calling the handler, so no token is needed. A disallowed origin gets the
 * same 204 without CORS headers, so the browser does not send the actual request.
 */
function writePreflight(res: ServerResponse, cors: CorsSettings, origin: string | undefined): void {
  const headers: Record<string, string> = { vary: 'origin' };
  if (origin !== undefined && cors.allowOrigins.includes(origin)) {
    Object.assign(headers, {
      'access-control-allow-origin': origin,
      'access-control-allow-methods': (cors.allowMethods ?? DEFAULT_CORS_ALLOW_METHODS).join(','),
      'access-control-allow-headers': (cors.allowHeaders ?? DEFAULT_CORS_ALLOW_HEADERS).join(','),
      'access-control-max-age': String(cors.maxAgeSeconds ?? DEFAULT_CORS_MAX_AGE_SECONDS),
    });
  }
  res.writeHead(204, headers);
  res.end();
}

/** CORS headers of an actual response: none for a request without an allowed `Origin`. */
function corsResponseHeaders(cors: CorsSettings, origin: string | undefined): Record<string, string> {
  if (origin === undefined || !cors.allowOrigins.includes(origin)) {
    return { vary: 'origin' };
  }
  return {
    vary: 'origin',
    'access-control-allow-origin': origin,
    'access-control-expose-headers': (cors.exposeHeaders ?? DEFAULT_CORS_EXPOSE_HEADERS).join(','),
  };
}

// API Gateway ignores CORS headers from the integration once the API has a CORS configuration.
function withoutCorsHeaders(headers: Record<string, string> | undefined): Record<string, string> {
  return Object.fromEntries(Object.entries(headers ?? {}).filter(([name]) => !name.toLowerCase().startsWith('access-control-')));
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

/** Reads the request body, or resolves undefined as soon as it exceeds MAX_BODY_BYTES. */
function readBody(req: IncomingMessage): Promise<Buffer | undefined> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    const onData = (chunk: Buffer): void => {
      size += chunk.length;
      if (size > MAX_BODY_BYTES) {
        req.off('data', onData);
        req.pause();
        resolve(undefined);
        return;
      }
      chunks.push(chunk);
    };
    req.on('data', onData);
    req.on('end', () => resolve(Buffer.concat(chunks)));
    req.on('error', reject);
  });
}

function writeJson(res: ServerResponse, status: number, body: unknown, extraHeaders: Record<string, string> = {}): void {
  res.writeHead(status, { 'content-type': 'application/json', ...extraHeaders });
  res.end(JSON.stringify(body));
}
