/**
 * Collects the name, message and stack of an error and of every error in its `cause` chain, so a test
 * can assert that a secret or token appears nowhere a log line could copy it from.
 */
export function collectErrorText(error: unknown): string {
  const parts: string[] = [];
  const seen = new Set<unknown>();
  let current: unknown = error;
  while (current !== undefined && current !== null && !seen.has(current)) {
    seen.add(current);
    if (current instanceof Error) {
      parts.push(current.name, current.message, current.stack ?? '');
      current = current.cause;
    } else {
      parts.push(String(current));
      current = undefined;
    }
  }
  return parts.join('\n');
}

/** Runs `action` and returns what it threw or rejected with. Fails the test when it did not throw. */
export async function captureError(action: () => unknown): Promise<unknown> {
  try {
    await action();
  } catch (error) {
    return error;
  }
  throw new Error('expected the action to throw, but it completed');
}
