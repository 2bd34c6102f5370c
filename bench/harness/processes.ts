import { spawn } from 'node:child_process';
import { join } from 'node:path';
import { WORK_DIR } from './paths';

/** Variables that measured processes inherit from the harness. Everything else is set explicitly. */
const INHERITED_VARIABLES = ['PATH', 'HOME', 'LANG', 'TMPDIR'] as const;

/** How much of a failed process's standard error goes into the error message. */
const STDERR_TAIL_CHARS = 2000;

/**
 * Builds the environment of a measured process from an allow list, so NODE_OPTIONS, NODE_EXTRA_CA_CERTS
 * and any AWS profile or credentials of the machine never reach it. The CA file of this machine costs time
 * that a Lambda function without the variable does not pay: measured here, about 45 ms per start on
 * Node 20.20 and about 8 ms at the first TLS context on Node 24.21.
 */
export function buildChildEnvironment(variables: Readonly<Record<string, string>>): Record<string, string> {
  const environment: Record<string, string> = {};
  for (const name of INHERITED_VARIABLES) {
    const value = process.env[name];
    if (value !== undefined) {
      environment[name] = value;
    }
  }
  return { ...environment, ...variables };
}

/**
 * Builds the handler's environment: the settings the CDK stack gives the function, plus what keeps the AWS
 * SDK on loopback. Static credentials come from the stand-ins' environment and instance metadata is off.
 * The shared config files point at a path that does not exist, as on Lambda, so a developer's ~/.aws
 * cannot change a result.
 */
export function buildHandlerEnvironment(standInEnvironment: Readonly<Record<string, string>>): Record<string, string> {
  const missingFile = join(WORK_DIR, 'no-such-aws-file');
  return {
    ...standInEnvironment,
    STAGE: 'bench',
    UPSTREAM_TIMEOUT_MS: '5000',
    SECRET_CACHE_TTL_SECONDS: '300',
    POWERTOOLS_SERVICE_NAME: 'modelarts-stop-proxy',
    POWERTOOLS_METRICS_NAMESPACE: 'ModelArtsStopProxy',
    POWERTOOLS_LOG_LEVEL: 'INFO',
    AWS_LAMBDA_FUNCTION_NAME: 'modelarts-stop-proxy-bench',
    AWS_LAMBDA_FUNCTION_VERSION: '$LATEST',
    AWS_LAMBDA_FUNCTION_MEMORY_SIZE: '512',
    AWS_EC2_METADATA_DISABLED: 'true',
    AWS_CONFIG_FILE: missingFile,
    AWS_SHARED_CREDENTIALS_FILE: missingFile,
  };
}

/** Output of one finished process. */
export interface ProcessOutcome {
  /** Wall time from just before `spawn` to the process's exit, in milliseconds. */
  readonly elapsedMs: number;
  /** The JSON line the process wrote on file descriptor 3, or undefined when it wrote none. */
  readonly result: unknown;
  /** Standard output, only when `captureStdout` was set. */
  readonly stdout: string;
}

/** One process to run. */
export interface ProcessSpec {
  readonly node: string;
  readonly args: readonly string[];
  readonly env: Readonly<Record<string, string>>;
  /** Keeps standard output; otherwise it goes to /dev/null, which costs the process least. */
  readonly captureStdout?: boolean;
  /** Name of the process in error messages. */
  readonly label: string;
}

/**
 * Runs one process to its end and times it. Standard output goes to /dev/null unless captured, standard
 * error is kept for error messages, and file descriptor 3 is a pipe for the result line.
 *
 * @throws Error with the label, exit code and the tail of standard error when the process fails.
 */
export function runProcess(spec: ProcessSpec): Promise<ProcessOutcome> {
  return new Promise((resolve, reject) => {
    const started = process.hrtime.bigint();
    let exitedAt: bigint | undefined;
    const child = spawn(spec.node, [...spec.args], {
      env: spec.env,
      stdio: ['ignore', spec.captureStdout ? 'pipe' : 'ignore', 'pipe', 'pipe'],
    });

    const stdout: Buffer[] = [];
    const stderr: Buffer[] = [];
    const resultChunks: Buffer[] = [];
    child.stdout?.on('data', (chunk: Buffer) => stdout.push(chunk));
    child.stderr?.on('data', (chunk: Buffer) => stderr.push(chunk));
    const resultStream = child.stdio[3];
    if (resultStream !== null && resultStream !== undefined && 'on' in resultStream) {
      resultStream.on('data', (chunk: Buffer) => resultChunks.push(chunk));
    }

    child.once('exit', () => {
      exitedAt = process.hrtime.bigint();
    });
    child.once('error', reject);
    child.once('close', (code, signal) => {
      const end = exitedAt ?? process.hrtime.bigint();
      if (code !== 0) {
        const tail = Buffer.concat(stderr).toString('utf8').slice(-STDERR_TAIL_CHARS);
        reject(new Error(`${spec.label} failed with exit code ${code ?? `signal ${signal}`}:\n${tail}`));
        return;
      }
      const resultText = Buffer.concat(resultChunks).toString('utf8').trim();
      resolve({
        elapsedMs: Number(end - started) / 1e6,
        result: resultText === '' ? undefined : (JSON.parse(resultText) as unknown),
        stdout: Buffer.concat(stdout).toString('utf8'),
      });
    });
  });
}
