// The stored diagnostic: what GET /v1/diagnostics/{id}, reports, events and webhooks show.
import type { Code } from './codes.js';
import type { CheckId, CheckResult, DiagnosticStatus, Locale, Verdict } from './types.js';

export interface DiagnosticRecord {
  id: string;
  clientId: string;
  account: string;
  platform: string;
  server?: string;
  checks: CheckId[];
  locale: Locale;
  webhookUrl?: string;
  metadata?: Record<string, unknown>;
  status: DiagnosticStatus;
  /** `queuedBehind`: while a worker holds the job but waits for an active slot (WORKER_ACTIVE_MAX), the runs ahead of it when it began to wait. */
  progress: { total: number; completed: number; running: CheckId[]; queuedBehind?: number };
  /** Results so far, in registry order (complete once status is completed). */
  results: CheckResult[];
  verdict?: Verdict;
  primaryCause?: Code;
  causes?: Code[];
  createdAt: string;
  startedAt?: string;
  finishedAt?: string;
  durationMs?: number;
  /** Why the run itself failed (status failed) — never a credential. */
  error?: { code: string; message: string };
  /**
   * Internal, never shown to clients: the planned start (epoch ms) when the account's lockout
   * budget delays the run; the worker holds the job until then.
   */
  notBefore?: number;
}
