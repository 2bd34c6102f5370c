import type { Request } from 'autocannon';
import { SEEDED_VERSION, type SigningKey } from '../../local/stand-ins';
import { localTokenClaims } from '../../local/stand-ins/jwt-issuer';

/**
 * Statuses the proxy documents for this mix while ModelArts fails: success, the caller's own mistakes
 * (400, 401, 403), ModelArts' 404 and 429 passed through, and 502 and 504 for ModelArts faults. Anything
 * else, a 500 or a 503 above all, means a fault escaped its mapping.
 */
export const EXPECTED_STATUSES: readonly number[] = [200, 400, 401, 403, 404, 429, 502, 504];

function stopPath(projectId: string, taskId: string, versionId: string): string {
  return `/v2/${projectId}/processor-tasks/${taskId}/versions/${versionId}/stop`;
}

/**
 * Builds the request cycle each connection repeats: half valid stops of the seeded version, the rest
 * invalid in one way each. Tokens are signed once here, valid for one hour.
 */
export function buildRequestMix(signingKey: SigningKey): Request[] {
  const now = Math.floor(Date.now() / 1000);
  const valid = signingKey.sign(localTokenClaims(now));
  const expired = signingKey.sign({ ...localTokenClaims(now - 7200), exp: now - 3600 });
  const unscoped = signingKey.sign({ ...localTokenClaims(now), scope: 'openid' });
  const unknownKid = signingKey.sign(localTokenClaims(now), { kid: 'load-unknown-kid' });
  const { projectId, taskId, versionId } = SEEDED_VERSION;
  const seeded = stopPath(projectId, taskId, versionId);
  const post = (path: string, token?: string): Request => ({
    method: 'POST',
    path,
    headers: token === undefined ? {} : { authorization: `Bearer ${token}` },
  });

  return [
    post(seeded, valid),
    post(seeded, valid),
    post(stopPath(projectId, taskId, 'unknownVersion'), valid),
    post(seeded, valid),
    post(seeded),
    post(seeded, valid),
    post(seeded, expired),
    post(seeded, valid),
    post(stopPath(projectId, 'bad.task', versionId), valid),
    post(seeded, valid),
    post(stopPath('ffffffffffffffffffffffffffffffff', taskId, versionId), valid),
    post(seeded, unscoped),
    post(seeded, unknownKid),
    post(seeded, `${valid.slice(0, -4)}AAAA`),
  ];
}
