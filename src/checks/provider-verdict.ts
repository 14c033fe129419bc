// The provider's own verdict on a DNS record (OVHcloud mxIsValid, srvIsValid, spfIsValid), put
// beside ours. Ours is from DNS as it is now and decides the status; theirs may be older or use
// another rule, and a disagreement is worth a support engineer's eye, so it is spelled out.
import type { ProviderRecordView } from '../providers/provider.js';

export interface ProviderVerdict {
  evidence: {
    /** The provider's verdict (null: it did not say). */
    valid: boolean | null;
    /** What the provider saw in DNS at its last look. */
    observed: string[] | null;
    /** What the provider expects, as it wrote it. */
    expected: string | string[] | null;
    /** Whether its verdict matches ours (null when it gave none). */
    agreesWithDns: boolean | null;
    disagreement?: string;
  };
  /** A short clause for the check's message when the two disagree. */
  note?: string;
}

export function providerVerdict(view: ProviderRecordView | undefined, ourValid: boolean, what: string, field: string): ProviderVerdict | undefined {
  if (!view) return undefined;
  const valid = view.valid ?? null;
  const agrees = valid === null ? null : valid === ourValid;
  const saw = view.observed?.length ? view.observed.join(', ') : 'nothing';
  const disagreement = agrees !== false ? undefined : valid
    ? `the provider reports the ${what} as valid (${field}: true; it saw ${saw}) but DNS does not hold what is expected now: a change after its last check, or a difference between resolvers`
    : `the provider reports the ${what} as invalid (${field}: false; it saw ${saw}) while DNS now holds what is expected: its check may predate a DNS change`;
  return {
    evidence: { valid, observed: view.observed ?? null, expected: view.expected ?? null, agreesWithDns: agrees, ...(disagreement ? { disagreement } : {}) },
    note: disagreement ? `the provider's own check disagrees (${field}: ${valid})` : undefined,
  };
}
