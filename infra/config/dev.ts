import type { StageConfig } from './stage-config';

/**
 * Development environment. Every identifier below is a placeholder: replace the issuer, client id,
 * project id and origins with your own before the first deploy.
 */
export const devConfig: StageConfig = {
  stageName: 'dev',
  modelArts: {
    region: 'cn-north-4',
    endpoint: 'https://modelarts.cn-north-4.myhuaweicloud.com',
  },
  jwt: {
    issuer: 'https://cognito-idp.eu-west-1.amazonaws.com/eu-west-1_EXAMPLEdv',
    audiences: ['example-dev-client-id'],
    requiredScope: 'modelarts/processor-tasks.stop',
  },
  allowedProjectIds: ['00000000000000000000000000000001'],
  upstreamSecret: {
    nameOrArn: 'modelarts-stop-proxy/dev/upstream-credentials',
  },
  corsAllowedOrigins: ['http://localhost:5173'],
  throttling: { rateLimit: 10, burstLimit: 20 },
  logRetentionDays: 7,
  logLevel: 'DEBUG',
};
