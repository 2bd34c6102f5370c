import { mkdirSync, writeFileSync } from 'node:fs';
import { dirname } from 'node:path';
import type { StandInCounters } from '../stand-ins/protocol';
import type { PackageShare } from './build';
import type { ColdVariantResult } from './cold';
import type { LatencyPercentiles, WarmLatencyResult, WarmProcessResult } from './warm';

/** Size of one bundle. */
export interface BundleSize {
  readonly rawBytes: number;
  readonly gzipBytes: number;
}

/** Size and identity of one measured bundle. */
export interface BundleRecord extends BundleSize {
  readonly sha256: string;
}

/** Cold cost of one dependency bundled on its own. */
export interface DependencyCost extends BundleSize {
  readonly key: string;
  /** npm packages the fixture imports. */
  readonly packages: readonly string[];
  readonly coldReadyMs: number;
  /** Median cold ready minus the empty-handler bundle's. */
  readonly addedMs: number;
  /**
   * The same difference for the import alone, timed inside the processes. It leaves out process start and
   * exit, so it varies less between runs than `addedMs`.
   */
  readonly inProcessAddedMs: number;
  readonly ratioToNodeEmpty: number;
}

/** One target of the benchmark and how the run compares with it. */
export interface TargetCheck {
  readonly figure: string;
  readonly unit: string;
  /** The largest value that meets the target. */
  readonly limit: number;
  readonly measured: number;
  readonly met: boolean;
}

/** Everything a run records in its result file. Every ratio is a plain number. */
export interface BenchResults {
  readonly schemaVersion: 2;
  readonly mode: 'full' | 'quick';
  readonly date: string;
  readonly machine: {
    readonly cpus: number;
    readonly cpuModel: string;
    readonly memoryMiB: number;
    readonly os: string;
    /**
     * Machine load: the 1-minute load average before the first measured process, and the mean
     * number of CPUs that work other than the benchmark used during the run (null where /proc is missing).
     * The more other work, the less reliable the times.
     */
    readonly load: { readonly loadAverageBefore: number; readonly otherCpus: number | null };
  };
  readonly node: { readonly version: string; readonly binary: string };
  readonly settings: {
    readonly coldRuns: number;
    readonly latencyRounds: number;
    readonly warmupRounds: number;
    readonly memoryInvocations: number;
  };
  /** The commit the handler was built from; `uncommittedChanges` is true when its sources differ from it. */
  readonly source: { readonly commit: string; readonly uncommittedChanges: boolean };
  readonly bundle: {
    readonly handler: BundleRecord;
    readonly emptyHandler: BundleRecord;
    readonly byPackage: readonly PackageShare[];
  };
  readonly coldReady: {
    readonly nodeEmpty: ColdVariantResult;
    readonly emptyHandler: ColdVariantResult;
    readonly handler: ColdVariantResult;
    readonly ratioToNodeEmpty: number;
    readonly ratioToEmptyHandler: number;
    readonly emptyHandlerRatioToNodeEmpty: number;
  };
  readonly coldFirstResponse: {
    readonly handler: ColdVariantResult;
    readonly upstreamFetch: ColdVariantResult;
    readonly upstreamHttp: ColdVariantResult;
    readonly ratioToNodeEmpty: number;
    readonly ratioToUpstreamFetch: number;
    readonly ratioToUpstreamHttp: number;
  };
  readonly warmLatency: WarmLatencyResult;
  /** Warm invocation time of the required framework alone, against the empty handler's. */
  readonly warmFramework: {
    readonly emptyHandler: LatencyPercentiles;
    readonly framework: LatencyPercentiles;
    /** Framework p50 minus empty-handler p50, in microseconds. */
    readonly addedP50Us: number;
    /** `addedP50Us` divided by the handler's warm added latency p50. */
    readonly shareOfHandlerAddedP50: number;
  };
  readonly warmCalls: {
    readonly invocations: number;
    readonly per1000: StandInCounters;
  };
  readonly memory: {
    readonly invocations: number;
    readonly handlerPeakRssMiB: number;
    readonly emptyHandlerPeakRssMiB: number;
    readonly ratioToEmptyHandler: number;
    readonly handlerWarmInvocationsMs: number;
  };
  readonly dependencies: readonly DependencyCost[];
  /** Prototype: the handler reading its secret through the Parameters and Secrets extension, without the SDK. */
  readonly secretsExtension: {
    readonly bundle: BundleRecord;
    readonly coldReady: ColdVariantResult;
    readonly coldFirstResponse: ColdVariantResult;
    readonly coldReadyRatioToNodeEmpty: number;
    readonly coldFirstResponseRatioToNodeEmpty: number;
  };
  readonly compileCache: {
    /** Cache filled by one first-response process, used through NODE_COMPILE_CACHE. */
    readonly environmentVariable: CompileCacheResult;
    /** Cache enabled by a loader entry with module.enableCompileCache. */
    readonly loaderEntry: CompileCacheResult;
  };
  readonly targets: readonly TargetCheck[];
}

/** Cold figures of the handler with a shipped compile cache. */
export interface CompileCacheResult {
  readonly cacheBytes: number;
  readonly coldReady: ColdVariantResult;
  readonly coldFirstResponse: ColdVariantResult;
  /** Cold ready with the cache divided by cold ready without it. */
  readonly coldReadyRatioToNoCache: number;
  readonly coldFirstResponseRatioToNoCache: number;
}

/** Divides two measurements, rounded to three decimals. */
export function ratio(numerator: number, denominator: number): number {
  return Math.round((numerator / denominator) * 1000) / 1000;
}

/** Builds the target checks of a run. They are reported only: no code path fails the run on them. */
export function checkTargets(results: Omit<BenchResults, 'targets'>): TargetCheck[] {
  const check = (figure: string, unit: string, limit: number, measured: number): TargetCheck => ({
    figure,
    unit,
    limit,
    measured,
    met: measured <= limit,
  });
  return [
    check('cold ready', '× node -e 0', 2.0, results.coldReady.ratioToNodeEmpty),
    check('cold first response', '× node -e 0', 4.0, results.coldFirstResponse.ratioToNodeEmpty),
    check('warm added latency p50', 'µs', 100, results.warmLatency.addedVsDirectHttp.p50Us),
    check('warm added latency p99', 'µs', 1000, results.warmLatency.addedVsDirectHttp.p99Us),
    check('GetSecretValue calls per 1,000 warm invocations', 'calls', 0, results.warmCalls.per1000.getSecretValueCalls),
    check('JWKS fetches per 1,000 warm invocations', 'fetches', 0, results.warmCalls.per1000.jwksRequests),
    check('new upstream connections per 1,000 warm invocations', 'connections', 0, results.warmCalls.per1000.upstreamConnections),
    // 250 KB read as 250,000 bytes, the stricter of the two readings.
    check('bundle size, minified', 'bytes', 250_000, results.bundle.handler.rawBytes),
  ];
}

/** Writes the result file, creating its folder. */
export function writeResults(file: string, results: BenchResults): void {
  mkdirSync(dirname(file), { recursive: true });
  writeFileSync(file, `${JSON.stringify(results, null, 2)}\n`);
}
