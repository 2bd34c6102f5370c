/** Stage config validation and stage selection; nothing here synthesizes a stack. */
import { App, Duration, Stack } from 'aws-cdk-lib';

import { STAGE_CONFIGS, type StageConfig, StageConfigError, validateStageConfig } from '../../infra/config';
import { devConfig } from '../../infra/config/dev';
import { ALLOWED_RETENTION_DAYS, MAX_UPSTREAM_TIMEOUT_MS } from '../../infra/config/validate';
import { StopProxy, deriveFunctionTimeout } from '../../infra/lib/stop-proxy';
import { selectStageConfigs } from '../../infra/lib/stop-proxy-app';

/** Returns the validation error of a config, or undefined when it is valid. */
function validationError(config: StageConfig): StageConfigError | undefined {
  try {
    validateStageConfig(config);
    return undefined;
  } catch (error) {
    if (error instanceof StageConfigError) {
      return error;
    }
    throw error;
  }
}

describe('validateStageConfig', () => {
  test.each(STAGE_CONFIGS.map((config) => [config.stageName, config] as const))('shipped %s config is valid', (_name, config) => {
    expect(validationError(config)).toBeUndefined();
  });

  const invalidCases: Array<[string, Partial<StageConfig> | ((config: StageConfig) => StageConfig), string, RegExp]> = [
    ['stage name with capitals', { stageName: 'Prod' }, 'stageName', /lowercase letters/],
    ['short account id', { account: '12345' }, 'account', /12-digit AWS account id/],
    ['region typo', { region: 'eu-west' }, 'region', /AWS region id such as "eu-west-1"/],
    ['http endpoint', (c) => ({ ...c, modelArts: { ...c.modelArts, endpoint: 'http://modelarts.cn-north-4.myhuaweicloud.com' } }), 'modelArts.endpoint', /https base URL without a path/],
    ['endpoint with path', (c) => ({ ...c, modelArts: { ...c.modelArts, endpoint: 'https://modelarts.cn-north-4.myhuaweicloud.com/v2' } }), 'modelArts.endpoint', /without a path/],
    ['endpoint of other region', (c) => ({ ...c, modelArts: { ...c.modelArts, endpoint: 'https://modelarts.cn-east-3.myhuaweicloud.com' } }), 'modelArts.endpoint', /must contain modelArts.region "cn-north-4"/],
    ['malformed ModelArts region', (c) => ({ ...c, modelArts: { ...c.modelArts, region: 'north4' } }), 'modelArts.region', /Huawei Cloud region id/],
    ['upstream timeout too long', (c) => ({ ...c, modelArts: { ...c.modelArts, timeoutMs: 22_001 } }), 'modelArts.timeoutMs', /from 100 to 22000.*30 s limit/],
    ['fractional upstream timeout', (c) => ({ ...c, modelArts: { ...c.modelArts, timeoutMs: 1500.5 } }), 'modelArts.timeoutMs', /integer/],
    ['issuer over http', (c) => ({ ...c, jwt: { ...c.jwt, issuer: 'http://issuer.example.com' } }), 'jwt.issuer', /https URL of the token issuer/],
    ['no audience', (c) => ({ ...c, jwt: { ...c.jwt, audiences: [] } }), 'jwt.audiences', /at least one app client id/],
    ['audience with comma', (c) => ({ ...c, jwt: { ...c.jwt, audiences: ['a,b'] } }), 'jwt.audiences[0]', /without spaces or commas/],
    ['scope with space', (c) => ({ ...c, jwt: { ...c.jwt, requiredScope: 'stop tasks' } }), 'jwt.requiredScope', /one OAuth scope/],
    ['JWKS over http', (c) => ({ ...c, jwt: { ...c.jwt, jwksUri: 'http://issuer.example.com/jwks.json' } }), 'jwt.jwksUri', /https URL/],
    ['no project id', { allowedProjectIds: [] }, 'allowedProjectIds', /at least one Huawei project id/],
    ['uppercase project id', { allowedProjectIds: ['0000000000000000000000000000000A'] }, 'allowedProjectIds[0]', /32 lowercase hex/],
    ['duplicate project id', { allowedProjectIds: ['00000000000000000000000000000001', '00000000000000000000000000000001'] }, 'allowedProjectIds', /same project id twice/],
    ['partial secret ARN', { upstreamSecret: { nameOrArn: 'arn:aws:secretsmanager:eu-west-1:111122223333:secret:proxy' } }, 'upstreamSecret.nameOrArn', /complete secret ARN, ending in the 6-character suffix/],
    ['name like ARN suffix', { upstreamSecret: { nameOrArn: 'proxy-creds-AbC123' } }, 'upstreamSecret.nameOrArn', /rename the secret or give its complete ARN/],
    ['secret name with space', { upstreamSecret: { nameOrArn: 'proxy creds' } }, 'upstreamSecret.nameOrArn', /secret name of letters/],
    ['KMS alias ARN', { upstreamSecret: { nameOrArn: 'proxy/creds', kmsKeyArn: 'arn:aws:kms:eu-west-1:111122223333:alias/proxy' } }, 'upstreamSecret.kmsKeyArn', /not an alias/],
    ['wildcard CORS origin', { corsAllowedOrigins: ['*'] }, 'corsAllowedOrigins[0]', /list each site explicitly/],
    ['origin with slash', { corsAllowedOrigins: ['https://app.example.com/'] }, 'corsAllowedOrigins[0]', /without a path or trailing slash/],
    ['plain http origin', { corsAllowedOrigins: ['http://app.example.com'] }, 'corsAllowedOrigins[0]', /plain http only for localhost/],
    ['zero rate limit', { throttling: { rateLimit: 0, burstLimit: 10 } }, 'throttling.rateLimit', /above 0/],
    ['burst over quota', { throttling: { rateLimit: 10, burstLimit: 5001 } }, 'throttling.burstLimit', /from 1 to 5000/],
    ['unsupported retention', { logRetentionDays: 10 }, 'logRetentionDays', /must be one of 1, 3, 5, 7/],
    ['unknown log level', { logLevel: 'TRACE' as 'INFO' }, 'logLevel', /DEBUG, INFO, WARN, ERROR/],
    ['zero cache TTL', { secretCacheTtlSeconds: 0 }, 'secretCacheTtlSeconds', /from 1 to 86400/],
    ['zero reserved concurrency', { reservedConcurrency: 0 }, 'reservedConcurrency', /0 would stop every invocation/],
    ['invalid topic ARN', { alarmNotification: { topicArn: 'arn:aws:sns:eu-west-1:alarms' } }, 'alarmNotification.topicArn', /SNS topic ARN/],
    ['invalid e-mail', { alarmNotification: { email: 'ops.example.com' } }, 'alarmNotification.email', /e-mail address/],
    ['topic and e-mail', { alarmNotification: { topicArn: 'arn:aws:sns:eu-west-1:111122223333:a', email: 'a@example.com' } as never }, 'alarmNotification', /exactly one of topicArn or email/],
  ];

  test.each(invalidCases)('rejects %s', (_name, change, field, fix) => {
    // Prepare
    const config = typeof change === 'function' ? change(devConfig) : { ...devConfig, ...change };

    // Act
    const error = validationError(config);

    // Assess
    expect(error).toBeDefined();
    const problem = error!.problems.find((candidate) => candidate.field === field);
    expect(problem).toBeDefined();
    expect(problem!.fix).toMatch(fix);
    expect(error!.message).toContain(`  - ${field}: `);
  });

  test('rejects resources outside stack region', () => {
    // Prepare
    const config: StageConfig = {
      ...devConfig,
      region: 'eu-west-1',
      upstreamSecret: {
        nameOrArn: 'arn:aws:secretsmanager:us-east-1:111122223333:secret:proxy/creds-AbC123',
        kmsKeyArn: 'arn:aws:kms:us-east-1:111122223333:key/00000000-0000-0000-0000-000000000000',
      },
      alarmNotification: { topicArn: 'arn:aws:sns:us-east-1:111122223333:alarms' },
    };

    // Act
    const fields = validationError(config)?.problems.map((problem) => problem.field);

    // Assess
    expect(fields).toEqual(['upstreamSecret.nameOrArn', 'upstreamSecret.kmsKeyArn', 'alarmNotification.topicArn']);
  });

  test('lists every invalid field', () => {
    const error = validationError({ ...devConfig, account: 'x', logRetentionDays: 2, corsAllowedOrigins: ['*'] });

    expect(error?.problems.map((problem) => problem.field)).toEqual(['account', 'corsAllowedOrigins[0]', 'logRetentionDays']);
    expect(error?.message).toMatch(/^Invalid configuration for stage "dev" \(edit infra\/config\/\):\n/);
  });

  test('accepts complete secret ARN', () => {
    const config: StageConfig = {
      ...devConfig,
      region: 'eu-west-1',
      upstreamSecret: { nameOrArn: 'arn:aws:secretsmanager:eu-west-1:111122223333:secret:proxy/creds-AbC123' },
    };

    expect(validationError(config)).toBeUndefined();
  });

  test('retention list excludes never expire', () => {
    expect(ALLOWED_RETENTION_DAYS).toContain(7);
    expect(ALLOWED_RETENTION_DAYS).toContain(3653);
    expect(ALLOWED_RETENTION_DAYS).not.toContain(9999);
  });
});

describe('selectStageConfigs', () => {
  test('no stage selects all', () => {
    expect(selectStageConfigs(undefined).map((config) => config.stageName)).toEqual(['dev', 'staging', 'prod']);
  });

  test('named stage selects one', () => {
    expect(selectStageConfigs('prod').map((config) => config.stageName)).toEqual(['prod']);
  });

  test('unknown stage names the choices', () => {
    expect(() => selectStageConfigs('qa')).toThrow('Unknown stage "qa" in context value "stage"; use one of: dev, staging, prod');
  });
});

describe('function timeout', () => {
  test('adds allowance to upstream budget', () => {
    expect(deriveFunctionTimeout(Duration.millis(5000)).toSeconds()).toBe(12);
    expect(deriveFunctionTimeout(Duration.millis(8001)).toSeconds()).toBe(16);
  });

  test('largest valid budget stays under 30 s', () => {
    expect(deriveFunctionTimeout(Duration.millis(MAX_UPSTREAM_TIMEOUT_MS)).toSeconds()).toBe(29);
  });

  test('construct rejects budget reaching 30 s', () => {
    const stack = new Stack(new App(), 'TimeoutStack');

    expect(
      () =>
        new StopProxy(stack, 'StopProxy', {
          stageName: 'dev',
          modelArtsEndpoint: devConfig.modelArts.endpoint,
          upstreamTimeout: Duration.seconds(23),
          jwtIssuer: devConfig.jwt.issuer,
          jwtAudiences: devConfig.jwt.audiences,
          requiredScope: devConfig.jwt.requiredScope,
          allowedProjectIds: devConfig.allowedProjectIds,
          upstreamSecretId: devConfig.upstreamSecret.nameOrArn,
          throttle: devConfig.throttling,
        }),
    ).toThrow(/function timeout of 30 s; lower upstreamTimeout/);
  });
});
