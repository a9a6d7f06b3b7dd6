import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import {
  describeEachDatabase,
  SmtpCapture,
  readWorkbook,
  assertNumQueries,
  type SiteRow,
  type UserRow,
} from '@spotlight/testing';
import { ActivityRepository } from '../activity/activity.repository';
import { SmtpMailRepository } from '../mail/mail.repository';
import { ExportService } from './export.service';

describeEachDatabase('export service', (db) => {
  let smtp: SmtpCapture;
  let site: SiteRow;
  let manager: UserRow;

  beforeAll(async () => {
    smtp = await SmtpCapture.start();
    site = await db.factory.site({ domain: 'smoke.example.com', name: 'Smoke' });
    manager = await db.factory.manager({ site, email: 'boss@smoke.example.com' });
    const idea = await db.factory.idea({ site, creator: manager });
    await db.factory.vote({ creator: manager, idea });
    await db.factory.user({ site, email: 'idle@smoke.example.com' });
  });
  afterAll(() => smtp.stop());

  it('emails the workbook to the manager', async () => {
    const mail = new SmtpMailRepository(smtp.url);
    const service = new ExportService(new ActivityRepository(db.knex), mail, { mailFrom: 'x@y.z', databaseLabel: db.dialect });
    const summary = await service.exportToEmail({ customer: 'smoke.example.com', recipient: ' BOSS@smoke.example.com' });
    mail.close();
    expect(summary).toMatchObject({ active: 1, inactive: 1, recipient: manager.email, sent: true });
    const [message] = await smtp.waitFor(1);
    expect(message.envelope.to).toEqual([manager.email]);
    const book = await readWorkbook(message.mail.attachments[0].content);
    expect(book.sheetNames).toEqual(['Active users', 'Inactive users']);
    console.log(db.dialect, summary.queries, JSON.stringify(book.rows('Active users')), JSON.stringify(book.rows('Inactive users')));
    const file = path.join(os.tmpdir(), `smoke-${db.dialect}.xlsx`);
    fs.writeFileSync(file, message.mail.attachments[0].content);
    await assertNumQueries(db.knex, summary.queries, () =>
      service.exportToEmail({ customer: 'smoke.example.com', recipient: manager.email }, { dryRun: true }),
    );
  });
});
