import { createHmac, createPublicKey, createSign, generateKeyPairSync, sign as signDigest } from 'node:crypto';
import { CallerAuthenticator, CLOCK_SKEW_SECONDS, type CallerAuthSettings } from '../../../functions/stop-processor-task-version/caller-auth';
import { TokenKeysUnavailableError, UnauthenticatedError } from '../../../functions/stop-processor-task-version/errors';
import { SigningKey, startJwtIssuer, type JwtIssuerStandIn } from '../../../local/stand-ins/jwt-issuer';
import { captureError, collectErrorText } from '../../support/unit/error-text';

const ISSUER = 'https://issuer.example.com/pool-1';
const AUDIENCES = ['app-1', 'app-2'];
const KID = 'test-key-1';

let signingKey: SigningKey;
let issuer: JwtIssuerStandIn;

beforeAll(async () => {
  signingKey = SigningKey.generate(KID);
  issuer = await startJwtIssuer([signingKey]);
});

afterAll(async () => {
  await issuer.close();
});

function settingsFor(jwksUri: string): CallerAuthSettings {
  return { jwtIssuer: ISSUER, jwtAudiences: AUDIENCES, jwtJwksUri: new URL(jwksUri) };
}

function nowSeconds(): number {
  return Math.floor(Date.now() / 1000);
}

function claims(overrides: Record<string, unknown> = {}, now = nowSeconds()): Record<string, unknown> {
  return { iss: ISSUER, sub: 'user-1', aud: 'app-1', scope: 'openid', iat: now, nbf: now, exp: now + 600, ...overrides };
}

function withoutClaim(name: string, overrides: Record<string, unknown> = {}): Record<string, unknown> {
  const payload = claims(overrides);
  delete payload[name];
  return payload;
}

function base64Url(value: unknown): string {
  return Buffer.from(JSON.stringify(value)).toString('base64url');
}

/** Asserts a 401 whose message and causes do not contain the token or its signature. */
async function expectRejected(authenticator: CallerAuthenticator, header: string, token: string): Promise<UnauthenticatedError> {
  const error = await captureError(() => authenticator.authenticate(header));
  expect(error).toBeInstanceOf(UnauthenticatedError);
  const text = collectErrorText(error);
  expect(text).not.toContain(token);
  const signature = token.split('.')[2];
  if (signature) {
    expect(text).not.toContain(signature);
  }
  return error as UnauthenticatedError;
}

describe('CallerAuthenticator', () => {
  let authenticator: CallerAuthenticator;

  beforeEach(() => {
    authenticator = new CallerAuthenticator(settingsFor(issuer.jwksUri));
  });

  describe('valid tokens', () => {
    it('accepts a valid RS256 token', async () => {
      const token = signingKey.sign(claims({ scope: 'openid modelarts/stop' }));

      const caller = await authenticator.authenticate(`Bearer ${token}`);

      expect(caller.subject).toBe('user-1');
      expect(caller.clientId).toBe('app-1');
      expect([...caller.scopes].sort()).toEqual(['modelarts/stop', 'openid']);
    });

    it('accepts lowercase bearer scheme', async () => {
      const token = signingKey.sign(claims());

      const caller = await authenticator.authenticate(`bearer ${token}`);

      expect(caller.subject).toBe('user-1');
    });

    it('accepts surrounding whitespace', async () => {
      const token = signingKey.sign(claims());

      const caller = await authenticator.authenticate(`  Bearer ${token} `);

      expect(caller.subject).toBe('user-1');
    });

    it('accepts any configured audience', async () => {
      const token = signingKey.sign(claims({ aud: 'app-2' }));

      const caller = await authenticator.authenticate(`Bearer ${token}`);

      expect(caller.clientId).toBe('app-2');
    });

    it('accepts audience array with match', async () => {
      const token = signingKey.sign(claims({ aud: ['other-app', 'app-2'] }));

      const caller = await authenticator.authenticate(`Bearer ${token}`);

      expect(caller.subject).toBe('user-1');
      expect(caller.clientId).toBe('app-2');
    });

    it('reports matched aud, not client_id', async () => {
      const token = signingKey.sign(claims({ aud: 'app-1', client_id: 'unchecked-client' }));

      const caller = await authenticator.authenticate(`Bearer ${token}`);

      expect(caller.clientId).toBe('app-1');
    });

    it('collects scopes from scp array', async () => {
      const token = signingKey.sign(withoutClaim('scope', { scp: ['modelarts/stop', 'profile'] }));

      const caller = await authenticator.authenticate(`Bearer ${token}`);

      expect([...caller.scopes].sort()).toEqual(['modelarts/stop', 'profile']);
    });

    it('collects scopes from scp string', async () => {
      const token = signingKey.sign(withoutClaim('scope', { scp: 'modelarts/stop' }));

      const caller = await authenticator.authenticate(`Bearer ${token}`);

      expect([...caller.scopes]).toEqual(['modelarts/stop']);
    });

    it('merges scope and scp claims', async () => {
      const token = signingKey.sign(claims({ scope: 'a  b', scp: ['c', 42] }));

      const caller = await authenticator.authenticate(`Bearer ${token}`);

      expect([...caller.scopes].sort()).toEqual(['a', 'b', 'c']);
    });
  });

  describe('Authorization header', () => {
    it.each([
      ['undefined', undefined],
      ['empty', ''],
      ['blank', '   '],
    ])('rejects %s header without error code', async (_case, header) => {
      const error = await captureError(() => authenticator.authenticate(header));

      expect(error).toBeInstanceOf(UnauthenticatedError);
      const rejected = error as UnauthenticatedError;
      expect(rejected.statusCode).toBe(401);
      expect(rejected.headers['www-authenticate']).toBe('Bearer realm="modelarts-stop-proxy"');
    });

    it('rejects Basic scheme', async () => {
      const error = await expectRejected(authenticator, 'Basic dXNlcjpwYXNzd29yZA==', 'dXNlcjpwYXNzd29yZA==');

      expect(error.headers['www-authenticate']).toBe('Bearer realm="modelarts-stop-proxy", error="invalid_token"');
    });

    it('rejects token without scheme', async () => {
      const token = signingKey.sign(claims());

      await expectRejected(authenticator, token, token);
    });

    it('rejects two comma-joined tokens', async () => {
      const first = signingKey.sign(claims());
      const second = signingKey.sign(claims({ sub: 'user-2' }));

      await expectRejected(authenticator, `Bearer ${first}, Bearer ${second}`, first);
      await expectRejected(authenticator, `Bearer ${first},${second}`, first);
    });

    it('rejects two space-separated tokens', async () => {
      const token = signingKey.sign(claims());

      await expectRejected(authenticator, `Bearer ${token} ${token}`, token);
    });

    it('rejects token over 8 KB', async () => {
      const token = signingKey.sign(claims({ padding: 'x'.repeat(9000) }));

      const error = await expectRejected(authenticator, `Bearer ${token}`, token);

      expect(error.message).toBe('The Authorization header is longer than 8192 characters.');
    });

    it('rejects undecodable JWT parts', async () => {
      const token = 'bm90LWpzb24.bm90LWpzb24.c2lnbmF0dXJl';

      await expectRejected(authenticator, `Bearer ${token}`, token);
    });
  });

  describe('claims', () => {
    it('rejects expired token', async () => {
      const now = nowSeconds();
      const token = signingKey.sign(claims({ iat: now - 7200, nbf: now - 7200, exp: now - 3600 }));

      const error = await expectRejected(authenticator, `Bearer ${token}`, token);

      expect(error.message).toBe('The bearer token has expired.');
    });

    it('rejects token without exp', async () => {
      const withoutExp = claims();
      delete withoutExp.exp;
      const token = signingKey.sign(withoutExp);

      const error = await expectRejected(authenticator, `Bearer ${token}`, token);

      expect(error.message).toBe('The bearer token has no exp claim.');
    });

    it('rejects future nbf', async () => {
      const now = nowSeconds();
      const token = signingKey.sign(claims({ nbf: now + 3600, exp: now + 7200 }));

      const error = await expectRejected(authenticator, `Bearer ${token}`, token);

      expect(error.message).toBe('The bearer token is not valid yet.');
    });

    it('rejects wrong issuer', async () => {
      const token = signingKey.sign(claims({ iss: 'https://evil.example.com/pool-1' }));

      const error = await expectRejected(authenticator, `Bearer ${token}`, token);

      expect(error.message).toBe('The bearer token has an issuer that is not accepted.');
    });

    it('rejects issuer with trailing slash', async () => {
      const token = signingKey.sign(claims({ iss: `${ISSUER}/` }));

      await expectRejected(authenticator, `Bearer ${token}`, token);
    });

    it('rejects wrong audience', async () => {
      const token = signingKey.sign(claims({ aud: 'other-app' }));

      const error = await expectRejected(authenticator, `Bearer ${token}`, token);

      expect(error.message).toBe('The token audience is not accepted.');
    });

    it('accepts client_id without aud', async () => {
      const token = signingKey.sign(withoutClaim('aud', { client_id: 'app-2', token_use: 'access' }));

      const caller = await authenticator.authenticate(`Bearer ${token}`);

      expect(caller.clientId).toBe('app-2');
    });

    it('ignores client_id when aud present', async () => {
      const token = signingKey.sign(claims({ aud: 'other-app', client_id: 'app-1' }));

      await expectRejected(authenticator, `Bearer ${token}`, token);
    });

    it('rejects unknown client_id', async () => {
      const token = signingKey.sign(withoutClaim('aud', { client_id: 'other-app' }));

      await expectRejected(authenticator, `Bearer ${token}`, token);
    });

    it('rejects token without aud or client_id', async () => {
      const token = signingKey.sign(withoutClaim('aud'));

      await expectRejected(authenticator, `Bearer ${token}`, token);
    });

    it('rejects token without sub', async () => {
      const token = signingKey.sign(withoutClaim('sub'));

      const error = await expectRejected(authenticator, `Bearer ${token}`, token);

      expect(error.message).toBe('The token has no sub claim.');
    });

    it('rejects empty sub', async () => {
      const token = signingKey.sign(claims({ sub: '' }));

      await expectRejected(authenticator, `Bearer ${token}`, token);
    });
  });

  describe('clock skew', () => {
    const pinnedSeconds = 1_800_000_000;

    beforeEach(async () => {
      // Keys are loaded before the clock is pinned, so only the claim checks see the pinned time.
      await authenticator.preloadKeys();
      jest.spyOn(Date, 'now').mockReturnValue(pinnedSeconds * 1000);
    });

    afterEach(() => {
      jest.restoreAllMocks();
    });

    it('uses a 30 second leeway', () => {
      expect(CLOCK_SKEW_SECONDS).toBe(30);
    });

    it('accepts exp within leeway', async () => {
      const token = signingKey.sign(claims({ exp: pinnedSeconds - CLOCK_SKEW_SECONDS, nbf: pinnedSeconds - 600 }, pinnedSeconds));

      const caller = await authenticator.authenticate(`Bearer ${token}`);

      expect(caller.subject).toBe('user-1');
    });

    it('rejects exp just outside leeway', async () => {
      const token = signingKey.sign(claims({ exp: pinnedSeconds - CLOCK_SKEW_SECONDS - 1, nbf: pinnedSeconds - 600 }, pinnedSeconds));

      const error = await expectRejected(authenticator, `Bearer ${token}`, token);

      expect(error.message).toBe('The bearer token has expired.');
    });

    it('accepts nbf within leeway', async () => {
      const token = signingKey.sign(claims({ nbf: pinnedSeconds + CLOCK_SKEW_SECONDS }, pinnedSeconds));

      const caller = await authenticator.authenticate(`Bearer ${token}`);

      expect(caller.subject).toBe('user-1');
    });

    it('rejects nbf just outside leeway', async () => {
      const token = signingKey.sign(claims({ nbf: pinnedSeconds + CLOCK_SKEW_SECONDS + 1 }, pinnedSeconds));

      const error = await expectRejected(authenticator, `Bearer ${token}`, token);

      expect(error.message).toBe('The bearer token is not valid yet.');
    });
  });

  describe('signature and algorithm', () => {
    it('rejects other key with same kid', async () => {
      const impostor = SigningKey.generate(KID);
      const token = impostor.sign(claims());

      const error = await expectRejected(authenticator, `Bearer ${token}`, token);

      expect(error.message).toBe('The bearer token has an invalid signature.');
    });

    it('rejects altered payload', async () => {
      const [header, , signature] = signingKey.sign(claims()).split('.');
      const token = `${header}.${base64Url(claims({ sub: 'admin' }))}.${signature}`;

      await expectRejected(authenticator, `Bearer ${token}`, token);
    });

    it('rejects unknown kid', async () => {
      const stranger = SigningKey.generate('unknown-kid');
      const token = stranger.sign(claims());

      const error = await expectRejected(authenticator, `Bearer ${token}`, token);

      expect(error.message).toBe('The bearer token is signed with an unknown key.');
    });

    it('rejects missing kid', async () => {
      const token = signingKey.sign(claims(), { kid: undefined });

      await expectRejected(authenticator, `Bearer ${token}`, token);
    });

    it('rejects HS256 forged with public key', async () => {
      // Prepare: the classic algorithm-confusion forgery uses the RSA public key as the HMAC secret.
      const publicKeyPem = createPublicKey({ key: signingKey.publicJwk() as never, format: 'jwk' })
        .export({ type: 'spki', format: 'pem' })
        .toString();
      const signingInput = `${base64Url({ alg: 'HS256', typ: 'JWT', kid: KID })}.${base64Url(claims())}`;
      const token = `${signingInput}.${createHmac('sha256', publicKeyPem).update(signingInput).digest('base64url')}`;

      // Act
      const error = await expectRejected(authenticator, `Bearer ${token}`, token);

      // Assess
      expect(error.message).toBe('The bearer token must be signed with RS256.');
    });

    it('rejects alg none without signature', async () => {
      const token = `${base64Url({ alg: 'none', typ: 'JWT' })}.${base64Url(claims())}.`;

      const error = await expectRejected(authenticator, `Bearer ${token}`, token);

      expect(error.message).toBe('The bearer token is not a well-formed JWT.');
    });

    it('rejects crit header', async () => {
      const token = signingKey.sign(claims(), { crit: ['exp'] });

      const error = await expectRejected(authenticator, `Bearer ${token}`, token);

      expect(error.message).toBe('The bearer token has a crit header, and no extension is supported.');
    });

    it('rejects forged issuer before signature', async () => {
      // A forged token: unknown issuer and a signature from a key the JWKS does not hold.
      const token = SigningKey.generate(KID).sign(claims({ iss: 'https://forged.example.com/pool-9' }));

      const error = await expectRejected(authenticator, `Bearer ${token}`, token);

      // The issuer check runs first, so aws-jwt-verify never caches a key for the forged issuer.
      expect(error.message).toBe('The bearer token has an issuer that is not accepted.');
      expect(error.cause).toBeUndefined();
    });

    it('rejects alg none with signature', async () => {
      const token = `${base64Url({ alg: 'none', typ: 'JWT', kid: KID })}.${base64Url(claims())}.c2lnbmF0dXJl`;

      const error = await expectRejected(authenticator, `Bearer ${token}`, token);

      expect(error.message).toBe('The bearer token must be signed with RS256.');
    });

    it('rejects ES256 token', async () => {
      const { privateKey } = generateKeyPairSync('ec', { namedCurve: 'P-256' });
      const signingInput = `${base64Url({ alg: 'ES256', typ: 'JWT', kid: KID })}.${base64Url(claims())}`;
      const signature = signDigest('sha256', Buffer.from(signingInput), { key: privateKey, dsaEncoding: 'ieee-p1363' });
      const token = `${signingInput}.${signature.toString('base64url')}`;

      const error = await expectRejected(authenticator, `Bearer ${token}`, token);

      expect(error.message).toBe('The bearer token must be signed with RS256.');
    });

    it.each(['RS384', 'RS512'])('rejects RSA token with %s', async (alg) => {
      const hash = alg === 'RS384' ? 'RSA-SHA384' : 'RSA-SHA512';
      const { privateKey } = generateKeyPairSync('rsa', { modulusLength: 2048 });
      const signingInput = `${base64Url({ alg, typ: 'JWT', kid: KID })}.${base64Url(claims())}`;
      const token = `${signingInput}.${createSign(hash).update(signingInput).sign(privateKey).toString('base64url')}`;

      const error = await expectRejected(authenticator, `Bearer ${token}`, token);

      expect(error.message).toBe('The bearer token must be signed with RS256.');
    });

    it('rejects RS256 header with missing alg', async () => {
      const token = signingKey.sign(claims(), { alg: undefined });

      await expectRejected(authenticator, `Bearer ${token}`, token);
    });
  });

  describe('JWKS', () => {
    it('fetches JWKS once for many tokens', async () => {
      // Prepare
      const ownIssuer = await startJwtIssuer([signingKey]);
      const ownAuthenticator = new CallerAuthenticator(settingsFor(ownIssuer.jwksUri));
      const tokens = Array.from({ length: 10 }, (_, index) => signingKey.sign(claims({ sub: `user-${index}` })));

      try {
        // Act
        const concurrent = await Promise.all(tokens.slice(0, 5).map((token) => ownAuthenticator.authenticate(`Bearer ${token}`)));
        const sequential = [];
        for (const token of tokens.slice(5)) {
          sequential.push(await ownAuthenticator.authenticate(`Bearer ${token}`));
        }

        // Assess
        expect([...concurrent, ...sequential].map((caller) => caller.subject)).toEqual(tokens.map((_, index) => `user-${index}`));
        expect(ownIssuer.jwksRequests).toBe(1);
      } finally {
        await ownIssuer.close();
      }
    });

    it('preloads JWKS before first request', async () => {
      const ownIssuer = await startJwtIssuer([signingKey]);
      const ownAuthenticator = new CallerAuthenticator(settingsFor(ownIssuer.jwksUri));

      try {
        await ownAuthenticator.preloadKeys();
        await ownAuthenticator.authenticate(`Bearer ${signingKey.sign(claims())}`);

        expect(ownIssuer.jwksRequests).toBe(1);
      } finally {
        await ownIssuer.close();
      }
    });

    it('picks up a rotated key', async () => {
      // Prepare
      const ownIssuer = await startJwtIssuer([signingKey]);
      const ownAuthenticator = new CallerAuthenticator(settingsFor(ownIssuer.jwksUri));
      const nextKey = SigningKey.generate('test-key-2');

      try {
        await ownAuthenticator.authenticate(`Bearer ${signingKey.sign(claims())}`);
        ownIssuer.setKeys([signingKey, nextKey]);

        // Act
        const caller = await ownAuthenticator.authenticate(`Bearer ${nextKey.sign(claims({ sub: 'rotated' }))}`);

        // Assess
        expect(caller.subject).toBe('rotated');
        expect(ownIssuer.jwksRequests).toBe(2);
      } finally {
        await ownIssuer.close();
      }
    });

    it('maps JWKS 503 to TokenKeysUnavailableError', async () => {
      // Prepare
      const ownIssuer = await startJwtIssuer([signingKey]);
      ownIssuer.setDown(true);
      const ownAuthenticator = new CallerAuthenticator(settingsFor(ownIssuer.jwksUri));
      const token = signingKey.sign(claims());

      try {
        // Act
        const error = await captureError(() => ownAuthenticator.authenticate(`Bearer ${token}`));

        // Assess
        expect(error).toBeInstanceOf(TokenKeysUnavailableError);
        expect((error as TokenKeysUnavailableError).statusCode).toBe(503);
        expect(collectErrorText(error)).not.toContain(token);
      } finally {
        await ownIssuer.close();
      }
    });

    it('recovers after JWKS outage', async () => {
      const ownIssuer = await startJwtIssuer([signingKey]);
      ownIssuer.setDown(true);
      const ownAuthenticator = new CallerAuthenticator(settingsFor(ownIssuer.jwksUri));
      const token = signingKey.sign(claims());

      try {
        await expect(ownAuthenticator.authenticate(`Bearer ${token}`)).rejects.toBeInstanceOf(TokenKeysUnavailableError);
        ownIssuer.setDown(false);

        const caller = await ownAuthenticator.authenticate(`Bearer ${token}`);

        expect(caller.subject).toBe('user-1');
      } finally {
        await ownIssuer.close();
      }
    });

    it('maps refused connection to TokenKeysUnavailableError', async () => {
      // Prepare: a port that was just released has no listener.
      const closedIssuer = await startJwtIssuer([signingKey]);
      await closedIssuer.close();
      const ownAuthenticator = new CallerAuthenticator(settingsFor(closedIssuer.jwksUri));
      const token = signingKey.sign(claims());

      // Act
      const error = await captureError(() => ownAuthenticator.authenticate(`Bearer ${token}`));

      // Assess
      expect(error).toBeInstanceOf(TokenKeysUnavailableError);
      expect(collectErrorText(error)).not.toContain(token);
    });

    it('rejects preload when JWKS down', async () => {
      const ownIssuer = await startJwtIssuer([signingKey]);
      ownIssuer.setDown(true);
      const ownAuthenticator = new CallerAuthenticator(settingsFor(ownIssuer.jwksUri));

      try {
        await expect(ownAuthenticator.preloadKeys()).rejects.toThrow();
      } finally {
        await ownIssuer.close();
      }
    });

    it('rejects without JWKS fetch for bad header', async () => {
      const ownIssuer = await startJwtIssuer([signingKey]);
      const ownAuthenticator = new CallerAuthenticator(settingsFor(ownIssuer.jwksUri));

      try {
        await expect(ownAuthenticator.authenticate('Basic abc')).rejects.toBeInstanceOf(UnauthenticatedError);
        const es256 = `${base64Url({ alg: 'ES256', kid: KID })}.${base64Url(claims())}.c2ln`;
        await expect(ownAuthenticator.authenticate(`Bearer ${es256}`)).rejects.toBeInstanceOf(UnauthenticatedError);

        expect(ownIssuer.jwksRequests).toBe(0);
      } finally {
        await ownIssuer.close();
      }
    });
  });
});
