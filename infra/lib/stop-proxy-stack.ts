import { CfnOutput, Duration, Stack, type StackProps } from 'aws-cdk-lib';
import type { RetentionDays } from 'aws-cdk-lib/aws-logs';
import type { Construct } from 'constructs';

import type { StageConfig } from '../config';
import { resolveAlarmTopic } from './alarm-topic';
import { StopProxy } from './stop-proxy';

/** Props of the stack of one environment. */
export interface StopProxyStackProps extends StackProps {
  /** The validated settings of the environment. */
  readonly config: StageConfig;
}

/**
 * One environment's deployment. The stack only maps the stage config onto `StopProxy`, which makes
 * the decisions, and publishes the outputs that a deployer needs.
 */
export class StopProxyStack extends Stack {
  /** The proxy of this environment. */
  readonly proxy: StopProxy;

  constructor(scope: Construct, id: string, props: StopProxyStackProps) {
    super(scope, id, props);
    const { config } = props;

    this.proxy = new StopProxy(this, 'StopProxy', {
      stageName: config.stageName,
      modelArtsEndpoint: config.modelArts.endpoint,
      upstreamTimeout: config.modelArts.timeoutMs !== undefined ? Duration.millis(config.modelArts.timeoutMs) : undefined,
      jwtIssuer: config.jwt.issuer,
      jwtAudiences: config.jwt.audiences,
      requiredScope: config.jwt.requiredScope,
      jwksUri: config.jwt.jwksUri,
      allowedProjectIds: config.allowedProjectIds,
      upstreamSecretId: config.upstreamSecret.nameOrArn,
      upstreamSecretKeyArn: config.upstreamSecret.kmsKeyArn,
      secretCacheTtl: config.secretCacheTtlSeconds !== undefined ? Duration.seconds(config.secretCacheTtlSeconds) : undefined,
      corsAllowedOrigins: config.corsAllowedOrigins,
      throttle: config.throttling,
      // validateStageConfig has checked that the number is a RetentionDays value.
      logRetention: config.logRetentionDays as RetentionDays,
      logLevel: config.logLevel,
      reservedConcurrency: config.reservedConcurrency,
      alarmTopic: resolveAlarmTopic(this, config.alarmNotification, `ModelArts stop proxy alarms (${config.stageName})`),
    });

    new CfnOutput(this, 'ApiUrl', {
      description: 'Base URL of the API; POST <ApiUrl>v2/{project_id}/processor-tasks/{task_id}/versions/{version_id}/stop',
      value: this.proxy.apiUrl,
    });
    new CfnOutput(this, 'FunctionName', {
      description: 'Name of the handler function, for logs and metrics',
      value: this.proxy.function.functionName,
    });
  }
}
