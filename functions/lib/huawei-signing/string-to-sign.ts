import { sha256Hex } from './digest';

/** Name of the signing algorithm, the first line of the string to sign and the Authorization scheme. */
export const SIGNING_ALGORITHM = 'SDK-HMAC-SHA256';

/**
 * Builds the string to sign: the algorithm name, the X-Sdk-Date value and the hex SHA-256 of the
 * canonical request, joined with line feeds.
 */
export function buildStringToSign(sdkDate: string, canonicalRequest: string): string {
  return `${SIGNING_ALGORITHM}\n${sdkDate}\n${sha256Hex(canonicalRequest)}`;
}
