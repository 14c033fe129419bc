// `exdiag client new` produces credentials the service accepts: the entry loads as CLIENTS_FILE and
// the key's digest is the one the API compares against.
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { parseCommand, UsageError } from '../../src/cli/args.js';
import { newClient } from '../../src/cli/client-command.js';
import { loadConfig, sha256 } from '../../src/config/index.js';

test('client new: parsed, and its entry is a valid CLIENTS_FILE that knows only the key digest', () => {
  assert.deepEqual(parseCommand(['client', 'new', 'ticketing', '--webhook-url', 'https://t.example/h']), { kind: 'client-new', clientId: 'ticketing', webhookUrl: 'https://t.example/h' });
  assert.throws(() => parseCommand(['client', 'new', 'bad id!']), UsageError);
  assert.throws(() => parseCommand(['client', 'delete', 'x']), UsageError);
  const c = newClient('ticketing', 'https://t.example/h');
  assert.match(c.apiKey, /^exd_[A-Za-z0-9_-]{43}$/);
  assert.match(c.webhookSecret, /^whsec_[A-Za-z0-9+/=]{44}$/);
  const dir = mkdtempSync(join(tmpdir(), 'exdiag-clients-'));
  try {
    const file = join(dir, 'clients.json');
    writeFileSync(file, JSON.stringify([c.entry]));
    const config = loadConfig({ CLIENTS_FILE: file });
    const client = config.clients.get('ticketing')!;
    assert.deepEqual(client.keyDigests, [sha256(c.apiKey)]);
    assert.deepEqual(client.webhookSecrets, [c.webhookSecret]);
    assert.equal(client.webhookUrl, 'https://t.example/h');
    assert.ok(!JSON.stringify(c.entry).includes(c.apiKey));
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});
