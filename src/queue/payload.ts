// The job payload: an id and the sealed password, nothing else (the record lives in the store).

export interface DiagnosticJobData {
  diagnosticId: string;
  /** AES-256-GCM sealed password (see seal.ts), bound to diagnosticId. */
  sealed: string;
}

export class InvalidJobDataError extends Error {
  override name = 'InvalidJobDataError';
}

export function parseJobData(data: unknown): DiagnosticJobData {
  const d = data as Partial<DiagnosticJobData> | null;
  if (!d || typeof d.diagnosticId !== 'string' || typeof d.sealed !== 'string') {
    throw new InvalidJobDataError('job data must be { diagnosticId, sealed }');
  }
  return { diagnosticId: d.diagnosticId, sealed: d.sealed };
}
