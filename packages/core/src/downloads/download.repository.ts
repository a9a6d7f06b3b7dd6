import type { Knex } from 'knex';
import { Download, type DownloadRecord } from '../db/models/download.model';

/** Download links of workbooks too big to attach. Takes the primary database. */
export class DownloadRepository {
  constructor(private readonly db: Knex) {}

  /** One INSERT. */
  async insert(download: Omit<DownloadRecord, 'id'>): Promise<DownloadRecord> {
    return Download.query(this.db).insert(download);
  }

  async findByHash(tokenHash: string): Promise<DownloadRecord | null> {
    return (await Download.query(this.db).where({ token_hash: tokenHash }).first()) ?? null;
  }

  /** The download run `runId` kept, the latest should there be several. */
  async findByRun(runId: number): Promise<DownloadRecord | null> {
    return (await Download.query(this.db).where({ run_id: runId }).orderBy('id', 'desc').first()) ?? null;
  }

  /** Links that expired at or before `now`, oldest first, at most `limit`. */
  async listExpired(now: Date, limit: number): Promise<DownloadRecord[]> {
    return Download.query(this.db).where('expires_at', '<=', now).orderBy('expires_at').limit(limit);
  }

  async delete(ids: number[]): Promise<number> {
    if (ids.length === 0) return 0;
    return Download.query(this.db).whereIn('id', ids).delete();
  }
}
