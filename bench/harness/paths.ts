import { existsSync } from 'node:fs';
import { join, resolve } from 'node:path';

/** Repository root. */
export const REPO_ROOT = resolve(__dirname, '..', '..');

/** Scratch space of the benchmark: bundles, compile caches and quick results. Git ignores it. */
export const WORK_DIR = join(REPO_ROOT, 'bench', '.work');

/** Result file of a full run, kept in the repository. */
export const LATEST_RESULTS_FILE = join(REPO_ROOT, 'bench', 'results', 'latest.json');

/** Result file of a quick run, kept out of the repository. */
export const QUICK_RESULTS_FILE = join(WORK_DIR, 'results-quick.json');

/** The page whose marked results section a full run rewrites. */
export const BENCHMARKS_DOC = join(REPO_ROOT, 'docs', 'benchmarks.md');

/** Entry point of the deployed handler. */
export const HANDLER_ENTRY = join(REPO_ROOT, 'functions', 'stop-processor-task-version', 'handler.ts');

/**
 * Returns the Node binary that npm scripts run on: the `node` dev dependency, which npm puts first on PATH.
 * Measured processes always run on it, whatever Node started the harness.
 *
 * @throws Error naming the fix when the dev dependency is not installed.
 */
export function resolveNodeBinary(): string {
  const binary = join(REPO_ROOT, 'node_modules', '.bin', 'node');
  if (!existsSync(binary)) {
    throw new Error(`${binary} is missing; run "npm ci" to install the node dev dependency that the benchmark runs on`);
  }
  return binary;
}
