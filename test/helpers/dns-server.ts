// A scriptable authoritative DNS server on loopback (UDP and TCP on one port) for the resolver's
// own tests. It follows the wire rules the client relies on: the question and id echoed back
// (RFC 1035 §4.1.1), TC set when an answer does not fit a UDP reply (RFC 1035 §4.2.1), the full
// answer over TCP with a two-byte length prefix (RFC 1035 §4.2.2, RFC 7766), and negative answers
// carrying the zone's SOA in the authority section (RFC 2308 §3).
import { createSocket, type Socket as UdpSocket } from 'node:dgram';
import { createServer, type Server, type AddressInfo } from 'node:net';
import * as packet from 'dns-packet';

export interface Zone {
  /** Records by `TYPE name` (lower case, no trailing dot). */
  records: Record<string, packet.Answer[]>;
  /** SOA returned with NXDOMAIN/NODATA (its `minimum` bounds negative caching). */
  soa?: { ttl: number; minimum: number };
  /** Names that answer SERVFAIL. */
  servfail?: Set<string>;
  /** Questions of this `TYPE name` get an empty UDP reply with TC set (the answer is "too big"). */
  truncateUdp?: Set<string>;
  /** Questions of this `TYPE name` get no UDP reply at all (lost datagram). */
  dropUdp?: Set<string>;
  /** Delay before answering, ms. */
  delayMs?: number;
}

export interface DnsTestServer {
  port: number;
  server: string;
  /** Questions received, as `proto TYPE name`. */
  log: string[];
  /** Most questions being answered at one time. */
  peakInFlight: number;
  close(): Promise<void>;
}

/** UDP gets a free port; TCP may find that port taken on a busy machine: then try another one. */
export async function startDnsServer(zone: Zone): Promise<DnsTestServer> {
  for (let i = 0; ; i++) {
    try {
      return await startOnce(zone);
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code !== 'EADDRINUSE' || i >= 20) throw err;
    }
  }
}

async function startOnce(zone: Zone): Promise<DnsTestServer> {
  const log: string[] = [];
  let inFlight = 0;
  const state = { peakInFlight: 0 };

  const answer = async (msg: Buffer, proto: 'udp' | 'tcp'): Promise<Buffer | undefined> => {
    const q = packet.decode(msg);
    const question = q.questions![0];
    const key = `${question.type} ${question.name.toLowerCase()}`;
    log.push(`${proto} ${key}`);
    inFlight++;
    state.peakInFlight = Math.max(state.peakInFlight, inFlight);
    try {
      if (zone.delayMs) await new Promise((r) => setTimeout(r, zone.delayMs));
      if (proto === 'udp' && zone.dropUdp?.has(key)) return undefined;
      const base = { type: 'response' as const, id: q.id, questions: q.questions };
      if (zone.servfail?.has(question.name.toLowerCase())) return packet.encode({ ...base, flags: 2 /* SERVFAIL rcode */ });
      if (proto === 'udp' && zone.truncateUdp?.has(key)) return packet.encode({ ...base, flags: packet.TRUNCATED_RESPONSE });
      const answers = zone.records[key];
      const nameExists = Object.keys(zone.records).some((k) => k.endsWith(` ${question.name.toLowerCase()}`));
      const soa = zone.soa && [{
        type: 'SOA', name: 'test', ttl: zone.soa.ttl,
        data: { mname: 'ns.test', rname: 'hostmaster.test', serial: 1, refresh: 60, retry: 60, expire: 60, minimum: zone.soa.minimum },
      } as packet.Answer];
      if (!answers) return packet.encode({ ...base, flags: nameExists ? 0 : 3 /* NXDOMAIN rcode */, authorities: soa });
      return packet.encode({ ...base, answers });
    } finally {
      inFlight--;
    }
  };

  const udp: UdpSocket = createSocket('udp4');
  udp.on('message', (msg, rinfo) => {
    void answer(msg, 'udp').then((out) => { if (out) udp.send(out, rinfo.port, rinfo.address); });
  });
  await new Promise<void>((r) => udp.bind(0, '127.0.0.1', r));
  const port = udp.address().port;
  const tcp: Server = createServer((sock) => {
    let buf = Buffer.alloc(0);
    sock.on('data', (chunk) => {
      buf = Buffer.concat([buf, chunk]);
      if (buf.length < 2 || buf.length < 2 + buf.readUInt16BE(0)) return;
      const msg = buf.subarray(2, 2 + buf.readUInt16BE(0));
      void answer(msg, 'tcp').then((out) => {
        if (!out) return sock.destroy();
        const len = Buffer.alloc(2);
        len.writeUInt16BE(out.length);
        sock.end(Buffer.concat([len, out]));
      });
    });
    sock.on('error', () => undefined);
  });
  await new Promise<void>((resolve, reject) => { tcp.once('error', reject); tcp.listen(port, '127.0.0.1', () => resolve()); })
    .catch((err) => { udp.close(); throw err; });
  return {
    port: (tcp.address() as AddressInfo).port,
    server: `127.0.0.1:${port}`,
    log,
    get peakInFlight() { return state.peakInFlight; },
    close: async () => {
      udp.close();
      await new Promise<void>((r) => tcp.close(() => r()));
    },
  };
}

export const a = (name: string, ip: string, ttl = 60): packet.Answer => ({ type: 'A', name, ttl, data: ip } as packet.Answer);
export const mx = (name: string, exchange: string, preference: number, ttl = 60): packet.Answer =>
  ({ type: 'MX', name, ttl, data: { exchange, preference } } as packet.Answer);
/** A TXT record; text longer than 255 bytes is split into character-strings (RFC 1035 §3.3.14). */
export const txt = (name: string, text: string, ttl = 60): packet.Answer =>
  ({ type: 'TXT', name, ttl, data: text.match(/[\s\S]{1,255}/g) ?? [''] } as packet.Answer);
