// What clients see of a record: everything but the internal owner id.
import type { DiagnosticRecord } from '../diagnostics/record.js';

export type PublicDiagnostic = Omit<DiagnosticRecord, 'clientId'>;

export function publicView(record: DiagnosticRecord): PublicDiagnostic {
  const { clientId: _owner, ...rest } = record;
  return rest;
}
