import fs from 'node:fs';
import path from 'node:path';
import crypto from 'node:crypto';
import { pipeline } from 'node:stream/promises';
import type { SendMailOptions, Transporter } from 'nodemailer';
import type { Readable } from 'node:stream';
import {
  ConfigurationError,
  DeliveryUnconfirmedError,
  MailDeliveryError,
  firstLine,
  type SpotlightError,
} from '../errors';
import { writeAtomically } from '../files/atomic-file';
import { ensurePrivateFolder, PRIVATE_FILE_MODE } from '../files/private-folder';
import { maskUrl } from '../text/mask-url';
import { DEFAULT_SMTP_TIMEOUTS, type SmtpTimeouts } from './smtp-timeouts';

export const XLSX_CONTENT_TYPE = 'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet';

export interface OutgoingMail {
  from: string;
  /** The one and only recipient: no Cc, no Bcc. */
  to: string;
  subject: string;
  text: string;
  html: string;
  /** The workbook; absent when the body links to it instead. */
  attachment?: { filename: string; path: string; contentType: string };
  /**
   * The Message-ID header, `<...>`: every attempt at one export carries the
   * same, so a copy that did arrive is recognisably the same message. A new
   * one when absent.
   */
  messageId?: string;
  /** Extra headers (List-Unsubscribe, Auto-Submitted, ...). */
  headers?: Record<string, string>;
  /** Cuts the SMTP transaction: the send fails, unconfirmed if the whole message had gone. */
  signal?: AbortSignal;
}

/** A new Message-ID in the From address's domain. */
export function newMessageId(from: string, unique: string = crypto.randomUUID()): string {
  const domain = /@([^>\s]+)>?\s*$/.exec(envelopeAddress(from))?.[1] ?? 'spotlight.invalid';
  return `<spotlight-export.${unique}@${domain}>`;
}

export interface SentMail {
  messageId: string;
  /** Where the message was written, when it went to the outbox instead of SMTP. */
  outboxPath?: string;
}

/** Sends mail. Only mail repositories talk to a mail server or the outbox. */
export interface MailRepository {
  /** Where mail goes, safe to print (no password). */
  readonly destination: string;
  send(mail: OutgoingMail): Promise<SentMail>;
  close(): void;
}

function toNodemailer(mail: OutgoingMail, messageId: string): SendMailOptions {
  return {
    messageId,
    headers: mail.headers,
    signal: mail.signal,
    from: mail.from,
    to: mail.to,
    // The envelope names the recipient explicitly so that nothing in the
    // headers can widen who the server delivers to.
    envelope: { from: envelopeAddress(mail.from), to: [mail.to] },
    subject: mail.subject,
    text: mail.text,
    html: mail.html,
    attachments: mail.attachment
      ? [
          {
            filename: mail.attachment.filename,
            path: mail.attachment.path,
            contentType: mail.attachment.contentType,
          },
        ]
      : [],
  };
}

function envelopeAddress(from: string): string {
  const match = /<([^>]+)>/.exec(from);
  return (match ? match[1] : from).trim();
}

/** For a long-running sender: reuse up to `maxConnections` SMTP connections instead of one per email. */
export interface SmtpPool {
  maxConnections: number;
}

/**
 * Sends through an SMTP server given as smtp:// or smtps:// URL (credentials
 * in the URL). Pooled, a connection that fails is dropped with the one email
 * it was sending; the next email opens a fresh one.
 */
export class SmtpMailRepository implements MailRepository {
  private transport?: Transporter;
  private readonly bounds: SmtpTimeouts;
  /** Whether each message being sent was written whole, by Message-ID. */
  private readonly inFlight = new Map<string, { messageEnded: boolean }>();
  readonly destination: string;

  constructor(
    private readonly smtpUrl: string,
    timeouts: Partial<SmtpTimeouts> = {},
    private readonly pool?: SmtpPool,
  ) {
    this.bounds = { ...DEFAULT_SMTP_TIMEOUTS, ...timeouts };
    this.destination = maskUrl(smtpUrl);
  }

  async send(mail: OutgoingMail): Promise<SentMail> {
    const transport = (this.transport ??= this.createTransport());
    const messageId = mail.messageId ?? newMessageId(mail.from);
    const progress = { messageEnded: false };
    this.inFlight.set(messageId, progress);
    try {
      const info = await transport.sendMail(toNodemailer(mail, messageId));
      return { messageId: info.messageId };
    } catch (error) {
      throw this.explain(error, progress.messageEnded, messageId);
    } finally {
      this.inFlight.delete(messageId);
    }
  }

  private createTransport(): Transporter {
    const transport = loadNodemailer().createTransport({
      url: this.smtpUrl,
      connectionTimeout: this.bounds.connectionTimeoutMs,
      greetingTimeout: this.bounds.greetingTimeoutMs,
      socketTimeout: this.bounds.socketTimeoutMs,
      // The pool would otherwise send a message again, by itself, over a new
      // connection when the old one closed after the message's final "."
      // (a copy the manager may already have): whether to try again is ours.
      ...(this.pool ? { pool: true, maxConnections: this.pool.maxConnections, maxRequeues: 0 } : {}),
    });
    // The message stream ends once the SMTP connection has taken all of it,
    // just before the final "." that asks the server to deliver it: from then
    // on a lost answer may hide a delivered message.
    transport.use('stream', (message, done) => {
      const progress = this.inFlight.get(message.message.messageId());
      if (progress) {
        message.message.processFunc((output) => {
          output.once('end', () => (progress.messageEnded = true));
          return output;
        });
      }
      done();
    });
    return transport;
  }

  /**
   * What a failed send means. An answer from the server (4xx, 5xx) means it
   * did not take the message. No answer means it cannot have arrived while
   * the message was still being written, and may have once it was all written.
   */
  private explain(error: unknown, messageEnded: boolean, messageId: string): SpotlightError {
    const reason = firstLine((error as Error).message);
    const responseCode = (error as { responseCode?: unknown }).responseCode;
    if (typeof responseCode !== 'number' && messageEnded) {
      return new DeliveryUnconfirmedError(messageId, reason, { cause: error });
    }
    return new MailDeliveryError(`Could not send the email through ${this.destination}: ${reason}`, {
      cause: error,
      permanent: typeof responseCode === 'number' && responseCode >= 500,
    });
  }

  close(): void {
    this.transport?.close();
    this.transport = undefined;
  }
}

/**
 * Writes each message as an .eml file into a folder, for a machine with no
 * SMTP server: any mail program opens them. A file appears whole or not at all.
 */
export class OutboxMailRepository implements MailRepository {
  private transport?: Transporter;

  constructor(private readonly outboxDir: string) {}

  get destination(): string {
    return `outbox ${this.outboxDir}`;
  }

  async send(mail: OutgoingMail): Promise<SentMail> {
    const stamp = new Date().toISOString().replace(/[:.]/g, '-');
    const recipient = mail.to.replace(/[^a-zA-Z0-9@._-]/g, '_');
    const file = path.join(
      this.outboxDir,
      `${stamp}-${recipient}-${crypto.randomBytes(3).toString('hex')}.eml`,
    );
    try {
      await ensurePrivateFolder(this.outboxDir, 'SPOTLIGHT_OUTBOX_DIR');
      this.transport ??= loadNodemailer().createTransport({
        streamTransport: true,
        buffer: false,
        newline: 'unix',
      });
      const info = await this.transport.sendMail(
        toNodemailer(mail, mail.messageId ?? newMessageId(mail.from)),
      );
      await writeAtomically(file, (partial) =>
        pipeline(
          info.message as Readable,
          fs.createWriteStream(partial, { flags: 'wx', mode: PRIVATE_FILE_MODE }),
        ),
      );
      return { messageId: info.messageId, outboxPath: file };
    } catch (error) {
      if (error instanceof ConfigurationError) throw error;
      throw new MailDeliveryError(
        `Could not write the email to ${this.outboxDir}: ${firstLine((error as Error).message)}`,
        { cause: error },
      );
    }
  }

  close(): void {
    this.transport?.close();
    this.transport = undefined;
  }
}

// nodemailer costs a process about 12 MB; it is loaded by the first message,
// so a command or a dry run that sends nothing never pays for it.
function loadNodemailer(): typeof import('nodemailer') {
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  return require('nodemailer');
}

export function createMailRepository(settings: {
  smtpUrl?: string;
  outboxDir: string;
  smtpTimeouts?: SmtpTimeouts;
  /** Pool SMTP connections (a server's worker); one connection per email without. */
  smtpPool?: SmtpPool;
}): MailRepository {
  return settings.smtpUrl
    ? new SmtpMailRepository(settings.smtpUrl, settings.smtpTimeouts, settings.smtpPool)
    : new OutboxMailRepository(settings.outboxDir);
}
