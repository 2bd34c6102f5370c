import { randomUUID } from 'node:crypto';
import { startJsonServer, type RunningServer, type StandInResponse } from './json-server';

/** A fault the Secrets Manager stand-in can inject into GetSecretValue. */
export type SecretsManagerFault =
  | { readonly kind: 'throttle' }
  | { readonly kind: 'internal-error' }
  | { readonly kind: 'access-denied' }
  /** Holds the response for `delayMs` before sending it. */
  | { readonly kind: 'delay'; readonly delayMs: number };

/** A running Secrets Manager endpoint. */
export interface SecretsManagerStandIn extends RunningServer {
  /** Number of GetSecretValue requests received. */
  readonly getSecretValueCalls: number;
  /** Sets, replaces or (with undefined) deletes a secret's SecretString. */
  setSecret(secretId: string, secretString: string | undefined): void;
  /** Injects a fault into every following request until cleared with undefined. */
  setFault(fault: SecretsManagerFault | undefined): void;
}

const GET_SECRET_VALUE_TARGET = 'secretsmanager.GetSecretValue';
const REGION = 'us-east-1';
const ACCOUNT = '000000000000';

/**
 * Serves the Secrets Manager JSON protocol (awsJson1_1) for GetSecretValue on 127.0.0.1, so the real AWS SDK
 * client reaches it through `AWS_ENDPOINT_URL_SECRETS_MANAGER`. It does not check SigV4 signatures; it only
 * requires that a request is signed at all.
 */
export async function startSecretsManager(initial: Record<string, string> = {}): Promise<SecretsManagerStandIn> {
  const secrets = new Map(Object.entries(initial));
  let fault: SecretsManagerFault | undefined;
  let calls = 0;

  const server = await startJsonServer(0, async (request) => {
    if (request.method !== 'POST' || request.headers['x-amz-target'] !== GET_SECRET_VALUE_TARGET) {
      return awsError(400, 'UnknownOperationException', 'Only GetSecretValue is served by this stand-in.');
    }
    calls++;
    if (!String(request.headers.authorization ?? '').startsWith('AWS4-HMAC-SHA256 ')) {
      return awsError(400, 'MissingAuthenticationTokenException', 'Request is missing a SigV4 signature.');
    }
    if (fault?.kind === 'delay') {
      await new Promise((resolve) => setTimeout(resolve, fault && 'delayMs' in fault ? fault.delayMs : 0));
    }
    const injected = faultResponse(fault);
    if (injected) {
      return injected;
    }
    return getSecretValue(secrets, request.body);
  });

  return {
    ...server,
    get getSecretValueCalls() {
      return calls;
    },
    setSecret: (secretId, secretString) => {
      if (secretString === undefined) {
        secrets.delete(secretId);
      } else {
        secrets.set(secretId, secretString);
      }
    },
    setFault: (next) => {
      fault = next;
    },
  };
}

function getSecretValue(secrets: ReadonlyMap<string, string>, body: string): StandInResponse {
  let secretId: unknown;
  try {
    secretId = (JSON.parse(body) as { SecretId?: unknown }).SecretId;
  } catch {
    return awsError(400, 'SerializationException', 'Request body is not JSON.');
  }
  const name = typeof secretId === 'string' ? secretId.replace(/^arn:aws:secretsmanager:[^:]+:\d+:secret:/, '') : '';
  const secretString = secrets.get(name);
  if (secretString === undefined) {
    return awsError(400, 'ResourceNotFoundException', "Secrets Manager can't find the specified secret.");
  }
  return {
    status: 200,
    headers: { 'content-type': 'application/x-amz-json-1.1' },
    body: {
      ARN: `arn:aws:secretsmanager:${REGION}:${ACCOUNT}:secret:${name}`,
      Name: name,
      VersionId: randomUUID(),
      SecretString: secretString,
      VersionStages: ['AWSCURRENT'],
      CreatedDate: Math.floor(Date.now() / 1000),
    },
  };
}

function faultResponse(fault: SecretsManagerFault | undefined): StandInResponse | undefined {
  switch (fault?.kind) {
    case 'throttle':
      return awsError(400, 'ThrottlingException', 'Rate exceeded');
    case 'internal-error':
      return awsError(500, 'InternalServiceError', 'An error occurred on the server side.');
    case 'access-denied':
      return awsError(400, 'AccessDeniedException', 'The caller is not authorized to read this secret.');
    default:
      return undefined;
  }
}

function awsError(status: number, type: string, message: string): StandInResponse {
  return {
    status,
    headers: { 'content-type': 'application/x-amz-json-1.1', 'x-amzn-errortype': type },
    body: { __type: type, message },
  };
}
