import { authorize, type AuthorizationPolicy } from '../../../functions/stop-processor-task-version/authorization';
import { CallerAuthenticator, type AuthenticatedCaller } from '../../../functions/stop-processor-task-version/caller-auth';
import { ForbiddenError, InsufficientScopeError } from '../../../functions/stop-processor-task-version/errors';
import type { TaskVersionIds } from '../../../functions/stop-processor-task-version/path-params';
import { SigningKey, startJwtIssuer, type JwtIssuerStandIn } from '../../../local/stand-ins/jwt-issuer';

const ALLOWED_PROJECT = '0123456789abcdef0123456789abcdef';
const OTHER_PROJECT = 'fedcba9876543210fedcba9876543210';
const REQUIRED_SCOPE = 'modelarts/processor-tasks.stop';

function caller(scopes: string[]): AuthenticatedCaller {
  return { subject: 'user-1', clientId: 'app-1', scopes: new Set(scopes) };
}

function ids(projectId: string): TaskVersionIds {
  return { projectId, taskId: 'task-1', versionId: 'version-1' };
}

function policy(requiredScope: string | undefined, projects: string[] = [ALLOWED_PROJECT]): AuthorizationPolicy {
  return { requiredScope, allowedProjectIds: new Set(projects) };
}

describe('authorize', () => {
  it('allows scope and allowed project', () => {
    expect(() => authorize(caller([REQUIRED_SCOPE]), ids(ALLOWED_PROJECT), policy(REQUIRED_SCOPE))).not.toThrow();
  });

  it('allows any scope when none required', () => {
    expect(() => authorize(caller([]), ids(ALLOWED_PROJECT), policy(undefined))).not.toThrow();
  });

  it('allows scope among several', () => {
    const withOthers = caller(['openid', REQUIRED_SCOPE, 'profile']);

    expect(() => authorize(withOthers, ids(ALLOWED_PROJECT), policy(REQUIRED_SCOPE))).not.toThrow();
  });

  it('rejects missing scope with 403', () => {
    // Act
    let thrown: unknown;
    try {
      authorize(caller(['openid']), ids(ALLOWED_PROJECT), policy(REQUIRED_SCOPE));
    } catch (error) {
      thrown = error;
    }

    // Assess
    expect(thrown).toBeInstanceOf(InsufficientScopeError);
    const error = thrown as InsufficientScopeError;
    expect(error.statusCode).toBe(403);
    expect(error.outcome).toBe('insufficient_scope');
    expect(error.headers['www-authenticate']).toBe(
      `Bearer realm="modelarts-stop-proxy", error="insufficient_scope", scope="${REQUIRED_SCOPE}"`,
    );
  });

  it.each([
    ['different case', REQUIRED_SCOPE.toUpperCase()],
    ['prefix only', 'modelarts/processor-tasks'],
    ['longer name', `${REQUIRED_SCOPE}.all`],
    ['no scopes', undefined],
  ])('rejects scope with %s', (_case, scope) => {
    const scopes = scope === undefined ? [] : [scope];

    expect(() => authorize(caller(scopes), ids(ALLOWED_PROJECT), policy(REQUIRED_SCOPE))).toThrow(InsufficientScopeError);
  });

  it('rejects project outside allow list', () => {
    let thrown: unknown;
    try {
      authorize(caller([REQUIRED_SCOPE]), ids(OTHER_PROJECT), policy(REQUIRED_SCOPE));
    } catch (error) {
      thrown = error;
    }

    expect(thrown).toBeInstanceOf(ForbiddenError);
    expect(thrown).not.toBeInstanceOf(InsufficientScopeError);
    const error = thrown as ForbiddenError;
    expect(error.statusCode).toBe(403);
    expect(error.outcome).toBe('forbidden');
    expect(error.message).toContain(OTHER_PROJECT);
  });

  it('rejects project without scope required', () => {
    expect(() => authorize(caller([]), ids(OTHER_PROJECT), policy(undefined))).toThrow(ForbiddenError);
  });

  it('rejects every project with empty list', () => {
    expect(() => authorize(caller([REQUIRED_SCOPE]), ids(ALLOWED_PROJECT), policy(REQUIRED_SCOPE, []))).toThrow(ForbiddenError);
  });

  it('allows each listed project', () => {
    const twoProjects = policy(REQUIRED_SCOPE, [ALLOWED_PROJECT, OTHER_PROJECT]);

    expect(() => authorize(caller([REQUIRED_SCOPE]), ids(ALLOWED_PROJECT), twoProjects)).not.toThrow();
    expect(() => authorize(caller([REQUIRED_SCOPE]), ids(OTHER_PROJECT), twoProjects)).not.toThrow();
  });

  it('checks scope before project', () => {
    expect(() => authorize(caller([]), ids(OTHER_PROJECT), policy(REQUIRED_SCOPE))).toThrow(InsufficientScopeError);
  });
});

describe('authorize with verified tokens', () => {
  const issuerName = 'https://issuer.example.com/pool-1';
  let signingKey: SigningKey;
  let issuer: JwtIssuerStandIn;
  let authenticator: CallerAuthenticator;

  beforeAll(async () => {
    signingKey = SigningKey.generate('authorization-test-key');
    issuer = await startJwtIssuer([signingKey]);
    authenticator = new CallerAuthenticator({
      jwtIssuer: issuerName,
      jwtAudiences: ['app-1'],
      jwtJwksUri: new URL(issuer.jwksUri),
    });
  });

  afterAll(async () => {
    await issuer.close();
  });

  async function callerWith(scopeClaims: Record<string, unknown>): Promise<AuthenticatedCaller> {
    const now = Math.floor(Date.now() / 1000);
    const token = signingKey.sign({ iss: issuerName, sub: 'user-1', aud: 'app-1', exp: now + 600, ...scopeClaims });
    return authenticator.authenticate(`Bearer ${token}`);
  }

  it.each([
    ['scope string', { scope: `openid ${REQUIRED_SCOPE}` }],
    ['scp array', { scp: ['openid', REQUIRED_SCOPE] }],
    ['scp string', { scp: REQUIRED_SCOPE }],
  ])('accepts required scope in %s', async (_case, scopeClaims) => {
    const verified = await callerWith(scopeClaims);

    expect(() => authorize(verified, ids(ALLOWED_PROJECT), policy(REQUIRED_SCOPE))).not.toThrow();
  });

  it.each([
    ['scope string', { scope: 'openid profile' }],
    ['scp array', { scp: ['openid'] }],
    ['scope as prefix', { scope: `${REQUIRED_SCOPE}x` }],
    ['no scope claims', {}],
  ])('rejects required scope missing from %s', async (_case, scopeClaims) => {
    const verified = await callerWith(scopeClaims);

    expect(() => authorize(verified, ids(ALLOWED_PROJECT), policy(REQUIRED_SCOPE))).toThrow(InsufficientScopeError);
  });
});
