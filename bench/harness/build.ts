import { createHash } from 'node:crypto';
import { copyFileSync, mkdirSync, readFileSync } from 'node:fs';
import { basename, dirname, join, relative } from 'node:path';
import { pathToFileURL } from 'node:url';
import { gzipSync } from 'node:zlib';
import * as esbuild from 'esbuild';
import { HANDLER_ESBUILD_OPTIONS } from '../../infra/lib/handler-bundling';
import { REPO_ROOT, WORK_DIR } from './paths';

/** A bundle on disk and its size. */
export interface BuiltBundle {
  readonly name: string;
  readonly file: string;
  /** `file://` URL for `import()`. */
  readonly url: string;
  readonly rawBytes: number;
  /** Size after gzip at the default level, an estimate of its size in the deployment zip. */
  readonly gzipBytes: number;
  /** SHA-256 of the file, so a result names the exact code it measured. */
  readonly sha256: string;
  /** Bytes by npm package, for bundles built by {@link buildLikeHandler}. */
  readonly byPackage?: readonly PackageShare[];
}

/** Bytes that one package contributes to a bundle. */
export interface PackageShare {
  /** npm package name, or the project folder for the project's own code. */
  readonly source: string;
  readonly bytes: number;
}

const BUNDLES_DIR = join(WORK_DIR, 'bundles');
const SCRIPTS_DIR = join(WORK_DIR, 'scripts');

function describeBundle(name: string, file: string): BuiltBundle {
  const content = readFileSync(file);
  return {
    name,
    file,
    url: pathToFileURL(file).href,
    rawBytes: content.length,
    gzipBytes: gzipSync(content).length,
    sha256: createHash('sha256').update(content).digest('hex'),
  };
}

/**
 * Bundles `entry` exactly as the CDK stack bundles the handler: the shared esbuild options, one entry
 * point, one ESM output named `index.mjs` as Lambda loads it. `metafile` only adds esbuild's map of
 * inputs, which splits the bundle's bytes by package; the bytes written are those of the CDK build.
 * `extraAliases` adds esbuild aliases for prototypes that replace a module; the deployed build has none.
 */
export async function buildLikeHandler(
  name: string,
  entry: string,
  extraAliases: Readonly<Record<string, string>> = {},
): Promise<BuiltBundle> {
  const outfile = join(BUNDLES_DIR, name, 'index.mjs');
  const result = await esbuild.build({
    ...HANDLER_ESBUILD_OPTIONS,
    alias: { ...HANDLER_ESBUILD_OPTIONS.alias, ...extraAliases },
    entryPoints: [entry],
    outfile,
    metafile: true,
    logLevel: 'warning',
  });
  return { ...describeBundle(name, outfile), byPackage: splitByPackage(result.metafile) };
}

function splitByPackage(metafile: esbuild.Metafile): PackageShare[] {
  const shares = new Map<string, number>();
  const outputMeta = Object.values(metafile.outputs)[0];
  for (const [input, meta] of Object.entries(outputMeta?.inputs ?? {})) {
    const source = packageOf(input);
    shares.set(source, (shares.get(source) ?? 0) + meta.bytesInOutput);
  }
  return [...shares]
    .map(([source, bytes]) => ({ source, bytes }))
    .filter((share) => share.bytes > 0)
    .sort((a, b) => b.bytes - a.bytes);
}

function packageOf(input: string): string {
  const inPackage = /node_modules\/((?:@[^/]+\/)?[^/]+)/.exec(input);
  if (inPackage?.[1]) {
    return inPackage[1];
  }
  return dirname(input);
}

/**
 * Copies the handler bundle next to a loader entry that enables the compile cache (see
 * bench/fixtures/compile-cache-loader.mts). Returns the loader, which is the bundle Lambda would load.
 */
export async function buildCompileCacheLoaderBundle(name: string, handler: BuiltBundle): Promise<BuiltBundle> {
  const dir = join(BUNDLES_DIR, name);
  mkdirSync(dir, { recursive: true });
  copyFileSync(handler.file, join(dir, 'handler.mjs'));
  const outfile = join(dir, 'index.mjs');
  await esbuild.build({
    ...HANDLER_ESBUILD_OPTIONS,
    entryPoints: [join(REPO_ROOT, 'bench', 'fixtures', 'compile-cache-loader.mts')],
    outfile,
    logLevel: 'warning',
  });
  return describeBundle(name, outfile);
}

/** Copies a bundle into a directory of its own, so a compile cache can sit next to it. */
export function copyBundle(name: string, source: BuiltBundle): BuiltBundle {
  const outfile = join(BUNDLES_DIR, name, 'index.mjs');
  mkdirSync(dirname(outfile), { recursive: true });
  copyFileSync(source.file, outfile);
  return describeBundle(name, outfile);
}

/** The harness's own scripts, bundled so that measured processes load one small file and no TypeScript. */
export interface HarnessScripts {
  readonly coldRunner: string;
  readonly warmRunner: string;
  readonly standIns: string;
}

/** Bundles the runners and the stand-in process. Their options are the harness's own, not the handler's. */
export async function buildHarnessScripts(): Promise<HarnessScripts> {
  const entries = {
    coldRunner: join(REPO_ROOT, 'bench', 'child', 'cold-runner.ts'),
    warmRunner: join(REPO_ROOT, 'bench', 'child', 'warm-runner.ts'),
    standIns: join(REPO_ROOT, 'bench', 'stand-ins', 'server.ts'),
  };
  const outputs = Object.fromEntries(
    Object.entries(entries).map(([key, entry]) => [key, join(SCRIPTS_DIR, `${basename(entry, '.ts')}.mjs`)]),
  ) as unknown as HarnessScripts;

  await Promise.all(
    Object.entries(entries).map(([key, entry]) =>
      esbuild.build({
        bundle: true,
        platform: 'node',
        format: 'esm',
        target: 'node24',
        entryPoints: [entry],
        outfile: outputs[key as keyof HarnessScripts],
        logLevel: 'warning',
      }),
    ),
  );
  return outputs;
}

/** A path relative to the repository root, for result files that must not name the machine's folders. */
export function repoRelative(file: string): string {
  return relative(REPO_ROOT, file);
}
