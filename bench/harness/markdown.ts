/** The results section of docs/benchmarks.md: Markdown tables rendered from a result record. */
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import type { BenchResults, CompileCacheResult } from './report';

const SECTION_BEGIN = '<!-- bench:results:begin -->';
const SECTION_END = '<!-- bench:results:end -->';

function formatNumber(value: number, digits = 2): string {
  return value.toLocaleString('en-US', { maximumFractionDigits: digits });
}

const ms = (value: number): string => `${formatNumber(value)} ms`;
const bytes = (value: number): string => formatNumber(value, 0);
const microseconds = (p50: number, p99: number): string => `${formatNumber(p50, 1)} / ${formatNumber(p99, 1)} µs`;

function table(header: readonly string[], rows: ReadonlyArray<readonly (string | number)[]>): string[] {
  const line = (cells: readonly (string | number)[]): string => `| ${cells.join(' | ')} |`;
  return [line(header), `|${header.map(() => '---').join('|')}|`, ...rows.map(line)];
}

function describeRun(results: BenchResults): string[] {
  const { machine, node, settings, source, bundle } = results;
  const otherCpus = machine.load.otherCpus ?? 'an unknown number of';
  return [
    `Measured on ${results.date.slice(0, 10)}: ${machine.cpus} × ${machine.cpuModel}, ${bytes(machine.memoryMiB)} MiB, ` +
      `${machine.os}, Node ${node.version}. Cold medians over ${settings.coldRuns} processes per variant. ` +
      `1-minute load average before the run: ${machine.load.loadAverageBefore}. ` +
      `Other work used ${otherCpus} CPUs on average during the run.`,
    `Handler bundle built from commit ${source.commit.slice(0, 12)}` +
      `${source.uncommittedChanges ? ' with uncommitted changes to its sources' : ''}, ` +
      `SHA-256 ${bundle.handler.sha256.slice(0, 16)}….`,
  ];
}

function targetTable(results: BenchResults): string[] {
  return table(
    ['figure', 'target', 'measured', 'met'],
    results.targets.map((target) => [
      target.figure,
      `≤ ${formatNumber(target.limit)} ${target.unit}`,
      `${formatNumber(target.measured)} ${target.unit}`,
      target.met ? 'yes' : 'no',
    ]),
  );
}

function floorTable(results: BenchResults): string[] {
  const { coldReady, coldFirstResponse, warmLatency: warm, memory, bundle } = results;
  const nodeEmpty = `\`node -e 0\` ${ms(coldReady.nodeEmpty.medianMs)}`;
  const firstResponse = ms(coldFirstResponse.handler.medianMs);
  return table(
    ['figure', 'handler', 'floor', 'ratio'],
    [
      [
        'bundle, raw / gzip',
        `${bytes(bundle.handler.rawBytes)} / ${bytes(bundle.handler.gzipBytes)} B`,
        `empty handler ${bytes(bundle.emptyHandler.rawBytes)} B`,
        'n/a',
      ],
      ['cold ready', ms(coldReady.handler.medianMs), nodeEmpty, coldReady.ratioToNodeEmpty],
      ['cold ready', ms(coldReady.handler.medianMs), `empty handler ${ms(coldReady.emptyHandler.medianMs)}`, coldReady.ratioToEmptyHandler],
      ['cold first response', firstResponse, nodeEmpty, coldFirstResponse.ratioToNodeEmpty],
      [
        'cold first response',
        firstResponse,
        `upstream \`fetch\` only ${ms(coldFirstResponse.upstreamFetch.medianMs)}`,
        coldFirstResponse.ratioToUpstreamFetch,
      ],
      [
        'cold first response',
        firstResponse,
        `upstream \`node:http\` only ${ms(coldFirstResponse.upstreamHttp.medianMs)}`,
        coldFirstResponse.ratioToUpstreamHttp,
      ],
      [
        'warm latency p50 / p99',
        microseconds(warm.handler.p50Us, warm.handler.p99Us),
        `direct \`node:http\` ${microseconds(warm.directHttp.p50Us, warm.directHttp.p99Us)}`,
        `added ${microseconds(warm.addedVsDirectHttp.p50Us, warm.addedVsDirectHttp.p99Us)}`,
      ],
      [
        'warm latency p50 / p99',
        'same',
        `direct \`fetch\` ${microseconds(warm.directFetch.p50Us, warm.directFetch.p99Us)}`,
        `added ${microseconds(warm.addedVsDirectFetch.p50Us, warm.addedVsDirectFetch.p99Us)}`,
      ],
      [
        `peak RSS after ${bytes(memory.invocations)} warm invocations`,
        `${formatNumber(memory.handlerPeakRssMiB, 1)} MiB`,
        `empty handler ${formatNumber(memory.emptyHandlerPeakRssMiB, 1)} MiB`,
        memory.ratioToEmptyHandler,
      ],
    ],
  );
}

function dependencyTable(results: BenchResults): string[] {
  return table(
    [
      'dependency alone (import and construct)',
      'raw / gzip bytes',
      'cold ready',
      'added to empty handler',
      'import alone, added',
      '× node -e 0',
    ],
    results.dependencies.map((dependency) => [
      dependency.packages.join(', '),
      `${bytes(dependency.rawBytes)} / ${bytes(dependency.gzipBytes)}`,
      ms(dependency.coldReadyMs),
      ms(dependency.addedMs),
      ms(dependency.inProcessAddedMs),
      dependency.ratioToNodeEmpty,
    ]),
  );
}

function requirementTable(results: BenchResults): string[] {
  const { warmFramework, secretsExtension, warmLatency } = results;
  return table(
    ['what the requirements cost', 'measured', 'compared with'],
    [
      [
        'warm invocation, middy + Powertools Logger and Metrics + request log, audit line and EMF, p50',
        `${formatNumber(warmFramework.framework.p50Us, 1)} µs`,
        `empty handler ${formatNumber(warmFramework.emptyHandler.p50Us, 1)} µs: added ` +
          `${formatNumber(warmFramework.addedP50Us, 1)} µs, ${formatNumber(warmFramework.shareOfHandlerAddedP50 * 100, 0)} % ` +
          `of the handler's ${formatNumber(warmLatency.addedVsDirectHttp.p50Us, 1)} µs`,
      ],
      [
        'prototype without the SDK, secret from the Parameters and Secrets extension: bundle raw / gzip',
        `${bytes(secretsExtension.bundle.rawBytes)} / ${bytes(secretsExtension.bundle.gzipBytes)} B`,
        `handler ${bytes(results.bundle.handler.rawBytes)} B`,
      ],
      [
        'the same prototype: cold ready',
        `${ms(secretsExtension.coldReady.medianMs)}, ${secretsExtension.coldReadyRatioToNodeEmpty} × node -e 0`,
        `handler ${results.coldReady.ratioToNodeEmpty} ×`,
      ],
      [
        'the same prototype: cold first response',
        `${ms(secretsExtension.coldFirstResponse.medianMs)}, ${secretsExtension.coldFirstResponseRatioToNodeEmpty} × node -e 0`,
        `handler ${results.coldFirstResponse.ratioToNodeEmpty} ×`,
      ],
    ],
  );
}

function compileCacheTable(results: BenchResults): string[] {
  const row = (label: string, cache: CompileCacheResult): (string | number)[] => [
    label,
    `${bytes(cache.cacheBytes)} B`,
    ms(cache.coldReady.medianMs),
    cache.coldReadyRatioToNoCache,
    ms(cache.coldFirstResponse.medianMs),
    cache.coldFirstResponseRatioToNoCache,
  ];
  return table(
    ['compile cache', 'cache size', 'cold ready', '× without cache', 'cold first response', '× without cache'],
    [
      row('`NODE_COMPILE_CACHE` set on the function', results.compileCache.environmentVariable),
      row('loader entry calling `module.enableCompileCache`', results.compileCache.loaderEntry),
    ],
  );
}

/** Renders the results as the Markdown section that docs/benchmarks.md carries between its markers. */
export function renderResultsSection(results: BenchResults): string {
  return [
    ...describeRun(results),
    '',
    ...targetTable(results),
    '',
    ...floorTable(results),
    '',
    ...dependencyTable(results),
    '',
    ...requirementTable(results),
    '',
    ...compileCacheTable(results),
  ].join('\n');
}

/**
 * Replaces the marked results section of the benchmarks page. A page without both markers stays as it
 * is, and the function returns false, because the rest of the page is written by hand.
 */
export function updateResultsSection(file: string, section: string): boolean {
  if (!existsSync(file)) {
    return false;
  }
  const page = readFileSync(file, 'utf8');
  const begin = page.indexOf(SECTION_BEGIN);
  const end = page.indexOf(SECTION_END);
  if (begin < 0 || end < begin) {
    return false;
  }
  const updated = `${page.slice(0, begin + SECTION_BEGIN.length)}\n${section}\n${page.slice(end)}`;
  writeFileSync(file, updated);
  return true;
}
