import type { Knex } from 'knex';

/**
 * Workbooks kept before migration 0015 name no run, so the console could not
 * fetch them while their links still worked. Each one still kept is tied to
 * the one link-mode run of its customer whose link expires at the same
 * millisecond: the run records the expiry the download stores. When two runs
 * match, which one kept it is unknown, and it is left as it was.
 */
export async function up(knex: Knex): Promise<void> {
  const kept: Array<{ id: number; customer: string; expires_at: unknown }> = await knex(
    'spotlight_export_downloads',
  )
    .whereNull('run_id')
    .where('expires_at', '>', new Date())
    .select('id', 'customer', 'expires_at');
  for (const download of kept) {
    const runs: number[] = await knex('spotlight_export_run')
      .where({ customer: download.customer, delivery: 'link', link_expires_at: download.expires_at })
      .limit(2)
      .pluck('id');
    if (runs.length !== 1) continue;
    await knex('spotlight_export_downloads')
      .where({ id: download.id })
      .whereNull('run_id')
      .update({ run_id: runs[0] });
  }
}

/** Nothing to undo: which links were tied here is not recorded, and 0015's down drops the column. */
export async function down(): Promise<void> {}
