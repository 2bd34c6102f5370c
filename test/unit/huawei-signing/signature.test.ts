import { InvalidSigningInputError, MissingSignedHeaderError } from '../../../functions/lib/huawei-signing/errors';
import { computeSignature, signStringToSign } from '../../../functions/lib/huawei-signing/signature';
import { buildStringToSign, SIGNING_ALGORITHM } from '../../../functions/lib/huawei-signing/string-to-sign';
import type { RequestToSign } from '../../../functions/lib/huawei-signing/types';

// Expected digests computed with coreutils sha256sum and `openssl dgst -sha256 -hmac`.
const SHA256_OF_ABC = 'ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad';
const HMAC_OF_ABC_STRING_TO_SIGN = 'd1c2a30c34d90941136107bf6cb2d4fc7ae28e3b0cc4767c70fead22a3f92a3e';

const STOP_URL = new URL(
  'https://modelarts.example.com/v2/0123456789abcdef0123456789abcdef/processor-tasks/task_1/versions/v-1/stop',
);

function receivedRequest(headers: Record<string, string>): RequestToSign {
  return { method: 'POST', url: STOP_URL, headers, body: '' };
}

describe('buildStringToSign', () => {
  it('joins algorithm, date and hash', () => {
    const stringToSign = buildStringToSign('20240101T000000Z', 'abc');

    expect(stringToSign).toBe(`SDK-HMAC-SHA256\n20240101T000000Z\n${SHA256_OF_ABC}`);
  });

  it('names the SDK-HMAC-SHA256 algorithm', () => {
    expect(SIGNING_ALGORITHM).toBe('SDK-HMAC-SHA256');
  });
});

describe('signStringToSign', () => {
  it('returns hex HMAC-SHA256 keyed with sk', () => {
    const stringToSign = `SDK-HMAC-SHA256\n20240101T000000Z\n${SHA256_OF_ABC}`;

    expect(signStringToSign('secret', stringToSign)).toBe(HMAC_OF_ABC_STRING_TO_SIGN);
  });
});

describe('computeSignature', () => {
  const headers = {
    host: 'modelarts.example.com',
    'content-type': 'application/json',
    'x-project-id': '0123456789abcdef0123456789abcdef',
    'x-sdk-date': '20240101T000000Z',
    'user-agent': 'not-signed/1.0',
  };
  const signedHeaders = ['content-type', 'host', 'x-project-id', 'x-sdk-date'];

  it('ignores headers that are not signed', () => {
    // Prepare
    const withoutExtra = { ...headers, 'user-agent': 'other/2.0' };

    // Act
    const signature = computeSignature(receivedRequest(headers), signedHeaders, 'sk');
    const signatureWithoutExtra = computeSignature(receivedRequest(withoutExtra), signedHeaders, 'sk');

    // Assess
    expect(signature).toMatch(/^[0-9a-f]{64}$/);
    expect(signatureWithoutExtra).toBe(signature);
  });

  it('matches header names regardless of case', () => {
    const mixedCase = {
      Host: headers.host,
      'Content-Type': headers['content-type'],
      'X-Project-Id': headers['x-project-id'],
      'X-Sdk-Date': headers['x-sdk-date'],
    };

    const signature = computeSignature(receivedRequest(mixedCase), ['Content-Type', 'HOST', 'x-project-id', 'X-Sdk-Date'], 'sk');

    expect(signature).toBe(computeSignature(receivedRequest(headers), signedHeaders, 'sk'));
  });

  it('sorts an unsorted signed header list', () => {
    const unsorted = ['x-sdk-date', 'host', 'content-type', 'x-project-id'];

    const signature = computeSignature(receivedRequest(headers), unsorted, 'sk');

    expect(signature).toBe(computeSignature(receivedRequest(headers), signedHeaders, 'sk'));
  });

  it('rejects a missing signed header', () => {
    const { 'x-project-id': _projectId, ...withoutProjectId } = headers;

    expect(() => computeSignature(receivedRequest(withoutProjectId), signedHeaders, 'sk')).toThrow(
      new MissingSignedHeaderError('x-project-id'),
    );
  });

  it('rejects a missing X-Sdk-Date', () => {
    const { 'x-sdk-date': _sdkDate, ...withoutDate } = headers;

    expect(() => computeSignature(receivedRequest(withoutDate), ['host'], 'sk')).toThrow(MissingSignedHeaderError);
  });

  it('rejects a malformed X-Sdk-Date', () => {
    const request = receivedRequest({ ...headers, 'x-sdk-date': '2024-01-01T00:00:00Z' });

    expect(() => computeSignature(request, signedHeaders, 'sk')).toThrow(InvalidSigningInputError);
  });

  it('rejects a repeated signed header', () => {
    expect(() => computeSignature(receivedRequest(headers), ['host', 'Host', 'x-sdk-date'], 'sk')).toThrow(
      InvalidSigningInputError,
    );
  });
});
