import { AKSKSigner } from '@huaweicloud/huaweicloud-sdk-core/auth/AKSKSigner';
import { BasicCredentials } from '@huaweicloud/huaweicloud-sdk-core/auth/BasicCredentials';
import type { IHttpRequest } from '@huaweicloud/huaweicloud-sdk-core/http/IHttpRequest';
import fc from 'fast-check';

import { signRequest } from '../../../functions/lib/huawei-signing/sign-request';
import type { HuaweiCredentials } from '../../../functions/lib/huawei-signing/types';

// The official signer (huaweicloud-sdk-core 3.1.211, auth/AKSKSigner.js) takes the signing time
// from `moment()` unless the request carries X-Sdk-Date, so each comparison pins Date with jest
// fake timers and lets the official signer add X-Sdk-Date itself, as the SDK does.

const ENDPOINT = 'https://modelarts.cn-north-4.example.com';
const STOP_PATH_TEMPLATE = '/v2/{project_id}/processor-tasks/{task_id}/versions/{version_id}/stop';

interface StopCase {
  readonly projectId: string;
  readonly taskId: string;
  readonly versionId: string;
  readonly credentials: HuaweiCredentials;
  readonly signingDate: Date;
  /** JSON body sent; undefined for the empty body of the real route. */
  readonly data?: object;
  readonly query?: Readonly<Record<string, string>>;
}

function stopPath(stopCase: StopCase): string {
  return `/v2/${stopCase.projectId}/processor-tasks/${stopCase.taskId}/versions/${stopCase.versionId}/stop`;
}

function signWithProjectSigner(stopCase: StopCase): Record<string, string> {
  const url = new URL(`${ENDPOINT}${stopPath(stopCase)}`);
  for (const [name, value] of Object.entries(stopCase.query ?? {})) {
    url.searchParams.append(name, value);
  }
  const headers = { host: url.host, 'content-type': 'application/json', 'x-project-id': stopCase.projectId };
  const body = stopCase.data === undefined ? '' : JSON.stringify(stopCase.data);
  return signRequest({ method: 'POST', url, headers, body }, stopCase.credentials, stopCase.signingDate);
}

function officialCredentials(credentials: HuaweiCredentials): BasicCredentials {
  const official = new BasicCredentials().withAk(credentials.ak).withSk(credentials.sk);
  return credentials.securityToken === undefined ? official : official.withSecurityToken(credentials.securityToken);
}

/** Calls AKSKSigner.sign directly with the headers that BaseCredentials.processAuthRequest would add. */
function signWithOfficialSigner(stopCase: StopCase): Record<string, string> {
  jest.setSystemTime(stopCase.signingDate);
  const { securityToken } = stopCase.credentials;
  const request: IHttpRequest = {
    method: 'POST',
    endpoint: `${ENDPOINT}${stopPath(stopCase)}`,
    queryParams: stopCase.query,
    headers: {
      host: new URL(ENDPOINT).host,
      'content-type': 'application/json',
      'x-project-id': stopCase.projectId,
      ...(securityToken === undefined ? {} : { 'X-Security-Token': securityToken }),
    },
    data: stopCase.data,
  };
  return AKSKSigner.sign(request, officialCredentials(stopCase.credentials)) as Record<string, string>;
}

/** Runs the official SDK pipeline, which fills the project id and adds X-Project-Id and X-Security-Token itself. */
async function signWithOfficialPipeline(stopCase: StopCase): Promise<Record<string, string>> {
  jest.setSystemTime(stopCase.signingDate);
  const credentials = officialCredentials(stopCase.credentials).withProjectId(stopCase.projectId);
  const request: IHttpRequest = {
    method: 'POST',
    endpoint: ENDPOINT,
    url: STOP_PATH_TEMPLATE.replace('{task_id}', stopCase.taskId).replace('{version_id}', stopCase.versionId),
    headers: { 'content-type': 'application/json' },
  };
  // processAuthRequest reads the client only to refresh federated tokens, which these credentials lack.
  const noClient = undefined as unknown as Parameters<BasicCredentials['processAuthRequest']>[0];
  const signed = await credentials.processAuthRequest(noClient, request);
  return signed.headers as Record<string, string>;
}

const ROUTE_CASE: StopCase = {
  projectId: '0a1b2c3d4e5f60718293a4b5c6d7e8f9',
  taskId: 'task_2024-05-06',
  versionId: 'Version-01',
  credentials: { ak: 'TESTACCESSKEYEXAMPLE', sk: 'testSecretKeyExample0123456789abcdefghij' },
  signingDate: new Date('2024-05-06T07:08:09Z'),
};
const ROUTE_CASE_WITH_TOKEN: StopCase = {
  ...ROUTE_CASE,
  credentials: { ...ROUTE_CASE.credentials, securityToken: 'gQpjbi1ub3J0aC00example+token/with=padding' },
};

beforeEach(() => {
  jest.useFakeTimers();
});

afterEach(() => {
  jest.useRealTimers();
});

describe('signRequest against official AKSKSigner', () => {
  it.each([
    ['without security token', ROUTE_CASE],
    ['with security token', ROUTE_CASE_WITH_TOKEN],
  ])('matches the stop route %s', (_case, stopCase) => {
    // Act
    const ours = signWithProjectSigner(stopCase);
    const official = signWithOfficialSigner(stopCase);

    // Assess
    expect(official['X-Sdk-Date']).toBe('20240506T070809Z');
    expect(ours['X-Sdk-Date']).toBe(official['X-Sdk-Date']);
    expect(ours['X-Security-Token']).toBe(stopCase.credentials.securityToken);
    expect(ours.Authorization).toBe(official.Authorization);
  });

  it.each([
    ['without security token', ROUTE_CASE],
    ['with security token', ROUTE_CASE_WITH_TOKEN],
  ])('matches the SDK pipeline %s', async (_case, stopCase) => {
    // Act
    const ours = signWithProjectSigner(stopCase);
    const official = await signWithOfficialPipeline(stopCase);

    // Assess
    expect(official['X-Project-Id']).toBe(stopCase.projectId);
    expect(official['X-Security-Token']).toBe(stopCase.credentials.securityToken);
    expect(ours.Authorization).toBe(official.Authorization);
  });
});

const projectIdArbitrary = fc.stringMatching(/^[0-9a-f]{32}$/);
const resourceIdArbitrary = fc.stringMatching(/^[A-Za-z0-9_-]{1,64}$/);
// Printable ASCII except space and comma, which cannot appear in the Access field.
const accessKeyArbitrary = fc.stringMatching(/^[!-+\--~]{1,64}$/);
const secretKeyArbitrary = fc.string({ unit: 'binary', minLength: 1, maxLength: 80 });
const securityTokenArbitrary = fc.option(fc.stringMatching(/^[A-Za-z0-9+/=_-]{1,512}$/), { nil: undefined });
const signingDateArbitrary = fc.date({
  min: new Date('0000-01-01T00:00:00Z'),
  max: new Date('9999-12-31T23:59:59.999Z'),
  noInvalidDate: true,
});

const stopCaseArbitrary: fc.Arbitrary<StopCase> = fc.record({
  projectId: projectIdArbitrary,
  taskId: resourceIdArbitrary,
  versionId: resourceIdArbitrary,
  credentials: fc.record({ ak: accessKeyArbitrary, sk: secretKeyArbitrary, securityToken: securityTokenArbitrary }),
  signingDate: signingDateArbitrary,
});

describe('signRequest against official AKSKSigner, generated', () => {
  it('matches for generated ids, keys and dates', () => {
    fc.assert(
      fc.property(stopCaseArbitrary, (stopCase) => {
        expect(signWithProjectSigner(stopCase).Authorization).toBe(signWithOfficialSigner(stopCase).Authorization);
      }),
      { numRuns: 300 },
    );
  });

  it('matches for generated JSON bodies', () => {
    fc.assert(
      fc.property(stopCaseArbitrary, fc.object(), (stopCase, data) => {
        const withBody = { ...stopCase, data };

        expect(signWithProjectSigner(withBody).Authorization).toBe(signWithOfficialSigner(withBody).Authorization);
      }),
      { numRuns: 200 },
    );
  });

  it('matches for generated query parameters', () => {
    const queryArbitrary = fc.dictionary(fc.string({ minLength: 1 }), fc.string(), { minKeys: 1, maxKeys: 6 });

    fc.assert(
      fc.property(stopCaseArbitrary, queryArbitrary, (stopCase, query) => {
        const withQuery = { ...stopCase, query };

        expect(signWithProjectSigner(withQuery).Authorization).toBe(signWithOfficialSigner(withQuery).Authorization);
      }),
      { numRuns: 200 },
    );
  });
});
