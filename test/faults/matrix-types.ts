import type { HuaweiCredentials } from '../../functions/lib/huawei-signing';
import type { SigningKey } from '../../local/stand-ins';
import type { StopEventOptions } from '../support/events';
import type { EnvironmentChanges, HandlerResponse } from '../support/handler-loader';
import type { IntegrationHarness } from '../support/integration-harness';

/** The dependency a fault row breaks. */
export type FaultGroup = 'Secrets Manager' | 'ModelArts' | 'issuer keys' | 'time';

/** What a row's hooks can reach while it runs. */
export interface RowContext {
  readonly harness: IntegrationHarness;
  /** Date.now() at the row start, in whole seconds; pinned when the row sets `pinClock`. */
  readonly nowSeconds: number;
  /** A key the issuer does not publish until a row rotates to it. */
  readonly rotatedKey: SigningKey;
  /** AK/SK that neither stand-in stores or accepts until a row rotates to them; new for every row. */
  readonly rotatedCredentials: HuaweiCredentials;
  /** A 127.0.0.1 URL on which nothing listens. */
  readonly closedUrl: string;
  /** Base URL of a loopback server that counts the requests a followed redirect would send. */
  readonly redirectTargetUrl: string;
}

/** One request of a row, or a batch of identical requests, and what each must return. */
export interface MatrixStep {
  /** Changes the stand-ins just before the request. */
  readonly before?: (ctx: RowContext) => void;
  /** The request; `index` counts the requests of a batch. Default: a valid stop of the seeded version. */
  readonly event?: (ctx: RowContext, index: number) => StopEventOptions;
  /** Requests sent by this step. @default 1 */
  readonly repeat?: number;
  /** Sends the batch at once instead of one after another. @default false */
  readonly concurrent?: boolean;
  /** Moves Date.now forward by this many milliseconds from this step on, so pauses end without waiting. */
  readonly advanceClockMs?: number;
  /** Status of every response of the step. */
  readonly status: number;
  /** `error_code` of the body, required for every error status. */
  readonly errorCode?: string;
  /** `outcome` of the request log line. */
  readonly outcome: string;
  /** Response headers that must be present with these values. */
  readonly headers?: Readonly<Record<string, string>>;
}

/**
 * One injected fault and the response it must end in. Counts cover the whole row: the cold start of a fresh
 * handler (its Secrets Manager prefetch and JWKS preload) plus every step.
 */
export interface FaultRow {
  readonly group: FaultGroup;
  /** The injected fault, as the test name shows it. */
  readonly fault: string;
  /** Handler environment for this row. */
  readonly env?: (ctx: RowContext) => EnvironmentChanges;
  /** Breaks a stand-in before the cold start, so the init prefetch and preload meet the fault. */
  readonly coldStart?: (ctx: RowContext) => void;
  /** Pins Date.now to a whole second for the steps, so token times relative to `nowSeconds` are exact. */
  readonly pinClock?: boolean;
  readonly steps: readonly MatrixStep[];
  /** Stop requests that ModelArts received. */
  readonly modelArtsRequests: number;
  /** GetSecretValue requests that reached the stand-in, SDK retries included. */
  readonly getSecretValueCalls: number;
  /** Reads by the credentials provider; the SDK's retries of one read count once. */
  readonly secretReads: number;
  /** JWKS downloads that reached the issuer stand-in. */
  readonly jwksRequests: number;
  /** Maximum time one step may take, in milliseconds. @default 2000 */
  readonly budgetMs?: number;
  /** Assertions that only this row needs. */
  readonly check?: (ctx: RowContext, responses: readonly HandlerResponse[]) => void;
  /** An existing test, as `file › test name`, that asserts more about the same fault. */
  readonly seeAlso?: string;
}
