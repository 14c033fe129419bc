// A TCP port nobody listens on at this instant (the kernel picks it), for a throwaway server such as
// a private redis-server. Shared by the lab, the tests and the bench.
import { createServer } from 'node:net';

export function freePort(host = '127.0.0.1'): Promise<number> {
  return new Promise((resolve, reject) => {
    const srv = createServer();
    srv.once('error', reject);
    srv.listen(0, host, () => {
      const { port } = srv.address() as { port: number };
      srv.close(() => resolve(port));
    });
  });
}
