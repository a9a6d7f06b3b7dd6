import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { SmtpCapture } from '@spotlight/testing';
import { MailDeliveryError } from '../errors';
import { SmtpMailRepository, XLSX_CONTENT_TYPE, type OutgoingMail } from './mail.repository';

describe('SMTP mail repository', () => {
  let dir: string;
  let mail: OutgoingMail;
  beforeAll(() => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'spotlight-mail-spec-'));
    fs.writeFileSync(path.join(dir, 'a.xlsx'), 'PK fake workbook bytes');
    mail = {
      from: 'Exports <exports@spotlight.test>',
      to: 'manager@example.com',
      subject: 'User activity export: example.com',
      text: 'text',
      html: '<p>html</p>',
      attachment: { filename: 'a.xlsx', path: path.join(dir, 'a.xlsx'), contentType: XLSX_CONTENT_TYPE },
    };
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
    fs.writeFileSync(path.join(dir, 'a.xlsx'), 'PK fake workbook bytes');
    mail = {
      from: 'Exports <exports@spotlight.test>',
      to: 'manager@example.com',
      subject: 'User activity export: example.com',
      text: 'text',
      html: '<p>html</p>',
      attachment: { filename: 'a.xlsx', path: path.join(dir, 'a.xlsx'), contentType: XLSX_CONTENT_TYPE },
    };
  });
  afterAll(() => fs.rmSync(dir, { recursive: true, force: true }));

  // Each fault fails the one email on its connection; the pool must not hand
  // the broken connection, or the failure, to the emails after it.
  it.each([
    ['a refusal', { rejectWith: 'Mailbox unavailable' }, /Mailbox unavailable/],
    ['a server that stalls mid-DATA', { fault: 'stall-data' as const }, /timeout|timed out/i],
    ['a connection dropped after DATA', { fault: 'drop-data' as const }, /Could not send/],
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
