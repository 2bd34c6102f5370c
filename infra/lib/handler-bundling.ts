/**
 * The one place that decides how the handler is bundled. The CDK construct and any script that
 * measures the bundle (cold start, size) both read these options, so they always build the same code.
 */
import { join } from 'node:path';
import { Runtime } from 'aws-cdk-lib/aws-lambda';
import { type BundlingOptions, OutputFormat } from 'aws-cdk-lib/aws-lambda-nodejs';
import type { BuildOptions } from 'esbuild';

/**
 * Lambda runtime of the handler. aws-cdk-lib 2.278 also offers `NODEJS_26_X`, but Powertools for AWS
 * Lambda (TypeScript) 2.x does not document Node.js 26 support yet, so the handler stays on Node.js 24.
 */
export const HANDLER_RUNTIME = Runtime.NODEJS_24_X;

/**
 * An ESM bundle has no `require`. A bundled CommonJS dependency that calls it for a Node.js built-in
 * goes through esbuild's `__require` shim, which throws "Dynamic require ... is not supported" unless
 * a top-level `require` exists, so the banner defines one. The current dependencies resolve to ESM
 * and make no such call; the banner keeps a future CommonJS dependency from failing at run time.
 */
const CREATE_REQUIRE_BANNER =
  "import { createRequire as __createRequire } from 'node:module'; const require = __createRequire(import.meta.url);";

const ALIASES_DIR = join(__dirname, 'bundle-aliases');

/**
 * Modules that the bundle replaces, by import path. esbuild resolves each replacement path as if it were
 * imported from the working directory, so the paths are absolute.
 */
const BUNDLE_ALIASES = {
  // Loads the built-ins through CommonJS, so their ESM facade does not load undici at import time.
  http: join(ALIASES_DIR, 'node-http.ts'),
  'node:http': join(ALIASES_DIR, 'node-http.ts'),
  https: join(ALIASES_DIR, 'node-https.ts'),
  'node:https': join(ALIASES_DIR, 'node-https.ts'),
  // NOTE: the deployed bundle reads AWS credentials only from AWS_ACCESS_KEY_ID, AWS_SECRET_ACCESS_KEY and
  // AWS_SESSION_TOKEN, which is what Lambda provides. The SDK's default chain (profiles, SSO, instance
  // metadata) is not in the bundle; see bundle-aliases/credential-provider-env-only.ts.
  '@aws-sdk/credential-provider-node': join(ALIASES_DIR, 'credential-provider-env-only.ts'),
} as const;

/**
 * esbuild options of the handler bundle, without entry point and output file. Pass them to
 * `esbuild.build` to get the same bundle that `cdk synth` deploys.
 */
export const HANDLER_ESBUILD_OPTIONS = {
  bundle: true,
  platform: 'node',
  format: 'esm',
  target: 'node24',
  minify: true,
  sourcemap: false,
  // Prefer a package's ESM build, which esbuild can tree-shake; packages with an `exports` map use it instead.
  mainFields: ['module', 'main'],
  // Nothing is external, so the AWS SDK in the bundle is the version the tests ran against, and esbuild
  // keeps only the SDK code the handler uses instead of the runtime's full copy.
  // NOTE: the cold-start effect of bundling the SDK is not measured in this repository.
  external: [],
  banner: { js: CREATE_REQUIRE_BANNER },
  alias: BUNDLE_ALIASES,
} as const satisfies BuildOptions;

/**
 * The same options in the form `NodejsFunction` takes. Bundling runs the esbuild installed in
 * node_modules: `forceDockerBundling: false` keeps Docker out, and `assertLocalEsbuild` turns a missing
 * esbuild into an error instead of a silent switch to Docker.
 */
export const HANDLER_BUNDLING_OPTIONS: BundlingOptions = {
  format: OutputFormat.ESM,
  target: HANDLER_ESBUILD_OPTIONS.target,
  minify: HANDLER_ESBUILD_OPTIONS.minify,
  sourceMap: HANDLER_ESBUILD_OPTIONS.sourcemap,
  mainFields: [...HANDLER_ESBUILD_OPTIONS.mainFields],
  externalModules: [...HANDLER_ESBUILD_OPTIONS.external],
  banner: HANDLER_ESBUILD_OPTIONS.banner.js,
  // BundlingOptions has no alias property; the construct passes each `--alias` entry on as `--alias:<from>=<to>`.
  esbuildArgs: { '--alias': Object.entries(HANDLER_ESBUILD_OPTIONS.alias).map(([from, to]) => `${from}=${to}`) },
  forceDockerBundling: false,
};

/**
 * Checks that esbuild resolves from this project, where `NodejsFunction` looks for it. Without it the
 * construct would try to build a Docker image, which needs a Docker daemon and network access.
 *
 * @throws Error naming the fix when esbuild is not installed.
 */
export function assertLocalEsbuild(): void {
  try {
    require.resolve('esbuild/package.json');
  } catch (error) {
    throw new Error('esbuild is not installed in node_modules; run "npm ci" so the handler bundles locally instead of in Docker', {
      cause: error,
    });
  }
}
