import { connect, createServer, type Server, type Socket } from 'node:net';

const listen = (server: Server): Promise<number> =>
  new Promise((resolve) => server.listen(0, '127.0.0.1', () => resolve((server.address() as { port: number }).port)));

const closeServer = (server: Server, sockets: Set<Socket>): Promise<void> => {
  for (const s of sockets) s.destroy();
  return new Promise((resolve) => server.close(() => resolve()));
};

/** A real TCP relay in front of an LDAP server: counts connections and can cut them all, as a firewall or restart would. */
export interface TcpProxy {
  url: string;
  /** TCP connections accepted so far. */
  readonly connections: number;
  dropAll(): void;
  /** Cuts the next connection that sends a request, dropping that request: a server dying mid-operation. */
  cutNextRequest(): void;
  close(): Promise<void>;
}

/** Starts a relay to `target` (`ldap://host:port`) on a free port. */
export const startTcpProxy = async (target: string): Promise<TcpProxy> => {
  const { hostname, port } = new URL(target);
  const sockets = new Set<Socket>();
  let connections = 0;
  let cutNext = false;
  const server = createServer((client) => {
    connections++;
    const upstream = connect(Number(port), hostname);
    for (const s of [client, upstream]) {
      sockets.add(s);
      s.on('close', () => sockets.delete(s));
      s.on('error', () => (client.destroy(), upstream.destroy()));
    }
    client.on('data', (chunk: Buffer) => {
      if (cutNext) {
        cutNext = false;
        client.destroy();
        upstream.destroy();
      } else upstream.write(chunk);
    });
    upstream.pipe(client);
  });
  const localPort = await listen(server);
  return {
    url: `ldap://127.0.0.1:${localPort}`,
    get connections() {
      return connections;
    },
    dropAll: () => sockets.forEach((s) => s.destroy()),
    cutNextRequest: () => {
      cutNext = true;
    },
    close: () => closeServer(server, sockets),
  };
};

/** A peer that accepts TCP connections and never answers: the hung directory a timeout exists for. */
export interface SilentServer {
  url: string;
  /** TCP connections accepted so far. */
  readonly connections: number;
  /** Resolves when the next request arrives (on any connection): from then on, the client waits for its answer. */
  nextRequest(): Promise<void>;
  close(): Promise<void>;
}

/** Starts a silent server on a free port. */
export const startSilentServer = async (): Promise<SilentServer> => {
  const sockets = new Set<Socket>();
  let connections = 0;
  const waiting: (() => void)[] = [];
  const server = createServer((s) => {
    connections++;
    sockets.add(s);
    s.on('error', () => undefined);
    s.on('close', () => sockets.delete(s));
    s.on('data', () => waiting.splice(0).forEach((resolve) => resolve()));
  });
  const port = await listen(server);
  return {
    url: `ldap://127.0.0.1:${port}`,
    get connections() {
      return connections;
    },
    nextRequest: () => new Promise<void>((resolve) => waiting.push(resolve)),
    close: () => closeServer(server, sockets),
  };
};

/** A port nothing listens on (bound, then released). */
export const closedPort = async (): Promise<number> => {
  const server = createServer();
  const port = await listen(server);
  await new Promise<void>((resolve) => server.close(() => resolve()));
  return port;
};
