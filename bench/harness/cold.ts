import { counterDelta, type StandInCounters } from '../stand-ins/protocol';
import { runProcess } from './processes';
import type { StandInProcess } from './stand-in-process';
import { median, round, summarize } from './stats';

/** One kind of cold process, started `runs` times. */
export interface ColdVariant {
  /** Key in the result file. */
  readonly key: string;
  readonly args: readonly string[];
  readonly env: Readonly<Record<string, string>>;
  /** Variables computed just before each start, such as a freshly signed request. */
  readonly perRunEnv?: () => Record<string, string>;
  /** Reads the stand-in counters around every run, for processes that call the stand-ins. */
  readonly countCalls?: boolean;
  /** HTTP status the process must report, for processes that send a request. */
  readonly expectedStatus?: number;
}

/** Result line of bench/child/cold-runner.ts. */
interface ColdRunnerResult {
  readonly importedMs?: number;
  readonly respondedMs?: number;
  readonly status?: number;
}

/** Medians of one variant, in milliseconds. */
export interface ColdVariantResult {
  readonly medianMs: number;
  readonly minMs: number;
  readonly maxMs: number;
  readonly runs: number;
  /** Every whole-process time, in start order. */
  readonly samplesMs: readonly number[];
  /** Median time from process start to the end of the bundle import, measured inside the process. */
  readonly inProcessImportedMs?: number;
  /** Median time from process start to the first response, measured inside the process. */
  readonly inProcessRespondedMs?: number;
  /** Median stand-in calls per process, when counted. */
  readonly callsPerProcess?: StandInCounters;
}

interface VariantSamples {
  readonly elapsed: number[];
  readonly imported: number[];
  readonly responded: number[];
  readonly calls: StandInCounters[];
}

/**
 * Starts every variant `runs` times, interleaved round by round in a rotating order, so drift of the
 * machine (frequency, cache, other load) spreads evenly over the variants. One untimed round first fills
 * the file cache.
 *
 * @throws Error when a process fails or reports an unexpected status.
 */
export async function measureCold(
  node: string,
  variants: readonly ColdVariant[],
  runs: number,
  standIns: StandInProcess,
): Promise<Record<string, ColdVariantResult>> {
  const samples = new Map<string, VariantSamples>(
    variants.map((variant) => [variant.key, { elapsed: [], imported: [], responded: [], calls: [] }]),
  );

  for (let round = -1; round < runs; round++) {
    for (let step = 0; step < variants.length; step++) {
      const variant = variants[(Math.max(round, 0) + step) % variants.length]!;
      const before = variant.countCalls ? await standIns.counters() : undefined;
      const outcome = await runProcess({
        node,
        args: variant.args,
        env: { ...variant.env, ...variant.perRunEnv?.() },
        label: `cold process ${variant.key}`,
      });
      const result = (outcome.result ?? {}) as ColdRunnerResult;
      if (variant.expectedStatus !== undefined && result.status !== variant.expectedStatus) {
        throw new Error(`cold process ${variant.key} got status ${result.status}, expected ${variant.expectedStatus}`);
      }
      if (round < 0) {
        continue;
      }

      const variantSamples = samples.get(variant.key)!;
      variantSamples.elapsed.push(outcome.elapsedMs);
      if (result.importedMs !== undefined) {
        variantSamples.imported.push(result.importedMs);
      }
      if (result.respondedMs !== undefined) {
        variantSamples.responded.push(result.respondedMs);
      }
      if (before !== undefined) {
        variantSamples.calls.push(counterDelta(before, await standIns.counters()));
      }
    }
  }

  return Object.fromEntries(variants.map((variant) => [variant.key, summarizeVariant(samples.get(variant.key)!)]));
}

function summarizeVariant(samples: VariantSamples): ColdVariantResult {
  const summary = summarize(samples.elapsed);
  return {
    medianMs: round(summary.median),
    minMs: round(summary.min),
    maxMs: round(summary.max),
    runs: summary.count,
    samplesMs: samples.elapsed.map((value) => round(value)),
    ...(samples.imported.length > 0 ? { inProcessImportedMs: round(median(samples.imported)) } : {}),
    ...(samples.responded.length > 0 ? { inProcessRespondedMs: round(median(samples.responded)) } : {}),
    ...(samples.calls.length > 0 ? { callsPerProcess: medianCounters(samples.calls) } : {}),
  };
}

function medianCounters(calls: readonly StandInCounters[]): StandInCounters {
  return {
    getSecretValueCalls: median(calls.map((call) => call.getSecretValueCalls)),
    jwksRequests: median(calls.map((call) => call.jwksRequests)),
    upstreamConnections: median(calls.map((call) => call.upstreamConnections)),
    stopRequests: median(calls.map((call) => call.stopRequests)),
  };
}
