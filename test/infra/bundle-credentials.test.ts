import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import { build } from 'esbuild';
import { HANDLER_ESBUILD_OPTIONS } from '../../infra/lib/handler-bundling';
import { sendJson, startTestServer, type ReceivedRequest, type TestHttpServer } from '../support/unit/http-test-server';

// The deployed bundle replaces the SDK's default credential chain with its environment provider. These
// tests run that bundle, as esbuild builds it from HANDLER_ESBUILD_OPTIONS, against a loopback stand-in for
// Secrets Manager and check which credentials sign the GetSecretValue request that starts at init.

const REPO_ROOT = path.join(__dirname, '..', '..');
const HANDLER_ENTRY = path.join(REPO_ROOT, 'functions', 'stop-processor-task-version', 'handler.ts');
const GET_SECRET_VALUE = 'secretsmanager.GetSecretValue';
const ACCESS_KEY_ID = 'AKIAENVONLYTEST00001';
const SESSION_TOKEN = 'env-session-token-for-the-bundle-test';
// Long enough for the request that starts at init: a bundle built without the credentials alias sent it
// signed with the file's key within this wait, and with environment credentials it arrives within 0.15 s here.
const NO_REQUEST_WAIT_MS = 1500;
const REQUEST_TIMEOUT_MS = 10_000;

/** Imports the bundle, then exits after WAIT_MS milliseconds, or when the test kills the process. */
const CHILD_SCRIPT = 'await import(process.env.BUNDLE_URL); setTimeout(() => process.exit(0), Number(process.env.WAIT_MS));';

/** Returns the access key id in a request's SigV4 Authorization header. */
function signingAccessKey(request: ReceivedRequest): string {
  return /Credential=([^/]+)\//.exec(String(request.headers.authorization))?.[1] ?? 'unsigned';
}

describe('deployed bundle credentials', () => {
  let workDir: string;
  let bundleUrl: string;
  let secretsManager: TestHttpServer;

  beforeAll(async () => {
    workDir = mkdtempSync(path.join(tmpdir(), 'bundle-credentials-'));
    const outfile = path.join(workDir, 'index.mjs');
    await build({
      ...HANDLER_ESBUILD_OPTIONS,
      mainFields: [...HANDLER_ESBUILD_OPTIONS.mainFields],
      external: [...HANDLER_ESBUILD_OPTIONS.external],
      entryPoints: [HANDLER_ENTRY],
      outfile,
      logLevel: 'silent',
    });
    bundleUrl = pathToFileURL(outfile).href;

    secretsManager = await startTestServer((request, res) => {
      if (request.headers['x-amz-target'] !== GET_SECRET_VALUE) {
        sendJson(res, 404, { message: 'Not Found' });
        return;
      }
      sendJson(res, 200, { Name: 'bundle-test', SecretString: JSON.stringify({ ak: 'AK', sk: 'SK' }) });
    });
  });

  afterAll(async () => {
    await secretsManager.close();
    rmSync(workDir, { recursive: true, force: true });
  });

  /** Returns the handler's settings, all on loopback, and only the AWS variables a test passes. */
  function environment(aws: Record<string, string>): Record<string, string> {
    const standIn = secretsManager.url.href.replace(/\/$/, '');
    return {
      PATH: process.env.PATH ?? '',
      MODELARTS_ENDPOINT: standIn,
      UPSTREAM_SECRET_ID: 'bundle-test',
      JWT_ISSUER: 'local-dev-issuer',
      JWT_AUDIENCE: 'local-app',
      JWT_JWKS_URI: `${standIn}/.well-known/jwks.json`,
      REQUIRED_SCOPE: 'modelarts/processor-tasks.stop',
      ALLOWED_PROJECT_IDS: '0123456789abcdef0123456789abcdef',
      POWERTOOLS_METRICS_DISABLED: 'true',
      AWS_REGION: 'us-east-1',
      AWS_ENDPOINT_URL_SECRETS_MANAGER: standIn,
      AWS_EC2_METADATA_DISABLED: 'true',
      ...aws,
    };
  }

  /**
   * Runs the bundle until the stand-in receives a GetSecretValue request, or for `waitMs` when
   * `waitMs` is set. Returns the GetSecretValue requests that arrived meanwhile.
   */
  async function runBundle(env: Record<string, string>, waitMs?: number): Promise<ReceivedRequest[]> {
    const before = secretsManager.requests.length;
    const arrived = (): ReceivedRequest[] =>
      secretsManager.requests.slice(before).filter((request) => request.headers['x-amz-target'] === GET_SECRET_VALUE);

    const child = spawn(process.execPath, ['--input-type=module', '-e', CHILD_SCRIPT], {
      env: { ...env, BUNDLE_URL: bundleUrl, WAIT_MS: String(waitMs ?? REQUEST_TIMEOUT_MS) },
      stdio: 'ignore',
    });
    const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
    try {
      const deadline = Date.now() + (waitMs ?? REQUEST_TIMEOUT_MS);
      while (Date.now() < deadline && child.exitCode === null && (waitMs !== undefined || arrived().length === 0)) {
        await new Promise((resolve) => setTimeout(resolve, 20));
      }
    } finally {
      child.kill();
      await exited;
    }
    return arrived();
  }

  it('signs with the environment access key', async () => {
    const requests = await runBundle(
      environment({ AWS_ACCESS_KEY_ID: ACCESS_KEY_ID, AWS_SECRET_ACCESS_KEY: 'env-secret-access-key', AWS_SESSION_TOKEN: SESSION_TOKEN }),
    );

    expect(requests).toHaveLength(1);
    const authorization = String(requests[0]!.headers.authorization);
    expect(authorization).toMatch(
      new RegExp(`^AWS4-HMAC-SHA256 Credential=${ACCESS_KEY_ID}/\\d{8}/us-east-1/secretsmanager/aws4_request, SignedHeaders=[^,]*x-amz-security-token[^,]*, Signature=[0-9a-f]{64}$`),
    );
    expect(requests[0]!.headers['x-amz-security-token']).toBe(SESSION_TOKEN);
  });

  it('ignores the shared credentials file', async () => {
    // Prepare: a profile the SDK's full chain would use when the environment has no credentials.
    const credentialsFile = path.join(workDir, 'credentials');
    writeFileSync(credentialsFile, '[default]\naws_access_key_id = AKIAFILECREDENTIALS1\naws_secret_access_key = file-secret\n');

    // Act
    const requests = await runBundle(
      environment({ AWS_SHARED_CREDENTIALS_FILE: credentialsFile, AWS_CONFIG_FILE: path.join(workDir, 'no-config') }),
      NO_REQUEST_WAIT_MS,
    );

    // Assess: on failure, name the access key that signed, not the signature.
    expect(requests.map(signingAccessKey)).toEqual([]);
  });
});
