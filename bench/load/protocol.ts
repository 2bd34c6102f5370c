/**
 * Messages between the load driver and its two child processes over the Node IPC channel. The stand-ins
 * and the proxy run in separate processes, so the proxy's RSS holds only the gateway and the handler.
 */

/** The stand-ins are listening; `env` points a handler at them. */
export interface StandInsReadyMessage {
  readonly type: 'ready';
  readonly env: Record<string, string>;
  /** The AK/SK in the secret, so the driver can look for them in the proxy's log. */
  readonly credentials: { readonly ak: string; readonly sk: string };
}

/** Counts of what the stand-ins have received so far. */
export interface StandInCountsMessage {
  readonly type: 'counts';
  readonly getSecretValueCalls: number;
  readonly modelArtsRequests: number;
  readonly jwksRequests: number;
  readonly faultsQueued: number;
}

/** The proxy's gateway is listening at `url`. */
export interface ProxyReadyMessage {
  readonly type: 'ready';
  readonly url: string;
}

/** Memory of the proxy process in bytes, after a full garbage collection. */
export interface MemorySnapshot {
  readonly rss: number;
  readonly heapUsed: number;
  /** V8 heap pages reserved, used or not. */
  readonly heapTotal: number;
  /** Memory of Buffers and other objects outside the V8 heap. */
  readonly external: number;
}

/** The proxy's memory and the failures its process caught. */
export interface ProxyStatsMessage {
  readonly type: 'stats';
  readonly memory: MemorySnapshot;
  /** RSS sampled once a second since the last stats message, without a collection first. */
  readonly rssSamples: readonly number[];
  readonly unhandledRejections: number;
  readonly uncaughtExceptions: number;
}

/** Driver requests: `counts` to the stand-ins, `stats` to the proxy, `stop` to both. */
export type DriverMessage = { readonly type: 'counts' } | { readonly type: 'stats' } | { readonly type: 'stop' };
