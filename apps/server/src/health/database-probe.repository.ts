import type { Knex } from 'knex';

/** The one statement health runs: does the database answer at all. */
export class DatabaseProbeRepository {
  constructor(private readonly db: Knex) {}

  async ping(): Promise<void> {
    await this.db.raw('select 1');
  }
}
