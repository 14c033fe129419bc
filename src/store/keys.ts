// Every Redis key of the service, built from the deployment prefix. Account addresses appear in
// keys only as digests (keys show up in monitoring tools; addresses are personal data).
// Every key expires; ttl.ts says for how long. All start with the prefix, and so share its hash
// tag under Redis Cluster (`{exdiag}:…`): one slot, so scripts and MULTI may touch any of them.
import { hash } from 'node:crypto';

/** One admission asks for the same account's digest several times: the last one is kept. */
let last: { account: string; digest: string } | undefined;

export const accountDigest = (account: string): string => {
  if (last?.account === account) return last.digest;
  const digest = hash('sha256', account.trim().toLowerCase(), 'hex').slice(0, 32);
  last = { account, digest };
  return digest;
};

export function storeKeys(prefix: string) {
  return {
    diag: (id: string) => `${prefix}:diag:${id}`,
    diagPrefix: `${prefix}:diag:`,
    events: (id: string) => `${prefix}:events:${id}`,
    /** zset: every diagnostic of a client, score = creation time (ms); trimmed and expiring like the records. */
    byClient: (client: string) => `${prefix}:idx:${client}`,
    /** zset: a client's diagnostics of one account. */
    byAccount: (client: string, account: string) => `${prefix}:idx:${client}:acct:${accountDigest(account)}`,
    /** string: the client's queued/running diagnostic for an account. */
    active: (client: string, account: string) => `${prefix}:active:${client}:${accountDigest(account)}`,
    /** zset: a client's recent diagnostics of an account (its 429 THROTTLED counts only its own). */
    throttle: (client: string, account: string) => `${prefix}:throttle:${client}:${accountDigest(account)}`,
    /** zset: planned start times of an account's diagnostics, all clients (the lockout budget). */
    accountBudget: (account: string) => `${prefix}:budget:${accountDigest(account)}`,
    /** zset: a client's queued or running diagnostics (its maxActive cap), pruned lazily. */
    inflight: (client: string) => `${prefix}:inflight:${client}`,
    idempotency: (client: string, keyDigest: string) => `${prefix}:idem:${client}:${keyDigest}`,
    /** counter with TTL: the client's POSTs in its rate window (the name @fastify/rate-limit gave it). */
    rateLimit: (client: string) => `${prefix}:ratelimit:POST/v1/diagnostics-${client}`,
    /** string with TTL: a cancel was asked while a worker may hold the job. */
    cancel: (id: string) => `${prefix}:cancel:${id}`,
    /** pub/sub channel of cancel requests (message = diagnostic id). */
    cancelChannel: `${prefix}:cancel`,
  };
}

export type StoreKeys = ReturnType<typeof storeKeys>;
