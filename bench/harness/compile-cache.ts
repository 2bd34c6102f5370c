import { readdirSync, statSync } from 'node:fs';
import { dirname, join } from 'node:path';
import type { BuiltBundle } from './build';
import { runProcess } from './processes';

/** Returns the folder of a bundle's shipped compile cache: `compile-cache/` next to the bundle. */
export function compileCacheDir(bundle: BuiltBundle): string {
  return join(dirname(bundle.file), 'compile-cache');
}

/** Variables that make Node use the portable compile cache next to `bundle`, without code changes. */
export function compileCacheEnvironment(bundle: BuiltBundle): Record<string, string> {
  return { NODE_COMPILE_CACHE: compileCacheDir(bundle), NODE_COMPILE_CACHE_PORTABLE: '1' };
}

/** Inputs of a training run: one first-response process whose compile cache is flushed at its end. */
export interface TrainingRun {
  readonly node: string;
  readonly coldRunner: string;
  readonly bundle: BuiltBundle;
  readonly env: Readonly<Record<string, string>>;
}

/**
 * Fills a compile cache as a build step would: one process imports the bundle, handles one request, and
 * flushes the cache, so it contains the code of init and of the first invocation. Returns the cache size.
 *
 * @throws Error when the process fails or leaves no cache behind.
 */
export async function trainCompileCache(run: TrainingRun): Promise<number> {
  await runProcess({
    node: run.node,
    args: [run.coldRunner],
    env: { ...run.env, BENCH_MODE: 'first-response', BENCH_BUNDLE_URL: run.bundle.url, BENCH_FLUSH_COMPILE_CACHE: '1' },
    label: `compile cache training of ${run.bundle.name}`,
  });
  const bytes = directorySize(compileCacheDir(run.bundle));
  if (bytes === 0) {
    throw new Error(`compile cache training of ${run.bundle.name} left no cache in ${compileCacheDir(run.bundle)}`);
  }
  return bytes;
}

function directorySize(dir: string): number {
  let total = 0;
  let entries: string[];
  try {
    entries = readdirSync(dir);
  } catch {
    return 0;
  }
  for (const entry of entries) {
    const path = join(dir, entry);
    const stats = statSync(path);
    total += stats.isDirectory() ? directorySize(path) : stats.size;
  }
  return total;
}
