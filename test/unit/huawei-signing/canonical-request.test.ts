import {
  buildCanonicalHeaders,
  buildSignedHeaders,
  toCanonicalHeaders,
} from '../../../functions/lib/huawei-signing/canonical-headers';
import {
  buildCanonicalQueryString,
  buildCanonicalRequest,
  buildCanonicalUri,
} from '../../../functions/lib/huawei-signing/canonical-request';
import { InvalidSigningInputError } from '../../../functions/lib/huawei-signing/errors';
import { uriEncode } from '../../../functions/lib/huawei-signing/uri-encoding';

const EMPTY_BODY_SHA256 = 'e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855';

describe('uriEncode', () => {
  it('keeps RFC 3986 unreserved characters', () => {
    expect(uriEncode('AZaz09-._~', 'test')).toBe('AZaz09-._~');
  });

  it('encodes reserved characters in uppercase hex', () => {
    expect(uriEncode("!'()*/ +=&?#%", 'test')).toBe('%21%27%28%29%2A%2F%20%2B%3D%26%3F%23%25');
  });

  it('encodes UTF-8 bytes of non-ASCII text', () => {
    expect(uriEncode('é€😀', 'test')).toBe('%C3%A9%E2%82%AC%F0%9F%98%80');
  });

  it('rejects a lone surrogate', () => {
    expect(() => uriEncode('\uD800', 'test')).toThrow(InvalidSigningInputError);
  });
});

describe('buildCanonicalUri', () => {
  it('appends a trailing slash', () => {
    const url = new URL('https://example.com/v2/p/processor-tasks/t/versions/v/stop');

    expect(buildCanonicalUri(url)).toBe('/v2/p/processor-tasks/t/versions/v/stop/');
  });

  it('keeps an existing trailing slash', () => {
    expect(buildCanonicalUri(new URL('https://example.com/v1/vpcs/'))).toBe('/v1/vpcs/');
  });

  it('maps the root path to a slash', () => {
    expect(buildCanonicalUri(new URL('https://example.com'))).toBe('/');
  });

  it('encodes each segment once', () => {
    const url = new URL('https://example.com/a b/c%2Fd/é');

    expect(buildCanonicalUri(url)).toBe('/a%20b/c%2Fd/%C3%A9/');
  });

  it('ignores the query', () => {
    expect(buildCanonicalUri(new URL('https://example.com/v1/vpcs?limit=2'))).toBe('/v1/vpcs/');
  });

  it('rejects invalid percent-encoding', () => {
    expect(() => buildCanonicalUri(new URL('https://example.com/a%zz'))).toThrow(InvalidSigningInputError);
  });
});

describe('buildCanonicalQueryString', () => {
  it('returns empty string without query', () => {
    expect(buildCanonicalQueryString(new URL('https://example.com/v1/vpcs'))).toBe('');
  });

  it('sorts parameters by name', () => {
    const url = new URL('https://example.com/?marker=m&limit=2&Zeta=z');

    expect(buildCanonicalQueryString(url)).toBe('Zeta=z&limit=2&marker=m');
  });

  it('sorts repeated names by value', () => {
    const url = new URL('https://example.com/?tag=b&tag=a&tag=c');

    expect(buildCanonicalQueryString(url)).toBe('tag=a&tag=b&tag=c');
  });

  it('encodes names and values', () => {
    const url = new URL('https://example.com/?na%20me=a+b%2Bc&flag');

    expect(buildCanonicalQueryString(url)).toBe('flag=&na%20me=a%20b%2Bc');
  });
});

describe('toCanonicalHeaders', () => {
  it('lowercases, trims and sorts headers', () => {
    const headers = toCanonicalHeaders({ 'X-Sdk-Date': '20240101T000000Z', Host: ' example.com\t', 'Content-Type': 'application/json' });

    expect(headers).toEqual([
      { name: 'content-type', value: 'application/json' },
      { name: 'host', value: 'example.com' },
      { name: 'x-sdk-date', value: '20240101T000000Z' },
    ]);
  });

  it('keeps inner whitespace', () => {
    expect(toCanonicalHeaders({ 'x-note': 'a  b' })).toEqual([{ name: 'x-note', value: 'a  b' }]);
  });

  it('rejects names differing in case', () => {
    expect(() => toCanonicalHeaders({ Host: 'a.example.com', host: 'b.example.com' })).toThrow(InvalidSigningInputError);
  });

  it('rejects an invalid header name', () => {
    expect(() => toCanonicalHeaders({ 'x project': 'p' })).toThrow(InvalidSigningInputError);
  });

  it.each([
    ['carriage return', 'a\rb'],
    ['line feed', 'a\nb'],
    ['NUL', 'a\0b'],
  ])('rejects a value with %s', (_case, value) => {
    expect(() => toCanonicalHeaders({ 'x-note': value })).toThrow(InvalidSigningInputError);
  });
});

describe('buildCanonicalHeaders', () => {
  it('writes one line per header', () => {
    const headers = [
      { name: 'content-type', value: 'application/json' },
      { name: 'host', value: 'example.com' },
    ];

    expect(buildCanonicalHeaders(headers)).toBe('content-type:application/json\nhost:example.com\n');
  });
});

describe('buildSignedHeaders', () => {
  it('joins names with semicolons', () => {
    const headers = [
      { name: 'content-type', value: 'application/json' },
      { name: 'host', value: 'example.com' },
      { name: 'x-sdk-date', value: '20240101T000000Z' },
    ];

    expect(buildSignedHeaders(headers)).toBe('content-type;host;x-sdk-date');
  });
});

describe('buildCanonicalRequest', () => {
  it('joins the six parts with line feeds', () => {
    // Prepare
    const headers = toCanonicalHeaders({
      host: 'modelarts.example.com',
      'content-type': 'application/json',
      'x-sdk-date': '20240101T000000Z',
    });
    const url = new URL('https://modelarts.example.com/v2/p/processor-tasks/t/versions/v/stop');

    // Act
    const canonicalRequest = buildCanonicalRequest({ method: 'POST', url, headers, body: '' });

    // Assess
    expect(canonicalRequest).toBe(
      [
        'POST',
        '/v2/p/processor-tasks/t/versions/v/stop/',
        '',
        'content-type:application/json',
        'host:modelarts.example.com',
        'x-sdk-date:20240101T000000Z',
        '',
        'content-type;host;x-sdk-date',
        EMPTY_BODY_SHA256,
      ].join('\n'),
    );
  });

  it('hashes the body as UTF-8', () => {
    const canonicalRequest = buildCanonicalRequest({
      method: 'PUT',
      url: new URL('https://example.com/'),
      headers: [],
      body: '{"a":"é"}',
    });

    expect(canonicalRequest.split('\n').at(-1)).toBe('b3a092a6af48807fa9482b2ee140105575daa26d5b24b3c0e60a7e2dee6683b1');
  });

  it('rejects a lowercase method', () => {
    const input = { method: 'post', url: new URL('https://example.com/'), headers: [], body: '' };

    expect(() => buildCanonicalRequest(input)).toThrow(InvalidSigningInputError);
  });
});
