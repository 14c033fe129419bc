// `exdiag client new`: credentials for a new API client. The key is shown once; the CLIENTS_FILE
// entry keeps only its SHA-256 digest, so the file can be shared with operators safely.
import { randomBytes } from 'node:crypto';
import { sha256 } from '../config/index.js';

export function newClient(clientId: string, webhookUrl?: string, random: (n: number) => Buffer = randomBytes) {
  const apiKey = `exd_${random(32).toString('base64url')}`;
  const webhookSecret = `whsec_${random(32).toString('base64')}`;
  const entry = { id: clientId, apiKeySha256: [sha256(apiKey)], ...(webhookUrl ? { webhookUrl } : {}), webhookSecrets: [webhookSecret] };
  return { apiKey, webhookSecret, entry };
}

export function clientCommand(clientId: string, webhookUrl: string | undefined, out: NodeJS.WritableStream): number {
  const c = newClient(clientId, webhookUrl);
  out.write([
    `API key for ${clientId} (give it to the client; it is not stored anywhere): ${c.apiKey}`,
    `Webhook signing secret (give it to the client; it verifies our signatures): ${c.webhookSecret}`,
    'Add this entry to the CLIENTS_FILE array:',
    JSON.stringify(c.entry, null, 2),
    '',
  ].join('\n'));
  return 0;
}
