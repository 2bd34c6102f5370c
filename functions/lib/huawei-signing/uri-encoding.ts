import { InvalidSigningInputError } from './errors';

/** Characters that encodeURIComponent leaves as they are although RFC 3986 does not count them as unreserved. */
const NON_UNRESERVED_KEPT_BY_ENCODE_URI_COMPONENT = /[!'()*]/g;

/**
 * Percent-encodes the UTF-8 bytes of `value`, keeping only the RFC 3986 unreserved characters
 * `A-Z a-z 0-9 - . _ ~`, with uppercase hex digits. This is the escaping that the official
 * Node.js signer (`AKSKSigner.urlEncode`, huaweicloud-sdk-core 3.1.211) applies to path segments
 * and query parameters.
 *
 * @param value - text to encode
 * @param field - name of the encoded part, used in the error message
 * @throws InvalidSigningInputError when `value` contains a lone UTF-16 surrogate, which has no UTF-8 form.
 */
export function uriEncode(value: string, field: string): string {
  let encoded: string;
  try {
    encoded = encodeURIComponent(value);
  } catch (error) {
    throw new InvalidSigningInputError(`${field} contains a lone UTF-16 surrogate and cannot be URI-encoded`, {
      cause: error,
    });
  }
  return encoded.replace(NON_UNRESERVED_KEPT_BY_ENCODE_URI_COMPONENT, (character) => {
    return `%${character.charCodeAt(0).toString(16).toUpperCase()}`;
  });
}
