/**
 * Child process of `npm run load`: serves the proxy handler through the local gateway on 127.0.0.1, with
 * the environment the driver passes. It counts unhandled rejections and uncaught exceptions instead of
 * dying on them, and reports its memory after a forced garbage collection (run with --expose-gc).
 */
import { startLocalGateway, type HttpApiHandler } from '../../local/gateway';
import type { DriverMessage, MemorySnapshot, ProxyReadyMessage, ProxyStatsMessage } from './protocol';

const RSS_SAMPLE_INTERVAL_MS = 1000;

let unhandledRejections = 0;
let uncaughtExceptions = 0;
process.on('unhandledRejection', (reason: unknown) => {
  unhandledRejections++;
  process.stderr.write(`unhandled rejection: ${reason instanceof Error ? reason.name : typeof reason}\n`);
});
process.on('uncaughtException', (error: Error) => {
  uncaughtExceptions++;
  process.stderr.write(`uncaught exception: ${error.name}\n`);
});

function collectedMemory(): MemorySnapshot {
  const collect = (globalThis as { gc?: () => void }).gc;
  if (collect === undefined) {
    throw new Error('The proxy process needs --expose-gc to report memory after a collection.');
  }
  // Two passes, so objects freed by finalizers of the first pass are gone too.
  collect();
  collect();
  const { rss, heapUsed, heapTotal, external } = process.memoryUsage();
  return { rss, heapUsed, heapTotal, external };
}

async function main(): Promise<void> {
  // Imported only now, because the handler reads its configuration from the environment at import.
  const { handler } = (await import('../../functions/stop-processor-task-version/handler.js')) as { handler: HttpApiHandler };
  const gateway = await startLocalGateway(handler, 0);

  let rssSamples: number[] = [];
  const sampler = setInterval(() => rssSamples.push(process.memoryUsage().rss), RSS_SAMPLE_INTERVAL_MS);

  process.on('message', (message: DriverMessage) => {
    if (message.type === 'stats') {
      const stats: ProxyStatsMessage = { type: 'stats', memory: collectedMemory(), rssSamples, unhandledRejections, uncaughtExceptions };
      rssSamples = [];
      process.send?.(stats);
    } else if (message.type === 'stop') {
      clearInterval(sampler);
      void gateway.close().then(() => process.exit(0));
    }
  });

  const ready: ProxyReadyMessage = { type: 'ready', url: gateway.url };
  process.send?.(ready);
}

main().catch((error: unknown) => {
  console.error(error instanceof Error ? error.message : error);
  process.exit(1);
});
