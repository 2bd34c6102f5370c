import { SecretsManagerClient } from '@aws-sdk/client-secrets-manager';
import { injectLambdaContext } from '@aws-lambda-powertools/logger/middleware';
import { logMetrics } from '@aws-lambda-powertools/metrics/middleware';
import middy from '@middy/core';
import type { APIGatewayProxyEventV2, APIGatewayProxyStructuredResultV2 } from 'aws-lambda';
import { authorize } from './authorization';
import { CallerAuthenticator } from './caller-auth';
import { loadConfig } from './config';
import { CredentialsProvider } from './credentials';
import { mapUpstreamExchange, toProxyError } from './error-mapping';
import { createMetrics, logger, recordRequest, type RequestSummary } from './observability';
import { parseTaskVersionIds } from './path-params';
import { errorResponse, jsonResponse } from './responses';
import { ModelArtsClient } from './upstream';

// Cold start: configuration fails fast, and clients, caches and keep-alive agents live for the container.
const config = loadConfig();
const metrics = createMetrics(config.stage);
const authenticator = new CallerAuthenticator(config);
const credentials = new CredentialsProvider(new SecretsManagerClient({}), {
  secretId: config.upstreamSecretId,
  ttlSeconds: config.secretCacheTtlSeconds,
  onStaleServed: (error) =>
    logger.warn('serving cached upstream credentials past their TTL because the refresh failed', {
      error: { name: error.name, message: error.message },
    }),
});
const modelArts = new ModelArtsClient(credentials, {
  endpoint: config.modelArtsEndpoint,
  timeoutMs: config.upstreamTimeoutMs,
});

// Both reads overlap with the rest of init; a failure here is retried by the first request.
credentials.prefetch();
authenticator.preloadKeys().catch((error: unknown) =>
  logger.warn('JWKS preload failed; the first request fetches it again', { error: describeError(error) }),
);

/** Stops one processor-task version for an authenticated, authorized caller. */
async function stopProcessorTaskVersion(event: APIGatewayProxyEventV2): Promise<APIGatewayProxyStructuredResultV2> {
  const summary: RequestSummary = { requestId: event.requestContext.requestId };
  try {
    const caller = await authenticator.authenticate(event.headers?.authorization);
    summary.callerSub = caller.subject;
    summary.clientId = caller.clientId;

    const ids = parseTaskVersionIds(event.pathParameters);
    Object.assign(summary, ids);

    authorize(caller, ids, config);
    summary.authorized = true;

    // Forward
    const exchange = await modelArts.stopTaskVersion(ids);
    summary.upstreamAttempts = exchange.attempts;
    summary.upstreamLatencyMs = exchange.latencyMs;
    summary.credentialsSource = exchange.credentialsSource;
    summary.credentialsRefreshed = exchange.credentialsRefreshed;
    if ('response' in exchange.result) {
      summary.upstreamStatus = exchange.result.response.status;
    }

    const success = mapUpstreamExchange(exchange);
    summary.outcome = 'stopped';
    summary.status = success.statusCode;
    summary.upstreamRequestId = success.upstreamRequestId;
    return jsonResponse(success.statusCode, success.body, summary.requestId, success.upstreamRequestId);
  } catch (error) {
    const proxyError = toProxyError(error);
    summary.outcome = proxyError.outcome;
    summary.status = proxyError.statusCode;
    summary.upstreamRequestId = proxyError.upstreamRequestId;
    if (proxyError.statusCode >= 500) {
      summary.error = describeError(proxyError);
    }
    return errorResponse(proxyError, summary.requestId);
  } finally {
    recordRequest(summary, metrics);
  }
}

function describeError(error: unknown): { name: string; message: string; cause?: string } {
  if (!(error instanceof Error)) {
    return { name: 'UnknownError', message: 'non-Error value thrown' };
  }
  const cause = error.cause instanceof Error ? `${error.cause.name}: ${error.cause.message}` : undefined;
  return cause === undefined ? { name: error.name, message: error.message } : { name: error.name, message: error.message, cause };
}

/** Lambda entry point for API Gateway HTTP API events, payload format 2.0. */
export const handler = middy(stopProcessorTaskVersion)
  // Adds the Lambda request id and cold-start flag to every log line; the event itself is never logged.
  .use(injectLambdaContext(logger, { resetKeys: true }))
  // Flushes the request's EMF metrics once per invocation and counts cold starts.
  .use(logMetrics(metrics, { captureColdStartMetric: true }));
