/**
 * `npm start`: runs the proxy handler behind a local HTTP API gateway on 127.0.0.1.
 *
 * Each backing service is a loopback stand-in unless its real settings are in the environment:
 * JWT_ISSUER (with JWT_AUDIENCE, optional JWT_JWKS_URI) selects a real issuer, and MODELARTS_ENDPOINT with
 * UPSTREAM_SECRET_ID selects real ModelArts and Secrets Manager. Those two go together, because the
 * ModelArts stand-in accepts only the AK/SK that the Secrets Manager stand-in serves.
 *
 * It also serves a demo page on PORT + 1, a second origin that calls the API through the typed client.
 * CORS_ALLOWED_ORIGINS (comma-separated origins) sets which browser origins may call the API; by default
 * only the demo page's origin may.
 */
import { startDemoServer } from './demo/server';
import { loadDevSigningKey } from './dev-key';
import { parseCorsOrigins, startLocalGateway, type HttpApiHandler } from './gateway';
import { startJwtIssuer } from './stand-ins/jwt-issuer';
import { startModelArts, SEEDED_VERSION } from './stand-ins/modelarts';
import { startSecretsManager } from './stand-ins/secrets-manager';
import { generateCredentials, issuerStandInEnv, LOCAL_SECRET_ID, upstreamStandInEnv } from './stand-ins';
import type { RunningServer } from './stand-ins/json-server';

const DEFAULT_PORT = 3000;

async function main(): Promise<void> {
  const env = process.env;
  const running: RunningServer[] = [];
  const notes: string[] = [];
  const port = parsePort(env.PORT);
  const demoPort = port + 1;
  const corsAllowedOrigins = env.CORS_ALLOWED_ORIGINS
    ? parseCorsOrigins(env.CORS_ALLOWED_ORIGINS, 'CORS_ALLOWED_ORIGINS')
    : [`http://127.0.0.1:${demoPort}`];

  const realUpstream = Boolean(env.MODELARTS_ENDPOINT || env.UPSTREAM_SECRET_ID);
  if (realUpstream && !(env.MODELARTS_ENDPOINT && env.UPSTREAM_SECRET_ID)) {
    throw new Error('Set MODELARTS_ENDPOINT and UPSTREAM_SECRET_ID together, or neither to use the stand-ins.');
  }
  if (!realUpstream) {
    const credentials = generateCredentials();
    const secretsManager = await startSecretsManager({ [LOCAL_SECRET_ID]: JSON.stringify(credentials) });
    const modelArts = await startModelArts([credentials]);
    running.push(secretsManager, modelArts);
    // A region or project list the user set is kept; everything else points at the stand-ins.
    const { AWS_REGION, ALLOWED_PROJECT_IDS } = env;
    Object.assign(env, upstreamStandInEnv(secretsManager, modelArts));
    env.AWS_REGION = AWS_REGION ?? env.AWS_REGION;
    env.ALLOWED_PROJECT_IDS = ALLOWED_PROJECT_IDS ?? env.ALLOWED_PROJECT_IDS;
    env.AWS_EC2_METADATA_DISABLED = 'true';
    notes.push(`ModelArts stand-in   ${modelArts.url}`, `Secrets Manager stand-in ${secretsManager.url}`);
  }

  if (!env.JWT_ISSUER) {
    const issuer = await startJwtIssuer([loadDevSigningKey()]);
    running.push(issuer);
    const { REQUIRED_SCOPE } = env;
    Object.assign(env, issuerStandInEnv(issuer));
    env.REQUIRED_SCOPE = REQUIRED_SCOPE ?? env.REQUIRED_SCOPE;
    notes.push(`JWT issuer stand-in  ${issuer.jwksUri}`);
  }
  env.POWERTOOLS_METRICS_DISABLED ??= 'true';
  // Lambda sets this for on-demand containers, and Powertools marks cold starts only when it is set.
  env.AWS_LAMBDA_INITIALIZATION_TYPE ??= 'on-demand';

  // Imported only now, because the handler reads its configuration from the environment at import.
  const { handler } = (await import('../functions/stop-processor-task-version/handler.js')) as { handler: HttpApiHandler };
  const gateway = await startLocalGateway(handler, port, { cors: { allowOrigins: corsAllowedOrigins } });
  running.push(gateway);
  const demo = await startDemoServer({ port: demoPort, apiBaseUrl: gateway.url });
  running.push(demo);

  const { projectId, taskId, versionId } = SEEDED_VERSION;
  console.error(
    [
      `Proxy listening on ${gateway.url}`,
      ...notes,
      `Demo page            ${demo.url}/`,
      `CORS allowed origins ${corsAllowedOrigins.join(', ')}`,
      '',
      'Stop the seeded version:',
      `  TOKEN=$(npm run --silent token | tail -n 1)`,
      `  curl -i -X POST -H "Authorization: Bearer $TOKEN" ${gateway.url}/v2/${projectId}/processor-tasks/${taskId}/versions/${versionId}/stop`,
      '',
    ].join('\n'),
  );

  const shutdown = (): void => {
    void Promise.all(running.map((server) => server.close())).then(() => process.exit(0));
  };
  process.once('SIGINT', shutdown);
  process.once('SIGTERM', shutdown);
}

/** Reads PORT. The demo page listens on PORT + 1, so PORT 0 (any free port) is not supported. */
function parsePort(value: string | undefined): number {
  if (value === undefined || value.trim() === '') {
    return DEFAULT_PORT;
  }
  const port = Number(value);
  if (!/^\d+$/.test(value.trim()) || port < 1 || port > 65534) {
    throw new Error(`Invalid PORT ${JSON.stringify(value)}: expected an integer from 1 to 65534 (the demo page uses PORT + 1).`);
  }
  return port;
}

main().catch((error: unknown) => {
  const inUse = error instanceof Error && (error as NodeJS.ErrnoException).code === 'EADDRINUSE';
  console.error(error instanceof Error ? error.message : error);
  if (inUse) {
    console.error('Another process uses that port. Set PORT to a free one, such as PORT=3100 npm start.');
  }
  process.exit(1);
});
