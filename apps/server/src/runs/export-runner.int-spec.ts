import { RUN_TABLE, RunRepository, createCoreServices, type CoreServices } from '@spotlight/core';
import { describeEachDatabase } from '@spotlight/core/testing';
import { SmtpCapture } from '@spotlight/testing';
import { loadServerSettings } from '../config/server.settings';
import { ExportRunner } from './export-runner.service';

/**
 * The claim: instances that poll the queue at the same moment never take the
 * same run, so a queued export is sent once whichever instances race for it.
 */
describeEachDatabase('claiming a queued run from several instances', (db) => {
  let smtp: SmtpCapture;
  const cores: CoreServices[] = [];
  beforeAll(async () => {
    smtp = await SmtpCapture.start();
    const settings = loadServerSettings({ DATABASE_URL: db.url, SMTP_URL: smtp.url });
    for (let i = 0; i < 3; i += 1) cores.push(createCoreServices(settings.core));
  });
  afterAll(async () => {
    for (const core of cores) await core.close();
    await smtp.stop();
  });

  const runner = (core: CoreServices, instanceId: string) =>
    new ExportRunner(core.runs, core.exports, {
      instanceId,
      leaseMs: 60_000,
      mailMaxAttempts: 1,
      mailRetryBaseMs: 1_000,
      lockWaitMaxMs: 60_000,
      progressBoundMs: 60_000,
      databaseLabel: 'the test database',
    });

  it('lets exactly one instance claim and send the run', async () => {
    const site = await db.factory.site();
    const manager = await db.factory.manager({ site });
    const queued = await new RunRepository(db.knex).insertQueued(
      {
        customer: site.domain,
        recipient: manager.email,
        since: null,
        until: null,
        source: 'api',
        tokenId: null,
        pendingKey: `claim-${site.domain}`,
      },
      new Date(),
    );

    const results = await Promise.all(cores.map((core, i) => runner(core, `instance-${i}`).runNext()));

    const claimed = results.filter((run) => run !== null);
    expect(claimed).toHaveLength(1);
    expect(claimed[0]).toMatchObject({ id: queued!.id, status: 'sent', attempts: 1 });
    expect(smtp.messages.filter((mail) => mail.envelope.to.includes(manager.email))).toHaveLength(1);
    const [row] = await db.knex(RUN_TABLE).where({ id: queued!.id });
    expect(row.claimed_by).toBe(`instance-${results.findIndex((run) => run !== null)}`);
    // Nothing is left for a later poll.
    expect(await runner(cores[0], 'instance-0').runNext()).toBeNull();
  }, 60_000);
});
