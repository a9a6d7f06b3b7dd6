import { describeEachDatabase } from '@spotlight/core/testing';
import { PendingAlertRepository } from './pending-alert.repository';

describeEachDatabase('pending alerts', (db) => {
  it('hands each due alert to exactly one of many claimers at once, and none that is not due', async () => {
    const alerts = new PendingAlertRepository(db.knex);
    const now = new Date();
    const alert = (runId: number, dueInMs: number) =>
      alerts.insert(
        {
          runId,
          channel: 'email',
          target: 'support@alerts.test',
          event: { runId },
          attempts: 1,
          nextAttemptAt: new Date(now.getTime() + dueInMs),
          giveUpAt: new Date(now.getTime() + 86_400_000),
          lastError: 'refused',
        },
        now,
      );
    for (let runId = 1; runId <= 5; runId += 1) await alert(runId, -1_000);
    await alert(6, 60_000);

    const claims = await Promise.all(Array.from({ length: 12 }, () => alerts.claimDue(now, 30_000)));
    const taken = claims.filter((claim) => claim !== null);
    expect(taken.map((claim) => claim.runId).sort()).toEqual([1, 2, 3, 4, 5]);
    expect(new Set(taken.map((claim) => claim.claimToken)).size).toBe(5);
    // Claimed: not due again until the claim lapses.
    expect(await alerts.claimDue(new Date(now.getTime() + 29_000), 30_000)).toBeNull();

    const [first, second] = taken;
    await alerts.retryLater(first, new Date(now.getTime() - 1), 'refused again');
    await alerts.remove(second);
    const again = await alerts.claimDue(now, 30_000);
    expect(again).toMatchObject({ runId: first.runId, attempts: 2, lastError: 'refused again' });
    // A lapsed claim is taken by another instance; the first one can then no longer remove it.
    const lapsed = await alerts.claimDue(new Date(now.getTime() + 31_000), 30_000);
    expect(lapsed).toMatchObject({ id: again!.id });
    await alerts.remove(again!);
    expect(await db.knex('spotlight_export_pending_alert').where({ id: again!.id })).toHaveLength(1);
    await alerts.remove(lapsed!);
    expect(await db.knex('spotlight_export_pending_alert').where({ id: again!.id })).toEqual([]);
    expect(await db.knex('spotlight_export_pending_alert').where({ run_id: second.runId })).toEqual([]);
  });
});
