import { buildCanonicalHeaders, buildSignedHeaders, compareCodeUnits, type CanonicalHeader } from './canonical-headers';
import { sha256Hex } from './digest';
import { InvalidSigningInputError } from './errors';
import { uriEncode } from './uri-encoding';

/** The parts of a request that the canonical request covers. */
export interface CanonicalRequestInput {
  /** HTTP method in uppercase. */
  readonly method: string;
  /** Request URL, of which only the path and query are used. */
  readonly url: URL;
  /** Signed headers in canonical form, sorted by name. */
  readonly headers: readonly CanonicalHeader[];
  /** Request body exactly as sent. */
  readonly body: string;
}

/**
 * Standard methods are uppercase, and `fetch` uppercases the common ones before sending, so a
 * lowercase method would be signed differently from the one on the wire.
 */
const METHOD_PATTERN = /^[A-Z]+$/;

/**
 * Builds the canonical request: method, canonical URI, canonical query string, canonical headers,
 * signed header list and hex SHA-256 of the body, joined with line feeds.
 *
 * The official Node.js signer (huaweicloud-sdk-core 3.1.211) hashes the value of an
 * X-Sdk-Content-Sha256 header in place of the body when that header is present, and the SDK sets
 * it to `UNSIGNED-PAYLOAD` when the content type is not JSON. This signer always hashes the body,
 * because its callers send JSON and a verifier that trusted that header would leave the body
 * unauthenticated.
 *
 * @throws InvalidSigningInputError when the method is not uppercase letters, or the path contains
 * invalid percent-encoding or a lone surrogate.
 */
export function buildCanonicalRequest(input: CanonicalRequestInput): string {
  if (!METHOD_PATTERN.test(input.method)) {
    throw new InvalidSigningInputError('request method must be uppercase letters, such as POST');
  }

  return [
    input.method,
    buildCanonicalUri(input.url),
    buildCanonicalQueryString(input.url),
    buildCanonicalHeaders(input.headers),
    buildSignedHeaders(input.headers),
    sha256Hex(input.body),
  ].join('\n');
}

/**
 * Builds the canonical URI: every path segment URI-encoded, with a `/` appended unless the path
 * already ends in one.
 *
 * `URL.pathname` is already percent-encoded, so each segment is decoded before it is encoded, and
 * a space is signed as `%20`, never `%2520`. The official Go signer (huaweicloud-sdk-go-v3
 * core/auth/signer/signer.go) also encodes the unencoded path. The official Node.js signer instead
 * encodes the already-encoded path a second time. Both forms agree only for segments made of
 * unreserved characters, which include every id of the form `[A-Za-z0-9_-]+`.
 *
 * NOTE: which of the two forms Huawei's gateway expects for a percent-encoded segment has not been
 * tested against a real endpoint.
 *
 * @throws InvalidSigningInputError when a segment contains invalid percent-encoding or a lone surrogate.
 */
export function buildCanonicalUri(url: URL): string {
  const path = url.pathname
    .split('/')
    .map((segment) => uriEncode(decodePathSegment(segment), 'path segment'))
    .join('/');
  return path.endsWith('/') ? path : `${path}/`;
}

/**
 * Builds the canonical query string: `name=value` pairs, names and values URI-encoded, sorted by
 * name and then by value in UTF-16 code unit order, joined with `&`. It is empty without a query.
 * Like the official Node.js signer, it sorts the decoded names, not the encoded ones. A parameter
 * without `=` has an empty value and is signed as `name=`.
 */
export function buildCanonicalQueryString(url: URL): string {
  const parameters = [...url.searchParams].sort(([leftName, leftValue], [rightName, rightValue]) => {
    return compareCodeUnits(leftName, rightName) || compareCodeUnits(leftValue, rightValue);
  });
  return parameters
    .map(([name, value]) => `${uriEncode(name, 'query parameter name')}=${uriEncode(value, 'query parameter value')}`)
    .join('&');
}

function decodePathSegment(segment: string): string {
  try {
    return decodeURIComponent(segment);
  } catch (error) {
    throw new InvalidSigningInputError('request path contains invalid percent-encoding', { cause: error });
  }
}
