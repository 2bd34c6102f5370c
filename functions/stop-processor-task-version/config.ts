/**
 * Handler configuration, read from environment variables once at cold start. Every error names the
 * variable and the form it expects, so a bad deployment fails at init with a message that names the fix.
 */

/** Validated handler settings. */
export interface ProxyConfig {
  /** ModelArts base URL, such as `https://modelarts.cn-north-4.myhuaweicloud.com`. */
  readonly modelArtsEndpoint: URL;
  /** Secrets Manager secret name or ARN holding `{"ak", "sk", "securityToken"?}`. */
  readonly upstreamSecretId: string;
  /** Expected `iss` claim, exact match. */
  readonly jwtIssuer: string;
  /** App client ids accepted in `aud`, or in `client_id` when the token has no `aud`. */
  readonly jwtAudiences: readonly string[];
  /** URL of the JWKS document holding the issuer signing keys. */
  readonly jwtJwksUri: URL;
  /** Scope the token must carry in `scope` or `scp`, when set. */
  readonly requiredScope: string | undefined;
  /** Huawei project ids that callers may act on. */
  readonly allowedProjectIds: ReadonlySet<string>;
  /** Budget in milliseconds for the whole upstream exchange, retry and response body included. */
  readonly upstreamTimeoutMs: number;
  /** How long fetched credentials are used before the secret is read again, in seconds. */
  readonly secretCacheTtlSeconds: number;
  /** Deployment stage name, used as a metrics dimension. */
  readonly stage: string;
}

/** Raised at cold start when an environment variable is missing or malformed. */
export class ConfigurationError extends Error {
  constructor(
    readonly variable: string,
    expected: string,
  ) {
    super(`Invalid environment variable ${variable}: expected ${expected}.`);
    this.name = 'ConfigurationError';
  }
}

export const PROJECT_ID_PATTERN = /^[0-9a-f]{32}$/;

const DEFAULT_UPSTREAM_TIMEOUT_MS = 5000;
const DEFAULT_SECRET_CACHE_TTL_SECONDS = 300;
// API Gateway ends every integration after 30 s, and a cold request may first spend up to 3 s on the
// JWKS and 3 s on the secret, so a longer upstream budget could never be used in full.
const MAX_UPSTREAM_TIMEOUT_MS = 22_000;
const MAX_SECRET_CACHE_TTL_SECONDS = 86_400;
const LOOPBACK_HOSTS = new Set(['localhost', '[::1]']);

type Environment = Readonly<Record<string, string | undefined>>;

/**
 * Reads and validates the handler configuration.
 *
 * @throws ConfigurationError naming the first invalid variable.
 */
export function loadConfig(env: Environment = process.env): ProxyConfig {
  const jwtIssuer = requireString(env, 'JWT_ISSUER', 'the exact iss claim of accepted tokens');

  return {
    modelArtsEndpoint: parseEndpoint(env, 'MODELARTS_ENDPOINT'),
    upstreamSecretId: requireString(env, 'UPSTREAM_SECRET_ID', 'a Secrets Manager secret name or ARN'),
    jwtIssuer,
    jwtAudiences: requireList(env, 'JWT_AUDIENCE', 'a comma-separated list of app client ids'),
    jwtJwksUri: parseJwksUri(env, jwtIssuer),
    requiredScope: parseScope(env),
    allowedProjectIds: parseProjectIds(env),
    upstreamTimeoutMs: parseInteger(env, 'UPSTREAM_TIMEOUT_MS', DEFAULT_UPSTREAM_TIMEOUT_MS, 100, MAX_UPSTREAM_TIMEOUT_MS),
    secretCacheTtlSeconds: parseInteger(
      env,
      'SECRET_CACHE_TTL_SECONDS',
      DEFAULT_SECRET_CACHE_TTL_SECONDS,
      1,
      MAX_SECRET_CACHE_TTL_SECONDS,
    ),
    stage: env.STAGE?.trim() || 'local',
  };
}

function requireString(env: Environment, name: string, expected: string): string {
  const value = env[name]?.trim();
  if (!value) {
    throw new ConfigurationError(name, expected);
  }
  return value;
}

function requireList(env: Environment, name: string, expected: string): string[] {
  const items = requireString(env, name, expected).split(',').map((item) => item.trim());
  if (items.some((item) => item === '')) {
    throw new ConfigurationError(name, `${expected}, with no empty entries`);
  }
  return items;
}

/** Returns true for hosts that never leave the machine: 127.0.0.0/8, ::1 and localhost. */
export function isLoopbackHost(hostname: string): boolean {
  return LOOPBACK_HOSTS.has(hostname) || /^127(\.\d{1,3}){3}$/.test(hostname);
}

/** Parses an https URL, or an http URL on a loopback host (local stand-ins only). */
function parseServiceUrl(raw: string, name: string, expected: string): URL {
  let url: URL;
  try {
    url = new URL(raw);
  } catch {
    throw new ConfigurationError(name, expected);
  }
  const secure = url.protocol === 'https:';
  const localPlainHttp = url.protocol === 'http:' && isLoopbackHost(url.hostname);
  if ((!secure && !localPlainHttp) || url.username || url.password || url.search || url.hash) {
    throw new ConfigurationError(name, expected);
  }
  return url;
}

function parseEndpoint(env: Environment, name: string): URL {
  const expected =
    'an https base URL such as https://modelarts.cn-north-4.myhuaweicloud.com (plain http only on a loopback host), with no path';
  const url = parseServiceUrl(requireString(env, name, expected), name, expected);
  if (url.pathname !== '/') {
    throw new ConfigurationError(name, expected);
  }
  return url;
}

function parseJwksUri(env: Environment, issuer: string): URL {
  const expected = 'an https URL of the issuer JWKS (plain http only on a loopback host)';
  const explicit = env.JWT_JWKS_URI?.trim();
  if (explicit) {
    return parseServiceUrl(explicit, 'JWT_JWKS_URI', expected);
  }
  const derived = `${issuer.replace(/\/+$/, '')}/.well-known/jwks.json`;
  return parseServiceUrl(derived, 'JWT_JWKS_URI', `${expected}; it is required when JWT_ISSUER is not an https URL`);
}

function parseScope(env: Environment): string | undefined {
  const scope = env.REQUIRED_SCOPE?.trim();
  if (scope && /\s/.test(scope)) {
    throw new ConfigurationError('REQUIRED_SCOPE', 'a single scope name without spaces');
  }
  return scope || undefined;
}

function parseProjectIds(env: Environment): ReadonlySet<string> {
  const expected = 'a comma-separated list of Huawei project ids, each 32 lowercase hex characters, with no wildcard';
  const ids = requireList(env, 'ALLOWED_PROJECT_IDS', expected);
  if (!ids.every((id) => PROJECT_ID_PATTERN.test(id))) {
    throw new ConfigurationError('ALLOWED_PROJECT_IDS', expected);
  }
  return new Set(ids);
}

function parseInteger(env: Environment, name: string, fallback: number, min: number, max: number): number {
  const raw = env[name]?.trim();
  if (!raw) {
    return fallback;
  }
  const value = Number(raw);
  if (!/^\d+$/.test(raw) || value < min || value > max) {
    throw new ConfigurationError(name, `an integer from ${min} to ${max}`);
  }
  return value;
}
