// Evidence is for people and ticketing systems, and it is written to Redis on every progress
// event: a hostile server must not be able to make it megabytes. Each check's evidence gets a
// byte budget; over it, long strings and arrays are cut with a visible marker, shortest cuts first.

/** Default budget of one check's evidence, serialised as JSON, bytes. */
export const EVIDENCE_BUDGET_BYTES = 16 * 1024;

const STRING_CAPS = [4096, 1024, 256, 64];
const ARRAY_CAPS = [100, 30, 10, 3];

export interface CappedEvidence {
  evidence: Record<string, unknown>;
  /** Present when something was cut. */
  truncated?: { originalBytes: number; budgetBytes: number };
}

const size = (v: unknown) => Buffer.byteLength(JSON.stringify(v) ?? '', 'utf8');

function cut(v: unknown, maxString: number, maxArray: number, depth = 0): unknown {
  if (typeof v === 'string') {
    return v.length > maxString ? `${v.slice(0, maxString)}…[truncated ${v.length - maxString} chars]` : v;
  }
  if (Array.isArray(v)) {
    const kept = v.slice(0, maxArray).map((x) => cut(x, maxString, maxArray, depth + 1));
    if (v.length > maxArray) kept.push(`…[${v.length - maxArray} more items truncated]`);
    return kept;
  }
  if (v && typeof v === 'object') {
    if (depth > 8) return '…[nested too deep: truncated]';
    return Object.fromEntries(Object.entries(v as Record<string, unknown>).map(([k, x]) => [k, cut(x, maxString, maxArray, depth + 1)]));
  }
  return v;
}

export function capEvidence(evidence: Record<string, unknown>, budget = EVIDENCE_BUDGET_BYTES): CappedEvidence {
  const originalBytes = size(evidence);
  if (originalBytes <= budget) return { evidence };
  const truncated = { originalBytes, budgetBytes: budget };
  for (let i = 0; i < STRING_CAPS.length; i++) {
    const smaller = cut(evidence, STRING_CAPS[i], ARRAY_CAPS[i]) as Record<string, unknown>;
    if (size(smaller) <= budget) return { evidence: smaller, truncated };
  }
  // Still too big (very many keys): keep a prefix of the JSON text, clearly marked.
  // (JSON-escaping the preview can grow it, so shrink until it fits.)
  const text = JSON.stringify(evidence);
  let keep = Math.max(0, budget - 200);
  let preview = { preview: `${text.slice(0, keep)}…[truncated]` };
  while (size(preview) > budget && keep > 0) {
    keep = Math.floor(keep * 0.8);
    preview = { preview: `${text.slice(0, keep)}…[truncated]` };
  }
  return { evidence: preview, truncated };
}
