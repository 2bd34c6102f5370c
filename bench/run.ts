/**
 * `npm run bench`: measures the handler bundle as the CDK stack deploys it, against floors measured in the
 * same run, and writes bench/results/latest.json and the results section of docs/benchmarks.md.
 * `npm run bench:quick` runs every step with few samples, to check that the benchmark still works; it
 * writes bench/.work/results-quick.json only.
 *
 * All traffic stays on 127.0.0.1. The benchmark fails when a step breaks (a process crashes, a request
 * does not succeed), never because of a measured time.
 */
import { execFileSync } from 'node:child_process';
import { rmSync } from 'node:fs';
import { loadavg } from 'node:os';
import { join } from 'node:path';
import { counterDelta } from './stand-ins/protocol';
import { assembleResults, type RunMeasurements } from './harness/assemble';
import {
  buildCompileCacheLoaderBundle,
  buildHarnessScripts,
  buildLikeHandler,
  copyBundle,
  repoRelative,
  type BuiltBundle,
  type HarnessScripts,
} from './harness/build';
import { measureCold } from './harness/cold';
import { compileCacheEnvironment, trainCompileCache } from './harness/compile-cache';
import { parseOptions, type BenchOptions } from './harness/options';
import {
  BENCHMARKS_DOC,
  HANDLER_ENTRY,
  LATEST_RESULTS_FILE,
  QUICK_RESULTS_FILE,
  REPO_ROOT,
  WORK_DIR,
  resolveNodeBinary,
} from './harness/paths';
import { buildChildEnvironment, buildHandlerEnvironment, runProcess } from './harness/processes';
import { renderResultsSection, updateResultsSection } from './harness/markdown';
import { writeResults, type BenchResults } from './harness/report';
import { startStandInProcess, type StandInProcess } from './harness/stand-in-process';
import { round } from './harness/stats';
import { otherCpuLoad, readCpuSnapshot } from './harness/machine-load';
import { DEPENDENCY_FIXTURES, coldVariants, type Bundles } from './harness/variants';
import { measureWarmLatency, measureWarmProcess } from './harness/warm';

/** The measurements of the steps, without the facts about the run around them. */
type StepMeasurements = Omit<RunMeasurements, 'machineLoad' | 'options' | 'node' | 'source'>;

function progress(message: string): void {
  process.stderr.write(`bench: ${message}\n`);
}

async function buildBundles(): Promise<Bundles> {
  rmSync(join(WORK_DIR, 'bundles'), { recursive: true, force: true });
  const handler = await buildLikeHandler('handler', HANDLER_ENTRY);
  const fixtures = join(REPO_ROOT, 'bench', 'fixtures');
  const emptyHandler = await buildLikeHandler('empty-handler', join(fixtures, 'empty-handler.ts'));
  const dependencies = new Map<string, BuiltBundle>();
  for (const dependency of DEPENDENCY_FIXTURES) {
    dependencies.set(dependency.key, await buildLikeHandler(`dependency-${dependency.key}`, dependency.entry));
  }
  return {
    handler,
    emptyHandler,
    warmFramework: await buildLikeHandler('warm-framework', join(fixtures, 'warm-framework.ts')),
    secretsExtension: await buildLikeHandler('secrets-extension', HANDLER_ENTRY, {
      '@aws-sdk/client-secrets-manager': join(fixtures, 'secrets-extension-client.ts'),
    }),
    compileCacheEnvironment: copyBundle('handler-compile-cache-env', handler),
    compileCacheLoader: await buildCompileCacheLoaderBundle('handler-compile-cache-loader', handler),
    dependencies,
  };
}

/** The commit the handler was built from, and whether its sources differ from that commit. */
function describeSource(): { commit: string; uncommittedChanges: boolean } {
  try {
    const git = (...args: string[]): string => execFileSync('git', args, { cwd: REPO_ROOT, encoding: 'utf8' }).trim();
    const changes = git('status', '--porcelain', '--', 'functions', 'infra/lib/handler-bundling.ts', 'package-lock.json');
    return { commit: git('rev-parse', 'HEAD'), uncommittedChanges: changes !== '' };
  } catch {
    // A copy without git history still runs the benchmark; the bundle hash identifies the code.
    return { commit: 'unknown', uncommittedChanges: true };
  }
}

function readNodeVersion(node: string): string {
  return execFileSync(node, ['-p', 'process.version'], { env: buildChildEnvironment({}), encoding: 'utf8' }).trim();
}

/**
 * Runs one first response with standard output captured and checks that the handler returned 200, wrote
 * its log line and EMF metrics, and made exactly the expected stand-in calls. Timed runs discard output,
 * so this is where a broken setup shows.
 *
 * @throws Error listing every check that failed.
 */
async function checkFirstResponse(
  node: string,
  scripts: HarnessScripts,
  bundle: BuiltBundle,
  env: Readonly<Record<string, string>>,
  standIns: StandInProcess,
): Promise<void> {
  const before = await standIns.counters();
  const outcome = await runProcess({
    node,
    args: [scripts.coldRunner],
    env: { ...env, BENCH_MODE: 'first-response', BENCH_BUNDLE_URL: bundle.url },
    captureStdout: true,
    label: 'first-response check',
  });
  const calls = counterDelta(before, await standIns.counters());
  const status = (outcome.result as { status?: number } | undefined)?.status;
  const problems = [
    status === 200 ? undefined : `status ${status}, expected 200`,
    outcome.stdout.includes('"stop request completed"') ? undefined : 'no "stop request completed" log line on stdout',
    outcome.stdout.includes('"_aws"') ? undefined : 'no EMF metrics document on stdout',
    calls.getSecretValueCalls === 1 ? undefined : `${calls.getSecretValueCalls} GetSecretValue calls, expected 1`,
    calls.jwksRequests === 1 ? undefined : `${calls.jwksRequests} JWKS fetches, expected 1`,
  ].filter((problem) => problem !== undefined);
  if (problems.length > 0) {
    throw new Error(`the first-response check of the handler failed: ${problems.join('; ')}`);
  }
}

async function run(options: BenchOptions): Promise<BenchResults> {
  const node = resolveNodeBinary();
  const nodeVersion = readNodeVersion(node);
  progress(`${options.mode} run on Node ${nodeVersion} (${repoRelative(node)})`);

  const bundles = await buildBundles();
  const scripts = await buildHarnessScripts();
  const source = describeSource();
  progress(`handler bundle ${bundles.handler.rawBytes} bytes, ${bundles.handler.gzipBytes} gzipped`);

  const standIns = await startStandInProcess(node, scripts.standIns);
  let measurements: StepMeasurements;
  const loadAverageBefore = round(loadavg()[0] ?? 0);
  const cpuAtStart = readCpuSnapshot();
  try {
    measurements = await measure(node, options, bundles, scripts, standIns);
  } finally {
    await standIns.stop();
  }
  // After the stand-in process has exited, so its CPU time counts as the benchmark's own.
  const otherCpus = otherCpuLoad(cpuAtStart, readCpuSnapshot());

  return assembleResults({
    ...measurements,
    options,
    node: { binary: node, version: nodeVersion },
    source,
    machineLoad: { loadAverageBefore, otherCpus: otherCpus ?? null },
  });
}

async function measure(
  node: string,
  options: BenchOptions,
  bundles: Bundles,
  scripts: HarnessScripts,
  standIns: StandInProcess,
): Promise<StepMeasurements> {
  const env = buildChildEnvironment({
    ...buildHandlerEnvironment(standIns.ready.handlerEnvironment),
    BENCH_BEARER_TOKEN: standIns.ready.bearerToken,
  });
  await checkFirstResponse(node, scripts, bundles.handler, env, standIns);

  progress('filling the compile caches');
  const compileCacheEnv = { ...env, ...compileCacheEnvironment(bundles.compileCacheEnvironment) };
  const coldRunner = scripts.coldRunner;
  const compileCacheBytes = {
    environment: await trainCompileCache({ node, coldRunner, bundle: bundles.compileCacheEnvironment, env: compileCacheEnv }),
    loader: await trainCompileCache({ node, coldRunner, bundle: bundles.compileCacheLoader, env }),
  };

  const variants = coldVariants({ scripts, bundles, env, compileCacheEnv, standIns });
  progress(`cold processes: ${variants.length} variants × ${options.coldRuns} runs, interleaved`);
  const cold = await measureCold(node, variants, options.coldRuns, standIns);

  progress(`warm latency: ${options.latencyRounds} rounds after ${options.warmupRounds} warm-up rounds`);
  const warmSpec = {
    node,
    runner: scripts.warmRunner,
    env: {
      ...env,
      BENCH_UPSTREAM_URL: standIns.ready.upstreamUrl,
      BENCH_UPSTREAM_AK: standIns.ready.credentials.ak,
      BENCH_UPSTREAM_SK: standIns.ready.credentials.sk,
      BENCH_CONTROL_URL: standIns.ready.controlUrl,
    },
  };
  const warmLatency = await measureWarmLatency({ ...warmSpec, bundleUrl: bundles.handler.url }, options);
  progress('warm latency of the required framework alone and of the empty handler');
  const warmFramework = await measureWarmLatency({ ...warmSpec, bundleUrl: bundles.warmFramework.url }, options);
  const warmEmptyHandler = await measureWarmLatency({ ...warmSpec, bundleUrl: bundles.emptyHandler.url }, options);

  progress(`memory and warm calls: ${options.memoryInvocations} warm invocations per process`);
  const handlerWarm = await measureWarmProcess({ ...warmSpec, bundleUrl: bundles.handler.url }, options, 'warm handler process');
  const emptyHandlerWarm = await measureWarmProcess(
    { ...warmSpec, bundleUrl: bundles.emptyHandler.url },
    options,
    'warm empty-handler process',
  );

  return { bundles, cold, compileCacheBytes, warmLatency, warmFramework, warmEmptyHandler, handlerWarm, emptyHandlerWarm };
}

async function main(): Promise<void> {
  const options = parseOptions(process.argv.slice(2));
  const started = Date.now();
  const results = await run(options);
  const section = renderResultsSection(results);

  if (options.mode === 'full') {
    writeResults(LATEST_RESULTS_FILE, results);
    const updated = updateResultsSection(BENCHMARKS_DOC, section);
    progress(`wrote ${repoRelative(LATEST_RESULTS_FILE)}${updated ? ` and the results section of ${repoRelative(BENCHMARKS_DOC)}` : ''}`);
  } else {
    writeResults(QUICK_RESULTS_FILE, results);
    progress(`wrote ${repoRelative(QUICK_RESULTS_FILE)}; a quick run has too few samples to judge the targets`);
  }
  process.stdout.write(`${section}\n`);
  progress(`finished in ${Math.round((Date.now() - started) / 1000)} s`);
}

main().catch((error: unknown) => {
  process.stderr.write(`bench failed: ${error instanceof Error ? error.message : String(error)}\n`);
  process.exit(1);
});
