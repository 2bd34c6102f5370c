import { get } from 'node:http';
import type { StandInCounters } from '../stand-ins/protocol';

/** Reads the stand-in counters from `GET <controlUrl>/counters` on loopback. */
export function readCounters(controlUrl: string): Promise<StandInCounters> {
  return new Promise((resolve, reject) => {
    // A fresh connection per read, so the counters endpoint never shares a pooled socket with measured calls.
    const req = get(`${controlUrl}/counters`, { agent: false }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (chunk: Buffer) => chunks.push(chunk));
      res.on('end', () => {
        if (res.statusCode !== 200) {
          reject(new Error(`stand-in counters endpoint returned status ${res.statusCode}`));
          return;
        }
        resolve(JSON.parse(Buffer.concat(chunks).toString('utf8')) as StandInCounters);
      });
      res.on('error', reject);
    });
    req.on('error', reject);
  });
}
