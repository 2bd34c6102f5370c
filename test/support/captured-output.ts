/**
 * Captures what the process writes, so tests can assert on log lines. Powertools Logger and Metrics write
 * JSON lines to `process.stdout` through their own `Console` instance, which looks up `stream.write` on
 * every call, so replacing `write` on the two streams catches them. The test environment's `console` is
 * also captured, so a stray `console.log` in the handler cannot escape the secrecy checks.
 */

/** A parsed JSON line, such as one Powertools log entry or one EMF metrics document. */
export type JsonLine = Record<string, unknown>;

/** Output written since capture started or since the last {@link CapturedOutput.clear}. */
export interface CapturedOutput {
  /** Everything written to stdout, stderr and the console, in order. */
  text(): string;
  /** Each non-empty line of {@link text}. */
  lines(): string[];
  /** The lines that parse as JSON objects. */
  jsonLines(): JsonLine[];
  /** The JSON lines whose `message` field equals one of `messages`. */
  logLines(...messages: string[]): JsonLine[];
  /** Drops what has been captured so far. */
  clear(): void;
  /** Puts the original writers back. */
  restore(): void;
}

const CONSOLE_METHODS = ['log', 'info', 'warn', 'error', 'debug', 'trace'] as const;

/** Starts capturing stdout, stderr and the console. Nothing reaches the terminal until `restore()`. */
export function captureOutput(): CapturedOutput {
  const chunks: string[] = [];
  const record = (chunk: unknown): void => {
    chunks.push(typeof chunk === 'string' ? chunk : Buffer.from(chunk as Uint8Array).toString('utf8'));
  };

  const originalStdout = process.stdout.write;
  const originalStderr = process.stderr.write;
  const replacement = ((chunk: unknown, ...rest: unknown[]): boolean => {
    record(chunk);
    // write(chunk, callback) and write(chunk, encoding, callback) both promise to call the callback.
    const callback = rest.find((arg): arg is () => void => typeof arg === 'function');
    callback?.();
    return true;
  }) as typeof process.stdout.write;
  process.stdout.write = replacement;
  process.stderr.write = replacement;

  const originalConsole = CONSOLE_METHODS.map((method) => [method, console[method]] as const);
  for (const method of CONSOLE_METHODS) {
    console[method] = (...args: unknown[]) => record(`${args.map(String).join(' ')}\n`);
  }

  const text = (): string => chunks.join('');
  const lines = (): string[] => text().split('\n').filter((line) => line.trim() !== '');
  const jsonLines = (): JsonLine[] => lines().flatMap(parseJsonObject);

  return {
    text,
    lines,
    jsonLines,
    logLines: (...messages) => jsonLines().filter((line) => messages.includes(String(line.message))),
    clear: () => {
      chunks.length = 0;
    },
    restore: () => {
      process.stdout.write = originalStdout;
      process.stderr.write = originalStderr;
      for (const [method, original] of originalConsole) {
        console[method] = original;
      }
    },
  };
}

function parseJsonObject(line: string): JsonLine[] {
  try {
    const parsed: unknown = JSON.parse(line);
    return typeof parsed === 'object' && parsed !== null && !Array.isArray(parsed) ? [parsed as JsonLine] : [];
  } catch {
    return [];
  }
}
