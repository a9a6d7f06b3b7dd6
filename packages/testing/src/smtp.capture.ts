import type { AddressInfo } from 'node:net';
import { SMTPServer, type SMTPServerEnvelope, type SMTPServerSession } from 'smtp-server';
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

/** A step of the SMTP transaction: the sender, a recipient, or the message once its final "." arrived. */
export type SmtpStep = 'MAIL' | 'RCPT' | 'DATA';

export interface SmtpCaptureOptions {
  /** Require these credentials (AUTH PLAIN/LOGIN). */
  auth?: { user: string; pass: string };
  /** Refuse every message with this SMTP error text (554, once the message has arrived). */
  rejectWith?: string;
  /** Refuse at one step with this reply code (4xx: try later, 5xx: never). */
  refuse?: { at: SmtpStep; code: number; message?: string };
  /**
   * A fault while the message is being sent:
   * - `drop-rcpt` closes the connection at RCPT TO, before any of the message;
   * - `stall-data` reads the message and never answers (a hung server);
   * - `drop-data` closes the connection after reading it without keeping it (a crash mid-transaction);
   * - `drop-after-accept` keeps the message, then closes the connection
   *   instead of answering: delivered, but the sender never hears so.
   * Only `drop-after-accept` records the message.
   */
  fault?: 'drop-rcpt' | 'stall-data' | 'drop-data' | 'drop-after-accept';
  /** Answers a message it keeps only this long after it arrived: a late 250. */
  answerDelayMs?: number;
  /**
   * Stops reading the message for this long once its first chunk arrived,
   * then reads on (an overloaded server): the sender's writes back up meanwhile.
   */
  stallReadingMs?: number;
  /**
   * Only the first this many transactions meet `fault`, `refuse` or
   * `rejectWith` (and `answerDelayMs`, `stallReadingMs`); later ones are
   * accepted at once. Every one by default.
   */
  failFirst?: number;
  /** Accept messages only once {@link SmtpCapture.releaseHeld} is called: an export stays mid-send until then. */
  holdData?: boolean;
  /**
   * Refuse these addresses at RCPT TO, each with its own reply code (4xx: try
   * later, 5xx: never), the first `times` times it is asked for (every time by
   * default); other recipients are accepted. Counted apart from `failFirst`,
   * so one server can refuse one manager and deliver to the others.
   */
  refuseRecipients?: Record<string, { code: number; message?: string; times?: number }>;
}

/**
 * A real SMTP server in the test process on 127.0.0.1 that parses every
 * message it accepts, attachment included.
 */
export class SmtpCapture {
  readonly messages: CapturedMail[] = [];
  /** SMTP transactions that reached DATA, accepted or not. */
  dataStarted = 0;
  /** SMTP transactions whose message arrived whole, its final "." included, answered or not. */
  dataEnded = 0;
  /** SMTP transactions started (MAIL FROM), whatever became of them. */
  transactions = 0;
  /** Whether each connection's current transaction meets the faults, by session id. */
  private readonly failing = new Map<string, boolean>();
  /** How many times each address in `refuseRecipients` was refused. */
  private readonly refusedRecipients = new Map<string, number>();
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
    const refusal = (step: SmtpStep) =>
      options.refuse?.at === step
        ? Object.assign(new Error(options.refuse.message ?? `Refused at ${step} on purpose`), {
            responseCode: options.refuse.code,
          })
        : null;
    // smtp-server keeps its connections, each with its socket, on the server.
    const dropConnection = (session: SMTPServerSession) => {
      const connections = (server as unknown as { connections: Set<SmtpConnectionInternals> }).connections;
      for (const connection of connections)
        if (connection.session?.id === session.id) connection._socket.destroy();
    };
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
      onMailFrom(_address, session, callback) {
        capture!.transactions += 1;
        const failing = options.failFirst === undefined || capture!.transactions <= options.failFirst;
        capture!.failing.set(session.id, failing);
        callback((failing && refusal('MAIL')) || undefined);
      },
      onRcptTo(address, session, callback) {
        const refused = capture!.refuseRecipient(address.address);
        if (refused) return callback(refused);
        const failing = capture!.failing.get(session.id) ?? false;
        if (failing && options.fault === 'drop-rcpt') return dropConnection(session);
        callback((failing && refusal('RCPT')) || undefined);
      },
      onData(stream, session, callback) {
        capture!.dataStarted += 1;
        stream.once('end', () => (capture!.dataEnded += 1));
        const failing = capture!.failing.get(session.id) ?? false;
        if (failing && options.stallReadingMs) stallOnce(stream, options.stallReadingMs);
        if (failing && options.fault === 'stall-data') {
          stream.resume();
          return;
        }
        if (failing && options.fault === 'drop-data') {
          stream.resume();
          stream.on('end', () => dropConnection(session));
          return;
        }
        const refused =
          failing && (refusal('DATA') ?? (options.rejectWith ? rejection(options.rejectWith) : null));
        if (refused) {
          stream.resume();
          stream.on('end', () => callback(refused));
          return;
        }
        simpleParser(stream)
          .then(async (mail) => {
            if (options.holdData) await capture!.held;
            capture!.record({ envelope: toEnvelope(session.envelope), mail });
            if (failing && options.fault === 'drop-after-accept') return dropConnection(session);
            if (failing && options.answerDelayMs) await sleep(options.answerDelayMs);
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

  /** Connections still open: a transaction the sender gave up on may still be read to its end. */
  get openConnections(): number {
    return (this.server as unknown as { connections: Set<unknown> }).connections.size;
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

  /** The refusal `refuseRecipients` asks for this address now, if any (and counts it). */
  private refuseRecipient(address: string): Error | null {
    const key = Object.keys(this.options.refuseRecipients ?? {}).find(
      (refused) => refused.toLowerCase() === address.toLowerCase(),
    );
    if (key === undefined) return null;
    const { code, message, times } = this.options.refuseRecipients![key];
    const count = this.refusedRecipients.get(key) ?? 0;
    if (times !== undefined && count >= times) return null;
    this.refusedRecipients.set(key, count + 1);
    return Object.assign(new Error(message ?? `Refused ${address} on purpose`), { responseCode: code });
  }

  private record(message: CapturedMail): void {
    this.messages.push(message);
    for (const wake of this.waiters.splice(0)) wake();
  }
}

function rejection(text: string): Error {
  return Object.assign(new Error(text), { responseCode: 554 });
}

const sleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));

/** Pauses `stream` for `pauseMs` after the first chunk it reads, so the sender's writes back up. */
function stallOnce(stream: NodeJS.ReadableStream, pauseMs: number): void {
  stream.once('data', () => {
    stream.pause();
    setTimeout(() => stream.resume(), pauseMs);
  });
}

function toEnvelope(envelope: SMTPServerEnvelope): CapturedMail['envelope'] {
  return {
    from: envelope.mailFrom ? envelope.mailFrom.address : '',
    to: envelope.rcptTo.map((rcpt) => rcpt.address),
  };
}
