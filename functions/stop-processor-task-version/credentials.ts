import {
  DecryptionFailure,
  GetSecretValueCommand,
  InvalidParameterException,
  InvalidRequestException,
  ResourceNotFoundException,
  SecretsManagerClient,
  SecretsManagerServiceException,
} from '@aws-sdk/client-secrets-manager';
import type { HuaweiCredentials } from '../lib/huawei-signing';
import { CredentialsMisconfiguredError, CredentialsUnavailableError } from './errors';

/** Source of the credentials returned by one call. */
export type CredentialsSource = 'cache' | 'secrets-manager' | 'stale-cache';

/** Credentials and how they were obtained, for metrics and the request log line. */
export interface CredentialsLookup {
  readonly credentials: HuaweiCredentials;
  readonly source: CredentialsSource;
}

/** Settings for {@link CredentialsProvider}. */
export interface CredentialsProviderOptions {
  /** Secret name or ARN. */
  readonly secretId: string;
  /** How long fetched credentials are used before the secret is read again, in seconds. */
  readonly ttlSeconds: number;
  /**
   * How long past the TTL the last good credentials stay usable while Secrets Manager fails, in seconds.
   * @default 3600
   */
  readonly staleGraceSeconds?: number;
  /**
   * Budget for one secret read, retries included, in milliseconds.
   * @default 3000
   */
  readonly fetchTimeoutMs?: number;
  /**
   * Seconds during which a re-read after a ModelArts 401 is skipped, once a re-read has returned the
   * rejected credentials unchanged. It bounds Secrets Manager traffic while the stored AK/SK is wrong.
   * @default 10
   */
  readonly unchangedRefreshIntervalSeconds?: number;
  /** Called when stale credentials are served because a refresh failed. */
  readonly onStaleServed?: (error: Error) => void;
  /** Clock in epoch milliseconds; tests pin it. */
  readonly now?: () => number;
}

interface CacheEntry {
  readonly credentials: HuaweiCredentials;
  readonly fetchedAt: number;
}

/**
 * Reads the Huawei AK/SK from Secrets Manager and caches them per container.
 *
 * It sends at most one `GetSecretValue` per TTL, shares one in-flight read between concurrent callers,
 * never caches a failure, and serves the last good credentials for up to `staleGraceSeconds` past the TTL
 * while Secrets Manager is failing.
 */
export class CredentialsProvider {
  private entry: CacheEntry | undefined;
  private inFlight: Promise<CacheEntry> | undefined;
  private readonly ttlMs: number;
  private readonly staleGraceMs: number;
  private readonly fetchTimeoutMs: number;
  private readonly unchangedRefreshIntervalMs: number;
  private readonly now: () => number;
  private lastUnchangedRefreshAt = Number.NEGATIVE_INFINITY;

  constructor(
    private readonly client: SecretsManagerClient,
    private readonly options: CredentialsProviderOptions,
  ) {
    this.ttlMs = options.ttlSeconds * 1000;
    this.staleGraceMs = (options.staleGraceSeconds ?? 3600) * 1000;
    this.fetchTimeoutMs = options.fetchTimeoutMs ?? 3000;
    this.unchangedRefreshIntervalMs = (options.unchangedRefreshIntervalSeconds ?? 10) * 1000;
    this.now = options.now ?? Date.now;
  }

  /**
   * Returns cached credentials while they are fresh, and reads the secret otherwise.
   *
   * @throws CredentialsUnavailableError when Secrets Manager fails and no usable credentials are cached.
   * @throws CredentialsMisconfiguredError when the secret is missing or malformed.
   */
  async get(): Promise<CredentialsLookup> {
    const cached = this.entry;
    if (cached && this.now() - cached.fetchedAt < this.ttlMs) {
      return { credentials: cached.credentials, source: 'cache' };
    }

    try {
      const fresh = await this.fetchShared();
      return { credentials: fresh.credentials, source: 'secrets-manager' };
    } catch (error) {
      const usableUntil = cached ? cached.fetchedAt + this.ttlMs + this.staleGraceMs : 0;
      if (cached && this.now() < usableUntil && error instanceof CredentialsUnavailableError) {
        this.options.onStaleServed?.(error);
        return { credentials: cached.credentials, source: 'stale-cache' };
      }
      throw error;
    }
  }

  /**
   * Reads the secret again after ModelArts rejected `rejected`, within `timeoutMs`. When another request
   * has already replaced those credentials, the newer ones are returned without a second read.
   *
   * @returns undefined, without a read, when a re-read within the last `unchangedRefreshIntervalSeconds`
   *   returned the rejected credentials unchanged: reading again would return them once more.
   */
  async refresh(rejected: HuaweiCredentials, timeoutMs = this.fetchTimeoutMs): Promise<CredentialsLookup | undefined> {
    const cached = this.entry;
    if (cached && cached.credentials !== rejected) {
      return { credentials: cached.credentials, source: 'cache' };
    }
    if (this.now() - this.lastUnchangedRefreshAt < this.unchangedRefreshIntervalMs) {
      return undefined;
    }

    const fresh = await this.fetchShared(timeoutMs);
    if (sameCredentials(fresh.credentials, rejected)) {
      this.lastUnchangedRefreshAt = this.now();
    }
    return { credentials: fresh.credentials, source: 'secrets-manager' };
  }

  /** Starts the first read during init so it overlaps with the rest of the cold start. Never rejects. */
  prefetch(): void {
    this.fetchShared().catch(() => {
      // The first request reads again and reports the failure; nothing is cached.
    });
  }

  private fetchShared(timeoutMs = this.fetchTimeoutMs): Promise<CacheEntry> {
    this.inFlight ??= this.fetch(Math.min(timeoutMs, this.fetchTimeoutMs)).finally(() => {
      this.inFlight = undefined;
    });
    return this.inFlight;
  }

  private async fetch(timeoutMs: number): Promise<CacheEntry> {
    const command = new GetSecretValueCommand({ SecretId: this.options.secretId });
    let secretString: string | undefined;
    try {
      const output = await this.client.send(command, { abortSignal: AbortSignal.timeout(Math.max(1, timeoutMs)) });
      secretString = output.SecretString;
    } catch (error) {
      throw classifyReadError(error);
    }

    const entry = { credentials: parseSecret(secretString), fetchedAt: this.now() };
    this.entry = entry;
    return entry;
  }
}

function sameCredentials(a: HuaweiCredentials, b: HuaweiCredentials): boolean {
  return a.ak === b.ak && a.sk === b.sk && a.securityToken === b.securityToken;
}

/** Errors that mean the secret itself or the function's access to it is wrong: retrying will not help. */
const MISCONFIGURATION_ERRORS = [
  ResourceNotFoundException,
  DecryptionFailure,
  InvalidRequestException,
  InvalidParameterException,
];

function classifyReadError(error: unknown): Error {
  if (MISCONFIGURATION_ERRORS.some((errorClass) => error instanceof errorClass)) {
    return new CredentialsMisconfiguredError('The upstream secret could not be read.', { cause: error });
  }
  if (error instanceof SecretsManagerServiceException) {
    // Throttling and 5xx are transient. Anything else unmodeled (AccessDeniedException above all) is a
    // deployment fault that a retry cannot fix. The client does not model ThrottlingException, so it
    // arrives as this base class with the error code as its name, HTTP 400 and no $retryable trait.
    const throttled = error.$retryable?.throttling === true || error.name === 'ThrottlingException';
    const transient = throttled || (error.$metadata.httpStatusCode ?? 500) >= 500;
    if (!transient) {
      return new CredentialsMisconfiguredError('The upstream secret could not be read.', { cause: error });
    }
  }
  // Network failures, timeouts and throttling.
  return new CredentialsUnavailableError('Secrets Manager did not return the upstream secret.', { cause: error });
}

/**
 * Parses the secret JSON `{"ak", "sk", "securityToken"?}`. Messages name fields, never their values.
 *
 * @throws CredentialsMisconfiguredError when the secret is not such an object.
 */
export function parseSecret(secretString: string | undefined): HuaweiCredentials {
  if (secretString === undefined) {
    throw new CredentialsMisconfiguredError('The upstream secret has no SecretString.');
  }
  let parsed: unknown;
  try {
    parsed = JSON.parse(secretString);
  } catch {
    // The parser's message can quote the secret, so it is not kept as the cause.
    throw new CredentialsMisconfiguredError('The upstream secret is not valid JSON.');
  }
  if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed)) {
    throw new CredentialsMisconfiguredError('The upstream secret is not a JSON object.');
  }

  const { ak, sk, securityToken } = parsed as Record<string, unknown>;
  if (!isNonEmptyString(ak) || !isNonEmptyString(sk)) {
    throw new CredentialsMisconfiguredError('The upstream secret lacks a non-empty string field ak or sk.');
  }
  if (securityToken !== undefined && !isNonEmptyString(securityToken)) {
    throw new CredentialsMisconfiguredError('The upstream secret field securityToken is not a non-empty string.');
  }
  return securityToken === undefined ? { ak, sk } : { ak, sk, securityToken };
}

function isNonEmptyString(value: unknown): value is string {
  return typeof value === 'string' && value.trim() !== '';
}
