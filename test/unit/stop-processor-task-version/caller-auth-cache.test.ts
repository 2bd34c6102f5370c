import { JwtVerifier } from 'aws-jwt-verify/jwt-verifier';
import {
  CallerAuthenticator,
  CLOCK_SKEW_SECONDS,
  type CallerAuthCacheOptions,
} from '../../../functions/stop-processor-task-version/caller-auth';
import { UnauthenticatedError } from '../../../functions/stop-processor-task-version/errors';
import { SigningKey, startJwtIssuer, type JwtIssuerStandIn } from '../../../local/stand-ins/jwt-issuer';

const ISSUER = 'https://issuer.example.com/pool-1';
const AUDIENCE = 'app-1';
const currentKey = SigningKey.generate('current-key');
const removedKey = SigningKey.generate('removed-key');

describe('CallerAuthenticator verified-token cache', () => {
  let issuer: JwtIssuerStandIn;
  let verifySpy: jest.SpiedFunction<typeof JwtVerifier.prototype.verify>;
  let startMs: number;

  /** Moves `Date.now()` to `offsetMs` after the start of the test. */
  function advanceTo(offsetMs: number): void {
    jest.spyOn(Date, 'now').mockReturnValue(startMs + offsetMs);
  }

  function authenticatorWith(options: CallerAuthCacheOptions = {}): CallerAuthenticator {
    return new CallerAuthenticator({ jwtIssuer: ISSUER, jwtAudiences: [AUDIENCE], jwtJwksUri: new URL(issuer.jwksUri) }, options);
  }

  /** Signs a token valid from the start of the test for `lifetimeSeconds`. */
  function tokenOf(key: SigningKey, sub: string, lifetimeSeconds = 3600): { header: string; exp: number } {
    const iat = Math.floor(startMs / 1000);
    const exp = iat + lifetimeSeconds;
    return { header: `Bearer ${key.sign({ iss: ISSUER, sub, aud: AUDIENCE, iat, nbf: iat, exp })}`, exp };
  }

  beforeEach(async () => {
    issuer = await startJwtIssuer([currentKey, removedKey]);
    verifySpy = jest.spyOn(JwtVerifier.prototype, 'verify');
    startMs = Date.now();
    advanceTo(0);
  });

  afterEach(async () => {
    jest.restoreAllMocks();
    await issuer.close();
  });

  it('reuses a verified token', async () => {
    const authenticator = authenticatorWith();
    const { header } = tokenOf(currentKey, 'user-1');

    const first = await authenticator.authenticate(header);
    const second = await authenticator.authenticate(header);

    expect(second.subject).toBe('user-1');
    expect(second).toEqual(first);
    expect(verifySpy).toHaveBeenCalledTimes(1);
  });

  it('verifies each distinct token', async () => {
    const authenticator = authenticatorWith();

    await authenticator.authenticate(tokenOf(currentKey, 'user-1').header);
    const other = await authenticator.authenticate(tokenOf(currentKey, 'user-2').header);

    expect(other.subject).toBe('user-2');
    expect(verifySpy).toHaveBeenCalledTimes(2);
  });

  it('does not reuse a rejected token', async () => {
    // Prepare: a token signed with the right kid but another key fails verification.
    const authenticator = authenticatorWith();
    const impostor = SigningKey.generate('current-key');
    const { header } = tokenOf(impostor, 'user-1');
    await expect(authenticator.authenticate(header)).rejects.toBeInstanceOf(UnauthenticatedError);

    // Act
    const again = authenticator.authenticate(header);

    // Assess
    await expect(again).rejects.toBeInstanceOf(UnauthenticatedError);
    expect(verifySpy).toHaveBeenCalledTimes(2);
  });

  it('stops reuse at exp', async () => {
    // Prepare: the token expires before the entry's maximum age would end.
    const authenticator = authenticatorWith();
    const { header, exp } = tokenOf(currentKey, 'user-1', 120);
    await authenticator.authenticate(header);

    // Act
    jest.spyOn(Date, 'now').mockReturnValue(exp * 1000 - 1);
    await authenticator.authenticate(header);
    const callsBeforeExp = verifySpy.mock.calls.length;
    jest.spyOn(Date, 'now').mockReturnValue(exp * 1000);
    const atExp = await authenticator.authenticate(header);

    // Assess: at exp the token is verified again, which accepts it within the clock-skew leeway.
    expect(callsBeforeExp).toBe(1);
    expect(verifySpy).toHaveBeenCalledTimes(2);
    expect(atExp.subject).toBe('user-1');
  });

  it('rejects after exp and leeway', async () => {
    const authenticator = authenticatorWith();
    const { header, exp } = tokenOf(currentKey, 'user-1', 120);
    await authenticator.authenticate(header);
    jest.spyOn(Date, 'now').mockReturnValue((exp + CLOCK_SKEW_SECONDS + 1) * 1000);

    const error = await authenticator.authenticate(header).then(() => undefined, (caught: unknown) => caught);

    expect(error).toBeInstanceOf(UnauthenticatedError);
    expect((error as UnauthenticatedError).message).toBe('The bearer token has expired.');
  });

  it('stops reuse at max age', async () => {
    const authenticator = authenticatorWith({ verifiedTokenMaxAgeMs: 1000 });
    const { header } = tokenOf(currentKey, 'user-1');
    await authenticator.authenticate(header);

    advanceTo(999);
    await authenticator.authenticate(header);
    const callsBeforeMaxAge = verifySpy.mock.calls.length;
    advanceTo(1000);
    await authenticator.authenticate(header);

    expect(callsBeforeMaxAge).toBe(1);
    expect(verifySpy).toHaveBeenCalledTimes(2);
  });

  it('bounds the number of tokens', async () => {
    // Prepare
    const authenticator = authenticatorWith({ verifiedTokenMaxEntries: 2 });
    const [first, second, third] = ['user-1', 'user-2', 'user-3'].map((sub) => tokenOf(currentKey, sub).header) as [string, string, string];
    for (const header of [first, second, third]) {
      await authenticator.authenticate(header);
    }

    // Act
    await authenticator.authenticate(third);
    await authenticator.authenticate(second);
    const callsForKept = verifySpy.mock.calls.length;
    await authenticator.authenticate(first);

    // Assess: the oldest token made room for the third and is verified again.
    expect(callsForKept).toBe(3);
    expect(verifySpy).toHaveBeenCalledTimes(4);
  });

  it('rejects a removed key after JWKS max age', async () => {
    // Prepare: the token entry outlives the JWKS, so only the JWKS download can end its reuse.
    const authenticator = authenticatorWith({ jwksMaxAgeMs: 60_000, verifiedTokenMaxAgeMs: 3_600_000 });
    const { header } = tokenOf(removedKey, 'user-1');
    await authenticator.authenticate(header);
    issuer.setKeys([currentKey]);
    advanceTo(59_999);
    const beforeMaxAge = await authenticator.authenticate(header);
    advanceTo(60_000);

    // Act
    const error = await authenticator.authenticate(header).then(() => undefined, (caught: unknown) => caught);

    // Assess
    expect(beforeMaxAge.subject).toBe('user-1');
    expect(error).toBeInstanceOf(UnauthenticatedError);
    expect((error as UnauthenticatedError).message).toBe('The bearer token is signed with an unknown key.');
  });

  it('rejects a removed key after 15 minutes', async () => {
    const authenticator = authenticatorWith();
    const { header } = tokenOf(removedKey, 'user-1');
    await authenticator.authenticate(header);
    issuer.setKeys([currentKey]);

    advanceTo(15 * 60_000 - 1);
    const beforeMaxAge = await authenticator.authenticate(header);
    advanceTo(15 * 60_000);
    const afterMaxAge = authenticator.authenticate(header);

    expect(beforeMaxAge.subject).toBe('user-1');
    await expect(afterMaxAge).rejects.toBeInstanceOf(UnauthenticatedError);
  });

  it('downloads JWKS once after max age', async () => {
    // Prepare
    const authenticator = authenticatorWith({ jwksMaxAgeMs: 60_000 });
    await authenticator.preloadKeys();
    const headers = Array.from({ length: 10 }, (_, index) => tokenOf(currentKey, `user-${index}`).header);
    advanceTo(60_000);

    // Act
    await Promise.all(headers.slice(0, 5).map((header) => authenticator.authenticate(header)));
    for (const header of headers) {
      await authenticator.authenticate(header);
    }

    // Assess
    expect(issuer.jwksRequests).toBe(2);
  });

  it('verifies once after JWKS max age', async () => {
    // Prepare
    const authenticator = authenticatorWith({ jwksMaxAgeMs: 60_000 });
    const { header } = tokenOf(currentKey, 'user-1');
    await authenticator.authenticate(header);
    advanceTo(60_000);

    // Act: the first call downloads the JWKS and verifies; the key is still published, so the rest reuse.
    for (let i = 0; i < 3; i++) {
      await authenticator.authenticate(header);
    }

    // Assess
    expect(verifySpy).toHaveBeenCalledTimes(2);
    expect(issuer.jwksRequests).toBe(2);
  });
});
