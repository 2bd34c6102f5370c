import { join } from 'node:path';
import { SigningKey } from './stand-ins/jwt-issuer';

/** Path of the local issuer's private key, shared by `npm start` and `npm run token`. Git ignores `.local/`. */
export const DEV_KEY_PATH = join(__dirname, '..', '.local', 'dev-issuer-key.json');

/** Loads the local issuer's signing key, creating it on first use. */
export function loadDevSigningKey(): SigningKey {
  return SigningKey.loadOrCreate(DEV_KEY_PATH);
}
