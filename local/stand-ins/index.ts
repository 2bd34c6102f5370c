import { randomBytes } from 'node:crypto';
import type { HuaweiCredentials } from '../../functions/lib/huawei-signing';
import { LOCAL_AUDIENCE, LOCAL_ISSUER, LOCAL_SCOPE, SigningKey, startJwtIssuer, type JwtIssuerStandIn } from './jwt-issuer';
import { SEEDED_VERSION, startModelArts, type ModelArtsStandIn } from './modelarts';
import { startSecretsManager, type SecretsManagerStandIn } from './secrets-manager';

export { LOCAL_AUDIENCE, LOCAL_ISSUER, LOCAL_SCOPE, SEEDED_VERSION, SigningKey };

/** Name of the secret that the Secrets Manager stand-in serves. */
export const LOCAL_SECRET_ID = 'modelarts-stop-proxy/local';

/** The three stand-ins, started together, and the handler environment that points at them. */
export interface StandIns {
  readonly issuer: JwtIssuerStandIn;
  readonly secretsManager: SecretsManagerStandIn;
  readonly modelArts: ModelArtsStandIn;
  /** The AK/SK stored in the secret and accepted by the ModelArts stand-in. */
  readonly credentials: HuaweiCredentials;
  /** Handler environment variables for these stand-ins. */
  readonly env: Record<string, string>;
  close(): Promise<void>;
}

/** Generates random AK/SK in Huawei's shapes: a 20-character AK and a 40-character SK. */
export function generateCredentials(): HuaweiCredentials {
  const ak = randomBytes(15).toString('base64').replace(/[^A-Z0-9]/gi, 'X').toUpperCase().slice(0, 20).padEnd(20, 'X');
  const sk = randomBytes(30).toString('base64').slice(0, 40);
  return { ak, sk };
}

/** Starts the JWT issuer, Secrets Manager and ModelArts stand-ins on 127.0.0.1. */
export async function startStandIns(signingKey: SigningKey, credentials = generateCredentials()): Promise<StandIns> {
  const issuer = await startJwtIssuer([signingKey]);
  const secretsManager = await startSecretsManager({ [LOCAL_SECRET_ID]: JSON.stringify(credentials) });
  const modelArts = await startModelArts([credentials]);

  const env = { ...upstreamStandInEnv(secretsManager, modelArts), ...issuerStandInEnv(issuer) };

  return {
    issuer,
    secretsManager,
    modelArts,
    credentials,
    env,
    close: async () => {
      await Promise.all([issuer.close(), secretsManager.close(), modelArts.close()]);
    },
  };
}

/** Handler environment for the Secrets Manager and ModelArts stand-ins, and the seeded project. */
export function upstreamStandInEnv(secretsManager: SecretsManagerStandIn, modelArts: ModelArtsStandIn): Record<string, string> {
  return {
    MODELARTS_ENDPOINT: modelArts.url,
    UPSTREAM_SECRET_ID: LOCAL_SECRET_ID,
    ALLOWED_PROJECT_IDS: SEEDED_VERSION.projectId,
    AWS_ENDPOINT_URL_SECRETS_MANAGER: secretsManager.url,
    // The SDK signs every request, so it needs some credentials and a region; the stand-in accepts any.
    // With static credentials set, the SDK never contacts an instance metadata service.
    AWS_REGION: 'us-east-1',
    AWS_ACCESS_KEY_ID: 'AKIALOCALSTANDIN0000',
    AWS_SECRET_ACCESS_KEY: 'local-stand-in-secret',
  };
}

/** Handler environment for the JWT issuer stand-in. */
export function issuerStandInEnv(issuer: JwtIssuerStandIn): Record<string, string> {
  return {
    JWT_ISSUER: LOCAL_ISSUER,
    JWT_AUDIENCE: LOCAL_AUDIENCE,
    JWT_JWKS_URI: issuer.jwksUri,
    REQUIRED_SCOPE: LOCAL_SCOPE,
  };
}
