/**
 * Entry point of every cold-start process. The harness times the whole process from spawn to exit, so this
 * file does one job per process, picked by BENCH_MODE, and exits at once:
 *
 * - `ready`: import the bundle named by BENCH_BUNDLE_URL and check that it exports a handler.
 * - `first-response`: import the bundle and invoke the handler once with an authenticated stop request.
 * - `upstream-fetch` and `upstream-http`: send only the pre-signed ModelArts request, with the global
 *   `fetch` or with `node:http`. These are the floors of the first response.
 *
 * Every module beyond `node:fs` loads on demand, so a mode pays only for what it uses.
 */
import { exitWithError, reportResult, requireEnv } from './channel';
import { buildContext, buildStopEvent, importHandler } from './invocation';

/** Milliseconds since the process started, for the in-process breakdown of each cold start. */
interface ColdTimings {
  readonly mode: string;
  /** When the bundle import resolved. */
  readonly importedMs?: number;
  /** When the first response arrived. */
  readonly respondedMs?: number;
  /** HTTP status of the handler's result or of the upstream response. */
  readonly status?: number;
}

async function run(mode: string): Promise<ColdTimings> {
  switch (mode) {
    case 'ready': {
      await importHandler(requireEnv('BENCH_BUNDLE_URL'));
      return { mode, importedMs: performance.now() };
    }
    case 'first-response': {
      const handler = await importHandler(requireEnv('BENCH_BUNDLE_URL'));
      const importedMs = performance.now();
      const result = await handler(buildStopEvent(requireEnv('BENCH_BEARER_TOKEN'), 0), buildContext(0));
      return { mode, importedMs, respondedMs: performance.now(), status: result.statusCode ?? 200 };
    }
    case 'upstream-fetch': {
      const response = await fetch(requireEnv('BENCH_UPSTREAM_STOP_URL'), {
        method: 'POST',
        headers: JSON.parse(requireEnv('BENCH_UPSTREAM_HEADERS')) as Record<string, string>,
        body: '',
      });
      await response.arrayBuffer();
      return { mode, respondedMs: performance.now(), status: response.status };
    }
    case 'upstream-http': {
      const status = await sendWithNodeHttp(requireEnv('BENCH_UPSTREAM_STOP_URL'), requireEnv('BENCH_UPSTREAM_HEADERS'));
      return { mode, respondedMs: performance.now(), status };
    }
    default:
      throw new Error(`BENCH_MODE ${mode} is not one of ready, first-response, upstream-fetch, upstream-http`);
  }
}

async function sendWithNodeHttp(url: string, headersJson: string): Promise<number> {
  // Through CommonJS, as the handler bundle loads it: `import('node:http')` would build the ESM facade,
  // whose WebSocket getters load undici, and make this floor slower than the handler's own path.
  const { request } = process.getBuiltinModule('node:http');
  const headers = JSON.parse(headersJson) as Record<string, string>;
  return new Promise((resolve, reject) => {
    const req = request(url, { method: 'POST', headers: { ...headers, 'content-length': '0' } }, (res) => {
      res.resume();
      res.on('end', () => resolve(res.statusCode ?? 0));
      res.on('error', reject);
    });
    req.on('error', reject);
    req.end();
  });
}

async function main(): Promise<void> {
  const timings = await run(requireEnv('BENCH_MODE'));
  if (process.env.BENCH_FLUSH_COMPILE_CACHE === '1') {
    // Only the runs that fill a compile cache flush it; timed runs never load node:module for this.
    const { flushCompileCache } = await import('node:module');
    flushCompileCache();
  }
  reportResult(timings);
  // Exit now: keep-alive sockets and the handler's background reads must not stretch the timed process.
  process.exit(0);
}

main().catch(exitWithError);
