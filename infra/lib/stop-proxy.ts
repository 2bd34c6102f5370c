import * as path from 'node:path';

import { ArnFormat, Duration, Stack, Validations } from 'aws-cdk-lib';
import { CorsHttpMethod, HttpApi, HttpMethod, HttpStage, LogGroupLogDestination } from 'aws-cdk-lib/aws-apigatewayv2';
import { HttpJwtAuthorizer } from 'aws-cdk-lib/aws-apigatewayv2-authorizers';
import { HttpLambdaIntegration } from 'aws-cdk-lib/aws-apigatewayv2-integrations';
import { AccessLogFormat } from 'aws-cdk-lib/aws-apigateway';
import { PolicyStatement, Role, ServicePrincipal } from 'aws-cdk-lib/aws-iam';
import { Architecture } from 'aws-cdk-lib/aws-lambda';
import { NodejsFunction } from 'aws-cdk-lib/aws-lambda-nodejs';
import { LogGroup, RetentionDays } from 'aws-cdk-lib/aws-logs';
import { Secret, type ISecret } from 'aws-cdk-lib/aws-secretsmanager';
import type { ITopic } from 'aws-cdk-lib/aws-sns';
import { Construct } from 'constructs';

import { HANDLER_BUNDLING_OPTIONS, HANDLER_RUNTIME, assertLocalEsbuild } from './handler-bundling';
import { StopProxyAlarms } from './stop-proxy-alarms';

/** Path of the API's only route, with API Gateway path parameters; the method is POST. */
export const STOP_ROUTE_PATH = '/v2/{project_id}/processor-tasks/{task_id}/versions/{version_id}/stop';

/** Powertools service name: the `service` dimension of every metric and a field of every log line. */
export const SERVICE_NAME = 'modelarts-stop-proxy';

/** CloudWatch namespace of the handler's EMF metrics. */
export const METRICS_NAMESPACE = 'ModelArtsStopProxy';

/**
 * Time the function may spend outside the upstream exchange, added to the upstream budget to get the
 * timeout. On a cold path a JWKS download (3 s budget in the handler) and a Secrets Manager read (3 s
 * budget) happen one after the other, plus 1 s of request handling.
 */
export const NON_UPSTREAM_ALLOWANCE = Duration.seconds(7);

/** API Gateway ends every HTTP API integration after 30 s; the function must time out before that. */
const API_GATEWAY_INTEGRATION_LIMIT = Duration.seconds(30);

/**
 * JSON access log line. It names the caller by the token's `client_id` and `sub` claims and never
 * contains the Authorization header.
 */
const ACCESS_LOG_FORMAT = AccessLogFormat.custom(
  JSON.stringify({
    requestId: '$context.requestId',
    requestTime: '$context.requestTime',
    sourceIp: '$context.identity.sourceIp',
    userAgent: '$context.identity.userAgent',
    httpMethod: '$context.httpMethod',
    routeKey: '$context.routeKey',
    path: '$context.path',
    status: '$context.status',
    responseLength: '$context.responseLength',
    responseLatencyMs: '$context.responseLatency',
    integrationStatus: '$context.integrationStatus',
    integrationLatencyMs: '$context.integrationLatency',
    integrationError: '$context.integrationErrorMessage',
    authorizerError: '$context.authorizer.error',
    clientId: '$context.authorizer.claims.client_id',
    subject: '$context.authorizer.claims.sub',
  }),
);

const REPO_ROOT = path.join(__dirname, '..', '..');
const HANDLER_ENTRY = path.join(REPO_ROOT, 'functions', 'stop-processor-task-version', 'handler.ts');

/** Settings of one deployed proxy: who may call it, what it calls, and how it is limited. */
export interface StopProxyProps {
  /** Environment name, passed to the handler as the `stage` metrics dimension and used in resource names. */
  readonly stageName: string;

  /** ModelArts base URL, such as `https://modelarts.cn-north-4.myhuaweicloud.com`. */
  readonly modelArtsEndpoint: string;

  /**
   * Budget for the whole upstream exchange, its one retry included. The function timeout is this
   * budget plus `NON_UPSTREAM_ALLOWANCE`, rounded up to whole seconds.
   * @default Duration.seconds(5)
   */
  readonly upstreamTimeout?: Duration;

  /** Exact `iss` claim of accepted caller tokens. */
  readonly jwtIssuer: string;
  /** App client ids accepted in `aud`, or in `client_id` for tokens without `aud`. */
  readonly jwtAudiences: readonly string[];
  /** Scope that the JWT authorizer and the handler require. */
  readonly requiredScope: string;
  /**
   * JWKS URL of the issuer.
   * @default - the handler derives `<issuer>/.well-known/jwks.json`
   */
  readonly jwksUri?: string;

  /** Huawei project ids that callers may act on. */
  readonly allowedProjectIds: readonly string[];

  /** Name or complete ARN of the existing secret with the Huawei AK/SK. */
  readonly upstreamSecretId: string;
  /**
   * ARN of the customer-managed KMS key of the secret; the function then also gets `kms:Decrypt` on it.
   * @default - the secret uses the AWS-managed key and no KMS grant is added
   */
  readonly upstreamSecretKeyArn?: string;
  /**
   * How long the handler reuses fetched credentials.
   * @default Duration.seconds(300)
   */
  readonly secretCacheTtl?: Duration;

  /**
   * Browser origins allowed by the API's built-in CORS preflight.
   * @default - no CORS configuration, for server-to-server callers only
   */
  readonly corsAllowedOrigins?: readonly string[];

  /** Default route throttling of the API stage. */
  readonly throttle: {
    /** Steady-state requests per second. */
    readonly rateLimit: number;
    /** Maximum burst of requests. */
    readonly burstLimit: number;
  };

  /**
   * Retention of the function and access log groups.
   * @default RetentionDays.ONE_MONTH
   */
  readonly logRetention?: RetentionDays;

  /**
   * Powertools log level of the handler.
   * @default 'INFO'
   */
  readonly logLevel?: string;

  /**
   * Memory of the function in MB; Lambda gives CPU in proportion to it, which shortens cold starts.
   * @default 512
   */
  readonly memorySize?: number;

  /**
   * Reserved concurrent executions of the function.
   * @default - the function uses the unreserved account pool
   */
  readonly reservedConcurrency?: number;

  /**
   * Topic that every alarm notifies on ALARM and OK.
   * @default - alarms only change state in CloudWatch
   */
  readonly alarmTopic?: ITopic;

  /**
   * Handler source file, exporting `handler`.
   * @default - functions/stop-processor-task-version/handler.ts of this repository
   */
  readonly entry?: string;
}

/**
 * The deployed proxy: an HTTP API whose single JWT-protected route invokes a Lambda function that
 * reads one existing secret and calls ModelArts, with its log groups, least-privilege role and alarms.
 */
export class StopProxy extends Construct {
  /** The handler function. */
  readonly function: NodejsFunction;
  /** The HTTP API. */
  readonly api: HttpApi;
  /** The API's `$default` stage, which carries throttling and access logging. */
  readonly apiStage: HttpStage;
  /** Base URL of the API; the route path follows it. */
  readonly apiUrl: string;
  /** Alarms on the function, the API and the upstream credentials. */
  readonly alarms: StopProxyAlarms;

  constructor(scope: Construct, id: string, props: StopProxyProps) {
    super(scope, id);

    const upstreamTimeout = props.upstreamTimeout ?? Duration.seconds(5);
    const functionTimeout = deriveFunctionTimeout(upstreamTimeout);
    if (functionTimeout.toSeconds() >= API_GATEWAY_INTEGRATION_LIMIT.toSeconds()) {
      throw new Error(
        `StopProxy upstreamTimeout of ${upstreamTimeout.toMilliseconds()} ms gives a function timeout of ${functionTimeout.toSeconds()} s; ` +
          `lower upstreamTimeout so the timeout stays under API Gateway's 30 s limit`,
      );
    }
    const logRetention = props.logRetention ?? RetentionDays.ONE_MONTH;

    // Function, its log group and its role
    const functionLogs = new LogGroup(this, 'FunctionLogs', { retention: logRetention });
    // An explicit role instead of AWSLambdaBasicExecutionRole, whose logs actions apply to every log group.
    const role = new Role(this, 'FunctionRole', {
      assumedBy: new ServicePrincipal('lambda.amazonaws.com'),
      description: `Runs the ModelArts stop proxy (${props.stageName}): writes its own logs and reads one secret`,
    });
    functionLogs.grantWrite(role);

    assertLocalEsbuild();
    this.function = new NodejsFunction(this, 'Handler', {
      entry: props.entry ?? HANDLER_ENTRY,
      handler: 'handler',
      projectRoot: REPO_ROOT,
      depsLockFilePath: path.join(REPO_ROOT, 'package-lock.json'),
      runtime: HANDLER_RUNTIME,
      architecture: Architecture.ARM_64,
      memorySize: props.memorySize ?? 512,
      timeout: functionTimeout,
      role,
      logGroup: functionLogs,
      reservedConcurrentExecutions: props.reservedConcurrency,
      description: `Stops ModelArts processor-task versions for authenticated apps (${props.stageName})`,
      bundling: HANDLER_BUNDLING_OPTIONS,
      environment: this.handlerEnvironment(props, upstreamTimeout),
    });
    this.acknowledgeFunctionFindings();

    // Read access to the one existing secret
    const secret = importSecret(this, props.upstreamSecretId);
    secret.grantRead(this.function);
    if (props.upstreamSecretKeyArn !== undefined) {
      // Written out rather than passed to the import as `encryptionKey`: for a key imported by ARN,
      // aws-cdk-lib 2.278 adds no statement to the function's role. The condition limits decryption to
      // requests that Secrets Manager makes on the function's behalf.
      this.function.addToRolePolicy(
        new PolicyStatement({
          actions: ['kms:Decrypt'],
          resources: [props.upstreamSecretKeyArn],
          conditions: { StringEquals: { 'kms:ViaService': `secretsmanager.${Stack.of(this).region}.amazonaws.com` } },
        }),
      );
    }

    // HTTP API, $default stage with throttling and JSON access logs
    const origins = props.corsAllowedOrigins ?? [];
    this.api = new HttpApi(this, 'Api', {
      apiName: `${SERVICE_NAME}-${props.stageName}`,
      description: `ModelArts stop proxy (${props.stageName})`,
      createDefaultStage: false,
      // API Gateway responds to preflight requests itself, before any authorizer, as long as no OPTIONS route exists.
      corsPreflight:
        origins.length > 0
          ? {
              allowOrigins: [...origins],
              allowMethods: [CorsHttpMethod.POST],
              allowHeaders: ['authorization', 'content-type'],
              // Without these, browser apps cannot read the request ids or a 429's Retry-After.
              exposeHeaders: ['x-request-id', 'x-upstream-request-id', 'retry-after'],
              maxAge: Duration.hours(1),
            }
          : undefined,
    });
    const accessLogs = new LogGroup(this, 'AccessLogs', { retention: logRetention });
    this.apiStage = new HttpStage(this, 'DefaultStage', {
      httpApi: this.api,
      stageName: '$default',
      autoDeploy: true,
      throttle: { rateLimit: props.throttle.rateLimit, burstLimit: props.throttle.burstLimit },
      accessLogSettings: {
        destination: new LogGroupLogDestination(accessLogs),
        format: ACCESS_LOG_FORMAT,
      },
    });
    this.apiUrl = this.apiStage.url;

    // The one route, behind the JWT authorizer
    const authorizer = new HttpJwtAuthorizer('JwtAuthorizer', props.jwtIssuer, {
      authorizerName: 'jwt',
      jwtAudience: [...props.jwtAudiences],
    });
    this.api.addRoutes({
      path: STOP_ROUTE_PATH,
      methods: [HttpMethod.POST],
      integration: new HttpLambdaIntegration('StopIntegration', this.function),
      authorizer,
      authorizationScopes: [props.requiredScope],
    });

    this.alarms = new StopProxyAlarms(this, 'Alarms', {
      stageName: props.stageName,
      function: this.function,
      functionTimeout,
      api: this.api,
      serviceName: SERVICE_NAME,
      metricsNamespace: METRICS_NAMESPACE,
      topic: props.alarmTopic,
    });
  }

  /** Builds the handler's environment: settings and identifiers only, never a secret value. */
  private handlerEnvironment(props: StopProxyProps, upstreamTimeout: Duration): Record<string, string> {
    const environment: Record<string, string> = {
      MODELARTS_ENDPOINT: props.modelArtsEndpoint,
      UPSTREAM_SECRET_ID: props.upstreamSecretId,
      JWT_ISSUER: props.jwtIssuer,
      JWT_AUDIENCE: props.jwtAudiences.join(','),
      REQUIRED_SCOPE: props.requiredScope,
      ALLOWED_PROJECT_IDS: props.allowedProjectIds.join(','),
      UPSTREAM_TIMEOUT_MS: String(upstreamTimeout.toMilliseconds()),
      SECRET_CACHE_TTL_SECONDS: String((props.secretCacheTtl ?? Duration.seconds(300)).toSeconds()),
      STAGE: props.stageName,
      POWERTOOLS_SERVICE_NAME: SERVICE_NAME,
      POWERTOOLS_METRICS_NAMESPACE: METRICS_NAMESPACE,
      POWERTOOLS_LOG_LEVEL: props.logLevel ?? 'INFO',
    };
    if (props.jwksUri !== undefined) {
      environment.JWT_JWKS_URI = props.jwksUri;
    }
    return environment;
  }

  private acknowledgeFunctionFindings(): void {
    const runtimeReason =
      'Node.js 24 on purpose: aws-cdk-lib also offers Node.js 26, but Powertools for AWS Lambda (TypeScript) does not document support for it yet.';
    Validations.of(this.function).acknowledge(
      { id: 'AwsSolutions-L1', reason: runtimeReason },
      { id: 'Serverless-LambdaLatestVersion', reason: runtimeReason },
      {
        id: 'Serverless-LambdaDLQ',
        reason: 'Only API Gateway invokes the function, synchronously; every failure reaches the caller as an HTTP response, so no asynchronous event is lost.',
      },
      {
        id: 'Serverless-LambdaTracing',
        reason:
          'API Gateway HTTP APIs do not support X-Ray, so a trace would hold only the function, which emits no subsegments; the UpstreamLatency metric and request ids in the JSON logs cover latency.',
      },
    );
  }
}

/**
 * Returns the function timeout for an upstream budget: the budget plus `NON_UPSTREAM_ALLOWANCE`,
 * rounded up to whole seconds.
 */
export function deriveFunctionTimeout(upstreamTimeout: Duration): Duration {
  const seconds = Math.ceil(upstreamTimeout.toMilliseconds() / 1000) + NON_UPSTREAM_ALLOWANCE.toSeconds();
  return Duration.seconds(seconds);
}

/**
 * Imports the secret by complete ARN or by name. A name becomes a partial ARN, which grants match with
 * the `-??????` suffix that Secrets Manager appends, so the grant covers exactly that one secret.
 */
function importSecret(scope: Construct, secretId: string): ISecret {
  if (secretId.startsWith('arn:')) {
    return Secret.fromSecretAttributes(scope, 'UpstreamSecret', { secretCompleteArn: secretId });
  }
  const partialArn = Stack.of(scope).formatArn({
    service: 'secretsmanager',
    resource: 'secret',
    resourceName: secretId,
    arnFormat: ArnFormat.COLON_RESOURCE_NAME,
  });
  return Secret.fromSecretAttributes(scope, 'UpstreamSecret', { secretPartialArn: partialArn });
}
