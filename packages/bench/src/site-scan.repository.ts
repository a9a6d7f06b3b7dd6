import type { Knex } from 'knex';
import { COUNT_SOURCES, MEMBERSHIP_SOURCES, captureQueries, dialectOf, sourceFrom } from '@spotlight/core';

/**
 * The bench's own query, which no export runs: how many rows of each activity
 * kind a site has, each a plain `COUNT(*)` over the rows the activity
 * statement reads, one statement per kind. The bench times it as the
 * physical floor under the activity query, which must also group them.
 */
export class SiteScanRepository {
  constructor(private readonly db: Knex) {}

  /** The counts, in one read-only snapshot, and the statements that took (BEGIN and COMMIT included). */
  async countSiteActivity(siteId: number): Promise<{ result: Record<string, number>; queries: number }> {
    const dialect = dialectOf(this.db);
    const sources: Array<[string, string]> = [
      ...COUNT_SOURCES.map(({ key, from }): [string, string] => [key, sourceFrom(from, dialect)]),
      ...Object.entries(MEMBERSHIP_SOURCES),
    ];
    const { result, queries } = await captureQueries(this.db, () =>
      this.db.transaction(
        async (trx) => {
          const counts: Record<string, number> = {};
          for (const [kind, from] of sources) {
            const row = (await trx.raw(`SELECT COUNT(*) AS n FROM ${from}`, [siteId])) as unknown;
            // mysql2 answers [rows, fields]; better-sqlite3 the rows.
            const rows = (dialect === 'mysql' ? (row as [unknown])[0] : row) as Array<{ n: unknown }>;
            counts[kind] = Number(rows[0].n);
          }
          return counts;
        },
        dialect === 'mysql' ? { readOnly: true } : {},
      ),
    );
    return { result, queries: queries.length };
  }
}
