import type { AddressInfo } from 'node:net';
import { SMTPServer } from 'smtp-server';

/**
 * A real SMTP server on 127.0.0.1 that accepts every message and throws the
 * bytes away as they arrive, so the bench measures sending without the sink
 * holding anything. `onMessage` hears each message's envelope recipients as
 * it ends, for benches that count who got what.
 */
export class SmtpSink {
  messages = 0;
  bytes = 0;

  private constructor(
    private readonly server: SMTPServer,
    readonly port: number,
  ) {}

  static async start(onMessage?: (recipients: string[]) => void): Promise<SmtpSink> {
    let sink: SmtpSink | null = null;
    const server = new SMTPServer({
      authOptional: true,
      disabledCommands: ['STARTTLS', 'AUTH'],
      logger: false,
      size: 0,
      onData(stream, session, callback) {
        stream.on('data', (chunk: Buffer) => {
          sink!.bytes += chunk.length;
        });
        stream.on('end', () => {
          sink!.messages += 1;
          onMessage?.(session.envelope.rcptTo.map((recipient) => recipient.address));
          callback();
        });
      },
    });
    await new Promise<void>((resolve, reject) => {
      server.once('error', reject);
      server.listen(0, '127.0.0.1', () => resolve());
    });
    sink = new SmtpSink(server, (server.server.address() as AddressInfo).port);
    return sink;
  }

  get url(): string {
    return `smtp://127.0.0.1:${this.port}`;
  }

  stop(): Promise<void> {
    return new Promise((resolve) => this.server.close(() => resolve()));
  }
}
