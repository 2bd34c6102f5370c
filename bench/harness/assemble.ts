import { cpus, release, totalmem, type } from 'node:os';
import { repoRelative, type BuiltBundle } from './build';
import type { ColdVariantResult } from './cold';
import type { BenchOptions } from './options';
import { checkTargets, ratio, type BenchResults, type BundleRecord, type DependencyCost } from './report';
import { round } from './stats';
import { DEPENDENCY_FIXTURES, type Bundles } from './variants';
import type { WarmLatencyResult, WarmProcessResult } from './warm';

/** The raw outcome of every measured step of a run. */
export interface RunMeasurements {
  readonly options: BenchOptions;
  readonly node: { readonly binary: string; readonly version: string };
  readonly machineLoad: {
    readonly loadAverageBefore: number;
    /** Mean number of CPUs busy with work other than the benchmark, or null where it cannot be read. */
    readonly otherCpus: number | null;
  };
  readonly bundles: Bundles;
  readonly source: { readonly commit: string; readonly uncommittedChanges: boolean };
  /** Cold variants by key, as listed by `coldVariants`. */
  readonly cold: Readonly<Record<string, ColdVariantResult>>;
  readonly compileCacheBytes: { readonly environment: number; readonly loader: number };
  readonly warmLatency: WarmLatencyResult;
  /** The latency measurement run on the framework fixture; only its handler arm is used. */
  readonly warmFramework: WarmLatencyResult;
  /** The latency measurement run on the empty handler; only its handler arm is used. */
  readonly warmEmptyHandler: WarmLatencyResult;
  readonly handlerWarm: WarmProcessResult;
  readonly emptyHandlerWarm: WarmProcessResult;
}

function coldResult(cold: Readonly<Record<string, ColdVariantResult>>, key: string): ColdVariantResult {
  const result = cold[key];
  if (result === undefined) {
    throw new Error(`no cold measurement named ${key}`);
  }
  return result;
}

function dependencyCosts(measurements: RunMeasurements): DependencyCost[] {
  const nodeEmpty = coldResult(measurements.cold, 'ready:nodeEmpty').medianMs;
  const emptyHandler = coldResult(measurements.cold, 'ready:emptyHandler');
  return DEPENDENCY_FIXTURES.map((dependency) => {
    const bundle = measurements.bundles.dependencies.get(dependency.key)!;
    const measured = coldResult(measurements.cold, `ready:dependency-${dependency.key}`);
    const coldReadyMs = measured.medianMs;
    return {
      key: dependency.key,
      packages: dependency.packages,
      rawBytes: bundle.rawBytes,
      gzipBytes: bundle.gzipBytes,
      coldReadyMs,
      addedMs: round(coldReadyMs - emptyHandler.medianMs),
      inProcessAddedMs: round((measured.inProcessImportedMs ?? 0) - (emptyHandler.inProcessImportedMs ?? 0)),
      ratioToNodeEmpty: ratio(coldReadyMs, nodeEmpty),
    };
  });
}

function bundleRecord(bundle: BuiltBundle): BundleRecord {
  return { rawBytes: bundle.rawBytes, gzipBytes: bundle.gzipBytes, sha256: bundle.sha256 };
}

/** Turns the measurements of a run into its result record, ratios and target checks included. */
export function assembleResults(measurements: RunMeasurements): BenchResults {
  const { options, bundles, warmLatency, warmFramework, warmEmptyHandler, handlerWarm, emptyHandlerWarm } = measurements;
  const frameworkAddedP50Us = round(warmFramework.handler.p50Us - warmEmptyHandler.handler.p50Us, 1);
  const cold = (key: string): ColdVariantResult => coldResult(measurements.cold, key);
  const nodeEmptyMs = cold('ready:nodeEmpty').medianMs;
  const perThousand = (count: number): number => round((count * 1000) / handlerWarm.invocations, 3);

  const results: Omit<BenchResults, 'targets'> = {
    schemaVersion: 2,
    mode: options.mode,
    date: new Date().toISOString(),
    machine: {
      cpus: cpus().length,
      cpuModel: cpus()[0]?.model.trim() ?? 'unknown',
      memoryMiB: Math.round(totalmem() / 2 ** 20),
      os: `${type()} ${release()}`,
      load: measurements.machineLoad,
    },
    node: { version: measurements.node.version, binary: repoRelative(measurements.node.binary) },
    settings: {
      coldRuns: options.coldRuns,
      latencyRounds: options.latencyRounds,
      warmupRounds: options.warmupRounds,
      memoryInvocations: options.memoryInvocations,
    },
    source: measurements.source,
    bundle: {
      handler: bundleRecord(bundles.handler),
      emptyHandler: bundleRecord(bundles.emptyHandler),
      byPackage: bundles.handler.byPackage ?? [],
    },
    coldReady: {
      nodeEmpty: cold('ready:nodeEmpty'),
      emptyHandler: cold('ready:emptyHandler'),
      handler: cold('ready:handler'),
      ratioToNodeEmpty: ratio(cold('ready:handler').medianMs, nodeEmptyMs),
      ratioToEmptyHandler: ratio(cold('ready:handler').medianMs, cold('ready:emptyHandler').medianMs),
      emptyHandlerRatioToNodeEmpty: ratio(cold('ready:emptyHandler').medianMs, nodeEmptyMs),
    },
    coldFirstResponse: {
      handler: cold('first:handler'),
      upstreamFetch: cold('first:upstreamFetch'),
      upstreamHttp: cold('first:upstreamHttp'),
      ratioToNodeEmpty: ratio(cold('first:handler').medianMs, nodeEmptyMs),
      ratioToUpstreamFetch: ratio(cold('first:handler').medianMs, cold('first:upstreamFetch').medianMs),
      ratioToUpstreamHttp: ratio(cold('first:handler').medianMs, cold('first:upstreamHttp').medianMs),
    },
    warmLatency,
    warmFramework: {
      emptyHandler: warmEmptyHandler.handler,
      framework: warmFramework.handler,
      addedP50Us: frameworkAddedP50Us,
      shareOfHandlerAddedP50: ratio(frameworkAddedP50Us, warmLatency.addedVsDirectHttp.p50Us),
    },
    warmCalls: {
      invocations: handlerWarm.invocations,
      per1000: {
        getSecretValueCalls: perThousand(handlerWarm.calls.getSecretValueCalls),
        jwksRequests: perThousand(handlerWarm.calls.jwksRequests),
        upstreamConnections: perThousand(handlerWarm.calls.upstreamConnections),
        stopRequests: perThousand(handlerWarm.calls.stopRequests),
      },
    },
    memory: {
      invocations: handlerWarm.invocations,
      handlerPeakRssMiB: handlerWarm.peakRssMiB,
      emptyHandlerPeakRssMiB: emptyHandlerWarm.peakRssMiB,
      ratioToEmptyHandler: ratio(handlerWarm.peakRssMiB, emptyHandlerWarm.peakRssMiB),
      handlerWarmInvocationsMs: handlerWarm.elapsedMs,
    },
    dependencies: dependencyCosts(measurements),
    secretsExtension: {
      bundle: bundleRecord(bundles.secretsExtension),
      coldReady: cold('ready:secretsExtension'),
      coldFirstResponse: cold('first:secretsExtension'),
      coldReadyRatioToNodeEmpty: ratio(cold('ready:secretsExtension').medianMs, nodeEmptyMs),
      coldFirstResponseRatioToNodeEmpty: ratio(cold('first:secretsExtension').medianMs, nodeEmptyMs),
    },
    compileCache: {
      environmentVariable: {
        cacheBytes: measurements.compileCacheBytes.environment,
        coldReady: cold('ready:compileCacheEnvironment'),
        coldFirstResponse: cold('first:compileCacheEnvironment'),
        coldReadyRatioToNoCache: ratio(cold('ready:compileCacheEnvironment').medianMs, cold('ready:handler').medianMs),
        coldFirstResponseRatioToNoCache: ratio(cold('first:compileCacheEnvironment').medianMs, cold('first:handler').medianMs),
      },
      loaderEntry: {
        cacheBytes: measurements.compileCacheBytes.loader,
        coldReady: cold('ready:compileCacheLoader'),
        coldFirstResponse: cold('first:compileCacheLoader'),
        coldReadyRatioToNoCache: ratio(cold('ready:compileCacheLoader').medianMs, cold('ready:handler').medianMs),
        coldFirstResponseRatioToNoCache: ratio(cold('first:compileCacheLoader').medianMs, cold('first:handler').medianMs),
      },
    },
  };
  return { ...results, targets: checkTargets(results) };
}
