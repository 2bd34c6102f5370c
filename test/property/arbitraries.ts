import fc from 'fast-check';
import { LOCAL_AUDIENCE, LOCAL_SCOPE, SEEDED_VERSION, SigningKey } from '../../local/stand-ins';
import type { StopPathParameters } from '../support/events';
import type { IntegrationHarness } from '../support/integration-harness';

/**
 * The request space a caller controls, and a model of what the proxy must do with each request. The model
 * is written from the documented contract (README status table, OpenAPI id patterns), not from the source.
 */

/** One bearer token and what verifying it must give. */
export interface PoolToken {
  readonly label: string;
  readonly token: string;
  /** True when the token verifies: right key, issuer, audience, times, algorithm and claims. */
  readonly verifies: boolean;
  /** True when it also carries the required scope. */
  readonly scoped: boolean;
}

/** An Authorization header value and whether the proxy must accept it as one verifiable token. */
export interface AuthorizationCase {
  readonly label: string;
  /** Undefined leaves the header out. */
  readonly value: string | undefined;
  readonly authenticated: boolean;
  readonly scoped: boolean;
}

/** Everything a caller controls in one request. */
export interface CallerRequest {
  readonly authorization: AuthorizationCase;
  readonly pathParameters: StopPathParameters & Record<string, string | undefined>;
  readonly rawPath: string | undefined;
  /** Other headers, with lowercase names as API Gateway delivers them. */
  readonly headers: Readonly<Record<string, string>>;
  readonly body: string | undefined;
  readonly isBase64Encoded: boolean;
}

const PROJECT_ID = /^[0-9a-f]{32}$/;
const RESOURCE_ID = /^[A-Za-z0-9_-]{1,64}$/;
const HEX = '0123456789abcdef'.split('');
const RESOURCE_ALPHABET = [...'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789', '_', '-'];
const BASE64URL_ALPHABET = [...RESOURCE_ALPHABET];
// Tokens longer than this are rejected before any parsing.
const MAX_TOKEN_LENGTH = 8192;
const UNLISTED_PROJECT_ID = 'ffffffffffffffffffffffffffffffff';

/** True when the ids match the documented patterns. */
export function idsAreValid(params: StopPathParameters): boolean {
  return (
    PROJECT_ID.test(params.project_id ?? '') && RESOURCE_ID.test(params.task_id ?? '') && RESOURCE_ID.test(params.version_id ?? '')
  );
}

/** The status the proxy must return with healthy backends, and whether it may call ModelArts. */
export function expectedOutcome(request: CallerRequest): { status: number; callsModelArts: boolean } {
  if (!request.authorization.authenticated) {
    return { status: 401, callsModelArts: false };
  }
  if (!idsAreValid(request.pathParameters)) {
    return { status: 400, callsModelArts: false };
  }
  if (!request.authorization.scoped || request.pathParameters.project_id !== SEEDED_VERSION.projectId) {
    return { status: 403, callsModelArts: false };
  }
  const seeded = request.pathParameters.task_id === SEEDED_VERSION.taskId && request.pathParameters.version_id === SEEDED_VERSION.versionId;
  // The ModelArts stand-in stores only the seeded version and returns 404 for any other.
  return { status: seeded ? 200 : 404, callsModelArts: true };
}

/**
 * Signs the tokens that the properties draw from: tokens that verify, with and without the scope, and
 * tokens that must fail for one reason each. Signing is slow, so the pool is built once per file.
 */
export function buildTokenPool(harness: IntegrationHarness): PoolToken[] {
  const now = Math.floor(Date.now() / 1000);
  const impostor = SigningKey.generate(harness.signingKey.kid);
  const good = (label: string, token: string, scoped = true): PoolToken => ({ label, token, verifies: true, scoped });
  const bad = (label: string, token: string): PoolToken => ({ label, token, verifies: false, scoped: false });
  return [
    good('valid', harness.token()),
    good('valid, other subject', harness.token({ sub: 'other-user' })),
    good('scope in scp', harness.token({ scope: undefined, scp: ['openid', LOCAL_SCOPE] })),
    good('client_id without aud', harness.token({ aud: undefined, client_id: LOCAL_AUDIENCE })),
    good('audience list', harness.token({ aud: ['other-app', LOCAL_AUDIENCE] })),
    good('without scope', harness.token({ scope: 'openid profile' }), false),
    good('scope as prefix', harness.token({ scope: `${LOCAL_SCOPE}x` }), false),
    bad('expired', harness.token({ iat: now - 7200, nbf: now - 7200, exp: now - 3600 })),
    bad('not yet valid', harness.token({ nbf: now + 3600, exp: now + 7200 })),
    bad('without exp', harness.token({ exp: undefined })),
    bad('without sub', harness.token({ sub: undefined })),
    bad('wrong issuer', harness.token({ iss: 'https://other-issuer.example' })),
    bad('wrong audience', harness.token({ aud: 'other-app' })),
    bad('other key, same kid', impostor.sign({ ...claimsOf(harness.token()) })),
    bad('unknown kid', harness.token({}, { kid: 'unknown-kid' })),
    bad('HS256 header', harness.token({}, { alg: 'HS256' })),
    bad('none algorithm', harness.token({}, { alg: 'none' })),
  ];
}

function claimsOf(token: string): Record<string, unknown> {
  return JSON.parse(Buffer.from(token.split('.')[1] ?? '', 'base64url').toString('utf8')) as Record<string, unknown>;
}

/** Header forms that wrap one token, and whether the proxy must still read the token from them. */
const BEARER_FORMS: ReadonlyArray<{ label: string; wrap: (token: string) => string; accepted: boolean }> = [
  { label: 'Bearer', wrap: (token) => `Bearer ${token}`, accepted: true },
  { label: 'lowercase scheme', wrap: (token) => `bearer ${token}`, accepted: true },
  { label: 'uppercase scheme', wrap: (token) => `BEARER ${token}`, accepted: true },
  { label: 'mixed-case scheme', wrap: (token) => `bEaReR ${token}`, accepted: true },
  { label: 'surrounding spaces', wrap: (token) => `  Bearer ${token} `, accepted: true },
  { label: 'two spaces', wrap: (token) => `Bearer  ${token}`, accepted: false },
  { label: 'tab', wrap: (token) => `Bearer\t${token}`, accepted: false },
  { label: 'no scheme', wrap: (token) => token, accepted: false },
  { label: 'other scheme', wrap: (token) => `Token ${token}`, accepted: false },
  { label: 'comma-joined repeat', wrap: (token) => `Bearer ${token},Bearer ${token}`, accepted: false },
  { label: 'comma and space repeat', wrap: (token) => `Bearer ${token}, Bearer ${token}`, accepted: false },
  { label: 'two tokens', wrap: (token) => `Bearer ${token} ${token}`, accepted: false },
  { label: 'trailing dot', wrap: (token) => `Bearer ${token}.`, accepted: false },
  { label: 'oversized', wrap: (token) => `Bearer ${token}${'A'.repeat(MAX_TOKEN_LENGTH)}`, accepted: false },
];

/** Authorization values: every pool token in every header form, mutated tokens and arbitrary text. */
export function authorizationCase(pool: readonly PoolToken[]): fc.Arbitrary<AuthorizationCase> {
  const wrapped = fc.record({ entry: fc.constantFrom(...pool), form: fc.constantFrom(...BEARER_FORMS) }).map(
    ({ entry, form }): AuthorizationCase => ({
      label: `${entry.label} in ${form.label}`,
      value: form.wrap(entry.token),
      authenticated: form.accepted && entry.verifies,
      scoped: form.accepted && entry.scoped,
    }),
  );
  // Changing one character of the header or payload segment breaks the signature. The last character of
  // a segment is left alone, because its spare bits can change without changing the decoded bytes.
  const mutated = fc
    .record({ entry: fc.constantFrom(...pool), segment: fc.constantFrom(0, 1), position: fc.nat(), replacement: fc.constantFrom(...BASE64URL_ALPHABET) })
    .map(({ entry, segment, position, replacement }): AuthorizationCase => {
      const parts = entry.token.split('.');
      const part = parts[segment] ?? '';
      const index = position % Math.max(1, part.length - 1);
      let changed = replacement;
      if (part[index] === replacement) {
        changed = replacement === 'A' ? 'B' : 'A';
      }
      parts[segment] = `${part.slice(0, index)}${changed}${part.slice(index + 1)}`;
      return { label: `${entry.label}, segment ${segment} changed`, value: `Bearer ${parts.join('.')}`, authenticated: false, scoped: false };
    });
  const threeSegments = fc
    .array(fc.string({ unit: fc.constantFrom(...BASE64URL_ALPHABET), maxLength: 120 }), { minLength: 3, maxLength: 3 })
    .map((segments): AuthorizationCase => ({ label: 'random segments', value: `Bearer ${segments.join('.')}`, authenticated: false, scoped: false }));
  const anyText = fc
    .oneof(fc.string({ maxLength: 200 }), fc.string({ unit: 'binary', maxLength: 200 }), fc.constantFrom('', ' ', 'Bearer', 'Bearer ', 'Bearer ..', 'Basic dXNlcjpwYXNz'))
    .map((value): AuthorizationCase => ({ label: 'arbitrary text', value, authenticated: false, scoped: false }));
  const absent = fc.constant<AuthorizationCase>({ label: 'absent', value: undefined, authenticated: false, scoped: false });

  return fc.oneof(
    { arbitrary: wrapped, weight: 6 },
    { arbitrary: mutated, weight: 2 },
    { arbitrary: threeSegments, weight: 1 },
    { arbitrary: anyText, weight: 1 },
    { arbitrary: absent, weight: 1 },
  );
}

/** Any string a path segment could decode to, including separators, dot segments and encodings. */
const anySegment = fc.oneof(
  fc.string({ maxLength: 80 }),
  fc.string({ unit: 'binary', maxLength: 80 }),
  fc.string({ unit: fc.constantFrom(...RESOURCE_ALPHABET, '.', '/', '%', '2', 'F', ' ', '\n', '?', '#', 'é'), maxLength: 70 }),
  fc.constantFrom('', '.', '..', '%2e%2e', '../..', 'a/../b', '%2F', 'x'.repeat(65)),
);
const projectIdLike = fc.oneof(
  { arbitrary: fc.constant(SEEDED_VERSION.projectId), weight: 6 },
  { arbitrary: fc.constant(UNLISTED_PROJECT_ID), weight: 1 },
  { arbitrary: fc.string({ unit: fc.constantFrom(...HEX), minLength: 32, maxLength: 32 }), weight: 1 },
  { arbitrary: fc.string({ unit: fc.constantFrom(...HEX, 'A', 'F', 'g', '-'), minLength: 30, maxLength: 34 }), weight: 1 },
  { arbitrary: anySegment, weight: 1 },
);
const resourceIdLike = (seeded: string): fc.Arbitrary<string> =>
  fc.oneof(
    { arbitrary: fc.constant(seeded), weight: 5 },
    { arbitrary: fc.string({ unit: fc.constantFrom(...RESOURCE_ALPHABET), minLength: 1, maxLength: 64 }), weight: 2 },
    { arbitrary: anySegment, weight: 2 },
  );

/** Path parameters as API Gateway could pass them: any value, missing or extra keys. */
export const pathParameters: fc.Arbitrary<CallerRequest['pathParameters']> = fc.record(
  {
    project_id: sometimesMissing(projectIdLike),
    task_id: sometimesMissing(resourceIdLike(SEEDED_VERSION.taskId)),
    version_id: sometimesMissing(resourceIdLike(SEEDED_VERSION.versionId)),
    proxy: anySegment,
  },
  { requiredKeys: ['project_id', 'task_id', 'version_id'] },
);

function sometimesMissing(value: fc.Arbitrary<string>): fc.Arbitrary<string | undefined> {
  return fc.oneof({ arbitrary: value, weight: 19 }, { arbitrary: fc.constant(undefined), weight: 1 });
}

/** Headers a caller may add, including ones that name the proxy's own upstream headers. */
export const extraHeaders: fc.Arbitrary<Record<string, string>> = fc.dictionary(
  fc.oneof(
    fc.constantFrom('x-project-id', 'x-sdk-date', 'x-security-token', 'host', 'content-type', 'x-forwarded-for', 'cookie', 'x-amz-target', 'x-request-id'),
    fc.string({ unit: fc.constantFrom(...'abcdefghijklmnopqrstuvwxyz-'), minLength: 1, maxLength: 20 }),
  ),
  fc.string({ maxLength: 100 }),
  { maxKeys: 6 },
);

/** Request bodies: none, text, JSON, or base64 of anything. */
export const body: fc.Arbitrary<{ body: string | undefined; isBase64Encoded: boolean }> = fc.oneof(
  fc.constant({ body: undefined, isBase64Encoded: false }),
  fc.string({ maxLength: 300 }).map((text) => ({ body: text, isBase64Encoded: false })),
  fc.json({ maxDepth: 3 }).map((json) => ({ body: json, isBase64Encoded: false })),
  fc.uint8Array({ maxLength: 300 }).map((bytes) => ({ body: Buffer.from(bytes).toString('base64'), isBase64Encoded: true })),
);

/** A raw path that may disagree with the path parameters, which the proxy must ignore. */
export const rawPath: fc.Arbitrary<string | undefined> = fc.oneof(
  fc.constant(undefined),
  fc.string({ maxLength: 120 }).map((path) => `/${path}`),
  fc.constantFrom('/v2/ffffffffffffffffffffffffffffffff/processor-tasks/t/versions/v/stop', '/v2/../admin', '/%2e%2e/%2e%2e/etc'),
);
