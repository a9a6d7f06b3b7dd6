import crypto from 'node:crypto';
import type { Knex } from 'knex';
import { SIGNING_SECRET_TABLE } from '../db/models/tables';
import { isUniqueViolation } from '../db/unique-violation';

/**
 * The secret the server signs links with when SPOTLIGHT_SIGNING_SECRET is
 * unset: made once, by whichever instance needs it first, and kept in one row
 * of the primary database, so that every instance signs and verifies alike.
 */
export class SigningSecretRepository {
  constructor(
    private readonly db: Knex,
    private readonly clock: () => Date = () => new Date(),
  ) {}

  /**
   * The stored secret, made now if there is none. Two instances racing both
   * insert; the primary key lets one win, and both return what was kept.
   */
  async getOrCreate(): Promise<string> {
    const existing = await this.read();
    if (existing) return existing;
    try {
      await this.db(SIGNING_SECRET_TABLE).insert({
        id: 1,
        secret: crypto.randomBytes(32).toString('base64url'),
        created_at: this.clock(),
      });
    } catch (error) {
      if (!isUniqueViolation(error)) throw error;
    }
    const kept = await this.read();
    if (!kept) throw new Error(`The signing secret could not be read back from ${SIGNING_SECRET_TABLE}.`);
    return kept;
  }

  private async read(): Promise<string | null> {
    const row = (await this.db(SIGNING_SECRET_TABLE).where({ id: 1 }).first('secret')) as
      { secret: string } | undefined;
    return row?.secret ?? null;
  }
}
