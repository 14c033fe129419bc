// The test messages: a unique token in a header and in the subject, so that the receive check finds
// them and the cleanup deletes exactly them and nothing else in the mailbox.
import { randomBytes } from 'node:crypto';

export const TOKEN_HEADER = 'X-Exdiag-Token';

export const newToken = (): string => `exdiag-${randomBytes(12).toString('hex')}`;

export interface TestMessage {
  from: string;
  to: string;
  token: string;
  /** What the message tests, shown in its subject and body. */
  purpose: 'send' | 'receive';
  diagnosticId: string;
  date?: Date;
}

const domainOf = (addr: string) => addr.slice(addr.lastIndexOf('@') + 1) || 'diagnostics.invalid';

/** An RFC 5322 message, CRLF line ends, ASCII only. */
export function buildTestMessage(m: TestMessage): string {
  const date = (m.date ?? new Date()).toUTCString().replace('GMT', '+0000');
  const lines = [
    `From: <${m.from}>`,
    `To: <${m.to}>`,
    `Subject: [exdiag ${m.token}] mailbox diagnostic (${m.purpose} test)`,
    `Date: ${date}`,
    `Message-ID: <${m.token}@${domainOf(m.from)}>`,
    `${TOKEN_HEADER}: ${m.token}`,
    `X-Exdiag-Diagnostic: ${m.diagnosticId.replace(/[^\w.:-]/g, "")}`,
    'Auto-Submitted: auto-generated',
    'MIME-Version: 1.0',
    'Content-Type: text/plain; charset=us-ascii',
    'Content-Transfer-Encoding: 7bit',
    '',
    `This message was sent by a mailbox diagnostic (${m.purpose} test) and is deleted automatically.`,
    `Diagnostic: ${m.diagnosticId.replace(/[^\w.:-]/g, "")}`,
    '',
  ];
  return lines.join('\r\n');
}
