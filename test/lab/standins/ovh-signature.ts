// Authenticates a request the way api.ovh.com does: application key, consumer key, a timestamp
// close to server time and "$1$" + SHA-1 of secret+consumer+METHOD+URL+body+timestamp.
import { createHash, timingSafeEqual } from 'node:crypto';
import type { StandinRequest } from './http-util.js';

export interface OvhCredentials {
  appKey: string;
  appSecret: string;
  consumerKey: string;
}

export interface OvhError {
  status: number;
  body: { errorCode: string; httpCode: string; message: string };
}

/** Largest accepted distance between X-Ovh-Timestamp and server time, seconds. */
export const MAX_CLOCK_SKEW_S = 120;

const error = (status: number, errorCode: string, message: string): OvhError => ({
  status,
  body: { errorCode, httpCode: status === 400 ? '400 Bad Request' : status === 401 ? '401 Unauthorized' : '403 Forbidden', message },
});

export function ovhSignature(secret: string, consumerKey: string, method: string, url: string, body: string, timestamp: string): string {
  return `$1$${createHash('sha1').update([secret, consumerKey, method, url, body, timestamp].join('+')).digest('hex')}`;
}

const header = (req: StandinRequest, name: string): string | undefined => {
  const v = req.headers[name];
  return Array.isArray(v) ? v[0] : v;
};

const sameText = (a: string, b: string): boolean => {
  const x = Buffer.from(a);
  const y = Buffer.from(b);
  return x.length === y.length && timingSafeEqual(x, y);
};

/** undefined when the request is authentic; otherwise the error api.ovh.com would answer. */
export function verifyOvhRequest(req: StandinRequest, creds: OvhCredentials, nowSeconds: number): OvhError | undefined {
  const app = header(req, 'x-ovh-application');
  if (!app || app !== creds.appKey) return error(403, 'INVALID_KEY', 'Invalid application key');
  const consumer = header(req, 'x-ovh-consumer');
  if (!consumer) return error(401, 'NOT_CREDENTIAL', 'You must login first');
  if (consumer !== creds.consumerKey) return error(403, 'INVALID_CREDENTIAL', 'This credential does not exist');
  const ts = header(req, 'x-ovh-timestamp');
  const signature = header(req, 'x-ovh-signature');
  if (!ts || !signature || !/^\d+$/.test(ts)) return error(400, 'INVALID_SIGNATURE', 'Invalid signature');
  if (Math.abs(Number(ts) - nowSeconds) > MAX_CLOCK_SKEW_S) return error(400, 'QUERY_TIME_OUT', 'Query out of time');
  // The URL the client signed: as addressed, with or without a non-default port (the official
  // Node client signs `https://<host><path>` even when it connects to another port).
  const urls = new Set([`https://${req.hostHeader}${req.target}`, `https://${req.host}${req.target}`]);
  const body = req.body.toString('utf8');
  for (const url of urls) {
    if (sameText(signature, ovhSignature(creds.appSecret, consumer, req.method, url, body, ts))) return undefined;
  }
  return error(400, 'INVALID_SIGNATURE', 'Invalid signature');
}
