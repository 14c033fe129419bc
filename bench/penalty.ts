// Figure 4: Dovecot's auth penalty. After failed logins from an address, anvil makes Dovecot delay
// every login from that address (2 s, doubling, at most 15 s, while the last failure is recent) —
// and a worker's diagnostics all come from the worker's address, so one customer's wrong password
// slows every other customer's healthy diagnostic. Measured: K healthy diagnostics at once, F
// wrong-password diagnostics (IMAP login only) at once, then K other healthy ones at once. The lab
// turns the penalty off unless started with LAB_AUTH_PENALTY=1 (test/lab/dovecot.ts).
import { randomBytes } from 'node:crypto';
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { CHECK_IDS } from '../src/diagnostics/types.js';
import { bulkAddress, findBulkMailbox } from '../test/lab/bulk.js';
import { counts, fetchAll, figures, postBatch, waitForCount, type BatchFigures } from './batch.js';
import { finishedBy, type PartContext } from './scale.js';
import { ms, summarize } from './stats.js';
import { table } from './table.js';

export interface PenaltyResult {
  /** Whether the lab's Dovecot applies the penalty (from its config). */
  labPenalty: boolean | undefined;
  rounds: Array<{ label: string; f: BatchFigures }>;
}

/** Reads the lab's dovecot.conf: the lab switches the penalty off by closing anvil's socket. */
async function labPenaltyOn(): Promise<boolean | undefined> {
  const dir = process.env.LAB_DIR;
  if (!dir) return undefined;
  const conf = await readFile(join(dir, 'dovecot', 'dovecot.conf'), 'utf8').catch(() => undefined);
  return conf === undefined ? undefined : !conf.includes('anvil-auth-penalty');
}

export async function runPenalty(ctx: PartContext, o: { runs: number; failures: number; sender: string; timeoutMs: number }): Promise<PenaltyResult> {
  const w = await ctx.startWorker('worker-penalty', { TEST_MAIL_FROM: o.sender });
  const rounds: PenaltyResult['rounds'] = [];
  let next = 1;
  // Distinct mailboxes each round: the greylist then delays every round alike.
  const batch = async (label: string, count: number, wrong: boolean) => {
    const bodies = Array.from({ length: count }, () => {
      const account = bulkAddress(next++);
      return wrong
        // A different wrong password each: Dovecot does not count a repeated one again.
        ? { account, password: `wrong-${randomBytes(6).toString('hex')}`, checks: ['imap'], metadata: { bench: 'penalty' } }
        : { account, password: findBulkMailbox(account)!.password, checks: [...CHECK_IDS], metadata: { bench: 'penalty' } };
    });
    ctx.say(`   ${label}`);
    const base = await finishedBy(ctx, w);
    const posted = await postBatch(ctx.api, bodies, ctx.postVia, 32);
    const accepted = posted.filter((p) => p.id).length;
    await waitForCount(() => finishedBy(ctx, w), base, accepted, performance.now() + o.timeoutMs, 100);
    rounds.push({ label, f: figures(posted, await fetchAll(ctx.api, posted.filter((p) => p.id).map((p) => p.id!))) });
  };
  try {
    await new Promise((r) => setTimeout(r, 1000));
    await batch(`before: ${o.runs} healthy at once`, o.runs, false);
    await batch(`${o.failures} wrong passwords at once (imap only)`, o.failures, true);
    await batch(`right after: ${o.runs} other healthy at once`, o.runs, false);
  } finally {
    await w.proc.stop();
  }
  return { labPenalty: await labPenaltyOn(), rounds };
}

const p = (xs: number[] | undefined, q: 'p50' | 'p95' | 'max') => ms(summarize(xs ?? [])[q]);

export function renderPenalty(r: PenaltyResult): string {
  const state = r.labPenalty === undefined ? 'unknown' : r.labPenalty ? 'ON (LAB_AUTH_PENALTY=1)' : 'OFF (the lab default; LAB_AUTH_PENALTY=1 turns it on)';
  const out = table(`4. Dovecot auth penalty after failed logins from the worker's address — penalty in this lab: ${state}`,
    ['round', 'n', 'imap p50 ms', 'imap p95 ms', 'send p50 ms', 'send p95 ms', 'receive p50 ms', 'run p50 ms', 'run p95 ms', 'run max ms'],
    r.rounds.map(({ label, f }) => [label, f.completed, p(f.perCheck.get('imap'), 'p50'), p(f.perCheck.get('imap'), 'p95'),
      p(f.perCheck.get('send'), 'p50'), p(f.perCheck.get('send'), 'p95'), p(f.perCheck.get('receive'), 'p50'),
      p(f.runMs, 'p50'), p(f.runMs, 'p95'), p(f.runMs, 'max')]));
  const notes = r.rounds.flatMap(({ label, f }) => [
    `${label}: verdicts ${counts(f.verdicts)}; checks not passed: ${counts(f.notPassed)}`,
    ...f.errors.slice(0, 5).map((e) => `${label}: FAILED ${e}`),
  ]);
  return `${out}${notes.join('\n')}\n`;
}

/** The healthy rounds must all complete without an inconclusive verdict. */
export const penaltyFailed = (r: PenaltyResult) => r.rounds.some(({ label, f }) =>
  f.errors.length > 0 || f.completed < f.requested || (!label.includes('wrong') && (f.verdicts.get('inconclusive') ?? 0) > 0));
