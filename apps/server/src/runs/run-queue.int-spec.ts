import {
  AUDIT_TABLE,
  RUN_TABLE,
  RunRepository,
  createCoreServices,
  type CoreServices,
} from '@spotlight/core';
import { describeEachDatabase } from '@spotlight/core/testing';
import { AuditRepository } from '../audit/audit.repository';
import { loadServerSettings } from '../config/server.settings';
import { RunQueueService } from './run-queue.service';

/**
 * The same export asked for several times at once (a double click, a retried
 * request, two instances) is queued once: every caller gets that one run.
 */
describeEachDatabase('queuing the same export concurrently', (db) => {
  let core: CoreServices;
  beforeAll(() => {
    core = createCoreServices(loadServerSettings({ DATABASE_URL: db.url }).core);
  });
  afterAll(() => core.close());

  it('queues one run, answers every request with it, and records one audit entry', async () => {
    const site = await db.factory.site();
    const manager = await db.factory.manager({ site });
    const { record: token } = await core.tokens.create({ site: site.domain });
    const woken: number[] = [];
    const queue = new RunQueueService(
      new RunRepository(core.db),
      core.exports,
      new AuditRepository(core.db),
      {
        onQueued: (run) => woken.push(run.id),
      },
    );
    const request = { customer: site.domain, recipient: manager.email, since: '2026-01-01' };

    const answers = await Promise.all(Array.from({ length: 5 }, () => queue.enqueue(token, request)));

    const ids = new Set(answers.map(({ run }) => run.id));
    expect(ids.size).toBe(1);
    expect(answers.filter(({ existing }) => !existing)).toHaveLength(1);
    const [id] = ids;
    expect(woken).toEqual([id]);
    expect(await db.knex(RUN_TABLE).where({ customer: site.domain })).toHaveLength(1);
    expect(await db.knex(AUDIT_TABLE).where({ action: 'export.queue', target: `run:${id}` })).toHaveLength(1);

    // Another range, or another time zone, is another export.
    const other = await queue.enqueue(token, { ...request, timeZone: 'Europe/Paris' });
    expect(other.existing).toBe(false);
    expect(other.run.id).not.toBe(id);

    // Once the pending run has finished, the same request queues a new one.
    await db
      .knex(RUN_TABLE)
      .where({ id })
      .update({ status: 'sent', pending_key: null, finished_at: new Date() });
    const again = await queue.enqueue(token, request);
    expect(again.existing).toBe(false);
    expect(again.run.id).not.toBe(id);
  });
});
