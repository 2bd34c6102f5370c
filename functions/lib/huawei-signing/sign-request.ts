import { ACCESS_KEY_PATTERN, formatAuthorizationHeader } from './authorization-header';
import { lowercaseHeaderNames, toCanonicalHeaders } from './canonical-headers';
import { InvalidSigningInputError } from './errors';
import { formatSdkDate } from './sdk-date';
import { computeSignature } from './signature';
import type { HuaweiCredentials, RequestToSign } from './types';

/** Lowercase names of the headers that signRequest sets itself and therefore rejects in the input. */
const HEADERS_SET_BY_SIGNER = ['x-sdk-date', 'x-security-token', 'authorization'] as const;

/**
 * Signs a request. Returns a NEW header record: the input headers plus `X-Sdk-Date` (from signingDate),
 * `X-Security-Token` when credentials.securityToken is set, and `Authorization`.
 * The signed headers are every input header plus x-sdk-date (and x-security-token), lowercased and sorted;
 * the caller passes host, content-type and x-project-id in `headers`.
 *
 * @example
 * const headers = signRequest(
 *   { method: 'POST', url, headers: { host: url.host, 'content-type': 'application/json', 'x-project-id': projectId }, body: '' },
 *   credentials,
 *   new Date(),
 * );
 * @throws InvalidSigningInputError when the credentials are empty or unusable, `headers` lacks host
 * or already contains a header that this function sets, or the request cannot be put in canonical form.
 */
export function signRequest(
  request: RequestToSign,
  credentials: HuaweiCredentials,
  signingDate: Date,
): Record<string, string> {
  assertUsableCredentials(credentials);
  assertSignableHeaders(request.headers);

  const headers = { ...request.headers, ...buildAddedHeaders(formatSdkDate(signingDate), credentials.securityToken) };
  const signedHeaders = toCanonicalHeaders(headers).map((header) => header.name);
  const signature = computeSignature({ ...request, headers }, signedHeaders, credentials.sk);

  const authorization = formatAuthorizationHeader({ accessKey: credentials.ak, signedHeaders, signature });
  return { ...headers, Authorization: authorization };
}

function buildAddedHeaders(sdkDate: string, securityToken: string | undefined): Record<string, string> {
  // The official SDK sends the token of temporary credentials as X-Security-Token and signs it
  // with the other headers (BaseCredentials.addAuthHeaders, huaweicloud-sdk-core 3.1.211).
  return securityToken === undefined
    ? { 'X-Sdk-Date': sdkDate }
    : { 'X-Sdk-Date': sdkDate, 'X-Security-Token': securityToken };
}

function assertUsableCredentials(credentials: HuaweiCredentials): void {
  if (!ACCESS_KEY_PATTERN.test(credentials.ak)) {
    throw new InvalidSigningInputError('credentials ak must be non-empty and contain no whitespace or commas');
  }
  if (credentials.sk === '') {
    throw new InvalidSigningInputError('credentials sk must be non-empty');
  }
  if (credentials.securityToken === '') {
    throw new InvalidSigningInputError('credentials securityToken is empty. Omit it for permanent credentials.');
  }
}

function assertSignableHeaders(headers: Readonly<Record<string, string>>): void {
  const names = lowercaseHeaderNames(headers);
  if (!names.has('host')) {
    throw new InvalidSigningInputError('request headers lack host. Pass the host and port of the request URL.');
  }
  for (const name of HEADERS_SET_BY_SIGNER) {
    if (names.has(name)) {
      throw new InvalidSigningInputError(`request headers already contain ${name}. Remove it, because signRequest sets it.`);
    }
  }
}
