import { fromEnv, type FromEnvInit } from '@aws-sdk/credential-provider-env';
import type { AwsCredentialIdentityProvider } from '@smithy/types';

/**
 * Replaces the AWS SDK's default credential chain (`@aws-sdk/credential-provider-node`) in the handler
 * bundle with its first link, the environment provider. The SDK client's runtime configuration imports the
 * whole chain statically: SSO, INI files, process, web identity, instance metadata and the nested STS, SSO
 * and sign-in clients, about 136 KB of the minified bundle. On Lambda the chain always stops at the
 * environment, because Lambda passes the execution role's credentials in `AWS_ACCESS_KEY_ID`,
 * `AWS_SECRET_ACCESS_KEY` and `AWS_SESSION_TOKEN`.
 *
 * NOTE: the deployed bundle therefore supports only credentials from environment variables, which is what
 * Lambda provides. `AWS_PROFILE`, shared config files and instance metadata are not read. Tests and
 * `npm start` run the sources, which keep the SDK's full chain.
 *
 * NOTE: `@aws-sdk/credential-provider-env` is a dependency of `@aws-sdk/credential-provider-node`, not of
 * this project. It resolves because npm hoists it, so the version is the one the SDK client itself uses.
 *
 * @param init - the options the SDK client passes to its default provider; only `logger` is used.
 * @returns a provider that reads the environment each time the client signs a request. Unlike the chain it
 *   replaces, it keeps no memo, which costs a few variable reads per Secrets Manager call.
 */
export function defaultProvider(init?: FromEnvInit): AwsCredentialIdentityProvider {
  return fromEnv(init);
}
