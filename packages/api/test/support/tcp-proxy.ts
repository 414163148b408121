import { connect, createServer, type Server, type Socket } from "node:net";

/**
 * A TCP proxy the test controls, standing between an agent and the server: a network partition
 * without root or iptables. `cut()` drops every open connection (both sides reset) and refuses
 * new ones until `heal()`: to the agent it looks like the server's host became unreachable.
 */
export class TcpProxy {
  private readonly sockets = new Set<Socket>();
  private cutOff = false;
  /** Connections accepted and forwarded, and refused while cut. */
  accepted = 0;
  refused = 0;

  private constructor(
    private readonly server: Server,
    readonly port: number,
  ) {}

  /** Listens on a free loopback port and forwards every connection to `targetPort`. */
  static async start(targetPort: number, targetHost = "127.0.0.1"): Promise<TcpProxy> {
    let proxy: TcpProxy | undefined;
    const server = createServer((client) => proxy!.onConnection(client, targetPort, targetHost));
    await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
    const address = server.address();
    if (!address || typeof address === "string") throw new Error("proxy has no port");
    proxy = new TcpProxy(server, address.port);
    return proxy;
  }

  get url(): string {
    return `http://127.0.0.1:${this.port}`;
  }

  get isCut(): boolean {
    return this.cutOff;
  }

  /** The partition: every open connection is reset, new ones are reset as they arrive. */
  cut(): void {
    this.cutOff = true;
    for (const socket of this.sockets) socket.resetAndDestroy();
    this.sockets.clear();
  }

  /**
   * Postgres stopped: every open connection is reset and the port is closed, so a new connection
   * is refused (ECONNREFUSED) rather than accepted and dropped. (A connection accepted and then
   * closed cleanly can leave postgres.js retrying the query that opened it for ever: it reconnects
   * while that first query is pending, and each close cancels its connect timeout.)
   */
  async refuse(): Promise<void> {
    this.cut();
    if (this.server.listening) await new Promise<void>((resolve) => this.server.close(() => resolve()));
  }

  /** Ends the cut (and listens on the same port again after `refuse`). */
  async heal(): Promise<void> {
    this.cutOff = false;
    if (!this.server.listening)
      await new Promise<void>((resolve) => this.server.listen(this.port, "127.0.0.1", resolve));
  }

  async close(): Promise<void> {
    await this.refuse();
  }

  private onConnection(client: Socket, targetPort: number, targetHost: string): void {
    if (this.cutOff) {
      this.refused++;
      client.resetAndDestroy();
      return;
    }
    this.accepted++;
    const upstream = connect(targetPort, targetHost);
    for (const [a, b] of [
      [client, upstream],
      [upstream, client],
    ] as const) {
      this.sockets.add(a);
      a.pipe(b);
      // Either side failing ends both, as a broken path would.
      a.on("error", () => b.destroy());
      a.on("close", () => {
        this.sockets.delete(a);
        b.destroy();
      });
    }
  }
}
