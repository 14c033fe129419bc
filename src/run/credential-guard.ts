// Lockout safety: one failed login per run at most, and no password use after it.
import type { Code } from '../diagnostics/codes.js';
import type { CheckId, CredentialGuard } from '../diagnostics/types.js';

export function createCredentialGuard(password: string): CredentialGuard & { release(check: CheckId): void } {
  let state: 'unknown' | 'verified' | 'rejected' = 'unknown';
  let holder: CheckId | undefined;
  let turn: { promise: Promise<void>; resolve: () => void } | undefined;
  const failedLogins: { check: CheckId; protocol: string }[] = [];
  const verifiedBy: { check: CheckId; protocol: string }[] = [];
  let rejectedBy: CheckId | undefined;
  let rejectedCode: Code | undefined;

  const endTurn = (check: CheckId) => {
    if (holder !== check) return;
    holder = undefined;
    const t = turn;
    turn = undefined;
    t?.resolve();
  };

  return {
    get failedLogins() { return failedLogins; },
    get rejectedBy() { return rejectedBy; },
    get rejectedCode() { return rejectedCode; },
    get verifiedBy() { return verifiedBy; },
    async acquire(check) {
      for (;;) {
        if (state === 'rejected') return undefined;
        if (state === 'verified' || holder === check) return password;
        if (!turn) {
          let resolve!: () => void;
          const promise = new Promise<void>((r) => { resolve = r; });
          turn = { promise, resolve };
          holder = check;
          return password;
        }
        await turn.promise;
      }
    },
    succeeded(check, protocol) {
      if (!verifiedBy.some((v) => v.check === check)) verifiedBy.push({ check, protocol });
      state = 'verified';
      endTurn(check);
    },
    failed(check, protocol, code = 'AUTH_FAILED') {
      failedLogins.push({ check, protocol });
      if (state !== 'verified') { state = 'rejected'; rejectedBy = check; rejectedCode = code; }
      endTurn(check);
    },
    /** Called by the runner when a check ends without a verdict on the password (e.g. unreachable). */
    release(check) { endTurn(check); },
  };
}
