import { counterDelta, type StandInCounters } from '../stand-ins/protocol';
import type { BenchOptions } from './options';
import { runProcess } from './processes';
import { percentile, round } from './stats';

/** p50 and p99 of a set of durations, in microseconds. */
export interface LatencyPercentiles {
  readonly p50Us: number;
  readonly p99Us: number;
}

/** Warm latency of the handler and of the two direct requests it is compared with. */
export interface WarmLatencyResult {
  readonly rounds: number;
  readonly warmupRounds: number;
  readonly handler: LatencyPercentiles;
  readonly directHttp: LatencyPercentiles;
  readonly directFetch: LatencyPercentiles;
  /** Percentiles of (handler − direct `node:http` request), paired round by round. */
  readonly addedVsDirectHttp: LatencyPercentiles;
  /** Percentiles of (handler − direct `fetch`), paired round by round. */
  readonly addedVsDirectFetch: LatencyPercentiles;
}

/** Peak memory and stand-in traffic of one process after its warm invocations. */
export interface WarmProcessResult {
  readonly invocations: number;
  readonly peakRssMiB: number;
  /** Wall time of the warm invocations, in milliseconds. */
  readonly elapsedMs: number;
  readonly calls: StandInCounters;
}

interface LatencyRunnerResult {
  readonly handlerUs: number[];
  readonly directHttpUs: number[];
  readonly directFetchUs: number[];
  readonly failedRequests: number;
}

interface MemoryRunnerResult {
  readonly invocations: number;
  readonly firstStatus: number;
  readonly failedRequests: number;
  readonly elapsedMs: number;
  readonly countersBefore: StandInCounters;
  readonly countersAfter: StandInCounters;
  readonly maxRssKiB: number;
}

function percentiles(samples: readonly number[]): LatencyPercentiles {
  return { p50Us: round(percentile(samples, 50), 1), p99Us: round(percentile(samples, 99), 1) };
}

/** Inputs of every warm process: the runner, the bundle and the handler's environment. */
export interface WarmProcessSpec {
  readonly node: string;
  readonly runner: string;
  readonly bundleUrl: string;
  readonly env: Readonly<Record<string, string>>;
}

/**
 * Measures warm latency in one process: the handler versus the same signed request sent directly.
 *
 * @throws Error when any request of any arm failed, because its timing would not be comparable.
 */
export async function measureWarmLatency(spec: WarmProcessSpec, options: BenchOptions): Promise<WarmLatencyResult> {
  const outcome = await runProcess({
    node: spec.node,
    args: [spec.runner],
    env: {
      ...spec.env,
      BENCH_MODE: 'latency',
      BENCH_BUNDLE_URL: spec.bundleUrl,
      BENCH_WARMUP_ROUNDS: String(options.warmupRounds),
      BENCH_ROUNDS: String(options.latencyRounds),
    },
    label: 'warm latency process',
  });
  const result = outcome.result as LatencyRunnerResult;
  if (result.failedRequests > 0) {
    throw new Error(`${result.failedRequests} requests of the warm latency process did not get a 200 with a body`);
  }

  const addedVsHttp = result.handlerUs.map((value, index) => value - result.directHttpUs[index]!);
  const addedVsFetch = result.handlerUs.map((value, index) => value - result.directFetchUs[index]!);
  return {
    rounds: result.handlerUs.length,
    warmupRounds: options.warmupRounds,
    handler: percentiles(result.handlerUs),
    directHttp: percentiles(result.directHttpUs),
    directFetch: percentiles(result.directFetchUs),
    addedVsDirectHttp: percentiles(addedVsHttp),
    addedVsDirectFetch: percentiles(addedVsFetch),
  };
}

/**
 * Invokes a bundle's handler `memoryInvocations` times after its first invocation, in one process, and
 * returns its peak RSS and the stand-in calls of the warm invocations.
 *
 * @throws Error when the first or any warm invocation did not return 200.
 */
export async function measureWarmProcess(spec: WarmProcessSpec, options: BenchOptions, label: string): Promise<WarmProcessResult> {
  const outcome = await runProcess({
    node: spec.node,
    args: [spec.runner],
    env: { ...spec.env, BENCH_MODE: 'memory', BENCH_BUNDLE_URL: spec.bundleUrl, BENCH_INVOCATIONS: String(options.memoryInvocations) },
    label,
  });
  const result = outcome.result as MemoryRunnerResult;
  if (result.firstStatus !== 200 || result.failedRequests > 0) {
    throw new Error(
      `${label}: first invocation returned ${result.firstStatus} and ${result.failedRequests} warm invocations did not return 200`,
    );
  }
  return {
    invocations: result.invocations,
    peakRssMiB: round(result.maxRssKiB / 1024, 1),
    elapsedMs: round(result.elapsedMs, 1),
    calls: counterDelta(result.countersBefore, result.countersAfter),
  };
}
