/**
 * `npm run load`: a bounded load run of the proxy on 127.0.0.1 while ModelArts fails one request in ten.
 *
 * It starts the stand-ins and the proxy (local gateway and handler) in two child processes, warms the
 * proxy up, and drives it with autocannon for a fixed time. The report gives requests per second, latency
 * percentiles, responses by status, Secrets Manager and JWKS calls, and the proxy's RSS. It exits with
 * status 1 when a response has an undocumented status, a request fails at the socket, the proxy process
 * catches an unhandled rejection, a log line carries a credential, or memory grows past the limits below.
 *
 * Options (environment): LOAD_CONNECTIONS (default 200), LOAD_DURATION_SECONDS (default 20).
 */
import { fork, type ChildProcess } from 'node:child_process';
import { mkdtempSync, mkdirSync, rmSync, writeFileSync } from 'node:fs';
import { cpus, totalmem, tmpdir } from 'node:os';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import autocannon, { type Request, type Result } from 'autocannon';
import { SigningKey } from '../../local/stand-ins';
import type { DriverMessage, ProxyReadyMessage, ProxyStatsMessage, StandInCountsMessage, StandInsReadyMessage } from './protocol';
import { buildRequestMix, EXPECTED_STATUSES } from './request-mix';
import { FAULT_EVERY } from './faults';

const CONNECTIONS = readPositiveInteger('LOAD_CONNECTIONS', 200, 1000);
const DURATION_SECONDS = readPositiveInteger('LOAD_DURATION_SECONDS', 20, 120);
// Warm-up at full concurrency, so sockets, buffers, caches and the allocator's arenas exist before the
// memory baseline is taken. On the 2-core reference machine RSS stops rising after about 10 s of load.
const WARM_UP_SECONDS = 10;
// The upstream budget of the proxy under load: short, so no-answer faults end in 504 within a second.
const UPSTREAM_TIMEOUT_MS = 1000;
// autocannon gives up on a response after this long. The proxy responds within its budget, so a timeout is a failure.
const CLIENT_TIMEOUT_SECONDS = 10;
const CHILD_START_TIMEOUT_MS = 30_000;
// Caps V8's young generation at 8 MiB per semi-space. With V8's default, 200 connections on one process
// allocate fast enough for the reserved heap to grow to about 150 MiB over 10 to 40 s. RSS then rises as
// those pages are first touched, while the heap after a collection stays the same. The cap keeps RSS a
// measure of retained memory, as in a Lambda container, which serves one request at a time.
const PROXY_NODE_FLAGS = ['--max-semi-space-size=8'];
// Flat memory. After a full collection the heap may grow by this much over the run, while a leak on the
// request path would grow it with the request count. RSS may grow by the larger amount, because the
// allocator keeps freed pages and glibc spreads them over more arenas under load without any leak.
const MAX_HEAP_GROWTH_BYTES = 8 * 1024 * 1024;
const MAX_RSS_GROWTH_BYTES = 32 * 1024 * 1024;
const RESULTS_PATH = join(__dirname, 'results', 'latest.json');
const JWT_SHAPE = /eyJ[A-Za-z0-9_-]{8,}\.eyJ[A-Za-z0-9_-]{8,}/;
const MIB = 1024 * 1024;

function readPositiveInteger(name: string, fallback: number, max: number): number {
  const raw = process.env[name];
  if (raw === undefined || raw === '') {
    return fallback;
  }
  const value = Number(raw);
  if (!Number.isInteger(value) || value < 1 || value > max) {
    throw new Error(`Invalid ${name}: expected an integer from 1 to ${max} (got "${raw}").`);
  }
  return value;
}

/** A child process and a way to ask it one question over IPC. */
interface Child {
  readonly process: ChildProcess;
  ask<T>(message: DriverMessage): Promise<T>;
  stop(): Promise<void>;
}

async function startChild<Ready>(
  script: string,
  env: NodeJS.ProcessEnv,
  pipeOutput: boolean,
  nodeFlags: readonly string[] = [],
): Promise<{ child: Child; ready: Ready }> {
  const child = fork(join(__dirname, script), [], {
    execArgv: ['--import', 'tsx', '--expose-gc', ...nodeFlags],
    env,
    stdio: ['ignore', pipeOutput ? 'pipe' : 'ignore', pipeOutput ? 'pipe' : 'inherit', 'ipc'],
  });
  const ready = await new Promise<Ready>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`${script} did not start within ${CHILD_START_TIMEOUT_MS} ms.`)), CHILD_START_TIMEOUT_MS);
    child.once('message', (message) => {
      clearTimeout(timer);
      resolve(message as Ready);
    });
    child.once('exit', (code) => {
      clearTimeout(timer);
      reject(new Error(`${script} exited with code ${code} before it was ready.`));
    });
  });
  return {
    ready,
    child: {
      process: child,
      ask: <T>(message: DriverMessage) =>
        new Promise<T>((resolve) => {
          child.once('message', (answer) => resolve(answer as T));
          child.send(message);
        }),
      stop: () =>
        new Promise<void>((resolve) => {
          if (child.exitCode !== null) {
            resolve();
            return;
          }
          child.once('exit', () => resolve());
          child.send({ type: 'stop' } satisfies DriverMessage);
        }),
    },
  };
}

/**
 * Counts the proxy's log lines by outcome and records any line that carries a credential. Powertools
 * writes INFO to stdout and WARN and ERROR to stderr, so both are read. The proxy process's own notices
 * of unhandled rejections are passed on.
 */
function watchProxyLog(
  child: ChildProcess,
  secrets: readonly string[],
): { outcomes: Map<string, number>; lines: () => number; emptyMetricsWarnings: () => number; leaks: string[]; resetCounts(): void } {
  const outcomes = new Map<string, number>();
  const leaks: string[] = [];
  let lines = 0;
  let emptyMetricsWarnings = 0;
  const read = (line: string, passOn: boolean): void => {
    lines++;
    // Concurrent invocations in one process share the module's Metrics buffer, which never happens in a
    // Lambda container. One invocation may then flush another's metrics, and the other finds none.
    if (line.startsWith('No application metrics to publish')) {
      emptyMetricsWarnings++;
    }
    if (secrets.some((secret) => line.includes(secret)) || JWT_SHAPE.test(line)) {
      leaks.push(line.slice(0, 200));
    }
    if (line.includes('"message":"stop request')) {
      const outcome = String((JSON.parse(line) as { outcome?: unknown }).outcome);
      outcomes.set(outcome, (outcomes.get(outcome) ?? 0) + 1);
    } else if (passOn && /^(unhandled rejection|uncaught exception)/.test(line)) {
      process.stderr.write(`proxy: ${line}\n`);
    }
  };
  if (child.stdout) {
    createInterface({ input: child.stdout }).on('line', (line) => read(line, false));
  }
  if (child.stderr) {
    createInterface({ input: child.stderr }).on('line', (line) => read(line, true));
  }
  return {
    outcomes,
    lines: () => lines,
    emptyMetricsWarnings: () => emptyMetricsWarnings,
    leaks,
    // Leaks are kept: a credential in a warm-up line fails the run as well.
    resetCounts: () => {
      outcomes.clear();
      lines = 0;
      emptyMetricsWarnings = 0;
    },
  };
}

/** Runs autocannon and counts responses by status from its response events. */
async function drive(url: string, requests: Request[], connections: number, seconds: number): Promise<{ result: Result; statuses: Map<number, number> }> {
  const statuses = new Map<number, number>();
  const result = await new Promise<Result>((resolve, reject) => {
    const instance = autocannon({ url, connections, duration: seconds, requests, timeout: CLIENT_TIMEOUT_SECONDS }, (error, finished) =>
      error ? reject(error) : resolve(finished),
    );
    instance.on('response', (_client, statusCode) => {
      statuses.set(statusCode, (statuses.get(statusCode) ?? 0) + 1);
    });
  });
  return { result, statuses };
}

function mib(bytes: number): string {
  return `${(bytes / MIB).toFixed(1)} MiB`;
}

async function main(): Promise<void> {
  const workDir = mkdtempSync(join(tmpdir(), 'modelarts-stop-proxy-load-'));
  const keyPath = join(workDir, 'signing-key.json');
  const signingKey = SigningKey.loadOrCreate(keyPath);
  const baseEnv = { PATH: process.env.PATH ?? '', NODE_ENV: 'production' };
  const children: Child[] = [];

  try {
    // Start
    const standIns = await startChild<StandInsReadyMessage>('stand-ins-process.ts', { ...baseEnv, LOAD_SIGNING_KEY_PATH: keyPath }, false);
    children.push(standIns.child);
    const proxy = await startChild<ProxyReadyMessage>(
      'proxy-process.ts',
      {
        ...baseEnv,
        ...standIns.ready.env,
        UPSTREAM_TIMEOUT_MS: String(UPSTREAM_TIMEOUT_MS),
        STAGE: 'load',
        AWS_EC2_METADATA_DISABLED: 'true',
      },
      true,
      PROXY_NODE_FLAGS,
    );
    children.push(proxy.child);
    const log = watchProxyLog(proxy.child.process, [standIns.ready.credentials.ak, standIns.ready.credentials.sk]);
    const requests = buildRequestMix(signingKey);

    // Warm up, then take the baseline
    await drive(proxy.ready.url, requests, CONNECTIONS, WARM_UP_SECONDS);
    const before = await proxy.child.ask<ProxyStatsMessage>({ type: 'stats' });
    const countsBefore = await standIns.child.ask<StandInCountsMessage>({ type: 'counts' });
    log.resetCounts();

    // Load
    const { result, statuses } = await drive(proxy.ready.url, requests, CONNECTIONS, DURATION_SECONDS);
    const after = await proxy.child.ask<ProxyStatsMessage>({ type: 'stats' });
    const countsAfter = await standIns.child.ask<StandInCountsMessage>({ type: 'counts' });

    // Report
    const unexpected = [...statuses].filter(([status]) => !EXPECTED_STATUSES.includes(status));
    const heapGrowth = after.memory.heapUsed - before.memory.heapUsed;
    const rssGrowth = after.memory.rss - before.memory.rss;
    const report = {
      date: new Date().toISOString(),
      machine: { cpu: cpus()[0]?.model ?? 'unknown', cores: cpus().length, memory: mib(totalmem()) },
      node: process.version,
      settings: {
        connections: CONNECTIONS,
        durationSeconds: DURATION_SECONDS,
        warmUpSeconds: WARM_UP_SECONDS,
        upstreamTimeoutMs: UPSTREAM_TIMEOUT_MS,
        faultEvery: FAULT_EVERY,
        mixSize: requests.length,
        proxyNodeFlags: PROXY_NODE_FLAGS,
      },
      requests: { total: result.requests.total, perSecondAverage: result.requests.average, perSecondMin: result.requests.min, perSecondMax: result.requests.max },
      latencyMs: { p50: result.latency.p50, p90: result.latency.p90, p97_5: result.latency.p97_5, p99: result.latency.p99, max: result.latency.max },
      statuses: Object.fromEntries([...statuses].sort(([a], [b]) => a - b)),
      outcomes: Object.fromEntries([...log.outcomes].sort(([, a], [, b]) => b - a)),
      socketErrors: result.errors,
      timeouts: result.timeouts,
      upstream: {
        modelArtsRequests: countsAfter.modelArtsRequests - countsBefore.modelArtsRequests,
        faultsInjected: countsAfter.faultsQueued - countsBefore.faultsQueued,
        getSecretValueCallsDuringRun: countsAfter.getSecretValueCalls - countsBefore.getSecretValueCalls,
        getSecretValueCallsTotal: countsAfter.getSecretValueCalls,
        jwksRequestsDuringRun: countsAfter.jwksRequests - countsBefore.jwksRequests,
        jwksRequestsTotal: countsAfter.jwksRequests,
      },
      memory: {
        rssStart: mib(before.memory.rss),
        rssEnd: mib(after.memory.rss),
        rssGrowth: mib(rssGrowth),
        heapUsedStart: mib(before.memory.heapUsed),
        heapUsedEnd: mib(after.memory.heapUsed),
        heapGrowth: mib(heapGrowth),
        heapTotalStart: mib(before.memory.heapTotal),
        heapTotalEnd: mib(after.memory.heapTotal),
        externalStart: mib(before.memory.external),
        externalEnd: mib(after.memory.external),
        rssPerSecondMiB: after.rssSamples.map((rss) => Math.round(rss / MIB)),
      },
      unhandledRejections: after.unhandledRejections,
      uncaughtExceptions: after.uncaughtExceptions,
      logLines: log.lines(),
      emptyMetricsWarnings: log.emptyMetricsWarnings(),
      logLeaks: log.leaks.length,
    };

    const failures = [
      ...unexpected.map(([status, count]) => `${count} responses with undocumented status ${status}`),
      ...(result.errors > 0 ? [`${result.errors} socket errors (${result.timeouts} timeouts)`] : []),
      ...(after.unhandledRejections > 0 ? [`${after.unhandledRejections} unhandled rejections`] : []),
      ...(after.uncaughtExceptions > 0 ? [`${after.uncaughtExceptions} uncaught exceptions`] : []),
      ...(log.leaks.length > 0 ? [`${log.leaks.length} log lines with a credential`] : []),
      ...(heapGrowth > MAX_HEAP_GROWTH_BYTES ? [`heap grew by ${mib(heapGrowth)}, more than ${mib(MAX_HEAP_GROWTH_BYTES)}`] : []),
      ...(rssGrowth > MAX_RSS_GROWTH_BYTES ? [`RSS grew by ${mib(rssGrowth)}, more than ${mib(MAX_RSS_GROWTH_BYTES)}`] : []),
      ...(proxy.child.process.exitCode !== null ? ['the proxy process exited during the run'] : []),
    ];

    process.stdout.write(`${JSON.stringify({ ...report, failures }, null, 2)}\n`);
    mkdirSync(join(__dirname, 'results'), { recursive: true });
    writeFileSync(RESULTS_PATH, `${JSON.stringify({ ...report, failures }, null, 2)}\n`);
    process.stdout.write(failures.length === 0 ? 'load run passed\n' : `load run failed:\n- ${failures.join('\n- ')}\n`);
    process.exitCode = failures.length === 0 ? 0 : 1;
  } finally {
    // The proxy stops first: requests still in flight when autocannon ends would otherwise log hang-ups.
    for (const child of children.reverse()) {
      await child.stop();
    }
    rmSync(workDir, { recursive: true, force: true });
  }
}

main().catch((error: unknown) => {
  process.stderr.write(`${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`);
  process.exit(1);
});
