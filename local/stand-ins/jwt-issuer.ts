import { createPrivateKey, createPublicKey, createSign, generateKeyPairSync, randomUUID, type KeyObject } from 'node:crypto';
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { dirname } from 'node:path';
import { startJsonServer, type RunningServer } from './json-server';

/** Issuer name of local tokens. It is not a URL, so no default JWKS location can point off the machine. */
export const LOCAL_ISSUER = 'local-dev-issuer';
/** App client id that local tokens carry in `aud`. */
export const LOCAL_AUDIENCE = 'local-app';
/** Scope that local tokens carry and the local proxy requires. */
export const LOCAL_SCOPE = 'modelarts/processor-tasks.stop';

interface StoredKey {
  readonly kid: string;
  readonly privateKeyPem: string;
}

/** An RSA signing key with its key id. */
export class SigningKey {
  private constructor(
    readonly kid: string,
    private readonly privateKey: KeyObject,
  ) {}

  /** Generates a new RSA-2048 key. */
  static generate(kid: string = randomUUID()): SigningKey {
    const { privateKey } = generateKeyPairSync('rsa', { modulusLength: 2048 });
    return new SigningKey(kid, privateKey);
  }

  /**
   * Loads the key stored at `path`, or generates and stores one. `npm start` and `npm run token` share
   * this file, so a token printed in one shell verifies in the server started in another.
   */
  static loadOrCreate(path: string): SigningKey {
    try {
      const stored = JSON.parse(readFileSync(path, 'utf8')) as StoredKey;
      return new SigningKey(stored.kid, createPrivateKey(stored.privateKeyPem));
    } catch {
      const key = SigningKey.generate();
      mkdirSync(dirname(path), { recursive: true });
      const stored: StoredKey = { kid: key.kid, privateKeyPem: key.privateKey.export({ type: 'pkcs8', format: 'pem' }).toString() };
      writeFileSync(path, JSON.stringify(stored), { mode: 0o600 });
      return key;
    }
  }

  /** Returns the public half as a JWK for the JWKS document. */
  publicJwk(): Record<string, unknown> {
    const jwk = createPublicKey(this.privateKey).export({ format: 'jwk' });
    return { ...jwk, kid: this.kid, alg: 'RS256', use: 'sig' };
  }

  /** Signs a JWT with RS256. `header` entries override the defaults, which lets tests forge bad tokens. */
  sign(payload: Record<string, unknown>, header: Record<string, unknown> = {}): string {
    const encodedHeader = base64Url(JSON.stringify({ alg: 'RS256', typ: 'JWT', kid: this.kid, ...header }));
    const encodedPayload = base64Url(JSON.stringify(payload));
    const signingInput = `${encodedHeader}.${encodedPayload}`;
    const signature = createSign('RSA-SHA256').update(signingInput).sign(this.privateKey);
    return `${signingInput}.${signature.toString('base64url')}`;
  }
}

/** Claims of a valid local token, valid for one hour from `nowSeconds`. */
export function localTokenClaims(nowSeconds = Math.floor(Date.now() / 1000)): Record<string, unknown> {
  return {
    iss: LOCAL_ISSUER,
    sub: 'local-user',
    aud: LOCAL_AUDIENCE,
    scope: LOCAL_SCOPE,
    iat: nowSeconds,
    nbf: nowSeconds,
    exp: nowSeconds + 3600,
  };
}

function base64Url(text: string): string {
  return Buffer.from(text).toString('base64url');
}

/** A running JWKS endpoint. */
export interface JwtIssuerStandIn extends RunningServer {
  readonly jwksUri: string;
  /** Number of JWKS downloads served. */
  readonly jwksRequests: number;
  /** Replaces the published keys, to simulate a key rotation. */
  setKeys(keys: readonly SigningKey[]): void;
  /** Makes the endpoint return 503 while `down` is true. */
  setDown(down: boolean): void;
}

/** Serves a JWKS for `keys` on 127.0.0.1 at `/.well-known/jwks.json`. */
export async function startJwtIssuer(keys: readonly SigningKey[], port = 0): Promise<JwtIssuerStandIn> {
  let published = [...keys];
  let down = false;
  let jwksRequests = 0;

  const server = await startJsonServer(port, (request) => {
    if (request.method !== 'GET' || request.path !== '/.well-known/jwks.json') {
      return { status: 404, body: { message: 'Not Found' } };
    }
    jwksRequests++;
    if (down) {
      return { status: 503, body: { message: 'Service Unavailable' } };
    }
    return { status: 200, body: { keys: published.map((key) => key.publicJwk()) } };
  });

  return {
    ...server,
    jwksUri: `${server.url}/.well-known/jwks.json`,
    get jwksRequests() {
      return jwksRequests;
    },
    setKeys: (next) => {
      published = [...next];
    },
    setDown: (value) => {
      down = value;
    },
  };
}
