/**
 * Template tests on the real app: all three environments are synthesized once, with bundling and the
 * cdk-nag packs, and every test reads the resulting templates.
 */
import childProcess = require('node:child_process');
import { readFileSync } from 'node:fs';
import { builtinModules } from 'node:module';
import * as path from 'node:path';

import { App } from 'aws-cdk-lib';
import { Match, Template } from 'aws-cdk-lib/assertions';
import { build } from 'esbuild';

import { STAGE_CONFIGS, type StageConfig } from '../../infra/config';
import { HANDLER_ESBUILD_OPTIONS } from '../../infra/lib/handler-bundling';
import { METRICS_NAMESPACE, SERVICE_NAME, STOP_ROUTE_PATH } from '../../infra/lib/stop-proxy';
import * as handlerObservability from '../../functions/stop-processor-task-version/observability';
import { addStopProxyStages } from '../../infra/lib/stop-proxy-app';

type StageName = 'dev' | 'staging' | 'prod';

const REPO_ROOT = path.join(__dirname, '..', '..');
const HANDLER_ENTRY = path.join(REPO_ROOT, 'functions', 'stop-processor-task-version', 'handler.ts');
// The CLI passes the feature flags of cdk.json to the app; a test app must get them the same way.
const CDK_CONTEXT = JSON.parse(readFileSync(path.join(REPO_ROOT, 'cdk.json'), 'utf8')).context;

let app: App;
const templates = {} as Record<StageName, Template>;
const configs = {} as Record<StageName, StageConfig>;
let esbuildRuns = 0;

beforeAll(() => {
  // The asset cache of aws-cdk-lib should let the three stages share one esbuild run.
  const spawnSync = jest.spyOn(childProcess, 'spawnSync');

  app = new App({ context: CDK_CONTEXT });
  const stages = addStopProxyStages(app, STAGE_CONFIGS);
  app.synth();

  esbuildRuns = spawnSync.mock.calls.filter(([command, args]) => [command, ...(args ?? [])].join(' ').includes('esbuild')).length;
  spawnSync.mockRestore();
  for (const stage of stages) {
    const name = stage.stageName as StageName;
    templates[name] = Template.fromStack(stage.stack);
    configs[name] = STAGE_CONFIGS.find((config) => config.stageName === name)!;
  }
}, 180_000);

/** Returns the single resource of a type in a template, failing the test when there is not exactly one. */
function onlyResource(template: Template, type: string): { Properties: Record<string, any> } {
  const resources = Object.values(template.findResources(type));
  expect(resources).toHaveLength(1);
  return resources[0] as { Properties: Record<string, any> };
}

function policyStatements(template: Template): any[] {
  return Object.values(template.findResources('AWS::IAM::Policy')).flatMap(
    (policy: any) => policy.Properties.PolicyDocument.Statement,
  );
}

function asList(value: unknown): unknown[] {
  return Array.isArray(value) ? value : [value];
}

const stageNames: StageName[] = ['dev', 'staging', 'prod'];

describe('cdk-nag', () => {
  test('validation report lists no finding', () => {
    const report = JSON.parse(readFileSync(path.join(app.outdir, 'validation-report.json'), 'utf8'));

    expect(report.pluginReports).toEqual([]);
  });
});

describe('route and authorizer', () => {
  test.each(stageNames)('%s has only the stop route', (stage) => {
    const route = onlyResource(templates[stage], 'AWS::ApiGatewayV2::Route');

    expect(route.Properties.RouteKey).toBe(`POST ${STOP_ROUTE_PATH}`);
    expect(route.Properties.RouteKey).toBe('POST /v2/{project_id}/processor-tasks/{task_id}/versions/{version_id}/stop');
  });

  test.each(stageNames)('%s route requires JWT and scope', (stage) => {
    templates[stage].hasResourceProperties('AWS::ApiGatewayV2::Route', {
      AuthorizationType: 'JWT',
      AuthorizationScopes: [configs[stage].jwt.requiredScope],
      AuthorizerId: { Ref: Match.stringLikeRegexp('JwtAuthorizer') },
    });
  });

  test.each(stageNames)('%s authorizer checks issuer, audience', (stage) => {
    const authorizer = onlyResource(templates[stage], 'AWS::ApiGatewayV2::Authorizer');

    expect(authorizer.Properties.AuthorizerType).toBe('JWT');
    expect(authorizer.Properties.IdentitySource).toEqual(['$request.header.Authorization']);
    expect(authorizer.Properties.JwtConfiguration).toEqual({
      Issuer: configs[stage].jwt.issuer,
      Audience: [...configs[stage].jwt.audiences],
    });
  });

  test.each(stageNames)('%s CORS preflight uses configured origins', (stage) => {
    const api = onlyResource(templates[stage], 'AWS::ApiGatewayV2::Api');

    expect(api.Properties.CorsConfiguration).toEqual({
      AllowOrigins: [...configs[stage].corsAllowedOrigins],
      AllowMethods: ['POST'],
      AllowHeaders: ['authorization', 'content-type'],
      ExposeHeaders: ['x-request-id', 'x-upstream-request-id', 'retry-after'],
      MaxAge: 3600,
    });
  });
});

describe('function', () => {
  test.each(stageNames)('%s runs nodejs24.x on arm64', (stage) => {
    templates[stage].hasResourceProperties('AWS::Lambda::Function', {
      Runtime: 'nodejs24.x',
      Architectures: ['arm64'],
      Handler: 'index.handler',
    });
  });

  test('timeout exceeds upstream budget, under 30 s', () => {
    const devFunction = onlyResource(templates.dev, 'AWS::Lambda::Function');
    const prodFunction = onlyResource(templates.prod, 'AWS::Lambda::Function');

    // Upstream budget rounded up to seconds, plus 5 s for the secret read and the JWKS download.
    expect(devFunction.Properties.Timeout).toBe(12);
    expect(prodFunction.Properties.Timeout).toBe(15);
    expect(prodFunction.Properties.Timeout).toBeLessThan(30);
  });

  test('dev environment matches handler contract', () => {
    const fn = onlyResource(templates.dev, 'AWS::Lambda::Function');

    expect(fn.Properties.Environment.Variables).toEqual({
      MODELARTS_ENDPOINT: 'https://modelarts.cn-north-4.myhuaweicloud.com',
      UPSTREAM_SECRET_ID: 'modelarts-stop-proxy/dev/upstream-credentials',
      JWT_ISSUER: configs.dev.jwt.issuer,
      JWT_AUDIENCE: configs.dev.jwt.audiences.join(','),
      REQUIRED_SCOPE: 'modelarts/processor-tasks.stop',
      ALLOWED_PROJECT_IDS: configs.dev.allowedProjectIds.join(','),
      UPSTREAM_TIMEOUT_MS: '5000',
      SECRET_CACHE_TTL_SECONDS: '300',
      STAGE: 'dev',
      POWERTOOLS_SERVICE_NAME: 'modelarts-stop-proxy',
      POWERTOOLS_METRICS_NAMESPACE: 'ModelArtsStopProxy',
      POWERTOOLS_LOG_LEVEL: 'DEBUG',
    });
  });

  test('prod audiences join with commas', () => {
    templates.prod.hasResourceProperties('AWS::Lambda::Function', {
      Environment: {
        Variables: Match.objectLike({
          JWT_AUDIENCE: 'example-prod-web-client-id,example-prod-batch-client-id',
          UPSTREAM_TIMEOUT_MS: '8000',
          STAGE: 'prod',
        }),
      },
    });
  });

  test.each(stageNames)('%s template holds no secret value', (stage) => {
    const json = JSON.stringify(templates[stage].toJSON());

    expect(templates[stage].findResources('AWS::SecretsManager::Secret')).toEqual({});
    expect(json).not.toContain('resolve:secretsmanager');
    expect(json).not.toContain('SecretString');
    expect(json).not.toMatch(/"(ak|sk|securityToken)"/);
  });

  test.each(stageNames)('%s function logs to own group', (stage) => {
    const fn = onlyResource(templates[stage], 'AWS::Lambda::Function');

    expect(fn.Properties.LoggingConfig).toEqual({ LogGroup: { Ref: expect.stringMatching(/^StopProxyFunctionLogs/) } });
  });
});

describe('iam', () => {
  const logStatement = {
    Action: ['logs:CreateLogStream', 'logs:PutLogEvents'],
    Effect: 'Allow',
    Resource: { 'Fn::GetAtt': [expect.stringMatching(/^StopProxyFunctionLogs/), 'Arn'] },
  };

  function secretStatement(region: unknown, name: string): object {
    return {
      Action: ['secretsmanager:DescribeSecret', 'secretsmanager:GetSecretValue'],
      Effect: 'Allow',
      Resource: {
        'Fn::Join': ['', ['arn:', { Ref: 'AWS::Partition' }, ':secretsmanager:', region, ':', { Ref: 'AWS::AccountId' }, `:secret:${name}-??????`]],
      },
    };
  }

  test('dev role writes logs, reads one secret', () => {
    expect(policyStatements(templates.dev)).toEqual([
      logStatement,
      secretStatement({ Ref: 'AWS::Region' }, 'modelarts-stop-proxy/dev/upstream-credentials'),
    ]);
  });

  test('prod role also decrypts via Secrets Manager', () => {
    expect(policyStatements(templates.prod)).toEqual([
      logStatement,
      {
        Action: ['secretsmanager:DescribeSecret', 'secretsmanager:GetSecretValue'],
        Effect: 'Allow',
        Resource: {
          'Fn::Join': [
            '',
            ['arn:aws:secretsmanager:eu-west-1:', { Ref: 'AWS::AccountId' }, ':secret:modelarts-stop-proxy/prod/upstream-credentials-??????'],
          ],
        },
      },
      {
        Action: 'kms:Decrypt',
        Condition: { StringEquals: { 'kms:ViaService': 'secretsmanager.eu-west-1.amazonaws.com' } },
        Effect: 'Allow',
        Resource: configs.prod.upstreamSecret.kmsKeyArn,
      },
    ]);
  });

  test.each(stageNames)('%s role has no managed policy', (stage) => {
    const role = onlyResource(templates[stage], 'AWS::IAM::Role');

    expect(role.Properties.ManagedPolicyArns).toBeUndefined();
    expect(role.Properties.AssumeRolePolicyDocument.Statement).toEqual([
      { Action: 'sts:AssumeRole', Effect: 'Allow', Principal: { Service: 'lambda.amazonaws.com' } },
    ]);
  });

  test.each(stageNames)('%s policies have no wildcard', (stage) => {
    const statements = policyStatements(templates[stage]);
    expect(statements.length).toBeGreaterThan(0);

    for (const statement of statements) {
      for (const action of asList(statement.Action)) {
        expect(action).not.toContain('*');
      }
      for (const resource of asList(statement.Resource)) {
        expect(JSON.stringify(resource)).not.toContain('*');
      }
    }
  });

  test.each(stageNames)('%s API may invoke only the route', (stage) => {
    const permission = onlyResource(templates[stage], 'AWS::Lambda::Permission');

    expect(permission.Properties.Principal).toBe('apigateway.amazonaws.com');
    expect(JSON.stringify(permission.Properties.SourceArn)).toContain('/*/*/v2/{project_id}/processor-tasks/{task_id}/versions/{version_id}/stop');
  });
});

describe('api stage and logs', () => {
  test.each(stageNames)('%s stage throttles default route', (stage) => {
    const apiStage = onlyResource(templates[stage], 'AWS::ApiGatewayV2::Stage');

    expect(apiStage.Properties.StageName).toBe('$default');
    expect(apiStage.Properties.AutoDeploy).toBe(true);
    expect(apiStage.Properties.DefaultRouteSettings).toEqual({
      ThrottlingRateLimit: configs[stage].throttling.rateLimit,
      ThrottlingBurstLimit: configs[stage].throttling.burstLimit,
    });
  });

  test.each(stageNames)('%s access logs are JSON', (stage) => {
    const settings = onlyResource(templates[stage], 'AWS::ApiGatewayV2::Stage').Properties.AccessLogSettings;
    const format = JSON.parse(settings.Format);

    expect(settings.DestinationArn).toEqual({ 'Fn::GetAtt': [expect.stringMatching(/^StopProxyAccessLogs/), 'Arn'] });
    expect(format.requestId).toBe('$context.requestId');
    expect(format.status).toBe('$context.status');
    expect(JSON.stringify(format)).not.toMatch(/authorization|header/i);
  });

  test.each(stageNames)('%s log groups keep configured retention', (stage) => {
    const logGroups = Object.values(templates[stage].findResources('AWS::Logs::LogGroup'));

    expect(logGroups).toHaveLength(2);
    for (const logGroup of logGroups) {
      expect(logGroup.Properties.RetentionInDays).toBe(configs[stage].logRetentionDays);
    }
  });
});

describe('alarms', () => {
  const alarmSuffixes = [
    'function-errors',
    'function-throttles',
    'api-5xx-rate',
    'p99-duration-near-timeout',
    'upstream-credential-failures',
  ];

  test.each(stageNames)('%s has the five alarms', (stage) => {
    const names = Object.values(templates[stage].findResources('AWS::CloudWatch::Alarm')).map(
      (alarm) => alarm.Properties.AlarmName,
    );

    expect(names.sort()).toEqual(alarmSuffixes.map((suffix) => `modelarts-stop-proxy-${stage}-${suffix}`).sort());
  });

  test.each(stageNames)('%s credential alarm matches EMF metric', (stage) => {
    templates[stage].hasResourceProperties('AWS::CloudWatch::Alarm', {
      AlarmName: `modelarts-stop-proxy-${stage}-upstream-credential-failures`,
      Namespace: 'ModelArtsStopProxy',
      MetricName: 'UpstreamCredentialFailures',
      Dimensions: [
        { Name: 'service', Value: 'modelarts-stop-proxy' },
        { Name: 'stage', Value: stage },
      ],
      Statistic: 'Sum',
      Threshold: 1,
      ComparisonOperator: 'GreaterThanOrEqualToThreshold',
    });
  });

  test('metric identity matches handler constants', () => {
    expect(SERVICE_NAME).toBe(handlerObservability.SERVICE_NAME);
    expect(METRICS_NAMESPACE).toBe(handlerObservability.METRICS_NAMESPACE);
  });

  test('duration alarm fires at 80 % of timeout', () => {
    templates.dev.hasResourceProperties('AWS::CloudWatch::Alarm', {
      MetricName: 'Duration',
      ExtendedStatistic: 'p99',
      Threshold: 9600,
    });
    templates.prod.hasResourceProperties('AWS::CloudWatch::Alarm', {
      MetricName: 'Duration',
      ExtendedStatistic: 'p99',
      Threshold: 12000,
    });
  });

  test('5xx alarm divides errors by requests', () => {
    templates.dev.hasResourceProperties('AWS::CloudWatch::Alarm', {
      AlarmName: 'modelarts-stop-proxy-dev-api-5xx-rate',
      Threshold: 5,
      Metrics: Match.arrayWith([
        Match.objectLike({ Expression: 'IF(requests >= 10, 100 * errors / requests, 0)' }),
        Match.objectLike({ Id: 'errors', MetricStat: Match.objectLike({ Metric: Match.objectLike({ MetricName: '5xx', Namespace: 'AWS/ApiGateway' }) }) }),
        Match.objectLike({ Id: 'requests', MetricStat: Match.objectLike({ Metric: Match.objectLike({ MetricName: 'Count' }) }) }),
      ]),
    });
  });

  test('dev alarms notify nobody', () => {
    for (const alarm of Object.values(templates.dev.findResources('AWS::CloudWatch::Alarm'))) {
      expect(alarm.Properties.AlarmActions).toBeUndefined();
    }
  });

  test('staging alarms e-mail through encrypted topic', () => {
    const topic = onlyResource(templates.staging, 'AWS::SNS::Topic');
    const topicId = Object.keys(templates.staging.findResources('AWS::SNS::Topic'))[0];

    expect(topic.Properties.KmsMasterKeyId).toEqual({ 'Fn::GetAtt': [expect.stringMatching(/^AlarmTopicKey/), 'Arn'] });
    templates.staging.hasResourceProperties('AWS::SNS::Subscription', {
      Protocol: 'email',
      Endpoint: 'modelarts-stop-proxy-staging@example.com',
    });
    templates.staging.hasResourceProperties('AWS::KMS::Key', { EnableKeyRotation: true });
    for (const alarm of Object.values(templates.staging.findResources('AWS::CloudWatch::Alarm'))) {
      expect(alarm.Properties.AlarmActions).toEqual([{ Ref: topicId }]);
      expect(alarm.Properties.OKActions).toEqual([{ Ref: topicId }]);
    }
  });

  test('prod alarms notify existing topic', () => {
    const topicArn = 'arn:aws:sns:eu-west-1:111122223333:modelarts-stop-proxy-alarms';

    expect(templates.prod.findResources('AWS::SNS::Topic')).toEqual({});
    for (const alarm of Object.values(templates.prod.findResources('AWS::CloudWatch::Alarm'))) {
      expect(alarm.Properties.AlarmActions).toEqual([topicArn]);
    }
  });
});

describe('environments differ', () => {
  test('dev and prod differ where configs differ', () => {
    const dev = onlyResource(templates.dev, 'AWS::Lambda::Function').Properties;
    const prod = onlyResource(templates.prod, 'AWS::Lambda::Function').Properties;
    const devStage = onlyResource(templates.dev, 'AWS::ApiGatewayV2::Stage').Properties;
    const prodStage = onlyResource(templates.prod, 'AWS::ApiGatewayV2::Stage').Properties;

    expect(dev.Environment.Variables.MODELARTS_ENDPOINT).toBe('https://modelarts.cn-north-4.myhuaweicloud.com');
    expect(prod.Environment.Variables.MODELARTS_ENDPOINT).toBe('https://modelarts.ap-southeast-1.myhuaweicloud.com');
    expect(dev.ReservedConcurrentExecutions).toBeUndefined();
    expect(prod.ReservedConcurrentExecutions).toBe(50);
    expect(dev.Environment.Variables.POWERTOOLS_LOG_LEVEL).toBe('DEBUG');
    expect(prod.Environment.Variables.POWERTOOLS_LOG_LEVEL).toBe('INFO');
    expect(devStage.DefaultRouteSettings.ThrottlingRateLimit).toBe(10);
    expect(prodStage.DefaultRouteSettings.ThrottlingRateLimit).toBe(200);
    expect(onlyResource(templates.dev, 'AWS::ApiGatewayV2::Api').Properties.Name).toBe('modelarts-stop-proxy-dev');
    expect(onlyResource(templates.prod, 'AWS::ApiGatewayV2::Api').Properties.Name).toBe('modelarts-stop-proxy-prod');
  });

  test('only prod is pinned to a region', () => {
    const devApiUrl = JSON.stringify(templates.dev.toJSON().Outputs.ApiUrl.Value);
    const prodApiUrl = JSON.stringify(templates.prod.toJSON().Outputs.ApiUrl.Value);

    expect(devApiUrl).toContain('AWS::Region');
    expect(prodApiUrl).toContain('.execute-api.eu-west-1.');
  });
});

describe('outputs', () => {
  test.each(stageNames)('%s outputs API URL, function name', (stage) => {
    templates[stage].hasOutput('ApiUrl', { Value: Match.objectLike({ 'Fn::Join': Match.anyValue() }) });
    templates[stage].hasOutput('FunctionName', { Value: { Ref: Match.stringLikeRegexp('^StopProxyHandler') } });
  });
});

describe('bundling', () => {
  function assetText(stage: StageName): string {
    const code = onlyResource(templates[stage], 'AWS::Lambda::Function').Properties.Code;
    const hash = String(code.S3Key).replace(/\.zip$/, '');
    return readFileSync(path.join(app.outdir, `asset.${hash}`, 'index.mjs'), 'utf8');
  }

  test('three stages share one esbuild run', () => {
    const keys = stageNames.map((stage) => onlyResource(templates[stage], 'AWS::Lambda::Function').Properties.Code.S3Key);

    expect(esbuildRuns).toBe(1);
    expect(new Set(keys).size).toBe(1);
  });

  test('bundle is ESM with createRequire banner', () => {
    const bundle = assetText('dev');

    expect(bundle.startsWith(HANDLER_ESBUILD_OPTIONS.banner.js)).toBe(true);
    expect(bundle).toMatch(/export\s*\{[^}]*\bhandler\b[^}]*\}/);
  });

  test('bundle imports only Node.js built-ins', () => {
    const specifiers = [...assetText('dev').matchAll(/\bfrom\s*["']([^"']+)["']/g)].map((match) => match[1]!);

    expect(specifiers.length).toBeGreaterThan(0);
    for (const specifier of specifiers) {
      expect(builtinModules).toContain(specifier.replace(/^node:/, ''));
    }
  });

  test('esbuild options reproduce the CDK asset', async () => {
    const result = await build({
      ...HANDLER_ESBUILD_OPTIONS,
      mainFields: [...HANDLER_ESBUILD_OPTIONS.mainFields],
      external: [...HANDLER_ESBUILD_OPTIONS.external],
      entryPoints: [HANDLER_ENTRY],
      outfile: 'index.mjs',
      write: false,
      logLevel: 'silent',
    });

    expect(result.outputFiles).toHaveLength(1);
    expect(result.outputFiles[0]!.text).toBe(assetText('dev'));
  });
});
