// The account, domain, autodiscover, webmail and incidents checks against the lab's real HTTPS
// stand-ins (OVHcloud API with signatures, generic provider, RDAP, Autodiscover, EWS, Statuspage).
import assert from 'node:assert/strict';
import { after, describe, test } from 'node:test';
import pino from 'pino';
import { accountCheck } from '../../src/checks/account.js';
import { autodiscoverCheck } from '../../src/checks/autodiscover.js';
import { domainCheck } from '../../src/checks/domain.js';
import { incidentsCheck } from '../../src/checks/incidents.js';
import { webmailCheck } from '../../src/checks/webmail.js';
import { loadConfig, type Config } from '../../src/config/index.js';
import { buildCheckDeps } from '../../src/run/build-deps.js';
import type { CheckDeps } from '../../src/diagnostics/deps.js';
import { runDiagnostic } from '../../src/run/runner.js';
import type { CheckDefinition, CheckId, CheckResult } from '../../src/diagnostics/types.js';
import { resolvePlatform, type ResolvedPlatform } from '../../src/platforms/profile.js';
import { failedLogins } from '../lab/logs.js';
import { mailbox, OVH, STATUS } from '../lab/scenarios.js';

const skip = !process.env.LAB_DIR && 'needs the lab: npx tsx test/lab/with-lab.ts -- node --import tsx --test test/integration/checks-http.test.ts';
const registry = new Map<CheckId, CheckDefinition>([accountCheck, domainCheck, autodiscoverCheck, webmailCheck, incidentsCheck].map((d) => [d.id, d]));
const log = pino({ level: 'silent' });
const opened: CheckDeps[] = [];

function depsFor(env: Record<string, string | undefined> = {}): { config: Config; deps: CheckDeps } {
  const config = loadConfig({ ...process.env, ...env });
  const deps = buildCheckDeps(config);
  opened.push(deps);
  return { config, deps };
}

async function run(
  account: string, checks: CheckId[],
  o: { password?: string; server?: string; platform?: string; env?: Record<string, string | undefined>; deps?: CheckDeps; platformOverride?: (p: ResolvedPlatform) => ResolvedPlatform } = {},
): Promise<Record<string, CheckResult>> {
  const { config, deps } = o.deps ? { config: loadConfig(process.env), deps: o.deps } : depsFor(o.env);
  const id = o.platform ?? config.DEFAULT_PLATFORM;
  let platform = resolvePlatform(id, config.platforms.get(id)!, o.server, 'request');
  if (o.platformOverride) platform = o.platformOverride(platform);
  const password = o.password ?? (() => { try { return mailbox(account).password; } catch { return 'Unknown-pw-1'; } })();
  const report = await runDiagnostic({ diagnosticId: `t-${Date.now()}`, account, password, platform, checks }, { registry, deps, log, deadlineMs: 60_000 });
  return Object.fromEntries(report.checks.map((c) => [c.id, c]));
}

after(async () => { await Promise.all(opened.map((d) => d.net.close())); });

describe('account check', { skip }, () => {
  for (const provider of ['ovhcloud', 'http'] as const) {
    describe(`provider ${provider}`, () => {
      const env = { PROVIDER: provider };
      const expectations: Array<[string, string | undefined, (r: CheckResult) => void]> = [
        ['healthy@healthy.test', undefined, (r) => { assert.equal(r.evidence.server, 'ex.lab.test'); }],
        ['ghost@healthy.test', 'ACCOUNT_NOT_FOUND', () => undefined],
        ['suspended@healthy.test', 'ACCOUNT_SUSPENDED', () => undefined],
        ['expired@healthy.test', 'ACCOUNT_EXPIRED', (r) => { assert.ok(Date.parse(String(r.evidence.expirationDate)) < Date.now()); }],
        ['locked@healthy.test', 'ACCOUNT_LOCKED', (r) => { assert.equal((r.evidence.lockoutPolicy as { threshold?: number }).threshold, OVH.lockout.lockoutThreshold); }],
        ['spammer@healthy.test', 'ACCOUNT_SPAM_BLOCKED', (r) => { assert.match(String(r.evidence.spamTicketNumber), /4242/); assert.match(r.message, /ticket \S*4242/); }],
        ['imapoff@healthy.test', 'PROTOCOL_DISABLED', (r) => { assert.deepEqual(r.evidence.disabledProtocols, ['imap']); assert.match(r.message, /imap/); }],
      ];
      for (const [address, code, more] of expectations) {
        test(`${address} → ${code ?? 'pass'}`, async () => {
          const r = (await run(address, ['account'], { env })).account;
          assert.equal(r.status, code ? 'fail' : 'pass', r.message);
          assert.equal(r.code, code);
          if (code) assert.ok(r.remediation?.fr.text && r.remediation.en.text);
          more(r);
        });
      }
    });
  }

  test('a login-blocking state skips password checks: zero failed logins (locked@, webmail)', async () => {
    const address = 'locked@healthy.test';
    const before = await failedLogins(address);
    const r = await run(address, ['account', 'webmail', 'autodiscover']);
    assert.equal(r.account.code, 'ACCOUNT_LOCKED');
    assert.equal(r.webmail.status, 'skipped');
    assert.deepEqual(r.webmail.skippedBecause, { check: 'account', code: 'ACCOUNT_LOCKED' });
    assert.equal(r.autodiscover.status, 'skipped');
    assert.deepEqual(await failedLogins(address), before);
  });

  test('a wrong OVH application secret → error PROVIDER_ERROR (the signature is checked)', async () => {
    const r = (await run('healthy@healthy.test', ['account'], { env: { PROVIDER: 'ovhcloud', OVH_APP_SECRET: 'wrong-secret-0000000000000000' } })).account;
    assert.equal(r.status, 'error');
    assert.equal(r.code, 'PROVIDER_ERROR');
    assert.ok(r.evidence.status === 400 || r.evidence.status === 403, JSON.stringify(r.evidence));
    assert.ok(!JSON.stringify(r).includes('wrong-secret') && !JSON.stringify(r).includes(OVH.appSecret));
  });

  test('a wrong provider token → error PROVIDER_ERROR', async () => {
    const r = (await run('healthy@healthy.test', ['account'], { env: { PROVIDER: 'http', PROVIDER_HTTP_TOKEN: 'not-the-token' } })).account;
    assert.equal(r.status, 'error');
    assert.equal(r.code, 'PROVIDER_ERROR');
  });

  test('PROVIDER=none → skipped, not applicable', async () => {
    const r = (await run('healthy@healthy.test', ['account'], { env: { PROVIDER: 'none' } })).account;
    assert.equal(r.status, 'skipped');
    assert.match(r.message, /not applicable/);
  });
});

describe('domain check (RDAP)', { skip }, () => {
  const cases: Array<[string, string, string | undefined]> = [
    ['user@healthy.test', 'pass', undefined],
    ['user@expired-domain.test', 'fail', 'DOMAIN_EXPIRED'],
    ['user@expiring.test', 'warn', 'DOMAIN_EXPIRING'],
    ['user@unregistered.test', 'fail', 'DOMAIN_NOT_REGISTERED'],
  ];
  for (const [address, status, code] of cases) {
    test(`${address.split('@')[1]} → ${code ?? status}`, async () => {
      const r = (await run(address, ['domain'])).domain;
      assert.equal(r.status, status, r.message);
      assert.equal(r.code, code);
      assert.match(String(r.evidence.url), /^https:\/\/rdap\.lab\.test\/.*domain\//);
      if (code !== 'DOMAIN_NOT_REGISTERED') assert.ok(r.evidence.expiration);
      if (code === 'DOMAIN_EXPIRING') assert.equal(r.evidence.daysLeft, 5);
    });
  }
  test('without RDAP_BASE_URL the server comes from the IANA-format bootstrap registry', async () => {
    const { deps } = depsFor({ RDAP_BASE_URL: undefined, RDAP_BOOTSTRAP_URL: 'https://rdap.lab.test/bootstrap/dns.json' });
    const healthy = (await run('user@healthy.test', ['domain'], { deps: { ...deps, settings: { ...deps.settings, rdapBaseUrl: undefined } } })).domain;
    assert.equal(healthy.status, 'pass', healthy.message);
    assert.equal(healthy.evidence.url, 'https://rdap.lab.test/domain/healthy.test');
    const expired = (await run('user@expired-domain.test', ['domain'], { deps: { ...deps, settings: { ...deps.settings, rdapBaseUrl: undefined } } })).domain;
    assert.equal(expired.code, 'DOMAIN_EXPIRED');
    const none = (await run('user@healthy.test', ['domain'], { env: { RDAP_BASE_URL: undefined, RDAP_BOOTSTRAP_URL: 'https://down.lab.test/dns.json' } })).domain;
    assert.equal(none.code, 'RDAP_ERROR');
    assert.match(none.message, /bootstrap/);
  });

  test('RDAP unreachable → error RDAP_ERROR', async () => {
    const r = (await run('user@healthy.test', ['domain'], { env: { RDAP_BASE_URL: 'https://down.lab.test/' } })).domain;
    assert.equal(r.status, 'error');
    assert.equal(r.code, 'RDAP_ERROR');
    assert.equal(r.evidence.kind, 'refused');
  });
});

describe('autodiscover check (POX)', { skip }, () => {
  test('healthy: the SRV candidate answers with EXCH settings and an EwsUrl', async () => {
    const r = (await run('healthy@healthy.test', ['autodiscover'])).autodiscover;
    assert.equal(r.status, 'pass', r.message);
    assert.equal(r.evidence.ewsUrl, 'https://ex.lab.test/EWS/Exchange.asmx');
    const attempts = r.evidence.attempts as Array<{ candidate: string; status?: number; auth: string }>;
    assert.ok(attempts.some((a) => a.candidate === 'domain'));
    assert.ok(attempts.some((a) => a.candidate === 'srv' && a.status === 200 && a.auth === 'basic'));
  });
  test('no SRV record (srv-missing.test) → AUTODISCOVER_FAILED with every candidate listed', async () => {
    const r = (await run('user@srv-missing.test', ['autodiscover'])).autodiscover;
    assert.equal(r.status, 'fail', r.message);
    assert.equal(r.code, 'AUTODISCOVER_FAILED');
    const kinds = (r.evidence.attempts as Array<{ candidate: string }>).map((a) => a.candidate);
    assert.deepEqual([...new Set(kinds)], ['domain', 'autodiscover-host', 'http-redirect', 'srv']);
  });
  test('wrong password → AUTH_FAILED, exactly one failed login', async () => {
    const address = 'wrongpw-http@healthy.test';
    const before = await failedLogins(address);
    const r = (await run(address, ['autodiscover'], { password: 'Definitely-wrong-1' })).autodiscover;
    assert.equal(r.status, 'fail', r.message);
    assert.equal(r.code, 'AUTH_FAILED');
    assert.equal((await failedLogins(address)).http - before.http, 1);
  });
});

describe('webmail check (EWS)', { skip }, () => {
  test('healthy: signed in with Basic, GetFolder inbox NoError', async () => {
    const r = (await run('healthy@healthy.test', ['webmail'])).webmail;
    assert.equal(r.status, 'pass', r.message);
    const soap = r.evidence.soap as { responseCode: string; totalCount?: number };
    assert.equal(soap.responseCode, 'NoError');
    assert.equal(typeof soap.totalCount, 'number');
    assert.ok((r.evidence.ews as { authSchemes: string[] }).authSchemes.includes('basic'));
    assert.ok((r.evidence.owa as { status?: number }).status);
  });
  test('nobasic.lab.test → BASIC_AUTH_DISABLED, schemes in evidence, no password sent', async () => {
    const address = 'healthy@healthy.test';
    const before = await failedLogins(address);
    const r = (await run(address, ['webmail'], { server: 'nobasic.lab.test' })).webmail;
    assert.equal(r.status, 'fail', r.message);
    assert.equal(r.code, 'BASIC_AUTH_DISABLED');
    const schemes = (r.evidence.ews as { authSchemes: string[] }).authSchemes;
    assert.ok(schemes.includes('negotiate') || schemes.includes('ntlm'));
    assert.ok(!schemes.includes('basic'));
    assert.equal(r.evidence.ewsAuthenticated, undefined);
    assert.deepEqual(await failedLogins(address), before);
  });
  test('expired.lab.test → TLS_INVALID before any credentials', async () => {
    const r = (await run('healthy@healthy.test', ['webmail'], { server: 'expired.lab.test' })).webmail;
    assert.equal(r.status, 'fail', r.message);
    assert.equal(r.code, 'TLS_INVALID');
    assert.equal((r.evidence.ews as { kind?: string }).kind, 'tls');
  });
  test('down.lab.test → WEBMAIL_UNREACHABLE', async () => {
    const r = (await run('healthy@healthy.test', ['webmail'], { server: 'down.lab.test' })).webmail;
    assert.equal(r.status, 'fail', r.message);
    assert.equal(r.code, 'WEBMAIL_UNREACHABLE');
  });
  test('wrong password → AUTH_FAILED, one failed EWS login', async () => {
    const address = 'wrongpw-http@healthy.test';
    const before = await failedLogins(address);
    const r = (await run(address, ['webmail'], { password: 'Definitely-wrong-2' })).webmail;
    assert.equal(r.status, 'fail', r.message);
    assert.equal(r.code, 'AUTH_FAILED');
    assert.equal((await failedLogins(address)).http - before.http, 1);
    assert.ok(!JSON.stringify(r).includes('Definitely-wrong-2'));
  });
});

describe('incidents check (Statuspage)', { skip }, () => {
  test('lab: no open incident → pass', async () => {
    const r = (await run('healthy@healthy.test', ['incidents'])).incidents;
    assert.equal(r.status, 'pass', r.message);
  });
  test('lab-incident → warn INCIDENT_OPEN with name and shortlink', async () => {
    const r = (await run('healthy@healthy.test', ['incidents'], { platform: 'lab-incident' })).incidents;
    assert.equal(r.status, 'warn', r.message);
    assert.equal(r.code, 'INCIDENT_OPEN');
    const [i] = r.evidence.incidents as Array<{ name: string; shortlink: string; components: string[] }>;
    assert.equal(i.name, STATUS.incident.name);
    assert.equal(i.shortlink, STATUS.incident.shortlink);
  });
  test('no status page → skipped; unreachable → error STATUS_PAGE_ERROR', async () => {
    const none = (await run('healthy@healthy.test', ['incidents'], { platformOverride: (p) => ({ ...p, statusPage: undefined }) })).incidents;
    assert.equal(none.status, 'skipped');
    const down = (await run('healthy@healthy.test', ['incidents'], { platformOverride: (p) => ({ ...p, statusPage: { url: 'https://down.lab.test/api/v2', components: [] } }) })).incidents;
    assert.equal(down.status, 'error');
    assert.equal(down.code, 'STATUS_PAGE_ERROR');
  });
});
