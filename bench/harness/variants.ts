import { join } from 'node:path';
import { signRequest } from '../../functions/lib/huawei-signing';
import type { BuiltBundle, HarnessScripts } from './build';
import type { ColdVariant } from './cold';
import { REPO_ROOT } from './paths';
import type { StandInProcess } from './stand-in-process';

/** A dependency fixture under bench/fixtures/dependencies and the packages it imports. */
export interface DependencyFixture {
  readonly key: string;
  readonly entry: string;
  readonly packages: readonly string[];
}

function fixture(key: string, file: string, packages: readonly string[]): DependencyFixture {
  return { key, entry: join(REPO_ROOT, 'bench', 'fixtures', 'dependencies', file), packages };
}

/** The handler's dependencies, each bundled on its own like the handler, plus two combinations. */
export const DEPENDENCY_FIXTURES: readonly DependencyFixture[] = [
  fixture('secretsManager', 'secrets-manager.ts', ['@aws-sdk/client-secrets-manager']),
  fixture('middy', 'middy.ts', ['@middy/core']),
  fixture('logger', 'logger.ts', ['@aws-lambda-powertools/logger']),
  fixture('metrics', 'metrics.ts', ['@aws-lambda-powertools/metrics']),
  fixture('jwtVerify', 'jwt-verify.ts', ['aws-jwt-verify']),
  fixture('all', 'all.ts', ['all five together']),
  fixture('withoutSecretsManager', 'without-secrets-manager.ts', ['all but the Secrets Manager client']),
];

/** Every bundle the run measures. */
export interface Bundles {
  readonly handler: BuiltBundle;
  readonly emptyHandler: BuiltBundle;
  /** The handler's middy, Powertools and request-recording work alone (bench/fixtures/warm-framework.ts). */
  readonly warmFramework: BuiltBundle;
  /** Prototype: the handler with the SDK client replaced by bench/fixtures/secrets-extension-client.ts. */
  readonly secretsExtension: BuiltBundle;
  /** The handler bundle in a folder of its own, used with NODE_COMPILE_CACHE. */
  readonly compileCacheEnvironment: BuiltBundle;
  /** A loader entry that enables the compile cache, then imports the handler bundle next to it. */
  readonly compileCacheLoader: BuiltBundle;
  readonly dependencies: ReadonlyMap<string, BuiltBundle>;
}

/** Inputs shared by every cold variant. */
export interface ColdVariantContext {
  readonly scripts: HarnessScripts;
  readonly bundles: Bundles;
  /** Environment of every cold process: the handler's settings and the bearer token. */
  readonly env: Readonly<Record<string, string>>;
  /** The same plus NODE_COMPILE_CACHE pointing at the cache next to `bundles.compileCacheEnvironment`. */
  readonly compileCacheEnv: Readonly<Record<string, string>>;
  readonly standIns: StandInProcess;
}

const SEEDED_PROJECT_ID = '0123456789abcdef0123456789abcdef';
const SEEDED_STOP_PATH = `/v2/${SEEDED_PROJECT_ID}/processor-tasks/kM7j9TSa611ZzBThzSr/versions/qSaudx2sbPvthHygckA/stop`;

/** Signs the seeded stop request now, for processes that send only the upstream request. */
function signedUpstreamRequest(standIns: StandInProcess): Record<string, string> {
  const url = new URL(SEEDED_STOP_PATH, standIns.ready.upstreamUrl);
  const unsigned = {
    method: 'POST',
    url,
    headers: { host: url.host, 'content-type': 'application/json', 'x-project-id': SEEDED_PROJECT_ID },
    body: '',
  };
  const headers = signRequest(unsigned, standIns.ready.credentials, new Date());
  return { BENCH_UPSTREAM_STOP_URL: url.href, BENCH_UPSTREAM_HEADERS: JSON.stringify(headers) };
}

function runnerVariant(
  key: string,
  context: ColdVariantContext,
  mode: 'ready' | 'first-response',
  bundle: BuiltBundle,
  env: Readonly<Record<string, string>> = context.env,
): ColdVariant {
  const sendsRequest = mode === 'first-response';
  return {
    key,
    args: [context.scripts.coldRunner],
    env: { ...env, BENCH_MODE: mode, BENCH_BUNDLE_URL: bundle.url },
    ...(sendsRequest ? { expectedStatus: 200 } : {}),
  };
}

function upstreamOnlyVariant(key: string, context: ColdVariantContext, mode: 'upstream-fetch' | 'upstream-http'): ColdVariant {
  return {
    key,
    args: [context.scripts.coldRunner],
    env: { ...context.env, BENCH_MODE: mode },
    perRunEnv: () => signedUpstreamRequest(context.standIns),
    expectedStatus: 200,
  };
}

/** Returns the handler's environment plus the port and session token of the extension stand-in. */
function secretsExtensionEnv(context: ColdVariantContext): Record<string, string> {
  return { ...context.env, ...context.standIns.ready.secretsExtensionEnvironment };
}

/**
 * Lists every cold process of a run. They are measured together, interleaved, so each ratio compares
 * processes started under the same machine conditions. Keys start with `ready:` or `first:`.
 */
export function coldVariants(context: ColdVariantContext): ColdVariant[] {
  const { bundles } = context;
  return [
    { key: 'ready:nodeEmpty', args: ['-e', '0'], env: context.env },
    runnerVariant('ready:emptyHandler', context, 'ready', bundles.emptyHandler),
    runnerVariant('ready:handler', context, 'ready', bundles.handler),
    runnerVariant('ready:compileCacheEnvironment', context, 'ready', bundles.compileCacheEnvironment, context.compileCacheEnv),
    runnerVariant('ready:compileCacheLoader', context, 'ready', bundles.compileCacheLoader),
    runnerVariant('ready:secretsExtension', context, 'ready', bundles.secretsExtension, secretsExtensionEnv(context)),
    ...DEPENDENCY_FIXTURES.map((dependency) =>
      runnerVariant(`ready:dependency-${dependency.key}`, context, 'ready', bundles.dependencies.get(dependency.key)!),
    ),
    { ...runnerVariant('first:handler', context, 'first-response', bundles.handler), countCalls: true },
    runnerVariant('first:compileCacheEnvironment', context, 'first-response', bundles.compileCacheEnvironment, context.compileCacheEnv),
    runnerVariant('first:compileCacheLoader', context, 'first-response', bundles.compileCacheLoader),
    runnerVariant('first:secretsExtension', context, 'first-response', bundles.secretsExtension, secretsExtensionEnv(context)),
    upstreamOnlyVariant('first:upstreamFetch', context, 'upstream-fetch'),
    upstreamOnlyVariant('first:upstreamHttp', context, 'upstream-http'),
  ];
}
