import { describeFaultMatrix } from '../faults/matrix-runner';
import { FAULT_ROWS } from '../faults/matrix-rows';
import { describeGatewayProperty } from '../property/gateway-requests';
import { describeRequestSpaceProperties } from '../property/request-space';
import { buildStopEvent } from '../support/events';
import { useIntegrationHarness } from '../support/integration-harness';
import { installSentinelTap, type SentinelTap } from './sentinel-tap';

// Values that cannot occur by chance, so finding one anywhere in the output proves a leak. The AK and SK
// have Huawei's shapes: 20 characters without whitespace or commas, and 40 characters.
const SENTINEL_CREDENTIALS = {
  ak: 'SENTINELAKQ7Z0000001',
  sk: 'sentinel-sk-2b9e7c41d05f4a3e8c6b1d2f3a4b',
  securityToken: 'sentinel-security-token-6c0d8e1f2a3b4c5d6e7f',
};
/** Carried as the `jti` claim of every token, so a decoded token in a log line shows up too. */
const SENTINEL_JWT_ID = 'sentinel-jwt-id-91f3c2a7e5d84b06';
/** The AWS secret key the SDK signs Secrets Manager calls with. */
const SENTINEL_AWS_SECRET_KEY = 'sentinel-aws-secret-key-4e8a1c6f0b3d7e92a5c1';
const SENTINELS = [...Object.values(SENTINEL_CREDENTIALS), SENTINEL_JWT_ID, SENTINEL_AWS_SECRET_KEY];

/**
 * Runs the whole fault matrix and every request-space property with planted sentinel credentials, and
 * fails when a sentinel, a JWT, a signature or an authorization header appears in any log line or
 * response body. Properties run fewer cases here than in their own suite, which runs 10,000.
 */
describe('sentinel log secrecy', () => {
  const harness = useIntegrationHarness({
    credentials: SENTINEL_CREDENTIALS,
    tokenClaims: { jti: SENTINEL_JWT_ID },
    env: { AWS_SECRET_ACCESS_KEY: SENTINEL_AWS_SECRET_KEY },
  });
  const planted = (): readonly string[] => SENTINELS;
  let tap: SentinelTap | undefined;

  beforeAll(() => {
    tap = installSentinelTap(SENTINELS);
  });

  afterAll(() => {
    tap?.restore();
  });

  afterEach(() => {
    // Each test's leaks are reported with that test, then cleared.
    const leaks = [...(tap?.leaks() ?? [])];
    tap?.clear();
    expect(leaks).toEqual([]);
  });

  describe('fault matrix', () => {
    describeFaultMatrix(harness, FAULT_ROWS, { plantedSecrets: planted });
  });

  describe('request space', () => {
    describeRequestSpaceProperties(harness, { runs: { authorization: 600, pathParameters: 600, headersAndBodies: 300 }, plantedSecrets: planted });
    describeGatewayProperty(harness, 300, planted);
  });

  it('tap sees the log output', async () => {
    // Prepare
    const loaded = await harness.loadHandler();
    const before = tap?.chunksInspected() ?? 0;

    // Act
    await harness.invoke(loaded, buildStopEvent({ token: harness.token() }));

    // Assess: the request line, the audit line and the metrics all pass the tap.
    expect((tap?.chunksInspected() ?? 0) - before).toBeGreaterThanOrEqual(2);
  });

  it('tap flags a planted leak', () => {
    // Act
    console.log(`credentials ${SENTINEL_CREDENTIALS.sk}`);
    const leaks = [...(tap?.leaks() ?? [])];
    tap?.clear();

    // Assess
    expect(leaks).toHaveLength(1);
    expect(leaks[0]?.match).toMatch(/^sentinel /);
  });
});
