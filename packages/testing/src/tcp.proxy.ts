import net, { type AddressInfo } from 'node:net';

/** What the proxy does to the connections that pass through it. */
export type ProxyMode =
  /** Bytes flow both ways. */
  | 'pass'
  /** Bytes stop flowing both ways; sockets stay open, as with a dead host or a hung server. */
  | 'stall';

interface Pair {
  client: net.Socket;
  upstream: net.Socket;
  fromServer: number;
}

/**
 * A TCP proxy on 127.0.0.1 that a test puts between the product and a real
 * server (MariaDB, SMTP) to break the connection on purpose: cut it, stall it,
 * or do either once the server has sent a number of bytes (mid-stream),
 * without ever touching the server itself.
 */
export class TcpProxy {
  private readonly pairs = new Set<Pair>();
  private mode: ProxyMode = 'pass';
  private trigger: { afterServerBytes: number; action: 'cut' | 'stall' } | null = null;
  private clientTrigger: { marker: string; action: 'cut' | 'stall' } | null = null;
  private refusing = false;

  private constructor(
    private readonly server: net.Server,
    readonly port: number,
  ) {}

  static async start(target: { host?: string; port: number }): Promise<TcpProxy> {
    let proxy: TcpProxy | null = null;
    const server = net.createServer((client) => proxy!.accept(client, target));
    await new Promise<void>((resolve, reject) => {
      server.once('error', reject);
      server.listen(0, '127.0.0.1', () => resolve());
    });
    proxy = new TcpProxy(server, (server.address() as AddressInfo).port);
    return proxy;
  }

  /** `mysql://root@127.0.0.1:<port>/<database>` for a database URL through the proxy. */
  mysqlUrl(databaseUrl: string): string {
    const url = new URL(databaseUrl);
    url.hostname = '127.0.0.1';
    url.port = String(this.port);
    return url.toString();
  }

  /** Connections open through the proxy now. */
  get connections(): number {
    return this.pairs.size;
  }

  /** Resets every open connection (both sides), as a crashed server or a dropped route would. */
  cut(): void {
    for (const pair of this.pairs) this.close(pair);
  }

  /** Stops forwarding on every connection, old and new, without closing anything. */
  stall(): void {
    this.mode = 'stall';
    for (const pair of this.pairs) this.pause(pair);
  }

  /** Forwards again after {@link stall}. */
  resume(): void {
    this.mode = 'pass';
    for (const pair of this.pairs) {
      pair.client.resume();
      pair.upstream.resume();
    }
  }

  /** New connections are reset at once, as a server that is down. */
  refuseNew(refuse = true): void {
    this.refusing = refuse;
  }

  /**
   * Once any one connection has received `bytes` bytes from the server, cuts
   * or stalls every connection: a fault in the middle of a streamed result.
   */
  breakAfterServerBytes(bytes: number, action: 'cut' | 'stall'): void {
    this.trigger = { afterServerBytes: bytes, action };
  }

  /**
   * Breaks the one connection whose client sends bytes containing `marker`
   * (a piece of a statement, say), while the others carry on, as a query that
   * hangs or a connection that drops under one statement: `stall` forwards
   * those bytes and then withholds the answer, `cut` resets the connection
   * before they reach the server, so the statement never runs.
   */
  breakWhenClientSends(marker: string, action: 'cut' | 'stall'): void {
    this.clientTrigger = { marker, action };
  }

  async stop(): Promise<void> {
    this.cut();
    await new Promise<void>((resolve) => this.server.close(() => resolve()));
  }

  private accept(client: net.Socket, target: { host?: string; port: number }): void {
    if (this.refusing) {
      client.resetAndDestroy();
      return;
    }
    const upstream = net.connect(target.port, target.host ?? '127.0.0.1');
    const pair: Pair = { client, upstream, fromServer: 0 };
    this.pairs.add(pair);
    const done = () => this.close(pair);
    client.on('error', done).on('close', done);
    upstream.on('error', done).on('close', done);
    client.on('data', (chunk: Buffer) => {
      const trigger = this.clientTrigger;
      if (trigger && chunk.includes(trigger.marker)) {
        this.clientTrigger = null;
        if (trigger.action === 'cut') return this.close(pair);
        upstream.write(chunk);
        return this.pause(pair);
      }
      if (!upstream.write(chunk)) client.pause();
    });
    upstream.on('drain', () => this.mode === 'pass' && client.resume());
    upstream.on('data', (chunk: Buffer) => {
      pair.fromServer += chunk.length;
      const trigger = this.trigger;
      if (trigger && pair.fromServer >= trigger.afterServerBytes) {
        this.trigger = null;
        if (trigger.action === 'cut') this.cut();
        else this.stall();
        return;
      }
      if (!client.write(chunk)) upstream.pause();
    });
    client.on('drain', () => this.mode === 'pass' && upstream.resume());
    if (this.mode === 'stall') this.pause(pair);
  }

  private pause(pair: Pair): void {
    pair.client.pause();
    pair.upstream.pause();
  }

  private close(pair: Pair): void {
    if (!this.pairs.delete(pair)) return;
    pair.client.resetAndDestroy();
    pair.upstream.resetAndDestroy();
  }
}
