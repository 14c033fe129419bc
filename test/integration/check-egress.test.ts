// The checks connect only to public addresses unless CHECK_EGRESS_ALLOWLIST says otherwise: a
// customer's DNS cannot make the workers probe loopback or the private network. Lab servers are on
// loopback, so without the lab's allowlist every connection is refused before it is made.
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import pino from 'pino';
import { request } from 'undici';
import { loadConfig } from '../../src/config/index.js';
import { buildCheckDeps } from '../../src/run/build-deps.js';
import { createRegistry } from '../../src/run/registry.js';
import { runDiagnostic } from '../../src/run/runner.js';
import { resolvePlatform } from '../../src/platforms/profile.js';
import { mailbox } from '../lab/scenarios.js';

describe('egress policy of the checks', { skip: process.env.LAB_DIR ? false : 'needs the lab (with-lab)' }, () => {
  test('without the allowlist, loopback is refused for DNS answers, IP literals, mail and HTTP', async () => {
    const config = loadConfig({ ...process.env, CHECK_EGRESS_ALLOWLIST: '', PROVIDER: 'none', LOG_LEVEL: 'silent' });
    const deps = buildCheckDeps(config);
    try {
      const a = await deps.net.dns.addresses('ex.lab.test');
      assert.equal(a.ok, false);
      assert.match(!a.ok && a.kind === 'error' ? a.error : '', /^EGRESS_FORBIDDEN: .*loopback/);
      await assert.rejects(request('https://127.0.0.1/owa/', { dispatcher: deps.net.http.dispatcher }), (e: Error & { code?: string }) => e.code === 'EGRESS_FORBIDDEN');

      const account = 'healthy@healthy.test';
      const platform = resolvePlatform('lab', config.platforms.get('lab')!, undefined);
      const report = await runDiagnostic(
        { diagnosticId: 'egress', account, password: mailbox(account).password, platform, checks: ['imap', 'webmail', 'send'] },
        { registry: createRegistry(), deps, log: pino({ level: 'silent' }), deadlineMs: 30_000 },
      );
      const by = Object.fromEntries(report.checks.map((c) => [c.id, c]));
      assert.equal(by.imap.code, 'IMAP_UNREACHABLE');
      assert.match(JSON.stringify(by.imap.evidence), /EGRESS_FORBIDDEN/);
      assert.equal(by.webmail.code, 'WEBMAIL_UNREACHABLE');
      assert.equal(by.send.code, 'SMTP_UNREACHABLE');
    } finally {
      await deps.net.close();
    }
  });

  test('with the lab allowlist the same addresses are reached', async () => {
    const config = loadConfig({ ...process.env, LOG_LEVEL: 'silent' });
    assert.deepEqual(config.CHECK_EGRESS_ALLOWLIST, ['127.0.0.0/8']);
    const deps = buildCheckDeps(config);
    try {
      const a = await deps.net.dns.addresses('ex.lab.test');
      assert.ok(a.ok && a.records.includes('127.0.0.1'));
    } finally {
      await deps.net.close();
    }
  });
});
