import { lowercaseHeaderNames, toCanonicalHeaders, trimHeaderValue } from './canonical-headers';
import { buildCanonicalRequest } from './canonical-request';
import { hmacSha256Hex } from './digest';
import { InvalidSigningInputError, MissingSignedHeaderError } from './errors';
import { parseSdkDate } from './sdk-date';
import { buildStringToSign } from './string-to-sign';
import type { RequestToSign } from './types';

/** Lowercase name of the header that carries the signing time. */
const SDK_DATE_HEADER = 'x-sdk-date';

/** Computes the signature: the hex HMAC-SHA256 of the string to sign, keyed with the SK. */
export function signStringToSign(sk: string, stringToSign: string): string {
  return hmacSha256Hex(sk, stringToSign);
}

/**
 * Recomputes the signature of a received request over the named signed headers (the verifying side:
 * a local ModelArts stand-in uses this). `request.headers` contains the headers as received.
 *
 * Header names are matched without regard to letter case. The signing time is the received
 * X-Sdk-Date value, whether or not `signedHeaders` names it. Compare the result with the received
 * signature using `crypto.timingSafeEqual`.
 *
 * @throws MissingSignedHeaderError when a header named in `signedHeaders`, or X-Sdk-Date, was not received.
 * @throws InvalidSigningInputError when X-Sdk-Date is malformed, `signedHeaders` names a header twice,
 * two received header names differ only in letter case, or the method, path or a signed header
 * cannot be put in canonical form.
 */
export function computeSignature(request: RequestToSign, signedHeaders: readonly string[], sk: string): string {
  const receivedHeaders = lowercaseHeaderNames(request.headers);
  const headers = toCanonicalHeaders(pickSignedHeaders(receivedHeaders, signedHeaders));
  const sdkDate = readSdkDate(receivedHeaders);

  const canonicalRequest = buildCanonicalRequest({ method: request.method, url: request.url, headers, body: request.body });
  return signStringToSign(sk, buildStringToSign(sdkDate, canonicalRequest));
}

function pickSignedHeaders(
  receivedHeaders: ReadonlyMap<string, string>,
  signedHeaders: readonly string[],
): Record<string, string> {
  const picked = new Map<string, string>();
  for (const name of signedHeaders.map((signedName) => signedName.toLowerCase())) {
    const value = receivedHeaders.get(name);
    if (value === undefined) {
      throw new MissingSignedHeaderError(name);
    }
    if (picked.has(name)) {
      throw new InvalidSigningInputError(`signed header list names ${name} more than once`);
    }
    picked.set(name, value);
  }
  return Object.fromEntries(picked);
}

function readSdkDate(receivedHeaders: ReadonlyMap<string, string>): string {
  const receivedValue = receivedHeaders.get(SDK_DATE_HEADER);
  if (receivedValue === undefined) {
    throw new MissingSignedHeaderError(SDK_DATE_HEADER);
  }

  const value = trimHeaderValue(receivedValue);
  if (parseSdkDate(value) === undefined) {
    throw new InvalidSigningInputError(`header ${SDK_DATE_HEADER} is malformed. Expected YYYYMMDDTHHMMSSZ in UTC.`);
  }
  return value;
}
