/**
 * Stops the version that `npm start` seeds, through the typed client. Run it from the repository root
 * while `npm start` is running:
 *
 *   TOKEN=$(npm run --silent token | tail -n 1) npx tsx clients/typescript/examples/stop-seeded-version.ts
 *
 * PROXY_URL overrides the base URL (default http://127.0.0.1:3000).
 */
import { stopProcessorTaskVersion, StopProcessorTaskVersionError } from '../src';

async function main(): Promise<void> {
  const token = process.env.TOKEN;
  if (!token) {
    throw new Error('Set TOKEN to a bearer token, for example TOKEN=$(npm run --silent token | tail -n 1).');
  }

  try {
    const result = await stopProcessorTaskVersion(
      { projectId: '0123456789abcdef0123456789abcdef', taskId: 'kM7j9TSa611ZzBThzSr', versionId: 'qSaudx2sbPvthHygckA' },
      { baseUrl: process.env.PROXY_URL ?? 'http://127.0.0.1:3000', getToken: () => token },
    );
    console.log(`stopped: status ${result.status}, request id ${result.requestId}`);
  } catch (error) {
    if (error instanceof StopProcessorTaskVersionError) {
      console.error(`failed: ${error.kind}, status ${error.status}, ${error.errorCode}, request id ${error.requestId}`);
      process.exitCode = 1;
      return;
    }
    throw error;
  }
}

main().catch((error: unknown) => {
  console.error(error instanceof Error ? error.message : error);
  process.exitCode = 1;
});
