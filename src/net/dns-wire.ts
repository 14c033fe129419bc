// One DNS question to one server, on the wire: UDP first (with EDNS0, RFC 6891), then TCP when the
// answer is truncated (TC bit, RFC 1035 §4.2.1 / RFC 7766 §5) or when UDP got no answer in time
// (a burst of queries loses datagrams; TCP is retransmitted by the kernel). Reads are bounded by
// the protocol itself: one datagram, or one length-prefixed TCP message (≤ 65,535 bytes).
import { createSocket } from 'node:dgram';
import { randomInt } from 'node:crypto';
import { connect as tcpConnect } from 'node:net';
import * as packet from 'dns-packet';

export interface DnsServer {
  host: string;
  port: number;
  /** As written in evidence: `127.0.0.1:15353`, `[::1]:53`. */
  label: string;
}

export type WireType = 'A' | 'AAAA' | 'MX' | 'SRV' | 'TXT' | 'PTR';

export interface WireAnswer {
  packet: packet.DecodedPacket;
  transport: 'udp' | 'tcp';
  rcode: string;
}

/** Thrown for transport failures; `code` keeps the vocabulary of Node's resolver (ETIMEOUT, …). */
export class DnsWireError extends Error {
  override name = 'DnsWireError';
  constructor(readonly code: string, message: string) {
    super(message);
  }
}

/** Largest UDP answer we advertise (the DNS Flag Day 2020 value, avoids IP fragmentation). */
const EDNS_UDP_SIZE = 1232;

export function parseServer(s: string): DnsServer {
  const v6 = /^\[([^\]]+)\](?::(\d+))?$/.exec(s);
  if (v6) return { host: v6[1], port: Number(v6[2] ?? 53), label: `[${v6[1]}]:${v6[2] ?? 53}` };
  if (s.includes(':') && s.split(':').length > 2) return { host: s, port: 53, label: `[${s}]:53` };
  const [host, port] = s.split(':');
  return { host, port: Number(port ?? 53), label: `${host}:${port ?? 53}` };
}

function query(name: string, type: WireType): { id: number; buf: packet.Packet } {
  const id = randomInt(0, 65536);
  return {
    id,
    buf: {
      type: 'query', id, flags: packet.RECURSION_DESIRED,
      questions: [{ type, name }],
      additionals: [{ type: 'OPT', name: '.', udpPayloadSize: EDNS_UDP_SIZE } as unknown as packet.Answer],
    },
  };
}

/** The answer belongs to our question (id, and the question echoed back: RFC 5452 §9.1). */
function matches(p: packet.DecodedPacket, id: number, name: string, type: WireType): boolean {
  const q = p.questions?.[0];
  return p.id === id && !!q && q.type === type && q.name.toLowerCase() === name.toLowerCase();
}

function viaUdp(server: DnsServer, name: string, type: WireType, timeoutMs: number): Promise<packet.DecodedPacket> {
  return new Promise((resolve, reject) => {
    const { id, buf } = query(name, type);
    const sock = createSocket(server.host.includes(':') ? 'udp6' : 'udp4');
    const finish = (err: Error | null, p?: packet.DecodedPacket) => {
      clearTimeout(timer);
      sock.close();
      if (err) reject(err); else resolve(p!);
    };
    const timer = setTimeout(() => finish(new DnsWireError('ETIMEOUT', `no UDP answer from ${server.label} in ${timeoutMs} ms`)), timeoutMs);
    sock.on('error', (e: NodeJS.ErrnoException) => finish(new DnsWireError(e.code ?? 'ECONNREFUSED', `${server.label}: ${e.message}`)));
    sock.on('message', (msg) => {
      let p: packet.DecodedPacket;
      try { p = packet.decode(msg); } catch { return; } // not a DNS answer: keep waiting for ours
      if (matches(p, id, name, type)) finish(null, p);
    });
    sock.send(packet.encode(buf), server.port, server.host, (e) => { if (e) finish(new DnsWireError('ECONNREFUSED', `${server.label}: ${e.message}`)); });
  });
}

function viaTcp(server: DnsServer, name: string, type: WireType, timeoutMs: number): Promise<packet.DecodedPacket> {
  return new Promise((resolve, reject) => {
    const { id, buf } = query(name, type);
    const sock = tcpConnect({ host: server.host, port: server.port });
    let got = Buffer.alloc(0);
    const finish = (err: Error | null, p?: packet.DecodedPacket) => {
      clearTimeout(timer);
      sock.destroy();
      if (err) reject(err); else resolve(p!);
    };
    const timer = setTimeout(() => finish(new DnsWireError('ETIMEOUT', `no TCP answer from ${server.label} in ${timeoutMs} ms`)), timeoutMs);
    sock.on('error', (e: NodeJS.ErrnoException) => finish(new DnsWireError(e.code ?? 'ECONNREFUSED', `${server.label}: ${e.message}`)));
    sock.on('connect', () => sock.write(packet.streamEncode(buf)));
    sock.on('data', (chunk) => {
      got = Buffer.concat([got, chunk]);
      if (got.length < 2) return;
      const len = got.readUInt16BE(0);
      if (got.length < 2 + len) return;
      try {
        const p = packet.decode(got.subarray(2, 2 + len));
        finish(matches(p, id, name, type) ? null : new DnsWireError('EBADRESP', `${server.label}: answer to another question`), p);
      } catch {
        finish(new DnsWireError('EBADRESP', `${server.label}: malformed answer`));
      }
    });
    sock.on('end', () => finish(new DnsWireError('ECONNRESET', `${server.label} closed the connection before answering`)));
  });
}

/** Asks one server: UDP, then TCP on truncation or UDP timeout. */
export async function askServer(server: DnsServer, name: string, type: WireType, timeoutMs: number): Promise<WireAnswer> {
  let transport: 'udp' | 'tcp' = 'udp';
  let p: packet.DecodedPacket;
  try {
    p = await viaUdp(server, name, type, timeoutMs);
    if (p.flag_tc) { transport = 'tcp'; p = await viaTcp(server, name, type, timeoutMs); }
  } catch (err) {
    if ((err as DnsWireError).code !== 'ETIMEOUT') throw err;
    transport = 'tcp';
    p = await viaTcp(server, name, type, timeoutMs);
  }
  return { packet: p, transport, rcode: String((p as { rcode?: string }).rcode ?? 'NOERROR') };
}
