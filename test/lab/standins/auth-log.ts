// The stand-ins' own record of failed logins: tests count lockout-relevant attempts from here,
// as an operator would from the real server's logs. Never holds a password.
import { appendFile } from 'node:fs/promises';

export type HttpLoginProtocol = 'ews' | 'autodiscover' | 'owa';

export interface AuthLog {
  failed(user: string, protocol: HttpLoginProtocol): Promise<void>;
}

export function authLog(file: string, now: () => Date = () => new Date()): AuthLog {
  return {
    async failed(user, protocol) {
      const line = JSON.stringify({ event: 'auth_failed', user, protocol, at: now().toISOString() });
      // Written before the 401 goes out, so a client that got its answer can already count it.
      await appendFile(file, `${line}\n`);
    },
  };
}
