import { PROJECT_ID_PATTERN } from './config';
import { InvalidParameterError } from './errors';

/** The validated ids of the version to stop. */
export interface TaskVersionIds {
  readonly projectId: string;
  readonly taskId: string;
  readonly versionId: string;
}

const RESOURCE_ID_PATTERN = /^[A-Za-z0-9_-]{1,64}$/;

/**
 * Validates the route's path parameters. The upstream URL is built from these values alone, never from
 * `rawPath`, so an encoded slash or dot segment cannot steer the call to another ModelArts resource.
 *
 * @throws InvalidParameterError naming the first invalid parameter.
 */
export function parseTaskVersionIds(pathParameters: Readonly<Record<string, string | undefined>> | undefined): TaskVersionIds {
  const params = pathParameters ?? {};
  return {
    projectId: requireMatch(params, 'project_id', PROJECT_ID_PATTERN, '32 lowercase hexadecimal characters'),
    taskId: requireMatch(params, 'task_id', RESOURCE_ID_PATTERN, '1 to 64 characters from A-Z, a-z, 0-9, _ and -'),
    versionId: requireMatch(params, 'version_id', RESOURCE_ID_PATTERN, '1 to 64 characters from A-Z, a-z, 0-9, _ and -'),
  };
}

function requireMatch(
  params: Readonly<Record<string, string | undefined>>,
  name: string,
  pattern: RegExp,
  expected: string,
): string {
  const value = params[name];
  if (value === undefined || !pattern.test(value)) {
    throw new InvalidParameterError(`Invalid path parameter ${name}: expected ${expected}.`);
  }
  return value;
}
