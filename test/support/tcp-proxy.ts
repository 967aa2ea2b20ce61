// A TCP proxy that can cut a connection off for a while: the service talks to the suite's Neo4j through
// it, and an "outage" drops every Bolt connection and refuses new ones, as a stopped Neo4j does, without
// stopping the Neo4j the other test files share.
import { createServer, connect, type Server, type Socket } from 'node:net';

export interface TcpProxy {
  port: number;
  /** Drops every open connection and refuses new ones for `ms` milliseconds. */
  outage(ms: number): void;
  readonly down: boolean;
  close(): Promise<void>;
}

export async function tcpProxy(target: { host: string; port: number }): Promise<TcpProxy> {
  const sockets = new Set<Socket>();
  let downUntil = 0;
  let timer: NodeJS.Timeout | undefined;
  const track = (s: Socket) => {
    sockets.add(s);
    s.on('close', () => sockets.delete(s));
  };
  const server: Server = createServer((client) => {
    track(client);
    if (Date.now() < downUntil) {
      client.destroy();
      return;
    }
    const upstream = connect(target.port, target.host);
    track(upstream);
    client.pipe(upstream);
    upstream.pipe(client);
    const drop = () => {
      client.destroy();
      upstream.destroy();
    };
    client.on('error', drop);
    upstream.on('error', drop);
    client.on('close', drop);
    upstream.on('close', drop);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const addr = server.address();
  return {
    port: typeof addr === 'object' && addr ? addr.port : 0,
    outage(ms: number) {
      downUntil = Date.now() + ms;
      for (const s of sockets) s.destroy();
      clearTimeout(timer);
      timer = setTimeout(() => {
        downUntil = 0;
      }, ms);
    },
    get down() {
      return Date.now() < downUntil;
    },
    async close() {
      clearTimeout(timer);
      for (const s of sockets) s.destroy();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}
