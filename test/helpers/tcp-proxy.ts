/**
 * A TCP proxy in front of a server, which a test cuts (every open connection destroyed, new ones
 * refused) and restores on the same port: a database outage without touching the shared server.
 */
import net from "node:net";

/** A proxy to `target` on a loopback port. */
export class TcpProxy {
  private server: net.Server | undefined;
  private readonly sockets = new Set<net.Socket>();
  private listenPort = 0;

  constructor(private readonly target: { host: string; port: number }) {}

  /** The port the proxy listens on. */
  get port(): number {
    return this.listenPort;
  }

  /** Starts listening (on the same port again after a cut). */
  async start(): Promise<void> {
    const server = net.createServer((client) => {
      const upstream = net.connect(this.target);
      for (const socket of [client, upstream]) {
        this.sockets.add(socket);
        socket.on("close", () => this.sockets.delete(socket));
        socket.on("error", () => {
          client.destroy();
          upstream.destroy();
        });
      }
      client.pipe(upstream).pipe(client);
    });
    await new Promise<void>((resolve, reject) => {
      server.once("error", reject);
      server.listen(this.listenPort, "127.0.0.1", () => resolve());
    });
    this.listenPort = (server.address() as net.AddressInfo).port;
    this.server = server;
  }

  /** The outage: stops listening and destroys every open connection. */
  async cut(): Promise<void> {
    const server = this.server;
    this.server = undefined;
    const closed = new Promise<void>((resolve) => (server ? server.close(() => resolve()) : resolve()));
    for (const socket of this.sockets) socket.destroy();
    await closed;
  }

  /** The end of the outage. */
  restore(): Promise<void> {
    return this.start();
  }
}
