import {
  formatAuthorizationHeader,
  parseAuthorizationHeader,
} from '../../../functions/lib/huawei-signing/authorization-header';

const SIGNATURE = '7be6668032f70418fcc22abc52071e57aff61b84a1d2381bb430d6870f4f6ebe';
const VALID_HEADER = `SDK-HMAC-SHA256 Access=QTWAOYTTINDUT2QVKYUC, SignedHeaders=content-type;host;x-sdk-date, Signature=${SIGNATURE}`;

describe('formatAuthorizationHeader', () => {
  it('writes the official layout', () => {
    const header = formatAuthorizationHeader({
      accessKey: 'QTWAOYTTINDUT2QVKYUC',
      signedHeaders: ['content-type', 'host', 'x-sdk-date'],
      signature: SIGNATURE,
    });

    expect(header).toBe(VALID_HEADER);
  });
});

describe('parseAuthorizationHeader', () => {
  it('parses the official layout', () => {
    expect(parseAuthorizationHeader(VALID_HEADER)).toEqual({
      accessKey: 'QTWAOYTTINDUT2QVKYUC',
      signedHeaders: ['content-type', 'host', 'x-sdk-date'],
      signature: SIGNATURE,
    });
  });

  it('parses a single signed header', () => {
    const parsed = parseAuthorizationHeader(`SDK-HMAC-SHA256 Access=AK, SignedHeaders=host, Signature=${SIGNATURE}`);

    expect(parsed?.signedHeaders).toEqual(['host']);
  });

  it.each([
    ['empty string', ''],
    ['other scheme', `AWS4-HMAC-SHA256 Access=AK, SignedHeaders=host, Signature=${SIGNATURE}`],
    ['lowercase scheme', `sdk-hmac-sha256 Access=AK, SignedHeaders=host, Signature=${SIGNATURE}`],
    ['missing Access', `SDK-HMAC-SHA256 SignedHeaders=host, Signature=${SIGNATURE}`],
    ['empty Access', `SDK-HMAC-SHA256 Access=, SignedHeaders=host, Signature=${SIGNATURE}`],
    ['missing SignedHeaders', `SDK-HMAC-SHA256 Access=AK, Signature=${SIGNATURE}`],
    ['empty SignedHeaders', `SDK-HMAC-SHA256 Access=AK, SignedHeaders=, Signature=${SIGNATURE}`],
    ['empty signed header name', `SDK-HMAC-SHA256 Access=AK, SignedHeaders=host;;x-sdk-date, Signature=${SIGNATURE}`],
    ['uppercase signed header name', `SDK-HMAC-SHA256 Access=AK, SignedHeaders=Host, Signature=${SIGNATURE}`],
    ['invalid signed header name', `SDK-HMAC-SHA256 Access=AK, SignedHeaders=ho:st, Signature=${SIGNATURE}`],
    ['missing Signature', 'SDK-HMAC-SHA256 Access=AK, SignedHeaders=host'],
    ['short Signature', `SDK-HMAC-SHA256 Access=AK, SignedHeaders=host, Signature=${SIGNATURE.slice(1)}`],
    ['long Signature', `SDK-HMAC-SHA256 Access=AK, SignedHeaders=host, Signature=${SIGNATURE}0`],
    ['uppercase Signature', `SDK-HMAC-SHA256 Access=AK, SignedHeaders=host, Signature=${SIGNATURE.toUpperCase()}`],
    ['reordered fields', `SDK-HMAC-SHA256 SignedHeaders=host, Access=AK, Signature=${SIGNATURE}`],
    ['missing comma', `SDK-HMAC-SHA256 Access=AK SignedHeaders=host, Signature=${SIGNATURE}`],
    ['trailing text', `${VALID_HEADER}, Extra=1`],
    ['leading space', ` ${VALID_HEADER}`],
  ])('rejects %s', (_case, value) => {
    expect(parseAuthorizationHeader(value)).toBeUndefined();
  });
});
