import type { ModelArtsFault } from '../../local/stand-ins/modelarts';

/** One stop request in this many meets a fault. */
export const FAULT_EVERY = 10;
const HTML_PAGE = '<html><body><h1>503 Service Temporarily Unavailable</h1></body></html>';

/**
 * The faults, in the order they are used. A single 5xx or reset is retried and usually ends in a 200, a
 * no-answer or stalled body ends in a 504, a 429 passes through, and a 401 makes the proxy read the
 * secret again and retry.
 */
export const FAULT_CYCLE: readonly ModelArtsFault[] = [
  { kind: 'status', status: 503, body: HTML_PAGE, headers: { 'content-type': 'text/html' } },
  { kind: 'status', status: 500, body: '' },
  { kind: 'reset' },
  { kind: 'status', status: 429, body: '{"error_code":"APIG.0308","error_msg":"The request is throttled."}', headers: { 'retry-after': '1' } },
  { kind: 'no-answer' },
  { kind: 'status', status: 401, body: '{"error_code":"APIG.0301","error_msg":"Incorrect IAM authentication information."}' },
  { kind: 'status', status: 502, body: HTML_PAGE, headers: { 'content-type': 'text/html' } },
  { kind: 'stall-body' },
  { kind: 'status', status: 200, body: `{"padding":"${'x'.repeat(256 * 1024)}"}` },
  { kind: 'delay', delayMs: 200 },
];
