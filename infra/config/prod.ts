import type { StageConfig } from './stage-config';

/**
 * Production environment. Every identifier below is a placeholder, and 111122223333 is the example
 * account id of the AWS documentation. Replace the issuer, client ids, project id, origin, topic and key
 * ARNs before the first deploy, and drop `kmsKeyArn` if the secret uses the AWS-managed key.
 */
export const prodConfig: StageConfig = {
  stageName: 'prod',
  region: 'eu-west-1',
  modelArts: {
    region: 'ap-southeast-1',
    endpoint: 'https://modelarts.ap-southeast-1.myhuaweicloud.com',
    timeoutMs: 8000,
  },
  jwt: {
    issuer: 'https://cognito-idp.eu-west-1.amazonaws.com/eu-west-1_EXAMPLEpr',
    audiences: ['example-prod-web-client-id', 'example-prod-batch-client-id'],
    requiredScope: 'modelarts/processor-tasks.stop',
  },
  allowedProjectIds: ['00000000000000000000000000000021'],
  upstreamSecret: {
    nameOrArn: 'modelarts-stop-proxy/prod/upstream-credentials',
    kmsKeyArn: 'arn:aws:kms:eu-west-1:111122223333:key/00000000-0000-0000-0000-000000000000',
  },
  corsAllowedOrigins: ['https://app.example.com'],
  throttling: { rateLimit: 200, burstLimit: 400 },
  logRetentionDays: 365,
  alarmNotification: { topicArn: 'arn:aws:sns:eu-west-1:111122223333:modelarts-stop-proxy-alarms' },
  // Lambda rejects a reservation that leaves fewer than 100 unreserved executions in the account.
  reservedConcurrency: 50,
};
