// Every per-diagnostic route answers the same 404 for a missing diagnostic and another client's.
import type { FastifyRequest } from 'fastify';
import type { DiagnosticRecord } from '../diagnostics/record.js';
import type { DiagnosticStore } from '../store/diagnostic-store.js';
import { clientOf } from './auth.js';
import { ProblemError } from './problem.js';

export async function ownedRecord(store: Pick<DiagnosticStore, 'get'>, req: FastifyRequest<{ Params: { id: string } }>): Promise<DiagnosticRecord> {
  const record = await store.get(req.params.id);
  if (!record || record.clientId !== clientOf(req)) throw new ProblemError(404, 'DIAGNOSTIC_NOT_FOUND', `no diagnostic ${req.params.id}`);
  return record;
}
