import { ConfigurationError, isLoopbackHost, loadConfig } from '../../../functions/stop-processor-task-version/config';

const PROJECT_A = '0123456789abcdef0123456789abcdef';
const PROJECT_B = 'fedcba9876543210fedcba9876543210';

/** A complete, valid environment. Each test overrides or removes the variables it is about. */
const VALID_ENV: Readonly<Record<string, string>> = {
  MODELARTS_ENDPOINT: 'https://modelarts.cn-north-4.myhuaweicloud.com',
  UPSTREAM_SECRET_ID: 'modelarts-stop-proxy/ak-sk',
  JWT_ISSUER: 'https://cognito-idp.eu-west-1.amazonaws.com/eu-west-1_Example',
  JWT_AUDIENCE: 'app-client-1',
  ALLOWED_PROJECT_IDS: PROJECT_A,
};

function envWith(overrides: Record<string, string | undefined>): Record<string, string | undefined> {
  return { ...VALID_ENV, ...overrides };
}

function configurationErrorOf(env: Record<string, string | undefined>): ConfigurationError {
  try {
    loadConfig(env);
  } catch (error) {
    if (error instanceof ConfigurationError) {
      return error;
    }
    throw error;
  }
  throw new Error('expected loadConfig to throw a ConfigurationError');
}

describe('loadConfig', () => {
  it('reads every variable', () => {
    // Prepare
    const env = envWith({
      MODELARTS_ENDPOINT: 'https://modelarts.ap-southeast-1.myhuaweicloud.com/',
      UPSTREAM_SECRET_ID: 'arn:aws:secretsmanager:eu-west-1:123456789012:secret:modelarts-AbCdEf',
      JWT_AUDIENCE: 'app-1,app-2',
      JWT_JWKS_URI: 'https://keys.example.com/jwks.json',
      REQUIRED_SCOPE: 'modelarts/processor-tasks.stop',
      ALLOWED_PROJECT_IDS: `${PROJECT_A},${PROJECT_B}`,
      UPSTREAM_TIMEOUT_MS: '7000',
      SECRET_CACHE_TTL_SECONDS: '600',
      STAGE: 'prod',
    });

    // Act
    const config = loadConfig(env);

    // Assess
    expect(config.modelArtsEndpoint.href).toBe('https://modelarts.ap-southeast-1.myhuaweicloud.com/');
    expect(config.upstreamSecretId).toBe('arn:aws:secretsmanager:eu-west-1:123456789012:secret:modelarts-AbCdEf');
    expect(config.jwtIssuer).toBe(VALID_ENV.JWT_ISSUER);
    expect(config.jwtAudiences).toEqual(['app-1', 'app-2']);
    expect(config.jwtJwksUri.href).toBe('https://keys.example.com/jwks.json');
    expect(config.requiredScope).toBe('modelarts/processor-tasks.stop');
    expect([...config.allowedProjectIds]).toEqual([PROJECT_A, PROJECT_B]);
    expect(config.upstreamTimeoutMs).toBe(7000);
    expect(config.secretCacheTtlSeconds).toBe(600);
    expect(config.stage).toBe('prod');
  });

  it('applies defaults for optional variables', () => {
    const config = loadConfig(VALID_ENV);

    expect(config.upstreamTimeoutMs).toBe(5000);
    expect(config.secretCacheTtlSeconds).toBe(300);
    expect(config.requiredScope).toBeUndefined();
    expect(config.stage).toBe('local');
    expect(config.jwtJwksUri.href).toBe(`${VALID_ENV.JWT_ISSUER}/.well-known/jwks.json`);
  });

  it('treats blank optional variables as unset', () => {
    const env = envWith({ UPSTREAM_TIMEOUT_MS: '  ', SECRET_CACHE_TTL_SECONDS: '', REQUIRED_SCOPE: ' ', STAGE: ' ', JWT_JWKS_URI: '' });

    const config = loadConfig(env);

    expect(config.upstreamTimeoutMs).toBe(5000);
    expect(config.secretCacheTtlSeconds).toBe(300);
    expect(config.requiredScope).toBeUndefined();
    expect(config.stage).toBe('local');
    expect(config.jwtJwksUri.href).toBe(`${VALID_ENV.JWT_ISSUER}/.well-known/jwks.json`);
  });

  it('trims list entries and values', () => {
    const env = envWith({
      JWT_ISSUER: '  https://issuer.example.com  ',
      JWT_AUDIENCE: ' app-1 , app-2 ',
      ALLOWED_PROJECT_IDS: ` ${PROJECT_A} , ${PROJECT_B} `,
      UPSTREAM_TIMEOUT_MS: ' 250 ',
    });

    const config = loadConfig(env);

    expect(config.jwtIssuer).toBe('https://issuer.example.com');
    expect(config.jwtAudiences).toEqual(['app-1', 'app-2']);
    expect([...config.allowedProjectIds]).toEqual([PROJECT_A, PROJECT_B]);
    expect(config.upstreamTimeoutMs).toBe(250);
  });

  it('reads the process environment by default', () => {
    // Prepare
    const saved = { ...process.env };
    Object.assign(process.env, VALID_ENV, { STAGE: 'from-process-env' });

    try {
      // Act
      const config = loadConfig();

      // Assess
      expect(config.stage).toBe('from-process-env');
      expect(config.upstreamSecretId).toBe(VALID_ENV.UPSTREAM_SECRET_ID);
    } finally {
      process.env = saved;
    }
  });

  it.each(['MODELARTS_ENDPOINT', 'UPSTREAM_SECRET_ID', 'JWT_ISSUER', 'JWT_AUDIENCE', 'ALLOWED_PROJECT_IDS'])(
    'rejects missing required %s',
    (variable) => {
      const missing = configurationErrorOf(envWith({ [variable]: undefined }));
      const blank = configurationErrorOf(envWith({ [variable]: '   ' }));

      expect(missing.variable).toBe(variable);
      expect(missing.message).toContain(variable);
      expect(blank.variable).toBe(variable);
    },
  );

  it.each([
    ['MODELARTS_ENDPOINT', 'not a url'],
    ['MODELARTS_ENDPOINT', 'modelarts.cn-north-4.myhuaweicloud.com'],
    ['MODELARTS_ENDPOINT', 'http://modelarts.cn-north-4.myhuaweicloud.com'],
    ['MODELARTS_ENDPOINT', 'http://10.0.0.1'],
    ['MODELARTS_ENDPOINT', 'http://169.254.169.254'],
    ['MODELARTS_ENDPOINT', 'http://127.0.0.1.example.com'],
    ['MODELARTS_ENDPOINT', 'http://localhost.example.com'],
    ['MODELARTS_ENDPOINT', 'ftp://modelarts.example.com'],
    ['MODELARTS_ENDPOINT', 'https://modelarts.example.com/v2'],
    ['MODELARTS_ENDPOINT', 'https://modelarts.example.com/?region=x'],
    ['MODELARTS_ENDPOINT', 'https://modelarts.example.com/#top'],
    ['MODELARTS_ENDPOINT', 'https://user:password@modelarts.example.com'],
    ['JWT_JWKS_URI', 'not a url'],
    ['JWT_JWKS_URI', 'http://keys.example.com/jwks.json'],
    ['JWT_JWKS_URI', 'https://keys.example.com/jwks.json?x=1'],
    ['JWT_JWKS_URI', 'https://user@keys.example.com/jwks.json'],
    ['JWT_AUDIENCE', 'app-1,,app-2'],
    ['JWT_AUDIENCE', 'app-1,'],
    ['JWT_AUDIENCE', ','],
    ['REQUIRED_SCOPE', 'scope-a scope-b'],
    ['REQUIRED_SCOPE', 'scope-a\tscope-b'],
    ['ALLOWED_PROJECT_IDS', '*'],
    ['ALLOWED_PROJECT_IDS', `${PROJECT_A},*`],
    ['ALLOWED_PROJECT_IDS', PROJECT_A.toUpperCase()],
    ['ALLOWED_PROJECT_IDS', PROJECT_A.slice(1)],
    ['ALLOWED_PROJECT_IDS', `${PROJECT_A}0`],
    ['ALLOWED_PROJECT_IDS', `${PROJECT_A.slice(1)}g`],
    ['ALLOWED_PROJECT_IDS', `${PROJECT_A},`],
    ['ALLOWED_PROJECT_IDS', `${PROJECT_A} ${PROJECT_B}`],
    ['UPSTREAM_TIMEOUT_MS', 'abc'],
    ['UPSTREAM_TIMEOUT_MS', '99'],
    ['UPSTREAM_TIMEOUT_MS', '22001'],
    ['UPSTREAM_TIMEOUT_MS', '-5000'],
    ['UPSTREAM_TIMEOUT_MS', '5000.5'],
    ['UPSTREAM_TIMEOUT_MS', '5e3'],
    ['UPSTREAM_TIMEOUT_MS', '0x1388'],
    ['UPSTREAM_TIMEOUT_MS', '5000ms'],
    ['SECRET_CACHE_TTL_SECONDS', '0'],
    ['SECRET_CACHE_TTL_SECONDS', '86401'],
    ['SECRET_CACHE_TTL_SECONDS', '300s'],
    ['SECRET_CACHE_TTL_SECONDS', '+300'],
  ])('rejects %s=%j', (variable, value) => {
    const error = configurationErrorOf(envWith({ [variable]: value }));

    expect(error.variable).toBe(variable);
    expect(error.name).toBe('ConfigurationError');
    expect(error.message).toContain(variable);
    expect(error.message).toMatch(/expected /);
  });

  it.each([
    ['UPSTREAM_TIMEOUT_MS', '100', 'upstreamTimeoutMs', 100],
    ['UPSTREAM_TIMEOUT_MS', '22000', 'upstreamTimeoutMs', 22_000],
    ['SECRET_CACHE_TTL_SECONDS', '1', 'secretCacheTtlSeconds', 1],
    ['SECRET_CACHE_TTL_SECONDS', '86400', 'secretCacheTtlSeconds', 86_400],
  ] as const)('accepts boundary %s=%s', (variable, value, field, expected) => {
    const config = loadConfig(envWith({ [variable]: value }));

    expect(config[field]).toBe(expected);
  });

  it.each([
    'http://127.0.0.1:9000',
    'http://127.10.20.30:9000/',
    'http://localhost:9000',
    'http://[::1]:9000',
    'https://modelarts.example.com:8443',
  ])('accepts endpoint %s', (endpoint) => {
    const config = loadConfig(envWith({ MODELARTS_ENDPOINT: endpoint }));

    expect(config.modelArtsEndpoint.href).toBe(new URL(endpoint).href);
  });

  it('accepts plain http JWKS on loopback', () => {
    const config = loadConfig(envWith({ JWT_JWKS_URI: 'http://127.0.0.1:4100/.well-known/jwks.json' }));

    expect(config.jwtJwksUri.href).toBe('http://127.0.0.1:4100/.well-known/jwks.json');
  });

  it('names the endpoint form in the message', () => {
    const error = configurationErrorOf(envWith({ MODELARTS_ENDPOINT: 'http://modelarts.example.com' }));

    expect(error.message).toContain('https');
    expect(error.message).toContain('loopback');
  });

  it('keeps duplicate project ids once', () => {
    const config = loadConfig(envWith({ ALLOWED_PROJECT_IDS: `${PROJECT_A},${PROJECT_A}` }));

    expect(config.allowedProjectIds.size).toBe(1);
    expect(config.allowedProjectIds.has(PROJECT_A)).toBe(true);
  });
});

describe('loadConfig JWKS default', () => {
  it('derives JWKS from the issuer', () => {
    const config = loadConfig(envWith({ JWT_ISSUER: 'https://issuer.example.com/pool-1' }));

    expect(config.jwtJwksUri.href).toBe('https://issuer.example.com/pool-1/.well-known/jwks.json');
  });

  it('drops trailing issuer slashes', () => {
    const config = loadConfig(envWith({ JWT_ISSUER: 'https://issuer.example.com/pool-1//' }));

    expect(config.jwtIssuer).toBe('https://issuer.example.com/pool-1//');
    expect(config.jwtJwksUri.href).toBe('https://issuer.example.com/pool-1/.well-known/jwks.json');
  });

  it('prefers the explicit JWKS URI', () => {
    const config = loadConfig(envWith({ JWT_ISSUER: 'local-dev-issuer', JWT_JWKS_URI: 'https://keys.example.com/k.json' }));

    expect(config.jwtIssuer).toBe('local-dev-issuer');
    expect(config.jwtJwksUri.href).toBe('https://keys.example.com/k.json');
  });

  it.each([
    'local-dev-issuer',
    'http://issuer.example.com',
    'https://issuer.example.com/?tenant=a',
  ])('rejects derived JWKS from issuer %s', (issuer) => {
    const error = configurationErrorOf(envWith({ JWT_ISSUER: issuer }));

    expect(error.variable).toBe('JWT_JWKS_URI');
    expect(error.message).toContain('JWT_ISSUER');
  });

  it('allows derived http JWKS on loopback', () => {
    const config = loadConfig(envWith({ JWT_ISSUER: 'http://127.0.0.1:4100' }));

    expect(config.jwtJwksUri.href).toBe('http://127.0.0.1:4100/.well-known/jwks.json');
  });
});

describe('isLoopbackHost', () => {
  it.each(['127.0.0.1', '127.255.255.254', 'localhost', '[::1]'])('accepts %s', (host) => {
    expect(isLoopbackHost(host)).toBe(true);
  });

  it.each(['10.0.0.1', '169.254.169.254', '0.0.0.0', '127.0.0.1.example.com', 'localhost.example.com', '128.0.0.1', '::1x', ''])(
    'rejects %j',
    (host) => {
      expect(isLoopbackHost(host)).toBe(false);
    },
  );
});
