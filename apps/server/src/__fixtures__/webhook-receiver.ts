import http from 'node:http';
import type { AddressInfo } from 'node:net';

export type WebhookBehaviour = 'ok' | 'fail' | 'hang';

/**
 * A real HTTP server on 127.0.0.1 that records every POSTed JSON body. It
 * answers 204, or 500 (`fail`), or never answers (`hang`).
 */
export class WebhookReceiver {
  readonly bodies: unknown[] = [];
  hits = 0;

  private constructor(
    private readonly server: http.Server,
    readonly url: string,
    public behaviour: WebhookBehaviour,
  ) {}

  static async start(behaviour: WebhookBehaviour = 'ok'): Promise<WebhookReceiver> {
    let receiver: WebhookReceiver | null = null;
    const server = http.createServer((request, response) => {
      const chunks: Buffer[] = [];
      request.on('data', (chunk: Buffer) => chunks.push(chunk));
      request.on('end', () => {
        receiver!.hits += 1;
        receiver!.bodies.push({
          contentType: request.headers['content-type'],
          method: request.method,
          body: JSON.parse(Buffer.concat(chunks).toString('utf8')),
        });
        if (receiver!.behaviour === 'hang') return;
        response.statusCode = receiver!.behaviour === 'fail' ? 500 : 204;
        response.end();
      });
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    const { port } = server.address() as AddressInfo;
    receiver = new WebhookReceiver(server, `http://127.0.0.1:${port}/hooks/spotlight`, behaviour);
    return receiver;
  }

  clear(): void {
    this.bodies.length = 0;
    this.hits = 0;
  }

  async stop(): Promise<void> {
    this.server.closeAllConnections();
    await new Promise<void>((resolve) => this.server.close(() => resolve()));
  }
}
