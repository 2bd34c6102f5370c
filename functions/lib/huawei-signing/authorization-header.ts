import { SIGNING_ALGORITHM } from './string-to-sign';

/** The fields of an SDK-HMAC-SHA256 Authorization header. */
export interface AuthorizationHeaderFields {
  /** Access key id (AK) of the signer. */
  accessKey: string;
  /** Lowercase names of the signed headers, in canonical order. */
  signedHeaders: string[];
  /** Lowercase hex HMAC-SHA256 signature. */
  signature: string;
}

/**
 * Access key syntax accepted in the header. Whitespace and commas would end the field early, so an
 * AK containing them cannot be sent.
 */
export const ACCESS_KEY_PATTERN = /^[^\s,]+$/;

/** Lowercase RFC 9110 token, the form of a signed header name. */
const SIGNED_HEADER_NAME_PATTERN = /^[!#$%&'*+\-.^_`|~0-9a-z]+$/;

/** Exact layout written by the official signers: one space after the scheme, `, ` between fields. */
const AUTHORIZATION_PATTERN = new RegExp(
  `^${SIGNING_ALGORITHM} Access=([^\\s,]+), SignedHeaders=([^\\s,]+), Signature=([0-9a-f]{64})$`,
);

/** Formats an `Authorization: SDK-HMAC-SHA256 Access=..., SignedHeaders=..., Signature=...` value. */
export function formatAuthorizationHeader(fields: {
  readonly accessKey: string;
  readonly signedHeaders: readonly string[];
  readonly signature: string;
}): string {
  const signedHeaders = fields.signedHeaders.join(';');
  return `${SIGNING_ALGORITHM} Access=${fields.accessKey}, SignedHeaders=${signedHeaders}, Signature=${fields.signature}`;
}

/**
 * Parses an `Authorization: SDK-HMAC-SHA256 Access=..., SignedHeaders=..., Signature=...` value;
 * undefined when malformed. A value is malformed unless it has exactly the layout the official
 * signers write, every signed header name is a lowercase token, and the signature is 64 lowercase
 * hex digits.
 */
export function parseAuthorizationHeader(value: string): AuthorizationHeaderFields | undefined {
  const match = AUTHORIZATION_PATTERN.exec(value);
  if (match === null) {
    return undefined;
  }

  const [, accessKey = '', signedHeaderList = '', signature = ''] = match;
  const signedHeaders = signedHeaderList.split(';');
  if (!signedHeaders.every((name) => SIGNED_HEADER_NAME_PATTERN.test(name))) {
    return undefined;
  }
  return { accessKey, signedHeaders, signature };
}
