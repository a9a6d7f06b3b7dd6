import { describeEachDatabase } from '../../../testing';
import { DOWNLOAD_TABLE, RUN_TABLE } from '../../models/tables';
import * as backfill from './0017-download-run-backfill';

// Workbooks kept before migration 0015 name no run: the console's "Download
// workbook" answered 410 for them while their links still worked. Each is
// tied to the one link-mode run of its customer that expires at the same
// millisecond (the run records the link's expiry as the download stores it).
describeEachDatabase('kept workbooks from before their run was recorded', (db) => {
  const DAY = 86_400_000;
  let next = 0;

  async function download(customer: string, expiresAt: Date, runId: number | null = null): Promise<number> {
    next += 1;
    const [id] = await db.knex(DOWNLOAD_TABLE).insert({
      token_hash: `${'0'.repeat(60)}${String(next).padStart(4, '0')}`,
      customer,
      file_name: `user-activity-${customer}.xlsx`,
      stored_name: `stored-${next}.xlsx`,
      bytes: 1_000,
      created_at: new Date(expiresAt.getTime() - 7 * DAY),
      expires_at: expiresAt,
      run_id: runId,
    });
    return Number(id);
  }

  async function run(customer: string, linkExpiresAt: Date | null, delivery = 'link'): Promise<number> {
    const [id] = await db.knex(RUN_TABLE).insert({
      customer,
      recipient: `manager@${customer}`,
      status: 'sent',
      source: 'api',
      attempts: 1,
      delivery,
      link_expires_at: linkExpiresAt,
      next_attempt_at: new Date(),
      created_at: new Date(),
      finished_at: new Date(),
    });
    return Number(id);
  }

  const runOf = async (id: number) =>
    (await db.knex(DOWNLOAD_TABLE).where({ id }).first<{ run_id: number | null }>())!.run_id;

  it('ties each kept workbook to its one run, and leaves the doubtful and the expired alone', async () => {
    const expires = new Date(Date.now() + 3 * DAY);
    const tied = await download('one.example.com', expires);
    const tiedRun = await run('one.example.com', expires);
    await run('one.example.com', new Date(expires.getTime() + 1));
    await run('one.example.com', expires, 'attachment');

    // Two runs of one customer expiring at the same millisecond: which one kept it is not known.
    const doubtful = await download('two.example.com', expires);
    await run('two.example.com', expires);
    await run('two.example.com', expires);

    const past = new Date(Date.now() - DAY);
    const expired = await download('three.example.com', past);
    await run('three.example.com', past);

    const recorded = await download('four.example.com', expires, 999);
    await run('four.example.com', expires);

    await backfill.up(db.knex);
    expect(Number(await runOf(tied))).toBe(tiedRun);
    expect(await runOf(doubtful)).toBeNull();
    expect(await runOf(expired)).toBeNull();
    expect(Number(await runOf(recorded))).toBe(999);
    // Running it again changes nothing.
    await backfill.up(db.knex);
    expect(Number(await runOf(tied))).toBe(tiedRun);
  });
});
