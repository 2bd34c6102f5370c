/**
 * Watches every chunk the process writes to stdout, stderr or the console, and records each one that
 * contains a sentinel or something shaped like a credential. It sits in front of the harness capture,
 * so it also inspects lines that a test clears before checking, such as cold-start warnings.
 */

/** Shapes of credentials that no log line may contain, whatever their value. */
const CREDENTIAL_SHAPES: ReadonlyArray<readonly [string, RegExp]> = [
  // A JWT: base64url of a JSON header and payload, each starting with '{"'.
  ['JWT', /eyJ[A-Za-z0-9_-]{8,}\.eyJ[A-Za-z0-9_-]{8,}/],
  // The hex HMAC-SHA256 of an SDK-HMAC-SHA256 or SigV4 signature.
  ['signature', /(?<![0-9a-f])[0-9a-f]{64}(?![0-9a-f])/],
  ['authorization header', /Bearer [A-Za-z0-9_-]{8,}|SDK-HMAC-SHA256 Access|AWS4-HMAC-SHA256 Credential/],
];

const CONSOLE_METHODS = ['log', 'info', 'warn', 'error', 'debug', 'trace'] as const;
// A log line may carry a slice of a secret, such as a "redacted" prefix, so every fragment of this length counts.
const FRAGMENT_LENGTH = 12;

function fragmentsOf(sentinel: string): string[] {
  const fragments = new Set<string>();
  for (let start = 0; start + FRAGMENT_LENGTH <= sentinel.length; start++) {
    fragments.add(sentinel.slice(start, start + FRAGMENT_LENGTH));
  }
  return [...fragments];
}

/** A leak found by the tap: what matched, and the first characters of the chunk. */
export interface Leak {
  readonly match: string;
  readonly excerpt: string;
}

/** An installed tap. */
export interface SentinelTap {
  /** Leaks recorded since the tap was installed or last cleared. */
  leaks(): readonly Leak[];
  /** Chunks inspected so far, to show that the tap saw the output at all. */
  chunksInspected(): number;
  clear(): void;
  restore(): void;
}

/** Installs the tap over the current writers. Any 12-character fragment of a sentinel counts as a leak. */
export function installSentinelTap(sentinels: readonly string[]): SentinelTap {
  const leaks: Leak[] = [];
  const fragments = sentinels.flatMap(fragmentsOf);
  let inspected = 0;
  const inspect = (text: string): void => {
    inspected++;
    const fragment = fragments.find((candidate) => text.includes(candidate));
    if (fragment !== undefined) {
      leaks.push({ match: `sentinel fragment ${fragment}`, excerpt: text.slice(0, 200) });
    }
    for (const [shape, pattern] of CREDENTIAL_SHAPES) {
      if (pattern.test(text)) {
        leaks.push({ match: shape, excerpt: text.slice(0, 200) });
      }
    }
  };

  const originalStdout = process.stdout.write;
  const originalStderr = process.stderr.write;
  const tap = (original: typeof process.stdout.write): typeof process.stdout.write =>
    function write(this: unknown, chunk: unknown, ...rest: unknown[]): boolean {
      inspect(typeof chunk === 'string' ? chunk : Buffer.from(chunk as Uint8Array).toString('utf8'));
      return (original as (...args: unknown[]) => boolean).call(this, chunk, ...rest);
    } as typeof process.stdout.write;
  const tappedStdout = tap(originalStdout);
  const tappedStderr = tap(originalStderr);
  process.stdout.write = tappedStdout;
  process.stderr.write = tappedStderr;

  const originalConsole = CONSOLE_METHODS.map((method) => [method, console[method]] as const);
  const tappedConsole = originalConsole.map(([method, original]) => {
    const tapped = (...args: unknown[]): void => {
      inspect(args.map(String).join(' '));
      original(...args);
    };
    console[method] = tapped;
    return [method, tapped, original] as const;
  });

  return {
    leaks: () => leaks,
    chunksInspected: () => inspected,
    clear: () => {
      leaks.length = 0;
    },
    // Puts a writer back only while the tap is still installed on it, because the capture below may
    // already have restored the real writer, which must stay.
    restore: () => {
      if (process.stdout.write === tappedStdout) {
        process.stdout.write = originalStdout;
      }
      if (process.stderr.write === tappedStderr) {
        process.stderr.write = originalStderr;
      }
      for (const [method, tapped, original] of tappedConsole) {
        if (console[method] === tapped) {
          console[method] = original;
        }
      }
    },
  };
}
