import fc from 'fast-check';

import { parseAuthorizationHeader } from '../../../functions/lib/huawei-signing/authorization-header';
import { signRequest } from '../../../functions/lib/huawei-signing/sign-request';
import { computeSignature } from '../../../functions/lib/huawei-signing/signature';
import type { HuaweiCredentials, RequestToSign } from '../../../functions/lib/huawei-signing/types';

const ENDPOINT = 'https://modelarts.example.com';

interface GeneratedRequest {
  readonly request: RequestToSign;
  readonly credentials: HuaweiCredentials;
  readonly signingDate: Date;
}

/** Randomizes the letter case of a header name, as callers may pass any case. */
const headerNameCaseArbitrary = (name: string): fc.Arbitrary<string> =>
  fc
    .array(fc.boolean(), { minLength: name.length, maxLength: name.length })
    .map((upper) => [...name].map((character, index) => (upper[index] ? character.toUpperCase() : character)).join(''));

const generatedRequestArbitrary: fc.Arbitrary<GeneratedRequest> = fc
  .record({
    projectId: fc.stringMatching(/^[0-9a-f]{32}$/),
    taskId: fc.stringMatching(/^[A-Za-z0-9_-]{1,64}$/),
    versionId: fc.stringMatching(/^[A-Za-z0-9_-]{1,64}$/),
    hostName: headerNameCaseArbitrary('host'),
    contentTypeName: headerNameCaseArbitrary('content-type'),
    projectIdName: headerNameCaseArbitrary('x-project-id'),
    body: fc.oneof(fc.constant(''), fc.json()),
    ak: fc.stringMatching(/^[!-+\--~]{1,64}$/),
    sk: fc.string({ unit: 'binary', minLength: 1, maxLength: 80 }),
    securityToken: fc.option(fc.stringMatching(/^[A-Za-z0-9+/=_-]{1,512}$/), { nil: undefined }),
    signingDate: fc.date({ min: new Date('2000-01-01T00:00:00Z'), max: new Date('2099-12-31T23:59:59Z'), noInvalidDate: true }),
  })
  .map((fields) => ({
    request: {
      method: 'POST',
      url: new URL(`${ENDPOINT}/v2/${fields.projectId}/processor-tasks/${fields.taskId}/versions/${fields.versionId}/stop`),
      headers: {
        [fields.hostName]: new URL(ENDPOINT).host,
        [fields.contentTypeName]: 'application/json',
        [fields.projectIdName]: fields.projectId,
      },
      body: fields.body,
    },
    credentials: { ak: fields.ak, sk: fields.sk, securityToken: fields.securityToken },
    signingDate: fields.signingDate,
  }));

/** Lowercases header names, as Node's HTTP server does with received headers. */
function asReceived(headers: Record<string, string>): Record<string, string> {
  return Object.fromEntries(Object.entries(headers).map(([name, value]) => [name.toLowerCase(), value]));
}

describe('sign then verify', () => {
  it('recomputes the sent signature', () => {
    fc.assert(
      fc.property(generatedRequestArbitrary, ({ request, credentials, signingDate }) => {
        // Act
        const sentHeaders = signRequest(request, credentials, signingDate);
        const receivedHeaders = asReceived(sentHeaders);
        const authorization = parseAuthorizationHeader(receivedHeaders.authorization ?? '');
        const received = { ...request, headers: receivedHeaders };
        const recomputed = computeSignature(received, authorization?.signedHeaders ?? [], credentials.sk);

        // Assess
        expect(authorization?.accessKey).toBe(credentials.ak);
        expect(authorization?.signature).toMatch(/^[0-9a-f]{64}$/);
        expect(recomputed).toBe(authorization?.signature);
      }),
      { numRuns: 300 },
    );
  });

  it('differs for a tampered body', () => {
    fc.assert(
      fc.property(generatedRequestArbitrary, fc.string({ minLength: 1 }), ({ request, credentials, signingDate }, suffix) => {
        // Prepare
        const sentHeaders = signRequest(request, credentials, signingDate);
        const authorization = parseAuthorizationHeader(sentHeaders.Authorization ?? '');
        const tampered = { ...request, headers: asReceived(sentHeaders), body: request.body + suffix };

        // Act
        const recomputed = computeSignature(tampered, authorization?.signedHeaders ?? [], credentials.sk);

        // Assess
        expect(authorization?.signature).toMatch(/^[0-9a-f]{64}$/);
        expect(recomputed).not.toBe(authorization?.signature);
      }),
    );
  });

  it('differs for another sk', () => {
    fc.assert(
      fc.property(generatedRequestArbitrary, fc.string({ minLength: 1 }), ({ request, credentials, signingDate }, otherSk) => {
        fc.pre(otherSk !== credentials.sk);

        // Prepare
        const sentHeaders = signRequest(request, credentials, signingDate);
        const authorization = parseAuthorizationHeader(sentHeaders.Authorization ?? '');

        // Act
        const recomputed = computeSignature(
          { ...request, headers: asReceived(sentHeaders) },
          authorization?.signedHeaders ?? [],
          otherSk,
        );

        // Assess
        expect(authorization?.signature).toMatch(/^[0-9a-f]{64}$/);
        expect(recomputed).not.toBe(authorization?.signature);
      }),
    );
  });

  it('differs for a tampered version id', () => {
    fc.assert(
      fc.property(generatedRequestArbitrary, ({ request, credentials, signingDate }) => {
        // Prepare
        const sentHeaders = signRequest(request, credentials, signingDate);
        const authorization = parseAuthorizationHeader(sentHeaders.Authorization ?? '');
        const tamperedUrl = new URL(request.url.href.replace(/\/stop$/, 'x/stop'));

        // Act
        const recomputed = computeSignature(
          { ...request, url: tamperedUrl, headers: asReceived(sentHeaders) },
          authorization?.signedHeaders ?? [],
          credentials.sk,
        );

        // Assess
        expect(authorization?.signature).toMatch(/^[0-9a-f]{64}$/);
        expect(recomputed).not.toBe(authorization?.signature);
      }),
    );
  });
});
