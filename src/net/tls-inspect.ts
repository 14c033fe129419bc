// Certificate evidence. A failed verification ends the handshake before the client library lets us
// see the certificate, so for the evidence we open a second, credential-free TLS session that only
// reads what the server presents (like `openssl s_client`) and closes. Logins never use it.
import { connect as netConnect, type Socket } from 'node:net';
import { connect as tlsConnect, type DetailedPeerCertificate, type PeerCertificate, type TLSSocket } from 'node:tls';
import type { EgressGuard } from './egress.js';
import { parseSmtpReply } from './smtp-reply.js';
import { sharedSecureContext } from './tls-context.js';

/** A hostile server may never end its reply: what we keep of the plain-text SMTP dialogue is capped. */
export const INSPECT_MAX_REPLY_BYTES = 16 * 1024;

export interface CertSummary {
  subject?: string;
  issuer?: string;
  altNames?: string;
  validFrom?: string;
  validTo?: string;
  expired?: boolean;
  fingerprint256?: string;
}

export interface TlsInspection {
  authorized: boolean;
  authorizationError?: string;
  protocol?: string | null;
  cert?: CertSummary;
}

const dn = (o: Record<string, string | string[] | undefined> | undefined) =>
  o ? Object.entries(o).map(([k, v]) => `${k}=${Array.isArray(v) ? v.join('+') : v}`).join(', ') : undefined;

export function certSummary(cert: PeerCertificate | DetailedPeerCertificate | undefined, now = Date.now()): CertSummary | undefined {
  if (!cert || !cert.subject) return undefined;
  const validTo = cert.valid_to ? new Date(cert.valid_to) : undefined;
  return {
    subject: dn(cert.subject as unknown as Record<string, string>),
    issuer: dn(cert.issuer as unknown as Record<string, string>),
    altNames: cert.subjectaltname,
    validFrom: cert.valid_from ? new Date(cert.valid_from).toISOString() : undefined,
    validTo: validTo?.toISOString(),
    expired: validTo ? validTo.getTime() < now : undefined,
    fingerprint256: cert.fingerprint256,
  };
}

/** Summaries of the certificates seen lately, by SHA-256 fingerprint. */
const SUMMARY_CACHE_MAX = 256;
const summaries = new Map<string, CertSummary>();

/**
 * The summary of the certificate a TLS socket's peer presented, read once per connection. The
 * summary of a certificate already seen comes from a small cache (`expired` is judged again).
 * Not `getPeerX509Certificate()`, which would be lazier: on a client socket of Node 20.20 it takes
 * the certificate away (seen here: a second call returns undefined and `getPeerCertificate()`, ours
 * or a library's, an empty object afterwards).
 */
export function peerCertSummary(socket: Pick<TLSSocket, 'getPeerCertificate'>, now = Date.now()): CertSummary | undefined {
  const peer = socket.getPeerCertificate();
  const fp = peer?.fingerprint256;
  let s = fp ? summaries.get(fp) : undefined;
  if (!s) {
    s = certSummary(peer, now);
    if (!s) return undefined;
    if (fp) {
      summaries.set(fp, s);
      if (summaries.size > SUMMARY_CACHE_MAX) summaries.delete(summaries.keys().next().value as string);
    }
  }
  return s.validTo ? { ...s, expired: new Date(s.validTo).getTime() < now } : { ...s };
}

/** TLS facts of a connected socket (after a verified handshake). */
export function socketTls(socket: unknown): TlsInspection | undefined {
  const s = socket as TLSSocket | undefined;
  if (!s || typeof s.getPeerCertificate !== 'function') return undefined;
  return {
    authorized: s.authorized,
    ...(s.authorizationError ? { authorizationError: String(s.authorizationError) } : {}),
    protocol: s.getProtocol(),
    cert: peerCertSummary(s),
  };
}

export interface InspectOptions {
  address: string;
  port: number;
  servername: string;
  /** 'smtp': speak EHLO/STARTTLS first; 'implicit': TLS from the first byte. */
  mode: 'implicit' | 'smtp';
  heloName?: string;
  timeoutMs: number;
  signal?: AbortSignal;
  /** Applied to `address` before anything is dialled (net/index.ts always passes it). */
  guard?: EgressGuard;
}

/** Reads the certificate the server presents, without trusting it and without sending credentials. */
export function inspectTls(o: InspectOptions): Promise<TlsInspection | { error: string }> {
  return new Promise((resolve) => {
    let plain: Socket | undefined;
    let secure: TLSSocket | undefined;
    let settled = false;
    const done = (v: TlsInspection | { error: string }) => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      o.signal?.removeEventListener('abort', onAbort);
      secure?.destroy();
      plain?.destroy();
      resolve(v);
    };
    const onAbort = () => done({ error: 'aborted' });
    const timer = setTimeout(() => done({ error: 'timeout' }), o.timeoutMs);
    o.signal?.addEventListener('abort', onAbort, { once: true });
    const refused = o.guard?.refusal(o.address, o.servername);
    if (refused) return done({ error: `EGRESS_FORBIDDEN: ${refused}` });

    const handshake = (socket?: Socket) => {
      // Verification is evaluated (authorized/authorizationError), not enforced: this session only reads.
      // The shared context (net/tls-context.ts): same root store, no per-connection build.
      secure = tlsConnect({ ...(socket ? { socket } : { host: o.address, port: o.port }), servername: o.servername, rejectUnauthorized: false, secureContext: sharedSecureContext() }, () => {
        const s = secure!;
        done({
          authorized: s.authorized,
          ...(s.authorizationError ? { authorizationError: String((s.authorizationError as Error).message ?? s.authorizationError) } : {}),
          protocol: s.getProtocol(),
          cert: peerCertSummary(s),
        });
      });
      secure.on('error', (e) => done({ error: (e as NodeJS.ErrnoException).code ?? e.message }));
    };

    if (o.mode === 'implicit') return handshake();
    plain = netConnect({ host: o.address, port: o.port });
    plain.on('error', (e) => done({ error: (e as NodeJS.ErrnoException).code ?? e.message }));
    let buf = '';
    let step: 'greeting' | 'ehlo' | 'starttls' = 'greeting';
    plain.on('data', (chunk) => {
      buf += chunk.toString('latin1');
      if (buf.length > INSPECT_MAX_REPLY_BYTES) return done({ error: `smtp ${step}: reply longer than ${INSPECT_MAX_REPLY_BYTES} bytes` });
      // A complete reply ends with a line "ddd text" (space after the code).
      if (!/(^|\n)\d{3} [^\n]*\r?\n$/.test(buf)) return;
      const reply = parseSmtpReply(buf);
      buf = '';
      if (!reply || reply.code >= 400) return done({ error: `smtp ${step}: ${reply?.raw ?? 'bad reply'}` });
      if (step === 'greeting') { step = 'ehlo'; plain!.write(`EHLO ${o.heloName ?? 'diagnostics.invalid'}\r\n`); return; }
      if (step === 'ehlo') {
        if (!/STARTTLS/i.test(reply.raw)) return done({ error: 'server does not offer STARTTLS' });
        step = 'starttls'; plain!.write('STARTTLS\r\n'); return;
      }
      plain!.removeAllListeners('data');
      handshake(plain);
    });
  });
}
