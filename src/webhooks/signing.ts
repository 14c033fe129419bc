// Standard Webhooks signatures (https://www.standardwebhooks.com): the receiver verifies
// `v1,<base64 HMAC-SHA256(secret, "{id}.{timestamp}.{body}")>`. During a secret rotation every
// configured secret signs, space-separated, so receivers on the old or the new secret both accept.
import { Webhook } from 'standardwebhooks';

export interface SignedHeaders {
  'webhook-id': string;
  'webhook-timestamp': string;
  'webhook-signature': string;
}

export class WebhookSecretError extends Error {
  override name = 'WebhookSecretError';
}

/** Signs one attempt. `at` is the attempt time: receivers reject stale timestamps, so re-sign each time. */
export function signWebhook(secrets: readonly string[], msgId: string, at: Date, body: string): SignedHeaders {
  if (!secrets.length) throw new WebhookSecretError('no webhook secret configured for this client');
  const signature = secrets.map((s) => {
    try {
      return new Webhook(s).sign(msgId, at, body);
    } catch {
      // The library's message may quote the secret; ours never does.
      throw new WebhookSecretError('a configured webhook secret is not a valid whsec_ secret');
    }
  }).join(' ');
  return {
    'webhook-id': msgId,
    'webhook-timestamp': String(Math.floor(at.getTime() / 1000)),
    'webhook-signature': signature,
  };
}
