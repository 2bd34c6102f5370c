import type { HuaweiCredentials } from '../../functions/lib/huawei-signing';

/** Request counts of the stand-ins since the stand-in process started. */
export interface StandInCounters {
  /** GetSecretValue requests received by the Secrets Manager stand-in. */
  readonly getSecretValueCalls: number;
  /** JWKS downloads served by the issuer stand-in. */
  readonly jwksRequests: number;
  /** TCP connections accepted on the way to the ModelArts stand-in. */
  readonly upstreamConnections: number;
  /** Stop requests received by the ModelArts stand-in, signed correctly or not. */
  readonly stopRequests: number;
}

/** The one IPC message the stand-in process sends once all its servers listen. */
export interface StandInsReady {
  readonly type: 'ready';
  /** Handler environment variables that point at the stand-ins. */
  readonly handlerEnvironment: Record<string, string>;
  /** Base URL of the counters endpoint, `GET <controlUrl>/counters`. */
  readonly controlUrl: string;
  /** Base URL that reaches the ModelArts stand-in through the counting forwarder. */
  readonly upstreamUrl: string;
  /** A valid RS256 bearer token of the local issuer, valid for one hour. */
  readonly bearerToken: string;
  /** The AK/SK that the Secrets Manager stand-in serves and ModelArts accepts. */
  readonly credentials: HuaweiCredentials;
  /**
   * Variables that point the Secrets Manager extension client of the prototype bundle at the stand-in of
   * the AWS Parameters and Secrets Lambda Extension: its port and the session token it requires.
   */
  readonly secretsExtensionEnvironment: Record<string, string>;
}

/** Subtracts two counter snapshots, field by field. */
export function counterDelta(before: StandInCounters, after: StandInCounters): StandInCounters {
  return {
    getSecretValueCalls: after.getSecretValueCalls - before.getSecretValueCalls,
    jwksRequests: after.jwksRequests - before.jwksRequests,
    upstreamConnections: after.upstreamConnections - before.upstreamConnections,
    stopRequests: after.stopRequests - before.stopRequests,
  };
}
