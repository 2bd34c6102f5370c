/**
 * Huawei Cloud SDK-HMAC-SHA256 request signing (the AK/SK scheme of API Gateway and the Huawei
 * Cloud SDKs), built on node:crypto only. Each signing step has its own module.
 */
export type { HuaweiCredentials, RequestToSign } from './types';
export type { AuthorizationHeaderFields } from './authorization-header';
export { SIGNING_ALGORITHM } from './string-to-sign';
export { formatSdkDate, parseSdkDate } from './sdk-date';
export { signRequest } from './sign-request';
export { formatAuthorizationHeader, parseAuthorizationHeader } from './authorization-header';
export { computeSignature } from './signature';
export { HuaweiSigningError, InvalidSigningInputError, MissingSignedHeaderError } from './errors';
