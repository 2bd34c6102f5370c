/**
 * Entry point of the warm measurements, one mode per process, picked by BENCH_MODE:
 *
 * - `latency`: after a warm-up, interleaves handler invocations with the same signed stop request sent
 *   directly with `node:http` and with the global `fetch`, and reports every duration.
 * - `memory`: invokes the handler BENCH_INVOCATIONS times after its first invocation, then reports the
 *   peak RSS and how many stand-in requests and upstream connections those warm invocations caused.
 *
 * Both modes take the bundle from BENCH_BUNDLE_URL and the bearer token from BENCH_BEARER_TOKEN.
 */
import { Agent, request } from 'node:http';
import { signRequest, type HuaweiCredentials } from '../../functions/lib/huawei-signing';
import { exitWithError, reportResult, requireEnv } from './channel';
import { readCounters } from './counters-client';
import { buildContext, buildStopEvent, importHandler, type BundledHandler } from './invocation';

const PROJECT_ID = '0123456789abcdef0123456789abcdef';
const STOP_PATH = `/v2/${PROJECT_ID}/processor-tasks/kM7j9TSa611ZzBThzSr/versions/qSaudx2sbPvthHygckA/stop`;

/** One measured arm of the latency mode: sends one stop request and returns its HTTP status, or 0 when the body is empty. */
type Arm = (sequence: number) => Promise<number>;

function invokeArm(handler: BundledHandler, bearerToken: string): Arm {
  return async (sequence) => {
    const result = await handler(buildStopEvent(bearerToken, sequence), buildContext(sequence));
    return result.statusCode ?? 200;
  };
}

/** Signs the stop request exactly as the handler does: fresh X-Sdk-Date, the same signed headers. */
function signStop(url: URL, credentials: HuaweiCredentials): Record<string, string> {
  const unsigned = {
    method: 'POST',
    url,
    headers: { host: url.host, 'content-type': 'application/json', 'x-project-id': PROJECT_ID },
    body: '',
  };
  return signRequest(unsigned, credentials, new Date());
}

function directHttpArm(url: URL, credentials: HuaweiCredentials): Arm {
  // The same keep-alive settings as the handler's upstream agent.
  const agent = new Agent({ keepAlive: true, maxSockets: 32, timeout: 30_000 });
  return () =>
    new Promise((resolve, reject) => {
      const headers = { ...signStop(url, credentials), 'content-length': '0' };
      const req = request(url, { method: 'POST', headers, agent }, (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (chunk: Buffer) => chunks.push(chunk));
        res.on('end', () => {
          // Decoded like the handler decodes it, so both sides pay for it. The stand-in always sends a
          // body, so an empty one counts as a failed request.
          const body = Buffer.concat(chunks).toString('utf8');
          resolve(body.length > 0 ? (res.statusCode ?? 0) : 0);
        });
        res.on('error', reject);
      });
      req.on('error', reject);
      req.end();
    });
}

function directFetchArm(url: URL, credentials: HuaweiCredentials): Arm {
  return async () => {
    const response = await fetch(url, { method: 'POST', headers: signStop(url, credentials), body: '' });
    const body = await response.text();
    return body.length > 0 ? response.status : 0;
  };
}

function readCredentials(): HuaweiCredentials {
  return { ak: requireEnv('BENCH_UPSTREAM_AK'), sk: requireEnv('BENCH_UPSTREAM_SK') };
}

async function measureLatency(handler: BundledHandler, bearerToken: string): Promise<unknown> {
  const warmupRounds = Number(requireEnv('BENCH_WARMUP_ROUNDS'));
  const rounds = Number(requireEnv('BENCH_ROUNDS'));
  const url = new URL(STOP_PATH, requireEnv('BENCH_UPSTREAM_URL'));
  const credentials = readCredentials();
  const arms: readonly Arm[] = [invokeArm(handler, bearerToken), directHttpArm(url, credentials), directFetchArm(url, credentials)];
  const samples = arms.map(() => new Array<number>(rounds));
  let failedRequests = 0;

  for (let round = -warmupRounds; round < rounds; round++) {
    // Rotating the order spreads any cost of running first or last evenly over the three arms.
    for (let step = 0; step < arms.length; step++) {
      const armIndex = (Math.abs(round) + step) % arms.length;
      const started = process.hrtime.bigint();
      const status = await arms[armIndex]!(round + warmupRounds);
      const elapsedUs = Number(process.hrtime.bigint() - started) / 1000;
      if (status !== 200) {
        failedRequests++;
      }
      if (round >= 0) {
        samples[armIndex]![round] = elapsedUs;
      }
    }
  }
  return { handlerUs: samples[0], directHttpUs: samples[1], directFetchUs: samples[2], failedRequests };
}

async function measureMemory(handler: BundledHandler, bearerToken: string): Promise<unknown> {
  const invocations = Number(requireEnv('BENCH_INVOCATIONS'));
  const controlUrl = requireEnv('BENCH_CONTROL_URL');
  let failedRequests = 0;

  const first = await handler(buildStopEvent(bearerToken, 0), buildContext(0));
  const firstStatus = first.statusCode ?? 200;

  const before = await readCounters(controlUrl);
  const started = process.hrtime.bigint();
  for (let sequence = 1; sequence <= invocations; sequence++) {
    const result = await handler(buildStopEvent(bearerToken, sequence), buildContext(sequence));
    if ((result.statusCode ?? 200) !== 200) {
      failedRequests++;
    }
  }
  const elapsedMs = Number(process.hrtime.bigint() - started) / 1e6;
  const after = await readCounters(controlUrl);

  return {
    invocations,
    firstStatus,
    failedRequests,
    elapsedMs,
    countersBefore: before,
    countersAfter: after,
    // resourceUsage().maxRSS is the peak resident set size in kilobytes (getrusage ru_maxrss on Linux).
    maxRssKiB: process.resourceUsage().maxRSS,
  };
}

async function main(): Promise<void> {
  const mode = requireEnv('BENCH_MODE');
  const handler = await importHandler(requireEnv('BENCH_BUNDLE_URL'));
  const bearerToken = requireEnv('BENCH_BEARER_TOKEN');

  if (mode === 'latency') {
    reportResult(await measureLatency(handler, bearerToken));
  } else if (mode === 'memory') {
    reportResult(await measureMemory(handler, bearerToken));
  } else {
    throw new Error(`BENCH_MODE ${mode} is not one of latency, memory`);
  }
  process.exit(0);
}

main().catch(exitWithError);
