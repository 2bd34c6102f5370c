/**
 * Typed client for the ModelArts stop proxy. It runs on the platform's `fetch` (browsers, React Native,
 * Node.js 18 or later) and has no runtime dependencies. Its types are generated from `docs/openapi.yaml`.
 */
export { stopProcessorTaskVersion, type StopProcessorTaskVersionOptions, type StopProcessorTaskVersionRequest } from './client';
export {
  ForbiddenError,
  InvalidRequestError,
  NetworkError,
  NotFoundError,
  RateLimitedError,
  RequestRejectedError,
  StopProcessorTaskVersionError,
  TimeoutError,
  UnauthenticatedError,
  UnexpectedResponseError,
  UpstreamFailureError,
  type StopErrorDetails,
  type StopErrorKind,
  type StopFailure,
  type TimeoutReason,
} from './errors';
export { PROJECT_ID_PATTERN, RESOURCE_ID_PATTERN } from './path-params';
export {
  parseRetryAfter,
  type ErrorBody,
  type GatewayMessageBody,
  type StopProcessorTaskVersionResult,
  type StopResultBody,
} from './response-mapping';
