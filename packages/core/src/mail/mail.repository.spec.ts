import crypto from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { SmtpCapture, type SmtpCaptureOptions } from '@spotlight/testing';
import { DeliveryUnconfirmedError, MailDeliveryError } from '../errors';
import { SmtpMailRepository, XLSX_CONTENT_TYPE, newMessageId, type OutgoingMail } from './mail.repository';

/** An export email with a small attachment written into `dir`. */
function testMail(dir: string): OutgoingMail {
  fs.writeFileSync(path.join(dir, 'a.xlsx'), 'PK fake workbook bytes');
  return {
    from: 'Exports <exports@spotlight.test>',
    to: 'manager@example.com',
    subject: 'User activity export: example.com',
    text: 'text',
    html: '<p>html</p>',
    attachment: { filename: 'a.xlsx', path: path.join(dir, 'a.xlsx'), contentType: XLSX_CONTENT_TYPE },
  };
}

describe('SMTP mail repository', () => {
  let dir: string;
  let mail: OutgoingMail;
  beforeAll(() => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'spotlight-mail-spec-'));
    mail = testMail(dir);
  });
  afterAll(() => fs.rmSync(dir, { recursive: true, force: true }));

  it('authenticates with the credentials in SMTP_URL', async () => {
    const smtp = await SmtpCapture.start({ auth: { user: 'exporter', pass: 'p@ss word' } });
    try {
      const repo = new SmtpMailRepository(smtp.url);
      expect(repo.destination).toBe(`smtp://exporter:***@127.0.0.1:${smtp.port}`);
      await repo.send(mail);
      repo.close();
      const [message] = await smtp.waitFor(1);
      expect(message.envelope).toEqual({ from: 'exports@spotlight.test', to: ['manager@example.com'] });
      expect(message.mail.attachments[0].content.toString()).toBe('PK fake workbook bytes');
    } finally {
      await smtp.stop();
    }
  });

  it('reports wrong credentials as a mail failure without the password', async () => {
    const smtp = await SmtpCapture.start({ auth: { user: 'exporter', pass: 'right' } });
    try {
      const repo = new SmtpMailRepository(`smtp://exporter:wrong@127.0.0.1:${smtp.port}`);
      const failure = repo.send(mail);
      await expect(failure).rejects.toThrow(MailDeliveryError);
      await expect(failure).rejects.toThrow(/smtp:\/\/exporter:\*\*\*@127\.0\.0\.1/);
      await failure.catch((error: Error) => expect(error.message).not.toContain('wrong'));
      repo.close();
      expect(smtp.messages).toHaveLength(0);
    } finally {
      await smtp.stop();
    }
  });

  it('reports an unreachable server as a mail failure', async () => {
    const repo = new SmtpMailRepository('smtp://127.0.0.1:1');
    await expect(repo.send(mail)).rejects.toThrow(
      /Could not send the email through smtp:\/\/127\.0\.0\.1:1: .*ECONNREFUSED/,
    );
    repo.close();
  });
});

describe('pooled SMTP mail repository', () => {
  let dir: string;
  let mail: OutgoingMail;
  beforeAll(() => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'spotlight-pool-spec-'));
    mail = testMail(dir);
  });
  afterAll(() => fs.rmSync(dir, { recursive: true, force: true }));

  // Each fault fails the one email on its connection; the pool must not hand
  // the broken connection, or the failure, to the emails after it.
  it.each([
    ['a refusal', { rejectWith: 'Mailbox unavailable' }, /Mailbox unavailable/],
    ['a connection dropped at RCPT', { fault: 'drop-rcpt' as const }, /Could not send/],
    ['a temporary refusal at MAIL', { refuse: { at: 'MAIL' as const, code: 451 } }, /Refused at MAIL/],
  ])('fails only the email that met %s; the next ones are sent', async (_name, fault, error) => {
    const smtp = await SmtpCapture.start({ ...fault, failFirst: 1 });
    const repo = new SmtpMailRepository(smtp.url, { socketTimeoutMs: 500 }, { maxConnections: 2 });
    try {
      // Four at once over two connections: whichever reaches DATA first meets the fault.
      const settled = await Promise.allSettled([1, 2, 3, 4].map(() => repo.send(mail)));
      const failed = settled.filter((result) => result.status === 'rejected');
      expect(failed).toHaveLength(1);
      expect(failed[0].reason).toBeInstanceOf(MailDeliveryError);
      expect(String(failed[0].reason)).toMatch(error);
      expect(smtp.messages).toHaveLength(3);
      await repo.send(mail);
      expect(smtp.messages).toHaveLength(4);
    } finally {
      repo.close();
      await smtp.stop();
    }
  });
});

/**
 * Where the SMTP conversation stood decides what a failure means: before the
 * message's final ".", it cannot have arrived (another attempt is safe); after
 * it, with no answer, it may have (it is never sent again by itself).
 */
describe.each([
  ['one connection per email', undefined],
  ['pooled', { maxConnections: 2 }],
])('an SMTP fault, %s', (_name, pool) => {
  let dir: string;
  let mail: OutgoingMail;
  beforeAll(() => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'spotlight-mail-fault-spec-'));
    mail = { ...testMail(dir), messageId: '<spotlight-export.run-7@spotlight.test>' };
  });
  afterAll(() => fs.rmSync(dir, { recursive: true, force: true }));

  async function sendThrough(options: SmtpCaptureOptions) {
    const smtp = await SmtpCapture.start(options);
    const repo = new SmtpMailRepository(smtp.url, { socketTimeoutMs: 400 }, pool);
    try {
      const error = await repo.send(mail).then(
        () => null,
        (failure: unknown) => failure,
      );
      // A late answer or a slow reader still delivers after the sender gave up.
      await new Promise((resolve) => setTimeout(resolve, 800));
      return { error, arrived: smtp.messages.length, ids: smtp.messages.map((m) => m.mail.messageId) };
    } finally {
      repo.close();
      await smtp.stop();
    }
  }

  it.each([
    ['451 at MAIL FROM', { refuse: { at: 'MAIL', code: 451 } }],
    ['a connection dropped at RCPT TO', { fault: 'drop-rcpt' }],
    ['451 once the message arrived', { refuse: { at: 'DATA', code: 451 } }],
  ] as const)('%s: not sent, and safe to try again', async (_fault, options) => {
    const { error, arrived } = await sendThrough(options);
    expect(error).toBeInstanceOf(MailDeliveryError);
    expect((error as MailDeliveryError).permanent).toBe(false);
    expect(arrived).toBe(0);
  });

  it.each([
    ['550 at MAIL FROM', { refuse: { at: 'MAIL', code: 550 } }],
    ['550 at RCPT TO', { refuse: { at: 'RCPT', code: 550 } }],
    ['554 once the message arrived', { refuse: { at: 'DATA', code: 554 } }],
  ] as const)('%s: refused for good, so never tried again', async (_fault, options) => {
    const { error, arrived } = await sendThrough(options);
    expect(error).toBeInstanceOf(MailDeliveryError);
    expect((error as MailDeliveryError).permanent).toBe(true);
    expect(arrived).toBe(0);
  });

  it.each([
    ['a connection dropped after the final "." (delivered)', { fault: 'drop-after-accept' }, 1],
    ['a connection dropped after the final "." (lost)', { fault: 'drop-data' }, 0],
    ['a 250 that comes after the socket timeout', { answerDelayMs: 700 }, 1],
    ['a server that never answers the final "."', { fault: 'stall-data' }, 0],
  ] as const)('%s: unconfirmed, naming the Message-ID', async (_fault, options, delivered) => {
    const { error, arrived, ids } = await sendThrough(options);
    expect(error).toBeInstanceOf(DeliveryUnconfirmedError);
    expect((error as DeliveryUnconfirmedError).messageId).toBe(mail.messageId);
    expect((error as Error).message).toContain(
      'may have accepted the email (Message-ID <spotlight-export.run-7@spotlight.test>)',
    );
    // Whatever the server did with it, the sender did not send it twice.
    expect(arrived).toBe(delivered);
    expect(ids).toEqual(delivered ? [mail.messageId] : []);
  });
});

describe('a slow reader of a 3.5 MB attachment', () => {
  it('never gets two copies: what the sender reports matches what arrived', async () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'spotlight-slow-reader-'));
    const file = path.join(dir, 'big.xlsx');
    fs.writeFileSync(file, crypto.randomBytes(3.5 * 1024 * 1024));
    // The first transaction stalls long enough for the sender to time out; the next ones are read at once.
    const smtp = await SmtpCapture.start({ stallReadingMs: 2_500, failFirst: 1 });
    const repo = new SmtpMailRepository(smtp.url, { socketTimeoutMs: 1_000 });
    const outcomes: string[] = [];
    try {
      for (let attempt = 1; attempt <= 3; attempt += 1) {
        const error = await repo
          .send({
            from: 'exports@spotlight.test',
            to: 'manager@example.com',
            subject: 'Big',
            text: 'text',
            html: '<p>html</p>',
            attachment: { filename: 'big.xlsx', path: file, contentType: XLSX_CONTENT_TYPE },
            messageId: '<spotlight-export.run-9@spotlight.test>',
          })
          .then(
            () => null,
            (failure: unknown) => failure,
          );
        outcomes.push(error === null ? 'sent' : (error as Error).name);
        // As the runner does: only a failure before the final "." is tried again.
        if (!(error instanceof MailDeliveryError)) break;
      }
      repo.close();
      // The stalled transaction may still be read to its end after the sender gave up.
      const deadline = Date.now() + 10_000;
      while (smtp.openConnections > 0 && Date.now() < deadline)
        await new Promise((resolve) => setTimeout(resolve, 100));
      expect(outcomes[0]).not.toBe('sent');
      expect(smtp.messages.length).toBeLessThanOrEqual(1);
      if (outcomes.at(-1) === 'sent') expect(smtp.messages).toHaveLength(1);
      // Reported for the closing note: what the sender heard at each attempt, and what arrived.
      process.stdout.write(`slow reader: ${outcomes.join(', ')}; ${smtp.messages.length} arrived\n`);
    } finally {
      repo.close();
      await smtp.stop();
      fs.rmSync(dir, { recursive: true, force: true });
    }
  }, 60_000);
});

describe('newMessageId', () => {
  it("is in the From address's domain, unique unless given its unique part", () => {
    expect(newMessageId('Spotlight exports <exports@spotlight.invalid>', 'run-1')).toBe(
      '<spotlight-export.run-1@spotlight.invalid>',
    );
    expect(newMessageId('exports@example.com')).toMatch(/^<spotlight-export\.[0-9a-f-]{36}@example\.com>$/);
    expect(newMessageId('a@b.test')).not.toBe(newMessageId('a@b.test'));
  });
});
