// What clients see of a record: everything but the internal owner id and planned start (a later
// start tells that other clients diagnosed the mailbox).
import type { DiagnosticRecord } from '../diagnostics/record.js';

export type PublicDiagnostic = Omit<DiagnosticRecord, 'clientId' | 'notBefore'>;

export function publicView(record: DiagnosticRecord): PublicDiagnostic {
  const { clientId: _owner, notBefore: _planned, ...rest } = record;
  return rest;
}
