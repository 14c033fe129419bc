// Opens an authenticated IMAP session the way a mail client does (implicit TLS, certificate verified
// against the host name, address from the run's resolver) and says why when it cannot.
// Shared by the imap check (login only) and the receive check (waits in the mailbox).
import { ImapFlow } from 'imapflow';

/** An open, authenticated IMAP session (ImapFlow); checks only see this name. */
export type ImapSession = ImapFlow;
import type { DnsClient } from './dns.js';
import type { EgressGuard } from './egress.js';
import { classifyNetError } from './errors.js';
import { resolveHost } from './resolve-host.js';
import { inspectTls, socketTls } from './tls-inspect.js';
import { withSharedContext } from './tls-context.js';

/**
 * What we read from a server that may be hostile. ImapFlow's own defaults allow 1 GiB literals and
 * lines; a diagnostic only reads capabilities, folder lists, SEARCH answers and a few headers.
 */
export const IMAP_LIMITS = {
  maxLiteralSize: 1024 * 1024,
  maxLineLength: 1024 * 1024,
  maxResponseSize: 4 * 1024 * 1024,
  maxResponseTokens: 100_000,
} as const;

/** ImapFlow's codes for a response beyond IMAP_LIMITS. */
const IMAP_LIMIT_CODES = new Set(['LiteralTooLarge', 'LineTooLarge', 'ResponseTooLarge', 'TooManyTokens']);

export interface ImapConnectOptions {
  dns: DnsClient;
  /** Applied to the address before dialling (net/index.ts always passes it). */
  guard?: EgressGuard;
  host: string;
  port: number;
  user: string;
  password: string;
  signal: AbortSignal;
  /** Budget for connect + greeting + login, ms. */
  timeoutMs: number;
}

export type ImapFailureKind = 'auth' | 'tls' | 'unreachable' | 'other';

export type ImapConnectResult =
  | { ok: true; client: ImapFlow; evidence: Record<string, unknown> }
  | { ok: false; kind: ImapFailureKind; message: string; evidence: Record<string, unknown> };

/** Keeps the server's side of the conversation (never the client's, which carries the password). */
function transcriptLogger() {
  const lines: string[] = [];
  let loginTag: string | undefined;
  let loginResponse: string | undefined;
  const take = (o: { src?: string; msg?: unknown }) => {
    if (typeof o?.msg !== 'string') return;
    if (o.src === 'c') {
      const m = /^(\S+) (LOGIN|AUTHENTICATE)\b/i.exec(o.msg);
      if (m) loginTag = m[1];
      return;
    }
    if (o.src !== 's') return;
    if (lines.length < 20) lines.push(o.msg.slice(0, 300));
    if (loginTag && o.msg.startsWith(`${loginTag} `)) loginResponse = o.msg.slice(0, 300);
  };
  const logger = { trace: take, debug: take, info: take, warn: take, error: take, fatal: take };
  return { logger, get lines() { return lines; }, get loginResponse() { return loginResponse; } };
}

export async function connectImap(o: ImapConnectOptions): Promise<ImapConnectResult> {
  const t0 = performance.now();
  const ms = () => Math.round(performance.now() - t0);
  const resolved = await resolveHost(o.dns, o.guard, o.host);
  if (!resolved.ok) {
    return {
      ok: false, kind: 'unreachable', message: `cannot resolve ${o.host} (${resolved.reason}${resolved.error ? `: ${resolved.error}` : ''})`,
      evidence: { host: o.host, port: o.port, dns: resolved },
    };
  }
  const base = { host: o.host, address: resolved.address, port: o.port, dnsMs: resolved.ms };
  const refused = o.guard?.refusal(resolved.address, o.host);
  if (refused) {
    return { ok: false, kind: 'unreachable', message: `${o.host} (${resolved.address}) may not be reached: EGRESS_FORBIDDEN: ${refused}`, evidence: { ...base, errorCode: 'EGRESS_FORBIDDEN', error: refused } };
  }
  const t = transcriptLogger();
  const client = new ImapFlow({
    host: resolved.address, port: o.port, secure: true, servername: o.host,
    // ImapFlow merges `tls` into its tls.connect options: the process's shared SecureContext.
    tls: withSharedContext(undefined),
    auth: { user: o.user, pass: o.password },
    logger: t.logger, disableAutoIdle: true,
    connectionTimeout: o.timeoutMs, greetingTimeout: o.timeoutMs, socketTimeout: Math.max(o.timeoutMs, 30_000),
    clientInfo: { name: 'exchange-diagnostics' },
    ...IMAP_LIMITS,
  } as ConstructorParameters<typeof ImapFlow>[0]);
  client.on('error', () => { /* reported by connect() or by the command that fails */ });
  const onAbort = () => client.close();
  o.signal.addEventListener('abort', onAbort, { once: true });
  try {
    await client.connect();
    const socket = (client as unknown as { socket?: unknown }).socket;
    return {
      ok: true, client,
      evidence: {
        ...base, greeting: client.greeting, capabilities: [...client.capabilities.keys()],
        tls: socketTls(socket), loginResponse: t.loginResponse ?? 'OK', connectMs: ms(),
      },
    };
  } catch (err) {
    // Read before close: after a refused login the verified session's certificate is still there.
    const tls = socketTls((client as unknown as { socket?: unknown }).socket);
    client.close();
    const e = err as { authenticationFailed?: boolean; serverResponseCode?: string; responseStatus?: string; responseText?: string; response?: unknown; code?: string };
    const evidence: Record<string, unknown> = { ...base, greeting: client.greeting, transcript: t.lines, connectMs: ms() };
    if (o.signal.aborted) return { ok: false, kind: 'other', message: 'aborted', evidence };
    if (e.authenticationFailed) {
      const response = t.loginResponse ?? e.responseText ?? (typeof e.response === 'string' ? e.response : undefined);
      return {
        ok: false, kind: 'auth', message: `the IMAP server refused the login${e.serverResponseCode ? ` (${e.serverResponseCode})` : ''}`,
        // The tagged reply's parts as ImapFlow read them (status NO/BAD, response code, text): the
        // checks map them to a verdict (src/checks/auth-replies.ts).
        evidence: {
          ...evidence, loginResponse: response, serverResponseCode: e.serverResponseCode,
          ...(e.responseStatus ? { responseStatus: e.responseStatus } : {}), ...(typeof e.responseText === 'string' ? { responseText: e.responseText.slice(0, 300) } : {}),
          ...(tls?.authorized ? { tls } : {}),
        },
      };
    }
    // A server that breaks our read limits (a 2 GB literal, an endless line) cannot serve a mail
    // client either: the server is at fault, not our run.
    const code = (err as { code?: unknown }).code;
    if (typeof code === 'string' && IMAP_LIMIT_CODES.has(code)) {
      return {
        ok: false, kind: 'unreachable', message: `the IMAP server ${o.host} sent a response beyond what a mail client accepts (${code}: ${(err as Error).message.slice(0, 200)})`,
        evidence: { ...evidence, errorCode: code, error: (err as Error).message.slice(0, 300) },
      };
    }
    const net = classifyNetError(err);
    if (net.kind === 'tls') {
      const tls = await inspectTls({ address: resolved.address, port: o.port, servername: o.host, mode: 'implicit', timeoutMs: 5000, signal: o.signal, guard: o.guard });
      return {
        ok: false, kind: 'tls', message: `the IMAP server's certificate is not valid for ${o.host} (${net.code})`,
        evidence: { ...evidence, tlsError: net.code, error: net.message, tls },
      };
    }
    const kind: ImapFailureKind = net.kind === 'unreachable' || net.kind === 'timeout' || net.kind === 'forbidden' ? 'unreachable' : 'other';
    return {
      ok: false, kind, message: kind === 'unreachable' ? `cannot reach the IMAP server ${o.host} (${resolved.address}:${o.port}): ${net.code ?? net.message}` : `IMAP connection failed: ${net.message}`,
      evidence: { ...evidence, errorCode: net.code, error: net.message },
    };
  } finally {
    o.signal.removeEventListener('abort', onAbort);
  }
}

/** LOGOUT, falling back to closing the socket; never throws. */
export async function closeImap(client: ImapFlow): Promise<void> {
  try {
    if (client.usable) await Promise.race([client.logout(), new Promise((r) => setTimeout(r, 3000).unref())]);
  } catch { /* connection already gone */ }
  client.close();
}
