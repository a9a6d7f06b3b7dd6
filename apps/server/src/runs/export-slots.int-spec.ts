import { RUN_TABLE, RunRepository } from '@spotlight/core';
import { describeEachDatabase } from '@spotlight/core/testing';
import { SmtpCapture } from '@spotlight/testing';
import { startTestApp, type TestApp } from '../__fixtures__/test-app';
import { ExportRunner } from './export-runner.service';

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

async function until(condition: () => boolean | Promise<boolean>, timeoutMs: number, what: string) {
  const deadline = Date.now() + timeoutMs;
  while (!(await condition())) {
    if (Date.now() > deadline) throw new Error(`Still waiting after ${timeoutMs} ms for ${what}`);
    await sleep(20);
  }
}

/**
 * SPOTLIGHT_MAX_CONCURRENT_EXPORTS caps the exports reading the database at
 * once across instances. On MariaDB two instances of three workers each share
 * two slots; SQLite is read by one process, whose six workers share them.
 */
describeEachDatabase('the cap on concurrent exports', (db) => {
  it('never runs more exports at once than there are slots, and spends no attempt on waiting', async () => {
    const smtp = await SmtpCapture.start({ holdData: true });
    const instances = db.dialect === 'mariadb' ? 2 : 1;
    const apps: TestApp[] = [];
    try {
      for (let i = 0; i < instances; i += 1)
        apps.push(
          await startTestApp(db, smtp, {
            SPOTLIGHT_INSTANCE_ID: `capped-${i}`,
            SPOTLIGHT_MAX_CONCURRENT_EXPORTS: '2',
            SPOTLIGHT_WORKER_CONCURRENCY: String(6 / instances),
          }),
        );
      const runs = new RunRepository(db.knex);
      const queued: number[] = [];
      for (let i = 0; i < 7; i += 1) {
        const site = await db.factory.site();
        const manager = await db.factory.manager({ site });
        const run = await runs.insertQueued(
          {
            customer: site.domain,
            recipient: manager.email,
            since: null,
            until: null,
            source: 'api',
            tokenId: null,
            pendingKey: `capped-${site.domain}`,
          },
          new Date(),
        );
        queued.push(run!.id);
      }
      const running = async () =>
        Number((await db.knex(RUN_TABLE).where({ status: 'running' }).count({ n: '*' }))[0].n);
      let mostRunning = 0;
      let done = false;
      const sampling = (async () => {
        while (!done) {
          mostRunning = Math.max(mostRunning, await running());
          await sleep(10);
        }
      })();
      // Six workers in all, each taking runs until the queue is empty; one that finds no slot tries again later.
      const workers = apps.flatMap((app) =>
        Array.from({ length: 6 / instances }, async () => {
          const runner = app.app.get(ExportRunner);
          const deadline = Date.now() + 60_000;
          while (!done && Date.now() < deadline) {
            if (!(await runner.runNext())) await sleep(25);
          }
        }),
      );
      try {
        // Both slots are taken by exports held mid-send; nothing else starts meanwhile.
        await until(() => smtp.dataStarted >= 2, 30_000, 'two exports to reach DATA');
        await sleep(1_000);
        expect(smtp.dataStarted).toBe(2);
        expect(await running()).toBe(2);
        smtp.releaseHeld();
        await until(() => smtp.messages.length >= queued.length, 30_000, 'every export to be sent');
        await until(async () => (await running()) === 0, 10_000, 'every run to be recorded');
      } finally {
        done = true;
        await Promise.all([sampling, ...workers]);
      }
      const finished = await db.knex(RUN_TABLE).whereIn('id', queued).orderBy('id');
      console.log(
        `[${db.dialect}] ${instances} instance(s), 6 workers, 2 slots: at most ${mostRunning} exports running at once; claimed by ${JSON.stringify(finished.map((run) => run.claimed_by))}`,
      );
      expect(mostRunning).toBe(2);
      expect(finished.map((run) => `${run.status}/${run.attempts}`)).toEqual(queued.map(() => 'sent/1'));
    } finally {
      smtp.releaseHeld();
      for (const app of apps) await app.close();
      await smtp.stop();
    }
  }, 120_000);
});
