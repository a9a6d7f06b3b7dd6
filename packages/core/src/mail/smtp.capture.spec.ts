import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { SmtpCapture } from '@spotlight/testing';
import { SmtpMailRepository, XLSX_CONTENT_TYPE } from './mail.repository';

describe('SMTP capture', () => {
  let file: string;
  beforeAll(() => {
    file = path.join(fs.mkdtempSync(path.join(os.tmpdir(), 'smtp-capture-spec-')), 'a.xlsx');
    fs.writeFileSync(file, 'attachment bytes');
  });
  afterAll(() => fs.rmSync(path.dirname(file), { recursive: true, force: true }));

  const message = () => ({
    from: 'exports@spotlight.test',
    to: 'manager@example.com',
    subject: 'Subject',
    text: 'text',
    html: '<p>html</p>',
    attachment: { filename: 'a.xlsx', path: file, contentType: XLSX_CONTENT_TYPE },
  });

  it('parses what it receives, envelope and attachment included', async () => {
    const smtp = await SmtpCapture.start();
    const sender = new SmtpMailRepository(smtp.url);
    try {
      await sender.send(message());
      const [received] = await smtp.waitFor(1);
      expect(received.envelope).toEqual({ from: 'exports@spotlight.test', to: ['manager@example.com'] });
      expect(received.mail.subject).toBe('Subject');
      expect(received.mail.attachments[0]).toMatchObject({
        filename: 'a.xlsx',
        contentType: XLSX_CONTENT_TYPE,
      });
      expect(received.mail.attachments[0].content.toString()).toBe('attachment bytes');
    } finally {
      sender.close();
      await smtp.stop();
    }
  });

  it('says how many messages arrived when fewer than expected do', async () => {
    const smtp = await SmtpCapture.start();
    try {
      await expect(smtp.waitFor(1, 200)).rejects.toThrow('Expected 1 emails, 0 arrived in 200 ms');
    } finally {
      await smtp.stop();
    }
  });

  it('refuses every message when asked to, keeping none', async () => {
    const smtp = await SmtpCapture.start({ rejectWith: 'No thanks' });
    const sender = new SmtpMailRepository(smtp.url);
    try {
      await expect(sender.send(message())).rejects.toThrow(/No thanks/);
      expect(smtp.messages).toHaveLength(0);
    } finally {
      sender.close();
      await smtp.stop();
    }
  });

  it('refuses only the recipients it is told to, each with its own code, as many times as told', async () => {
    const smtp = await SmtpCapture.start({
      refuseRecipients: {
        'Gone@example.com': { code: 550, message: 'No such mailbox' },
        'busy@example.com': { code: 451, times: 1 },
      },
    });
    const sender = new SmtpMailRepository(smtp.url);
    try {
      for (let attempt = 0; attempt < 2; attempt++) {
        await expect(sender.send({ ...message(), to: 'gone@example.com' })).rejects.toMatchObject({
          permanent: true,
          message: expect.stringMatching(/550 No such mailbox/),
        });
      }
      await expect(sender.send({ ...message(), to: 'busy@example.com' })).rejects.toMatchObject({
        permanent: false,
        message: expect.stringMatching(/451 Refused busy@example.com on purpose/),
      });
      await sender.send({ ...message(), to: 'busy@example.com' });
      await sender.send(message());
      expect(smtp.messages.map((received) => received.envelope.to)).toEqual([
        ['busy@example.com'],
        ['manager@example.com'],
      ]);
    } finally {
      sender.close();
      await smtp.stop();
    }
  });
});

describe('SMTP capture faults', () => {
  let file: string;
  beforeAll(() => {
    file = path.join(fs.mkdtempSync(path.join(os.tmpdir(), 'smtp-fault-spec-')), 'a.xlsx');
    fs.writeFileSync(file, 'attachment bytes');
  });
  afterAll(() => fs.rmSync(path.dirname(file), { recursive: true, force: true }));
  const message = () => ({
    from: 'exports@spotlight.test',
    to: 'manager@example.com',
    subject: 'Subject',
    text: 'text',
    html: '<p>html</p>',
  });

  it('stalls mid-DATA: the sender times out and nothing is recorded', async () => {
    const smtp = await SmtpCapture.start({ fault: 'stall-data' });
    const sender = new SmtpMailRepository(smtp.url, { socketTimeoutMs: 500 });
    try {
      await expect(sender.send(message())).rejects.toThrow(/timeout|timed out/i);
      expect(smtp.dataStarted).toBe(1);
      expect(smtp.messages).toHaveLength(0);
    } finally {
      sender.close();
      await smtp.stop();
    }
  });

  it('drops the connection after DATA: the sender cannot tell whether it arrived, and nothing is recorded', async () => {
    const smtp = await SmtpCapture.start({ fault: 'drop-data' });
    const sender = new SmtpMailRepository(smtp.url);
    try {
      await expect(sender.send(message())).rejects.toThrow(/may have accepted the email/);
      expect(smtp.dataStarted).toBe(1);
      expect(smtp.messages).toHaveLength(0);
    } finally {
      sender.close();
      await smtp.stop();
    }
  });
});
