import type { AddressInfo } from 'node:net';
import { SMTPServer, type SMTPServerEnvelope } from 'smtp-server';
import { simpleParser, type ParsedMail } from 'mailparser';

interface SmtpConnectionInternals {
  session?: { id: string };
  _socket: { destroy(): void };
}

export interface CapturedMail {
  /** Who the SMTP transaction delivered to (RCPT TO), whatever the headers say. */
  envelope: { from: string; to: string[] };
  mail: ParsedMail;
}

export interface SmtpCaptureOptions {
  /** Require these credentials (AUTH PLAIN/LOGIN). */
  auth?: { user: string; pass: string };
  /** Refuse every message with this SMTP error text. */
  rejectWith?: string;
  /**
   * A fault while the message is being sent: `stall-data` reads the message
   * and never answers (a hung server), `drop-data` closes the connection
   * after reading it (a crash mid-transaction). Neither records the message.
   */
  fault?: 'stall-data' | 'drop-data';
  /** Only the first this many messages meet `fault` or `rejectWith`; later ones are accepted. Every one by default. */
  failFirst?: number;
  /** Accept messages only once {@link SmtpCapture.releaseHeld} is called: an export stays mid-send until then. */
  holdData?: boolean;
}

/**
 * A real SMTP server in the test process on 127.0.0.1 that parses every
 * message it accepts, attachment included.
 */
export class SmtpCapture {
  readonly messages: CapturedMail[] = [];
  /** SMTP transactions that reached DATA, accepted or not. */
  dataStarted = 0;
  private release: () => void = () => {};
  /** Settles when {@link releaseHeld} is called (see `holdData`). */
  readonly held = new Promise<void>((resolve) => (this.release = resolve));
  private waiters: Array<() => void> = [];

  private constructor(
    private readonly server: SMTPServer,
    readonly port: number,
    private readonly options: SmtpCaptureOptions,
  ) {}

  static async start(options: SmtpCaptureOptions = {}): Promise<SmtpCapture> {
    let capture: SmtpCapture | null = null;
    const server = new SMTPServer({
      authOptional: !options.auth,
      disabledCommands: options.auth ? ['STARTTLS'] : ['STARTTLS', 'AUTH'],
      allowInsecureAuth: true,
      logger: false,
      // On close, connections still open after this (a stalled transaction) are ended by the server itself.
      closeTimeout: 500,
      onAuth(auth, _session, callback) {
        if (options.auth && auth.username === options.auth.user && auth.password === options.auth.pass) {
          callback(null, { user: auth.username });
        } else {
          callback(new Error('Invalid username or password'));
        }
      },
      onData(stream, session, callback) {
        capture!.dataStarted += 1;
        const failing = options.failFirst === undefined || capture!.dataStarted <= options.failFirst;
        if (failing && options.fault === 'stall-data') {
          stream.resume();
          return;
        }
        if (failing && options.fault === 'drop-data') {
          stream.resume();
          // smtp-server keeps its connections, each with its socket, on the server.
          const connections = (server as unknown as { connections: Set<SmtpConnectionInternals> })
            .connections;
          stream.on('end', () => {
            for (const connection of connections)
              if (connection.session?.id === session.id) connection._socket.destroy();
          });
          return;
        }
        if (failing && options.rejectWith) {
          stream.resume();
          stream.on('end', () =>
            callback(Object.assign(new Error(options.rejectWith), { responseCode: 554 })),
          );
          return;
        }
        simpleParser(stream)
          .then(async (mail) => {
            if (options.holdData) await capture!.held;
            capture!.record({ envelope: toEnvelope(session.envelope), mail });
            callback();
          })
          .catch(callback);
      },
    });
    await new Promise<void>((resolve, reject) => {
      server.once('error', reject);
      server.listen(0, '127.0.0.1', () => resolve());
    });
    const port = (server.server.address() as AddressInfo).port;
    capture = new SmtpCapture(server, port, options);
    return capture;
  }

  /** An SMTP_URL that reaches this server (with the credentials, when it requires some). */
  get url(): string {
    const auth = this.options.auth
      ? `${encodeURIComponent(this.options.auth.user)}:${encodeURIComponent(this.options.auth.pass)}@`
      : '';
    return `smtp://${auth}127.0.0.1:${this.port}`;
  }

  /** Resolves once at least `count` messages have arrived, or fails after `timeoutMs`. */
  async waitFor(count: number, timeoutMs = 10_000): Promise<CapturedMail[]> {
    const deadline = Date.now() + timeoutMs;
    while (this.messages.length < count) {
      const left = deadline - Date.now();
      if (left <= 0)
        throw new Error(`Expected ${count} emails, ${this.messages.length} arrived in ${timeoutMs} ms`);
      await new Promise<void>((resolve) => {
        const timer = setTimeout(resolve, left);
        this.waiters.push(() => {
          clearTimeout(timer);
          resolve();
        });
      });
    }
    return this.messages;
  }

  /** Lets held messages through (see `holdData`). */
  releaseHeld(): void {
    this.release();
  }

  clear(): void {
    this.messages.length = 0;
  }

  async stop(): Promise<void> {
    this.releaseHeld();
    await new Promise<void>((resolve) => this.server.close(() => resolve()));
  }

  private record(message: CapturedMail): void {
    this.messages.push(message);
    for (const wake of this.waiters.splice(0)) wake();
  }
}

function toEnvelope(envelope: SMTPServerEnvelope): CapturedMail['envelope'] {
  return {
    from: envelope.mailFrom ? envelope.mailFrom.address : '',
    to: envelope.rcptTo.map((rcpt) => rcpt.address),
  };
}
