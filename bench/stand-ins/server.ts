/**
 * The stand-in process of the benchmark. It runs the project's loopback stand-ins (JWT issuer, Secrets
 * Manager, ModelArts) in a process of their own, so a measured process pays only for the handler.
 *
 * ModelArts is reached through a TCP forwarder that counts accepted connections, because the stand-in does
 * not expose its server. The forwarder is the handler's `MODELARTS_ENDPOINT`, and the direct baselines of
 * the benchmark use it too, so every path to ModelArts crosses the same extra hop.
 *
 * It also serves the HTTP endpoint of the AWS Parameters and Secrets Lambda Extension for the prototype
 * bundle that reads the secret through it (bench/fixtures/secrets-extension-client.ts).
 *
 * The process is started with `fork`: it sends one {@link StandInsReady} message, serves the counters as
 * JSON at `GET <controlUrl>/counters`, and exits when the parent disconnects.
 */
import { createServer as createHttpServer, type ServerResponse } from 'node:http';
import { connect, createServer as createTcpServer, type Server, type Socket } from 'node:net';
import type { AddressInfo } from 'node:net';
import { localTokenClaims } from '../../local/stand-ins/jwt-issuer';
import { LOCAL_SECRET_ID, SigningKey, startStandIns } from '../../local/stand-ins';
import type { StandInCounters, StandInsReady } from './protocol';

async function main(): Promise<void> {
  const signingKey = SigningKey.generate();
  const standIns = await startStandIns(signingKey);
  const modelArtsPort = Number(new URL(standIns.modelArts.url).port);

  let upstreamConnections = 0;
  const forwarder = createTcpServer({ noDelay: true }, (client) => {
    upstreamConnections++;
    pipeToPort(client, modelArtsPort);
  });
  const forwarderPort = await listenOnLoopback(forwarder);

  const counters = (): StandInCounters => ({
    getSecretValueCalls: standIns.secretsManager.getSecretValueCalls,
    jwksRequests: standIns.issuer.jwksRequests,
    upstreamConnections,
    stopRequests: standIns.modelArts.stopRequests.length,
  });
  const control = createHttpServer((req, res) => {
    if (req.method !== 'GET' || req.url !== '/counters') {
      res.writeHead(404).end();
      return;
    }
    res.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify(counters()));
  });
  const controlPort = await listenOnLoopback(control);

  const extensionToken = 'bench-session-token';
  const secretString = JSON.stringify(standIns.credentials);
  const secretsExtension = createHttpServer((req, res) => {
    serveSecretsExtension(req.url ?? '', req.headers['x-aws-parameters-secrets-token'], extensionToken, secretString, res);
  });
  const secretsExtensionPort = await listenOnLoopback(secretsExtension);

  const upstreamUrl = `http://127.0.0.1:${forwarderPort}`;
  const ready: StandInsReady = {
    type: 'ready',
    handlerEnvironment: { ...standIns.env, MODELARTS_ENDPOINT: upstreamUrl },
    controlUrl: `http://127.0.0.1:${controlPort}`,
    upstreamUrl,
    // One hour of validity covers a full run several times over.
    bearerToken: signingKey.sign(localTokenClaims()),
    credentials: standIns.credentials,
    secretsExtensionEnvironment: {
      PARAMETERS_SECRETS_EXTENSION_HTTP_PORT: String(secretsExtensionPort),
      AWS_SESSION_TOKEN: extensionToken,
    },
  };
  process.send?.(ready);

  process.once('disconnect', () => {
    forwarder.close();
    control.close();
    secretsExtension.close();
    void standIns.close().then(() => process.exit(0));
  });
}

/**
 * Serves the extension's `GET /secretsmanager/get?secretId=…`: the GetSecretValue JSON for the local
 * secret, 401 without the session token in `X-Aws-Parameters-Secrets-Token`, 404 for another secret.
 */
function serveSecretsExtension(
  url: string,
  token: string | string[] | undefined,
  expectedToken: string,
  secretString: string,
  res: ServerResponse,
): void {
  const secretId = new URL(url, 'http://127.0.0.1').searchParams.get('secretId');
  if (token !== expectedToken) {
    res.writeHead(401).end();
  } else if (secretId !== LOCAL_SECRET_ID) {
    res.writeHead(404, { 'content-type': 'application/json' }).end(JSON.stringify({ __type: 'ResourceNotFoundException' }));
  } else {
    res.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify({ Name: secretId, SecretString: secretString }));
  }
}

function pipeToPort(client: Socket, port: number): void {
  const upstream = connect({ host: '127.0.0.1', port, noDelay: true });
  // A reset on either side ends both, as a real connection would end.
  const closeBoth = (): void => {
    client.destroy();
    upstream.destroy();
  };
  client.on('error', closeBoth);
  upstream.on('error', closeBoth);
  client.pipe(upstream);
  upstream.pipe(client);
}

async function listenOnLoopback(server: Server | ReturnType<typeof createHttpServer>): Promise<number> {
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => resolve());
  });
  return (server.address() as AddressInfo).port;
}

main().catch((error: unknown) => {
  process.stderr.write(`stand-in process failed to start: ${error instanceof Error ? error.message : String(error)}\n`);
  process.exit(1);
});
