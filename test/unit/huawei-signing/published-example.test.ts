import { toCanonicalHeaders } from '../../../functions/lib/huawei-signing/canonical-headers';
import { buildCanonicalRequest } from '../../../functions/lib/huawei-signing/canonical-request';
import { signRequest } from '../../../functions/lib/huawei-signing';
import { signStringToSign } from '../../../functions/lib/huawei-signing/signature';
import { buildStringToSign } from '../../../functions/lib/huawei-signing/string-to-sign';

// Huawei Cloud's worked example of AK/SK signing, "AK/SK Signing and Authentication Algorithm":
//   request:         https://support.huaweicloud.com/intl/en-us/devg-apisign/api-sign-algorithm-002.html
//   string to sign:  https://support.huaweicloud.com/intl/en-us/devg-apisign/api-sign-algorithm-003.html
//   signature (SK):  https://support.huaweicloud.com/intl/en-us/devg-apisign/api-sign-algorithm-004.html
//   Authorization:   https://support.huaweicloud.com/intl/en-us/devg-apisign/api-sign-algorithm-005.html
// The AK and SK are the example values printed on those pages.
const EXAMPLE_URL = new URL(
  'https://service.region.example.com/v1/77b6a44cba5143ab91d13ab9a8ff44fd/vpcs?limit=2&marker=13551d6b-755d-4757-b956-536f674975c0',
);
const EXAMPLE_HEADERS = { Host: 'service.region.example.com', 'Content-Type': 'application/json' };
const EXAMPLE_SDK_DATE = '20191115T033655Z';
const EXAMPLE_CREDENTIALS = { ak: 'QTWAOYTTINDUT2QVKYUC', sk: 'MFyfvK41ba2giqM7Uio6PznpdUKGpownRZlmVmHc' };
const EXAMPLE_STRING_TO_SIGN = [
  'SDK-HMAC-SHA256',
  EXAMPLE_SDK_DATE,
  'b25362e603ee30f4f25e7858e8a7160fd36e803bb2dfe206278659d71a9bcd7a',
].join('\n');
const EXAMPLE_SIGNATURE = '7be6668032f70418fcc22abc52071e57aff61b84a1d2381bb430d6870f4f6ebe';
const EXAMPLE_AUTHORIZATION =
  'SDK-HMAC-SHA256 Access=QTWAOYTTINDUT2QVKYUC, SignedHeaders=content-type;host;x-sdk-date, Signature=' +
  EXAMPLE_SIGNATURE;

describe('published Huawei signing example', () => {
  it('reproduces the string to sign', () => {
    // Prepare
    const headers = toCanonicalHeaders({ ...EXAMPLE_HEADERS, 'X-Sdk-Date': EXAMPLE_SDK_DATE });

    // Act
    const canonicalRequest = buildCanonicalRequest({ method: 'GET', url: EXAMPLE_URL, headers, body: '' });

    // Assess
    expect(buildStringToSign(EXAMPLE_SDK_DATE, canonicalRequest)).toBe(EXAMPLE_STRING_TO_SIGN);
  });

  it('reproduces the signature', () => {
    expect(signStringToSign(EXAMPLE_CREDENTIALS.sk, EXAMPLE_STRING_TO_SIGN)).toBe(EXAMPLE_SIGNATURE);
  });

  it('reproduces the Authorization header', () => {
    const request = { method: 'GET', url: EXAMPLE_URL, headers: EXAMPLE_HEADERS, body: '' };

    const headers = signRequest(request, EXAMPLE_CREDENTIALS, new Date('2019-11-15T03:36:55Z'));

    expect(headers['X-Sdk-Date']).toBe(EXAMPLE_SDK_DATE);
    expect(headers.Authorization).toBe(EXAMPLE_AUTHORIZATION);
  });
});
