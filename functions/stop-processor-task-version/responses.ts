import type { APIGatewayProxyStructuredResultV2 } from 'aws-lambda';
import type { ProxyError } from './errors';

/** The ModelArts error body shape, kept so app code written against ModelArts reads proxy errors too. */
export interface ErrorBody {
  readonly error_code: string;
  readonly error_msg: string;
  readonly request_id: string;
}

/** Headers that every response carries, plus the optional upstream request id. */
function baseHeaders(requestId: string, upstreamRequestId: string | undefined): Record<string, string> {
  const headers: Record<string, string> = { 'content-type': 'application/json', 'x-request-id': requestId };
  if (upstreamRequestId !== undefined) {
    headers['x-upstream-request-id'] = upstreamRequestId;
  }
  return headers;
}

/** Builds a JSON response for API Gateway. `body` is already serialized JSON. */
export function jsonResponse(
  statusCode: number,
  body: string,
  requestId: string,
  upstreamRequestId?: string,
): APIGatewayProxyStructuredResultV2 {
  return { statusCode, headers: baseHeaders(requestId, upstreamRequestId), body };
}

/** Builds the error response for a proxy error. A 5xx carries only the error's generic message. */
export function errorResponse(error: ProxyError, requestId: string): APIGatewayProxyStructuredResultV2 {
  const body: ErrorBody = { error_code: error.errorCode, error_msg: error.publicMessage, request_id: requestId };
  return {
    statusCode: error.statusCode,
    headers: { ...baseHeaders(requestId, error.upstreamRequestId), ...error.headers },
    body: JSON.stringify(body),
  };
}
