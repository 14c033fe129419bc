// Every request the Exchange stand-ins receive, without secrets: host, path, and whether it
// carried an Authorization header (scheme and user name only). Tests prove from this log which
// hosts were, and were not, sent credentials. JSON lines in `<standins dir>/requests.log`.
import { appendFile } from 'node:fs/promises';
import { basicCredentials, type StandinRequest } from './http-util.js';

export interface RequestEntry {
  event: 'request';
  scheme: 'http' | 'https';
  host: string;
  method: string;
  path: string;
  /** `none`, or the Authorization scheme in lower case (`basic`, `negotiate`, …). */
  authorization: string;
  /** The Basic user name, when there was one (never the password). */
  user?: string;
  /** The POX request's EMailAddress, when the body is one. */
  email?: string;
  at: string;
}

export interface RequestLog {
  record(req: StandinRequest, scheme: 'http' | 'https'): Promise<void>;
}

const emailOf = (body: Buffer): string | undefined =>
  /<(?:[\w.-]+:)?EMailAddress>([^<]*)<\//.exec(body.toString('utf8'))?.[1]?.trim() || undefined;

export function requestLog(file: string, now: () => Date = () => new Date()): RequestLog {
  return {
    async record(req, scheme) {
      const header = req.headers.authorization;
      const entry: RequestEntry = {
        event: 'request', scheme, host: req.host, method: req.method, path: req.path,
        authorization: header ? header.trim().split(/\s+/)[0].toLowerCase() : 'none',
        ...(basicCredentials(req) ? { user: basicCredentials(req)!.user } : {}),
        ...(emailOf(req.body) ? { email: emailOf(req.body) } : {}),
        at: now().toISOString(),
      };
      // Written before the answer goes out, so a client that got its answer finds the line.
      await appendFile(file, `${JSON.stringify(entry)}\n`);
    },
  };
}
