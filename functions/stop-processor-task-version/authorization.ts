import type { AuthenticatedCaller } from './caller-auth';
import { ForbiddenError, InsufficientScopeError } from './errors';
import type { TaskVersionIds } from './path-params';

/** Rules the authorization step checks a caller against. */
export interface AuthorizationPolicy {
  /** Scope the token must carry, when set. */
  readonly requiredScope: string | undefined;
  /** Huawei project ids that callers may act on. */
  readonly allowedProjectIds: ReadonlySet<string>;
}

/**
 * Checks that an authenticated caller may stop a version in this project.
 *
 * @throws InsufficientScopeError when the token lacks the required scope.
 * @throws ForbiddenError when the project is not in the allow list.
 */
export function authorize(caller: AuthenticatedCaller, ids: TaskVersionIds, policy: AuthorizationPolicy): void {
  if (policy.requiredScope !== undefined && !caller.scopes.has(policy.requiredScope)) {
    throw new InsufficientScopeError(policy.requiredScope);
  }
  if (!policy.allowedProjectIds.has(ids.projectId)) {
    throw new ForbiddenError(`The caller may not act on project ${ids.projectId}.`);
  }
}
