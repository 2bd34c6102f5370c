import { InvalidRequestError } from './errors';

/** Pattern of `project_id` in the OpenAPI document: 32 lowercase hexadecimal characters. */
export const PROJECT_ID_PATTERN = /^[0-9a-f]{32}$/;

/** Pattern of `task_id` and `version_id` in the OpenAPI document: 1 to 64 characters from A-Z, a-z, 0-9, _ and -. */
export const RESOURCE_ID_PATTERN = /^[A-Za-z0-9_-]{1,64}$/;

/** The version to stop, with the names the route uses. */
export interface TaskVersionPath {
  readonly project_id: string;
  readonly task_id: string;
  readonly version_id: string;
}

/**
 * Checks each id against its pattern before anything is sent, so a typo fails fast without a token fetch
 * or a network round trip.
 *
 * @throws InvalidRequestError naming the first invalid id, with no status and error code `CLIENT.INVALID_PARAMETER`.
 */
export function validateTaskVersionPath(path: TaskVersionPath): void {
  const checks: ReadonlyArray<readonly [keyof TaskVersionPath, RegExp, string]> = [
    ['project_id', PROJECT_ID_PATTERN, '32 lowercase hexadecimal characters'],
    ['task_id', RESOURCE_ID_PATTERN, '1 to 64 characters from A-Z, a-z, 0-9, _ and -'],
    ['version_id', RESOURCE_ID_PATTERN, '1 to 64 characters from A-Z, a-z, 0-9, _ and -'],
  ];
  for (const [name, pattern, expected] of checks) {
    const value: unknown = path[name];
    if (typeof value !== 'string' || !pattern.test(value)) {
      throw new InvalidRequestError({
        message: `Invalid ${name}: expected ${expected}.`,
        errorCode: 'CLIENT.INVALID_PARAMETER',
      });
    }
  }
}

/** Builds the route path with each id percent-encoded. */
export function buildStopPath(path: TaskVersionPath): string {
  const project = encodeURIComponent(path.project_id);
  const task = encodeURIComponent(path.task_id);
  const version = encodeURIComponent(path.version_id);
  return `/v2/${project}/processor-tasks/${task}/versions/${version}/stop`;
}
