/**
 * The shape of one environment's deployment settings. Each environment has one file beside this one
 * that exports a `StageConfig`; `validateStageConfig` checks it at synth time.
 */

/** Target of alarm notifications: an existing SNS topic, or a topic the stack creates for one e-mail address. */
export type AlarmNotification =
  | {
      /** ARN of an existing SNS topic in the stack's region. */
      readonly topicArn: string;
    }
  | {
      /** Address subscribed to a topic that the stack creates; AWS sends it a confirmation e-mail on deploy. */
      readonly email: string;
    };

/** Deployment settings of one environment (dev, staging, prod, ...). */
export interface StageConfig {
  /** Environment name: the CDK stage id, the `-c stage=` value and the `stage` metrics dimension. */
  readonly stageName: string;

  /** AWS account id to pin the stack to; unset means the account of the credentials used at deploy time. */
  readonly account?: string;
  /** AWS region to pin the stack to; unset means the region of the deploy-time profile. */
  readonly region?: string;

  /** The Huawei Cloud ModelArts service that the proxy calls. */
  readonly modelArts: {
    /** Huawei Cloud region id, such as `cn-north-4`. The endpoint host must contain it. */
    readonly region: string;
    /** Base URL without a path, such as `https://modelarts.cn-north-4.myhuaweicloud.com`. */
    readonly endpoint: string;
    /**
     * Budget in milliseconds for the whole upstream exchange, its one retry included. The function
     * timeout is derived from it.
     * @default 5000
     */
    readonly timeoutMs?: number;
  };

  /** Caller authentication, enforced by the API Gateway JWT authorizer and again by the handler. */
  readonly jwt: {
    /** Exact `iss` claim of accepted tokens, an https URL such as a Cognito user pool URL. */
    readonly issuer: string;
    /** App client ids accepted in `aud` (or in `client_id` for tokens without `aud`). */
    readonly audiences: readonly string[];
    /** OAuth scope that every caller's token must carry. */
    readonly requiredScope: string;
    /**
     * JWKS URL of the issuer.
     * @default - `<issuer>/.well-known/jwks.json`, derived by the handler
     */
    readonly jwksUri?: string;
  };

  /** Huawei project ids that callers may stop tasks in: 32 lowercase hex characters each. */
  readonly allowedProjectIds: readonly string[];

  /** The existing Secrets Manager secret that contains the Huawei AK/SK. The stack never creates it. */
  readonly upstreamSecret: {
    /** Secret name, or its complete ARN (with the 6-character suffix that Secrets Manager appends). */
    readonly nameOrArn: string;
    /**
     * ARN of the customer-managed KMS key that encrypts the secret.
     * @default - the secret uses the AWS-managed key `aws/secretsmanager`, so no KMS grant is needed
     */
    readonly kmsKeyArn?: string;
  };

  /** Browser origins allowed by CORS, such as `https://app.example.com`; empty disables CORS. */
  readonly corsAllowedOrigins: readonly string[];

  /** Default route throttling of the API stage. */
  readonly throttling: {
    /** Steady-state requests per second. */
    readonly rateLimit: number;
    /** Maximum burst of concurrent requests. */
    readonly burstLimit: number;
  };

  /** Retention in days of the function and access log groups; one of the values CloudWatch Logs accepts. */
  readonly logRetentionDays: number;

  /**
   * Powertools log level of the handler.
   * @default 'INFO'
   */
  readonly logLevel?: 'DEBUG' | 'INFO' | 'WARN' | 'ERROR';

  /**
   * How long the handler reuses fetched credentials before it reads the secret again, in seconds.
   * @default 300
   */
  readonly secretCacheTtlSeconds?: number;

  /**
   * Destination of alarm notifications.
   * @default - alarms only change state in CloudWatch
   */
  readonly alarmNotification?: AlarmNotification;

  /**
   * Reserved concurrent executions of the function, which caps its share of the account's concurrency.
   * @default - the function uses the unreserved account pool
   */
  readonly reservedConcurrency?: number;
}
