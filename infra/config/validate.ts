import { RetentionDays } from 'aws-cdk-lib/aws-logs';

import type { StageConfig } from './stage-config';

/** One invalid field of a stage config: its dotted path and what to change. */
export interface ConfigProblem {
  /** Dotted path of the field inside the config, such as `jwt.issuer`. */
  readonly field: string;
  /** Requirement for the field, with the value found when it helps. */
  readonly fix: string;
}

/** Raised at synth time when a stage config has invalid fields; the message lists every one of them. */
export class StageConfigError extends Error {
  constructor(
    readonly stageName: string,
    readonly problems: readonly ConfigProblem[],
  ) {
    const lines = problems.map((problem) => `  - ${problem.field}: ${problem.fix}`);
    super(`Invalid configuration for stage "${stageName}" (edit infra/config/):\n${lines.join('\n')}`);
    this.name = 'StageConfigError';
  }
}

/**
 * Upper limit of the upstream budget. The function timeout adds the non-upstream allowance to it and
 * must stay under the 30 s integration timeout of API Gateway HTTP APIs.
 */
export const MAX_UPSTREAM_TIMEOUT_MS = 22_000;

const STAGE_NAME = /^[a-z][a-z0-9-]{0,19}$/;
const AWS_ACCOUNT = /^\d{12}$/;
const AWS_REGION = /^[a-z]{2}(-[a-z]+)+-\d$/;
const HUAWEI_REGION = /^[a-z]{2}(-[a-z]+)+-\d+$/;
const PROJECT_ID = /^[0-9a-f]{32}$/;
// RFC 6749 section 3.3 scope-token: printable ASCII except space, double quote and backslash.
const SCOPE_TOKEN = /^[\x21\x23-\x5b\x5d-\x7e]+$/;
const SECRET_NAME = /^[\w/+=.@-]{1,512}$/;
const SECRET_RANDOM_SUFFIX = /-[A-Za-z0-9]{6}$/;
const SECRET_ARN = /^arn:aws[a-z-]*:secretsmanager:([a-z0-9-]+):\d{12}:secret:[\w/+=.@-]+-[A-Za-z0-9]{6}$/;
const KMS_KEY_ARN = /^arn:aws[a-z-]*:kms:([a-z0-9-]+):\d{12}:key\/[A-Za-z0-9-]+$/;
const SNS_TOPIC_ARN = /^arn:aws[a-z-]*:sns:([a-z0-9-]+):\d{12}:[\w-]{1,256}$/;
const EMAIL = /^[^\s@]+@[^\s@]+\.[^\s@]+$/;
const LOG_LEVELS = ['DEBUG', 'INFO', 'WARN', 'ERROR'];
// HTTP API account-level quotas: 10,000 requests per second with a burst of 5,000.
const MAX_RATE_LIMIT = 10_000;
const MAX_BURST_LIMIT = 5_000;
const LOCAL_HOSTS = new Set(['localhost', '127.0.0.1', '[::1]']);

/** Retention values that CloudWatch Logs accepts, without "never expire". */
export const ALLOWED_RETENTION_DAYS: readonly number[] = Object.values(RetentionDays).filter(
  (days): days is number => typeof days === 'number' && days !== RetentionDays.INFINITE,
);

/**
 * Checks every field of a stage config.
 *
 * @throws StageConfigError listing each invalid field with its fix.
 */
export function validateStageConfig(config: StageConfig): void {
  const problems: ConfigProblem[] = [];
  const report = (field: string, fix: string): void => {
    problems.push({ field, fix });
  };

  checkEnvironment(config, report);
  checkModelArts(config, report);
  checkJwt(config, report);
  checkProjectIds(config, report);
  checkSecret(config, report);
  checkCorsOrigins(config, report);
  checkLimits(config, report);
  checkAlarmNotification(config, report);

  if (problems.length > 0) {
    throw new StageConfigError(config.stageName, problems);
  }
}

type Report = (field: string, fix: string) => void;

function checkEnvironment(config: StageConfig, report: Report): void {
  if (!STAGE_NAME.test(config.stageName)) {
    report('stageName', `must be 1-20 lowercase letters, digits or hyphens starting with a letter, such as "dev" (got ${show(config.stageName)})`);
  }
  if (config.account !== undefined && !AWS_ACCOUNT.test(config.account)) {
    report('account', `must be a 12-digit AWS account id, or unset to use the deploy-time account (got ${show(config.account)})`);
  }
  if (config.region !== undefined && !AWS_REGION.test(config.region)) {
    report('region', `must be an AWS region id such as "eu-west-1", or unset to use the deploy-time region (got ${show(config.region)})`);
  }
}

function checkModelArts(config: StageConfig, report: Report): void {
  const { region, endpoint, timeoutMs } = config.modelArts;
  const regionValid = HUAWEI_REGION.test(region);
  if (!regionValid) {
    report('modelArts.region', `must be a Huawei Cloud region id such as "cn-north-4" (got ${show(region)})`);
  }

  const url = parseHttpsUrl(endpoint);
  const example = `https://modelarts.${regionValid ? region : 'cn-north-4'}.myhuaweicloud.com`;
  if (!url || url.pathname !== '/' || url.search || url.hash) {
    report('modelArts.endpoint', `must be an https base URL without a path, such as ${example} (got ${show(endpoint)})`);
  } else if (regionValid && !url.hostname.split('.').includes(region)) {
    report('modelArts.endpoint', `host must contain modelArts.region "${region}", such as ${example} (got ${show(endpoint)})`);
  }

  if (timeoutMs !== undefined && !isIntegerInRange(timeoutMs, 100, MAX_UPSTREAM_TIMEOUT_MS)) {
    report(
      'modelArts.timeoutMs',
      `must be an integer from 100 to ${MAX_UPSTREAM_TIMEOUT_MS}, so that the function timeout stays under API Gateway's 30 s limit (got ${show(timeoutMs)})`,
    );
  }
}

function checkJwt(config: StageConfig, report: Report): void {
  const { issuer, audiences, requiredScope, jwksUri } = config.jwt;
  const issuerUrl = parseHttpsUrl(issuer);
  if (!issuerUrl || issuerUrl.search || issuerUrl.hash) {
    report('jwt.issuer', `must be the https URL of the token issuer, such as https://cognito-idp.eu-west-1.amazonaws.com/eu-west-1_AbCdEf123 (got ${show(issuer)})`);
  }
  if (audiences.length === 0) {
    report('jwt.audiences', 'must list at least one app client id');
  }
  for (const [index, audience] of audiences.entries()) {
    if (!/^[^\s,]+$/.test(audience)) {
      report(`jwt.audiences[${index}]`, `must be a client id without spaces or commas (got ${show(audience)})`);
    }
  }
  if (!SCOPE_TOKEN.test(requiredScope)) {
    report('jwt.requiredScope', `must be one OAuth scope without spaces or quotes, such as "modelarts/processor-tasks.stop" (got ${show(requiredScope)})`);
  }
  if (jwksUri !== undefined && !parseHttpsUrl(jwksUri)) {
    report('jwt.jwksUri', `must be an https URL, or unset to use <issuer>/.well-known/jwks.json (got ${show(jwksUri)})`);
  }
}

function checkProjectIds(config: StageConfig, report: Report): void {
  const ids = config.allowedProjectIds;
  if (ids.length === 0) {
    report('allowedProjectIds', 'must list at least one Huawei project id; an empty list would reject every request');
  }
  for (const [index, id] of ids.entries()) {
    if (!PROJECT_ID.test(id)) {
      report(`allowedProjectIds[${index}]`, `must be a Huawei project id of 32 lowercase hex characters (got ${show(id)})`);
    }
  }
  if (new Set(ids).size !== ids.length) {
    report('allowedProjectIds', 'must not list the same project id twice');
  }
}

function checkSecret(config: StageConfig, report: Report): void {
  const { nameOrArn, kmsKeyArn } = config.upstreamSecret;
  if (nameOrArn.startsWith('arn:')) {
    const match = SECRET_ARN.exec(nameOrArn);
    if (!match) {
      report(
        'upstreamSecret.nameOrArn',
        `must be the complete secret ARN, ending in the 6-character suffix shown by "aws secretsmanager describe-secret", or the plain secret name (got ${show(nameOrArn)})`,
      );
    } else if (config.region !== undefined && match[1] !== config.region) {
      report('upstreamSecret.nameOrArn', `must be a secret in the stack region "${config.region}", because the function reads it there (got region "${match[1]}")`);
    }
  } else if (!SECRET_NAME.test(nameOrArn)) {
    report('upstreamSecret.nameOrArn', `must be a secret name of letters, digits and /_+=.@- or a complete secret ARN (got ${show(nameOrArn)})`);
  } else if (SECRET_RANDOM_SUFFIX.test(nameOrArn)) {
    report(
      'upstreamSecret.nameOrArn',
      `must not end in a hyphen and 6 characters, which Secrets Manager mistakes for its ARN suffix; rename the secret or give its complete ARN (got ${show(nameOrArn)})`,
    );
  }

  if (kmsKeyArn !== undefined) {
    const match = KMS_KEY_ARN.exec(kmsKeyArn);
    if (!match) {
      report('upstreamSecret.kmsKeyArn', `must be a KMS key ARN such as arn:aws:kms:eu-west-1:111122223333:key/<key-id>, not an alias, or unset for the AWS-managed key (got ${show(kmsKeyArn)})`);
    } else if (config.region !== undefined && match[1] !== config.region) {
      report('upstreamSecret.kmsKeyArn', `must be a key in the stack region "${config.region}", where the secret is (got region "${match[1]}")`);
    }
  }
}

function checkCorsOrigins(config: StageConfig, report: Report): void {
  for (const [index, origin] of config.corsAllowedOrigins.entries()) {
    const field = `corsAllowedOrigins[${index}]`;
    if (origin === '*') {
      report(field, 'must name one origin; list each site explicitly, because "*" lets any web page call the API');
      continue;
    }
    const url = parseUrl(origin);
    const isHttps = url?.protocol === 'https:';
    const isLocalHttp = url?.protocol === 'http:' && LOCAL_HOSTS.has(url.hostname);
    if (!url || (!isHttps && !isLocalHttp) || url.origin !== origin) {
      report(field, `must be an origin such as https://app.example.com, without a path or trailing slash; plain http only for localhost (got ${show(origin)})`);
    }
  }
}

function checkLimits(config: StageConfig, report: Report): void {
  const { rateLimit, burstLimit } = config.throttling;
  if (!(Number.isFinite(rateLimit) && rateLimit > 0 && rateLimit <= MAX_RATE_LIMIT)) {
    report('throttling.rateLimit', `must be a number of requests per second above 0 and at most ${MAX_RATE_LIMIT}, the HTTP API account quota (got ${show(rateLimit)})`);
  }
  if (!isIntegerInRange(burstLimit, 1, MAX_BURST_LIMIT)) {
    report('throttling.burstLimit', `must be an integer from 1 to ${MAX_BURST_LIMIT}, the HTTP API account quota (got ${show(burstLimit)})`);
  }
  if (!ALLOWED_RETENTION_DAYS.includes(config.logRetentionDays)) {
    report('logRetentionDays', `must be one of ${ALLOWED_RETENTION_DAYS.join(', ')} (got ${show(config.logRetentionDays)})`);
  }
  if (config.logLevel !== undefined && !LOG_LEVELS.includes(config.logLevel)) {
    report('logLevel', `must be one of ${LOG_LEVELS.join(', ')} (got ${show(config.logLevel)})`);
  }
  if (config.secretCacheTtlSeconds !== undefined && !isIntegerInRange(config.secretCacheTtlSeconds, 1, 86_400)) {
    report('secretCacheTtlSeconds', `must be an integer from 1 to 86400 (got ${show(config.secretCacheTtlSeconds)})`);
  }
  if (config.reservedConcurrency !== undefined && !isIntegerInRange(config.reservedConcurrency, 1, 10_000)) {
    report('reservedConcurrency', `must be an integer of at least 1, or unset to use the unreserved pool; 0 would stop every invocation (got ${show(config.reservedConcurrency)})`);
  }
}

function checkAlarmNotification(config: StageConfig, report: Report): void {
  const target = config.alarmNotification;
  if (target === undefined) {
    return;
  }
  const hasTopic = 'topicArn' in target;
  const hasEmail = 'email' in target;
  if (hasTopic === hasEmail) {
    report('alarmNotification', 'must set exactly one of topicArn or email, or be unset');
    return;
  }
  if ('topicArn' in target) {
    const match = SNS_TOPIC_ARN.exec(target.topicArn);
    if (!match) {
      report('alarmNotification.topicArn', `must be an SNS topic ARN such as arn:aws:sns:eu-west-1:111122223333:alarms (got ${show(target.topicArn)})`);
    } else if (config.region !== undefined && match[1] !== config.region) {
      report('alarmNotification.topicArn', `must be a topic in the stack region "${config.region}", because CloudWatch alarms notify only topics in their own region (got region "${match[1]}")`);
    }
  } else if (!EMAIL.test(target.email)) {
    report('alarmNotification.email', `must be an e-mail address (got ${show(target.email)})`);
  }
}

function parseUrl(raw: string): URL | undefined {
  try {
    return new URL(raw);
  } catch {
    return undefined;
  }
}

function parseHttpsUrl(raw: string): URL | undefined {
  const url = parseUrl(raw);
  return url?.protocol === 'https:' && !url.username && !url.password ? url : undefined;
}

function isIntegerInRange(value: number, min: number, max: number): boolean {
  return Number.isInteger(value) && value >= min && value <= max;
}

function show(value: unknown): string {
  return JSON.stringify(value) ?? String(value);
}
