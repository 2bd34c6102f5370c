/**
 * Result channel of a measured process: one JSON line on file descriptor 3, which the harness opens as a
 * pipe. Standard output stays free for the handler's logs and EMF metrics.
 */
import { writeSync } from 'node:fs';

const RESULT_FD = 3;

/** Writes the process's result line. */
export function reportResult(result: unknown): void {
  writeSync(RESULT_FD, `${JSON.stringify(result)}\n`);
}

/** Reads a required environment variable that the harness sets. */
export function requireEnv(name: string): string {
  const value = process.env[name];
  if (value === undefined || value === '') {
    throw new Error(`environment variable ${name} is missing; the benchmark harness sets it`);
  }
  return value;
}

/** Writes `error` to standard error and ends the process with exit code 1. */
export function exitWithError(error: unknown): never {
  process.stderr.write(`${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`);
  process.exit(1);
}
