import { randomUUID, timingSafeEqual } from 'node:crypto';
import type { ServerResponse } from 'node:http';
import {
  computeSignature,
  HuaweiSigningError,
  parseAuthorizationHeader,
  parseSdkDate,
  type HuaweiCredentials,
} from '../../functions/lib/huawei-signing';
import { startJsonServer, type RunningServer, type StandInRequest, type StandInResponse } from './json-server';

/** The version seeded as running, so the README's first call has something to stop. */
export const SEEDED_VERSION = {
  projectId: '0123456789abcdef0123456789abcdef',
  taskId: 'kM7j9TSa611ZzBThzSr',
  versionId: 'qSaudx2sbPvthHygckA',
} as const;

/** State of a processor-task version in the stand-in. */
export type VersionStatus = 'RUNNING' | 'STOPPED';

/** One scripted response that replaces the normal handling of the next stop request. */
export type ModelArtsFault =
  | {
      readonly kind: 'status';
      readonly status: number;
      readonly body?: string;
      readonly headers?: Record<string, string>;
      /** Milliseconds to wait before responding. */
      readonly delayMs?: number;
    }
  /** Sends headers, then never finishes the body. */
  | { readonly kind: 'stall-body' }
  /** Accepts the request and never responds. */
  | { readonly kind: 'no-answer' }
  /** Destroys the connection without a response. */
  | { readonly kind: 'reset' }
  /** Waits, then handles the request normally. */
  | { readonly kind: 'delay'; readonly delayMs: number };

/** A running ModelArts stand-in. */
export interface ModelArtsStandIn extends RunningServer {
  /** Stop requests received, signed correctly or not. */
  readonly stopRequests: readonly StandInRequest[];
  /** Status of a version, or undefined when unknown. */
  versionStatus(projectId: string, taskId: string, versionId: string): VersionStatus | undefined;
  /** Adds a version in the given status. */
  seedVersion(projectId: string, taskId: string, versionId: string, status?: VersionStatus): void;
  /** Queues scripted responses, used one per stop request before normal handling resumes. */
  queueFaults(...faults: ModelArtsFault[]): void;
  /** Replaces the accepted credentials, to simulate a rotation. */
  setCredentials(credentials: readonly HuaweiCredentials[]): void;
  /** Drops the faults that no request has used yet. */
  clearFaults(): void;
}

// ModelArts, like API Gateway, rejects signatures whose X-Sdk-Date is more than 15 minutes off.
const MAX_CLOCK_SKEW_MS = 15 * 60 * 1000;
const STOP_PATH = /^\/v2\/([^/]+)\/processor-tasks\/([^/]+)\/versions\/([^/]+)\/stop$/;

/**
 * Serves `POST /v2/{project_id}/processor-tasks/{task_id}/versions/{version_id}/stop` on 127.0.0.1. It verifies
 * SDK-HMAC-SHA256 signatures against `credentials`, keeps version state, and responds like ModelArts: `200 {}`,
 * or a JSON `{error_code, error_msg}` with 401 or 404. The error codes are the stand-in's own.
 */
export async function startModelArts(credentials: readonly HuaweiCredentials[]): Promise<ModelArtsStandIn> {
  let accepted = [...credentials];
  const versions = new Map<string, VersionStatus>();
  const faults: ModelArtsFault[] = [];
  const stopRequests: StandInRequest[] = [];
  const key = (p: string, t: string, v: string): string => `${p}/${t}/${v}`;
  versions.set(key(SEEDED_VERSION.projectId, SEEDED_VERSION.taskId, SEEDED_VERSION.versionId), 'RUNNING');

  const server = await startJsonServer(0, async (request) => {
    const match = STOP_PATH.exec(request.path);
    if (request.method !== 'POST' || !match) {
      return huaweiError(404, 'APIG.0101', 'The API does not exist or has not been published in the environment.');
    }
    stopRequests.push(request);

    const fault = faults.shift();
    if (fault?.kind === 'delay') {
      await new Promise((resolve) => setTimeout(resolve, fault.delayMs));
    } else if (fault) {
      if (fault.kind === 'status' && fault.delayMs !== undefined) {
        await new Promise((resolve) => setTimeout(resolve, fault.delayMs));
      }
      return faultResponse(fault);
    }

    const authFailure = verifySignature(request, accepted);
    if (authFailure) {
      return huaweiError(401, 'APIG.0301', authFailure);
    }
    const [, projectId = '', taskId = '', versionId = ''] = match;
    if (request.headers['x-project-id'] !== projectId) {
      return huaweiError(401, 'APIG.0301', 'X-Project-Id does not match the project in the path.');
    }
    const versionKey = key(projectId, taskId, versionId);
    if (!versions.has(versionKey)) {
      return huaweiError(404, 'ModelArts.4352', `Processor task version ${versionId} of task ${taskId} does not exist.`);
    }
    versions.set(versionKey, 'STOPPED');
    return { status: 200, body: {}, headers: { 'x-request-id': randomUUID().replaceAll('-', '') } };
  });

  return {
    ...server,
    stopRequests,
    versionStatus: (p, t, v) => versions.get(key(p, t, v)),
    seedVersion: (p, t, v, status = 'RUNNING') => {
      versions.set(key(p, t, v), status);
    },
    queueFaults: (...next) => {
      faults.push(...next);
    },
    setCredentials: (next) => {
      accepted = [...next];
    },
    clearFaults: () => {
      faults.length = 0;
    },
  };
}

/** Returns why a request's signature is not accepted, or undefined when it is. */
function verifySignature(request: StandInRequest, accepted: readonly HuaweiCredentials[]): string | undefined {
  const fields = parseAuthorizationHeader(String(request.headers.authorization ?? ''));
  if (!fields) {
    return 'Missing or malformed SDK-HMAC-SHA256 Authorization header.';
  }
  const credentials = accepted.find((candidate) => candidate.ak === fields.accessKey);
  if (!credentials) {
    return 'The access key is not valid.';
  }
  const sdkDate = parseSdkDate(String(request.headers['x-sdk-date'] ?? ''));
  if (!sdkDate || Math.abs(Date.now() - sdkDate.getTime()) > MAX_CLOCK_SKEW_MS) {
    return 'X-Sdk-Date is missing or more than 15 minutes off.';
  }
  const required = ['host', 'x-sdk-date', 'content-type', 'x-project-id'];
  if (credentials.securityToken !== undefined) {
    required.push('x-security-token');
    if (request.headers['x-security-token'] !== credentials.securityToken) {
      return 'The security token is not valid.';
    }
  }
  if (!required.every((name) => fields.signedHeaders.includes(name))) {
    return `SignedHeaders must include ${required.join(', ')}.`;
  }

  const headers = Object.fromEntries(
    Object.entries(request.headers).map(([name, value]) => [name, Array.isArray(value) ? value.join(',') : String(value)]),
  );
  const url = new URL(request.path, `http://${headers.host ?? '127.0.0.1'}`);
  let expected: string;
  try {
    expected = computeSignature({ method: request.method, url, headers, body: request.body }, fields.signedHeaders, credentials.sk);
  } catch (error) {
    // A signed header that was not sent, or a repeated name in SignedHeaders.
    return error instanceof HuaweiSigningError ? 'The signed headers do not match the request.' : 'Signature check failed.';
  }
  const matches =
    expected.length === fields.signature.length && timingSafeEqual(Buffer.from(expected), Buffer.from(fields.signature));
  return matches ? undefined : 'The request signature does not match.';
}

function faultResponse(fault: Exclude<ModelArtsFault, { kind: 'delay' }>): StandInResponse {
  switch (fault.kind) {
    case 'status':
      return {
        raw: (res: ServerResponse) => {
          res.writeHead(fault.status, { 'content-type': 'application/json', ...fault.headers });
          res.end(fault.body ?? '');
        },
      };
    case 'stall-body':
      return {
        raw: (res) => {
          res.writeHead(200, { 'content-type': 'application/json', 'content-length': '100' });
          res.write('{');
        },
      };
    case 'no-answer':
      return { raw: () => undefined };
    case 'reset':
      return { raw: (res) => res.socket?.destroy() };
  }
}

function huaweiError(status: number, errorCode: string, errorMsg: string): StandInResponse {
  return { status, body: { error_code: errorCode, error_msg: errorMsg }, headers: { 'x-request-id': randomUUID().replaceAll('-', '') } };
}
