import { fork, type ChildProcess } from 'node:child_process';
import { readCounters } from '../child/counters-client';
import type { StandInCounters, StandInsReady } from '../stand-ins/protocol';
import { buildChildEnvironment } from './processes';

/** How long the stand-in process may take to start listening. */
const START_TIMEOUT_MS = 30_000;

/** The running stand-in process. */
export interface StandInProcess {
  readonly ready: StandInsReady;
  /** Reads the current stand-in counters. */
  counters(): Promise<StandInCounters>;
  /** Ends the stand-in process and waits for its exit. */
  stop(): Promise<void>;
}

/**
 * Starts the bundled stand-in process on the benchmark's Node and waits for its ready message.
 *
 * @throws Error when the process exits or stays silent for 30 s before it is ready.
 */
export async function startStandInProcess(node: string, script: string): Promise<StandInProcess> {
  const child = fork(script, [], {
    execPath: node,
    execArgv: [],
    env: buildChildEnvironment({}),
    stdio: ['ignore', 'ignore', 'inherit', 'ipc'],
  });
  const ready = await waitForReady(child);

  return {
    ready,
    counters: () => readCounters(ready.controlUrl),
    stop: () => stopChild(child),
  };
}

function waitForReady(child: ChildProcess): Promise<StandInsReady> {
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => {
      child.kill();
      reject(new Error(`the stand-in process did not report ready within ${START_TIMEOUT_MS} ms`));
    }, START_TIMEOUT_MS);
    child.once('message', (message: StandInsReady) => {
      clearTimeout(timer);
      resolve(message);
    });
    child.once('exit', (code) => {
      clearTimeout(timer);
      reject(new Error(`the stand-in process exited with code ${code} before it was ready`));
    });
  });
}

function stopChild(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) {
    return Promise.resolve();
  }
  return new Promise((resolve) => {
    // Disconnecting lets the stand-ins close their servers; the kill is the fallback if that hangs.
    const timer = setTimeout(() => child.kill(), 5000);
    child.once('exit', () => {
      clearTimeout(timer);
      resolve();
    });
    child.disconnect();
  });
}
