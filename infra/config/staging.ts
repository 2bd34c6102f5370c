import type { StageConfig } from './stage-config';

/**
 * Staging environment, shaped like prod at a smaller scale. Every identifier below is a placeholder:
 * replace the issuer, client id, project ids, origin and e-mail address before the first deploy.
 */
export const stagingConfig: StageConfig = {
  stageName: 'staging',
  modelArts: {
    region: 'cn-north-4',
    endpoint: 'https://modelarts.cn-north-4.myhuaweicloud.com',
  },
  jwt: {
    issuer: 'https://cognito-idp.eu-west-1.amazonaws.com/eu-west-1_EXAMPLEst',
    audiences: ['example-staging-client-id'],
    requiredScope: 'modelarts/processor-tasks.stop',
  },
  allowedProjectIds: ['00000000000000000000000000000011', '00000000000000000000000000000012'],
  upstreamSecret: {
    nameOrArn: 'modelarts-stop-proxy/staging/upstream-credentials',
  },
  corsAllowedOrigins: ['https://staging.app.example.com'],
  throttling: { rateLimit: 50, burstLimit: 100 },
  logRetentionDays: 30,
  alarmNotification: { email: 'modelarts-stop-proxy-staging@example.com' },
};
