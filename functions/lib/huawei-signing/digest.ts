import { createHash, createHmac } from 'node:crypto';

/** Computes the lowercase hex SHA-256 digest of the UTF-8 bytes of `data`. */
export function sha256Hex(data: string): string {
  return createHash('sha256').update(data, 'utf8').digest('hex');
}

/** Computes the lowercase hex HMAC-SHA256 of the UTF-8 bytes of `data`, keyed with the UTF-8 bytes of `key`. */
export function hmacSha256Hex(key: string, data: string): string {
  return createHmac('sha256', key).update(data, 'utf8').digest('hex');
}
