// `exdiag run`: one diagnostic in this process, no queue and no Redis, with the same checks,
// configuration and report as the service.
import { randomUUID } from 'node:crypto';
import { pino } from 'pino';
import type { Config } from '../config/index.js';
import { buildCheckDeps } from '../run/build-deps.js';
import type { DiagnosticRecord } from '../diagnostics/record.js';
import { createRegistry } from '../run/registry.js';
import { RunCancelledError, runDiagnostic, type RunEvent } from '../run/runner.js';
import { CHECK_IDS, type DiagnosticReport } from '../diagnostics/types.js';
import { createLogger } from '../logging.js';
import { resolvePlatform } from '../platforms/profile.js';
import { renderReport } from '../report/render.js';
import { UsageError, type Command } from './args.js';
import { createProgress } from './progress.js';
import { checkTimeouts } from '../run/timeouts.js';

export interface RunIo {
  stdout: NodeJS.WritableStream;
  stderr: NodeJS.WritableStream;
  signal?: AbortSignal;
  /** How stderr shows progress (default: plain lines, no colour). */
  terminal?: { tty: boolean; color: boolean };
}

/** Exit status of a run cancelled by Ctrl-C (128 + SIGINT), as shells report it. */
export const EXIT_INTERRUPTED = 130;


export async function runCommand(cmd: Extract<Command, { kind: 'run' }>, password: string, config: Readonly<Config>, io: RunIo): Promise<number> {
  const platformId = cmd.platform ?? config.DEFAULT_PLATFORM;
  const profile = config.platforms.get(platformId);
  if (!profile) throw new UsageError(`unknown platform "${platformId}" (known: ${[...config.platforms.keys()].join(', ')})`);
  const platform = resolvePlatform(platformId, profile, cmd.server, 'request');
  const checks = cmd.checks ?? [...CHECK_IDS];
  const log = createLogger(config, pino.destination({ fd: 2, sync: true }), { component: 'cli' });
  const deps = buildCheckDeps(config);
  const now = () => new Date().toISOString();
  const record: DiagnosticRecord = {
    id: randomUUID(), clientId: 'cli', account: cmd.account, platform: platformId, ...(cmd.server ? { server: cmd.server } : {}),
    checks, locale: cmd.locale, status: 'running', progress: { total: checks.length, completed: 0, running: [] },
    results: [], createdAt: now(), startedAt: now(),
  };
  const progress = createProgress({ out: io.stderr, ...(io.terminal ?? { tty: false, color: false }), lines: !cmd.json });
  const onEvent = (e: RunEvent) => {
    if (e.type === 'check.started') progress.started(e.check);
    if (e.type === 'check.finished') {
      record.progress.completed++;
      progress.finished(e.result);
    }
  };
  if (!cmd.json) io.stderr.write(`Diagnosing ${cmd.account} (platform ${platformId}, server ${platform.server}): ${checks.join(', ')}\n`);
  let report: DiagnosticReport;
  try {
    report = await runDiagnostic(
      { diagnosticId: record.id, account: cmd.account, password, platform, checks },
      { registry: createRegistry(), deps, log, deadlineMs: config.DIAGNOSTIC_DEADLINE_MS, timeouts: checkTimeouts(config), signal: io.signal, onEvent },
    );
  } catch (err) {
    if (err instanceof RunCancelledError) {
      progress.stop();
      io.stderr.write('exdiag: interrupted: the diagnostic was cancelled\n');
      return EXIT_INTERRUPTED;
    }
    throw err;
  } finally {
    progress.stop();
    await deps.net.close().catch(() => undefined);
  }
  Object.assign(record, {
    status: 'completed', results: report.checks, verdict: report.verdict, primaryCause: report.primaryCause, causes: report.causes,
    finishedAt: now(), durationMs: report.durationMs,
    progress: { total: checks.length, completed: checks.length, running: [] },
  } satisfies Partial<DiagnosticRecord>);
  io.stdout.write(cmd.json ? `${JSON.stringify(record, null, 2)}\n` : `${renderReport(record, { format: 'text', locale: cmd.locale })}\n`);
  return report.verdict === 'healthy' || report.verdict === 'degraded' ? 0 : 1;
}
