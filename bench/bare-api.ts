// The bare limit of the enqueue path (bench figure 2), run as a process of its own like the API:
// a fastify route that parses the JSON body and does one BullMQ `queue.add` on the same Redis,
// nothing else (no auth, validation, sealing, record or index). POST /v1/diagnostics is measured
// against it in the same run. Env: PORT, REDIS_URL, REDIS_PREFIX, LOG_LEVEL (as the API's).
import { randomUUID } from 'node:crypto';
import { Queue } from 'bullmq';
import Fastify, { LogController, type FastifyReply, type FastifyRequest } from 'fastify';
import { Redis } from 'ioredis';

const connection = new Redis(process.env.REDIS_URL ?? 'redis://127.0.0.1:6379', { maxRetriesPerRequest: null });
const queue = new Queue('bench-bare', { connection, prefix: process.env.REDIS_PREFIX ?? 'bench' });
// Logged like the API (src/api/access-log.ts): one access line per request at info, the incoming
// line only at debug; pino without redaction (the bare route is handed no secret).
class OneLine extends LogController {
  override incomingRequest(request: FastifyRequest): void {
    request.log.debug({ req: request }, 'incoming request');
  }
  override requestCompleted(error: Error | null | undefined, request: FastifyRequest, reply: FastifyReply): void {
    if (error) return super.requestCompleted(error, request, reply);
    request.log.info({ req: { method: request.method, url: request.raw.url }, res: { statusCode: reply.statusCode }, responseTime: reply.elapsedTime }, 'request completed');
  }
}
const app = Fastify({ logger: { level: process.env.LOG_LEVEL ?? 'info' }, logController: new OneLine() });

app.post('/v1/diagnostics', async (req, reply) => {
  const { account, checks, metadata } = req.body as Record<string, unknown>;
  // The password stays out of Redis even here.
  const id = randomUUID();
  await queue.add('diagnostic', { id, account, checks, metadata }, { jobId: id });
  return reply.code(202).send({ id, status: 'queued' });
});

const stop = async () => {
  await app.close();
  await queue.close();
  await connection.quit().catch(() => connection.disconnect());
  process.exit(0);
};
process.once('SIGTERM', () => void stop());
process.once('SIGINT', () => void stop());

await app.listen({ host: process.env.HOST ?? '127.0.0.1', port: Number(process.env.PORT ?? 0) });
