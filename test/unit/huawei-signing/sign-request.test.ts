import { parseAuthorizationHeader } from '../../../functions/lib/huawei-signing/authorization-header';
import { InvalidSigningInputError } from '../../../functions/lib/huawei-signing/errors';
import { signRequest } from '../../../functions/lib/huawei-signing/sign-request';
import type { HuaweiCredentials, RequestToSign } from '../../../functions/lib/huawei-signing/types';

const PROJECT_ID = '0123456789abcdef0123456789abcdef';
const SIGNING_DATE = new Date('2024-05-06T07:08:09Z');
const CREDENTIALS: HuaweiCredentials = { ak: 'TESTACCESSKEY0000000', sk: 'test-secret-key' };

function stopRequest(overrides: Partial<RequestToSign> = {}): RequestToSign {
  return {
    method: 'POST',
    url: new URL(`https://modelarts.example.com/v2/${PROJECT_ID}/processor-tasks/task-1/versions/version-1/stop`),
    headers: { host: 'modelarts.example.com', 'content-type': 'application/json', 'x-project-id': PROJECT_ID },
    body: '',
    ...overrides,
  };
}

function signatureOf(headers: Record<string, string>): string | undefined {
  return parseAuthorizationHeader(headers.Authorization ?? '')?.signature;
}

describe('signRequest', () => {
  it('adds date and Authorization headers', () => {
    // Prepare
    const request = stopRequest();

    // Act
    const headers = signRequest(request, CREDENTIALS, SIGNING_DATE);

    // Assess
    expect(Object.keys(headers)).toEqual(['host', 'content-type', 'x-project-id', 'X-Sdk-Date', 'Authorization']);
    expect(headers['X-Sdk-Date']).toBe('20240506T070809Z');
    const authorization = parseAuthorizationHeader(headers.Authorization ?? '');
    expect(authorization?.accessKey).toBe(CREDENTIALS.ak);
    expect(authorization?.signedHeaders).toEqual(['content-type', 'host', 'x-project-id', 'x-sdk-date']);
  });

  it('signs the security token', () => {
    const credentials = { ...CREDENTIALS, securityToken: 'temporary-token' };

    const headers = signRequest(stopRequest(), credentials, SIGNING_DATE);

    expect(headers['X-Security-Token']).toBe('temporary-token');
    expect(parseAuthorizationHeader(headers.Authorization ?? '')?.signedHeaders).toEqual([
      'content-type',
      'host',
      'x-project-id',
      'x-sdk-date',
      'x-security-token',
    ]);
  });

  it('leaves the input headers unchanged', () => {
    const request = stopRequest();
    const before = { ...request.headers };

    signRequest(request, CREDENTIALS, SIGNING_DATE);

    expect(request.headers).toEqual(before);
  });

  it('lowercases mixed-case header names', () => {
    const request = stopRequest({
      headers: { Host: 'modelarts.example.com', 'Content-Type': 'application/json', 'X-Project-Id': PROJECT_ID },
    });

    const headers = signRequest(request, CREDENTIALS, SIGNING_DATE);

    expect(signatureOf(headers)).toBe(signatureOf(signRequest(stopRequest(), CREDENTIALS, SIGNING_DATE)));
  });

  it('is deterministic for fixed inputs', () => {
    const first = signRequest(stopRequest(), CREDENTIALS, SIGNING_DATE);
    const second = signRequest(stopRequest(), CREDENTIALS, SIGNING_DATE);

    expect(second).toEqual(first);
  });
});

describe('signRequest signature changes', () => {
  const baseline = signatureOf(signRequest(stopRequest(), CREDENTIALS, SIGNING_DATE));

  it.each<[string, () => Record<string, string>]>([
    ['body', () => signRequest(stopRequest({ body: '{}' }), CREDENTIALS, SIGNING_DATE)],
    [
      'header value',
      () => signRequest(stopRequest({ headers: { ...stopRequest().headers, 'x-project-id': 'f'.repeat(32) } }), CREDENTIALS, SIGNING_DATE),
    ],
    ['added header', () => signRequest(stopRequest({ headers: { ...stopRequest().headers, 'x-extra': '1' } }), CREDENTIALS, SIGNING_DATE)],
    [
      'path',
      () => signRequest(stopRequest({ url: new URL(`https://modelarts.example.com/v2/${PROJECT_ID}/processor-tasks/task-1/versions/version-2/stop`) }), CREDENTIALS, SIGNING_DATE),
    ],
    ['query', () => signRequest(stopRequest({ url: new URL(`${stopRequest().url.href}?force=true`) }), CREDENTIALS, SIGNING_DATE)],
    ['method', () => signRequest(stopRequest({ method: 'PUT' }), CREDENTIALS, SIGNING_DATE)],
    ['sk', () => signRequest(stopRequest(), { ...CREDENTIALS, sk: 'test-secret-kez' }, SIGNING_DATE)],
    ['signing date', () => signRequest(stopRequest(), CREDENTIALS, new Date(SIGNING_DATE.getTime() + 1000))],
    ['security token', () => signRequest(stopRequest(), { ...CREDENTIALS, securityToken: 'token' }, SIGNING_DATE)],
  ])('changes with the %s', (_case, sign) => {
    const signature = signatureOf(sign());

    expect(signature).toMatch(/^[0-9a-f]{64}$/);
    expect(signature).not.toBe(baseline);
  });
});

describe('signRequest input checks', () => {
  it.each<[string, HuaweiCredentials]>([
    ['empty ak', { ak: '', sk: 'sk' }],
    ['ak with a space', { ak: 'AK 1', sk: 'sk' }],
    ['ak with a comma', { ak: 'AK,1', sk: 'sk' }],
    ['empty sk', { ak: 'AK', sk: '' }],
    ['empty security token', { ak: 'AK', sk: 'sk', securityToken: '' }],
  ])('rejects %s', (_case, credentials) => {
    expect(() => signRequest(stopRequest(), credentials, SIGNING_DATE)).toThrow(InvalidSigningInputError);
  });

  it.each([
    ['X-Sdk-Date', '20240101T000000Z'],
    ['x-security-token', 'token'],
    ['Authorization', 'Bearer x'],
  ])('rejects a preset %s header', (name, value) => {
    const request = stopRequest({ headers: { ...stopRequest().headers, [name]: value } });

    expect(() => signRequest(request, CREDENTIALS, SIGNING_DATE)).toThrow(InvalidSigningInputError);
  });

  it('rejects headers without host', () => {
    const request = stopRequest({ headers: { 'content-type': 'application/json' } });

    expect(() => signRequest(request, CREDENTIALS, SIGNING_DATE)).toThrow(InvalidSigningInputError);
  });

  it('rejects an invalid signing date', () => {
    expect(() => signRequest(stopRequest(), CREDENTIALS, new Date(Number.NaN))).toThrow(InvalidSigningInputError);
  });

  it('rejects a security token with a line feed', () => {
    const credentials = { ...CREDENTIALS, securityToken: 'token\nx-injected: 1' };

    expect(() => signRequest(stopRequest(), credentials, SIGNING_DATE)).toThrow(InvalidSigningInputError);
  });
});
