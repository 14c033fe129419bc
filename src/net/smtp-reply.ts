// Reads SMTP replies (RFC 5321) and enhanced status codes (RFC 3463) out of the text servers send,
// and decides, like an MTA, whether a reply means "try again later" or "refused for good".

export interface SmtpReply {
  /** Three-digit reply code, e.g. 554. */
  code: number;
  /** Enhanced status code, e.g. "5.7.1", when the server gave one. */
  enhanced?: string;
  /** Reply text without codes, lines joined with a space. */
  text: string;
  /** The reply as the server sent it (all lines). */
  raw: string;
}

const LINE = /^(\d{3})([ -])(?:([245]\.\d{1,3}\.\d{1,3})\s+)?(.*)$/;

/** Parses a (possibly multi-line) reply; undefined when the text does not start with a reply code. */
export function parseSmtpReply(raw: string | undefined | null): SmtpReply | undefined {
  if (!raw) return undefined;
  const lines = raw.split(/\r?\n/).map((l) => l.trimEnd()).filter(Boolean);
  let code: number | undefined;
  let enhanced: string | undefined;
  const texts: string[] = [];
  for (const line of lines) {
    const m = LINE.exec(line);
    if (!m) {
      if (code === undefined) return undefined;
      texts.push(line.trim());
      continue;
    }
    code ??= Number(m[1]);
    enhanced ??= m[3];
    if (m[4]) texts.push(m[4].trim());
  }
  if (code === undefined) return undefined;
  return { code, enhanced, text: texts.join(' '), raw: lines.join('\n') };
}

export type ReplyClass = 'ok' | 'intermediate' | 'transient' | 'permanent' | 'unknown';

export function replyClass(code: number | undefined): ReplyClass {
  if (code === undefined || !Number.isInteger(code)) return 'unknown';
  const first = Math.floor(code / 100);
  if (first === 2) return 'ok';
  if (first === 3) return 'intermediate';
  if (first === 4) return 'transient';
  if (first === 5) return 'permanent';
  return 'unknown';
}

/** Reply codes that mean the credentials were refused (RFC 4954: 535 5.7.8; some servers 535 alone). */
export function isAuthRejection(reply: Pick<SmtpReply, 'code' | 'enhanced'> | undefined): boolean {
  if (!reply) return false;
  return reply.code === 535 || reply.enhanced === '5.7.8';
}

/**
 * The reply of an error raised by nodemailer's SMTP connection (fields `response`, `responseCode`,
 * `command`), or of a rejected recipient in it. Missing when the error carries no server reply.
 */
export function replyOfError(err: unknown): (SmtpReply & { command?: string }) | undefined {
  const e = err as { response?: unknown; responseCode?: unknown; command?: unknown; rejectedErrors?: unknown[] } | undefined;
  if (!e || typeof e !== 'object') return undefined;
  const fromRejected = Array.isArray(e.rejectedErrors) && e.rejectedErrors.length ? replyOfError(e.rejectedErrors[0]) : undefined;
  const parsed = typeof e.response === 'string' ? parseSmtpReply(e.response) : undefined;
  const command = typeof e.command === 'string' ? e.command : undefined;
  if (parsed) return { ...parsed, ...(command ? { command } : {}) };
  if (fromRejected) return fromRejected;
  if (typeof e.responseCode === 'number') {
    return { code: e.responseCode, text: typeof e.response === 'string' ? e.response : '', raw: String(e.response ?? e.responseCode), ...(command ? { command } : {}) };
  }
  return undefined;
}

/** JSON-friendly evidence of a reply. */
export function replyEvidence(r: SmtpReply & { command?: string }): Record<string, unknown> {
  return { responseCode: r.code, enhancedStatus: r.enhanced, response: r.raw, ...(r.command ? { command: r.command } : {}) };
}
