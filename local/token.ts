/**
 * Prints a bearer token from the local issuer on the last line of output. The token is valid for one hour,
 * carries the local scope and is accepted by `npm start` for the seeded project.
 */
import { loadDevSigningKey } from './dev-key';
import { localTokenClaims } from './stand-ins/jwt-issuer';

const token = loadDevSigningKey().sign(localTokenClaims());
process.stdout.write(`${token}\n`);
