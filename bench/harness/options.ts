/** Run sizes of the benchmark. */
export interface BenchOptions {
  /** `full` writes bench/results/latest.json and the docs; `quick` only checks that the bench still works. */
  readonly mode: 'full' | 'quick';
  /** Processes per cold-start variant; the median of these is reported. */
  readonly coldRuns: number;
  /** Untimed rounds of all three arms before the warm latency samples. */
  readonly warmupRounds: number;
  /** Timed rounds of the warm latency measurement; each round runs every arm once. */
  readonly latencyRounds: number;
  /** Warm invocations before the peak RSS and the warm call counts are read. */
  readonly memoryInvocations: number;
}

const FULL: BenchOptions = { mode: 'full', coldRuns: 40, warmupRounds: 300, latencyRounds: 3000, memoryInvocations: 10_000 };

// Small enough for a CI smoke run of about a minute; its numbers are too few to judge the targets.
const QUICK: BenchOptions = { mode: 'quick', coldRuns: 5, warmupRounds: 50, latencyRounds: 300, memoryInvocations: 1000 };

/**
 * Reads the options from the command line: no argument for a full run, `--quick` for a smoke run.
 *
 * @throws Error naming the accepted arguments when an argument is unknown.
 */
export function parseOptions(argv: readonly string[]): BenchOptions {
  const unknown = argv.filter((argument) => argument !== '--quick');
  if (unknown.length > 0) {
    throw new Error(`unknown argument ${unknown.join(' ')}; use no argument for a full run or --quick for a smoke run`);
  }
  return argv.includes('--quick') ? QUICK : FULL;
}
