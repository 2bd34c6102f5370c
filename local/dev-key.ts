import { join } from 'node:path';
import { SigningKey } from './stand-ins/jwt-issuer';

/** Where `npm start` and `npm run token` keep the local issuer's private key. Git ignores `.local/`. */
export const DEV_KEY_PATH = join(__dirname, '..', '.local', 'dev-issuer-key.json');

/** Loads the local issuer's signing key, creating it on first use. */
export function loadDevSigningKey(): SigningKey {
  return SigningKey.loadOrCreate(DEV_KEY_PATH);
}
