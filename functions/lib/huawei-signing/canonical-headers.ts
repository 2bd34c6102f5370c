import { InvalidSigningInputError } from './errors';

/** A header as it enters the canonical request. */
export interface CanonicalHeader {
  /** Header name in lowercase. */
  readonly name: string;
  /** Header value without leading or trailing spaces and tabs. */
  readonly value: string;
}

/** Header field name syntax: an RFC 9110 token. */
const HEADER_NAME_PATTERN = /^[!#$%&'*+\-.^_`|~0-9A-Za-z]+$/;

/** Characters that RFC 9110 forbids in a field value and that would also break the one-header-per-line form. */
const FORBIDDEN_HEADER_VALUE_CHARACTERS = /[\r\n\0]/;

/** Leading and trailing optional whitespace (spaces and tabs) around a field value. */
const SURROUNDING_WHITESPACE = /^[ \t]+|[ \t]+$/g;

/**
 * Lowercases the names of `headers`, so that lookups by name ignore letter case.
 *
 * @throws InvalidSigningInputError when two names differ only in letter case, because the signed value would be ambiguous.
 */
export function lowercaseHeaderNames(headers: Readonly<Record<string, string>>): Map<string, string> {
  const byName = new Map<string, string>();
  for (const [name, value] of Object.entries(headers)) {
    const lowercaseName = name.toLowerCase();
    if (byName.has(lowercaseName)) {
      throw new InvalidSigningInputError(
        `header ${lowercaseName} appears more than once with different letter case. Pass it once.`,
      );
    }
    byName.set(lowercaseName, value);
  }
  return byName;
}

/**
 * Converts headers to their canonical form: lowercase names, trimmed values, sorted by name.
 *
 * Values are trimmed of spaces and tabs only, because HTTP parsers strip exactly that optional
 * whitespace around a field value (RFC 9110, section 5.5), so the receiver signs the same value.
 * The official Node.js signer (huaweicloud-sdk-core 3.1.211) does not trim, while the official Go
 * signer (huaweicloud-sdk-go-v3 core/auth/signer/signer.go) does. Both agree for values without
 * surrounding whitespace.
 *
 * Names are sorted by UTF-16 code unit, which equals byte order for token names. The official
 * Node.js signer sorts canonical headers with `localeCompare` instead, and both orders agree on the
 * names this project signs (content-type, host, x-project-id, x-sdk-date, x-security-token).
 *
 * @throws InvalidSigningInputError when a name is not an RFC 9110 token, a value contains CR, LF
 * or NUL, or two names differ only in letter case.
 */
export function toCanonicalHeaders(headers: Readonly<Record<string, string>>): CanonicalHeader[] {
  const canonicalHeaders: CanonicalHeader[] = [];
  for (const [name, value] of lowercaseHeaderNames(headers)) {
    assertValidHeader(name, value);
    canonicalHeaders.push({ name, value: trimHeaderValue(value) });
  }
  return canonicalHeaders.sort((left, right) => compareCodeUnits(left.name, right.name));
}

/** Removes the spaces and tabs around a header value, as an HTTP parser does. */
export function trimHeaderValue(value: string): string {
  return value.replace(SURROUNDING_WHITESPACE, '');
}

/**
 * Builds the CanonicalHeaders part of the canonical request: one `name:value` line per header,
 * each ending in a line feed. Joining the canonical request parts with a line feed then leaves
 * the blank line that the format requires after the headers.
 */
export function buildCanonicalHeaders(headers: readonly CanonicalHeader[]): string {
  return headers.map((header) => `${header.name}:${header.value}\n`).join('');
}

/** Builds the SignedHeaders list: the canonical header names joined with `;`. */
export function buildSignedHeaders(headers: readonly CanonicalHeader[]): string {
  return headers.map((header) => header.name).join(';');
}

/** Orders two strings by UTF-16 code unit, independent of the runtime locale. */
export function compareCodeUnits(left: string, right: string): number {
  if (left < right) {
    return -1;
  }
  return left > right ? 1 : 0;
}

function assertValidHeader(name: string, value: string): void {
  if (!HEADER_NAME_PATTERN.test(name)) {
    throw new InvalidSigningInputError(
      `header name ${JSON.stringify(name)} is invalid. Use letters, digits and the token characters of RFC 9110.`,
    );
  }
  if (FORBIDDEN_HEADER_VALUE_CHARACTERS.test(value)) {
    throw new InvalidSigningInputError(`header ${name} has a value with CR, LF or NUL. Remove those characters.`);
  }
}
