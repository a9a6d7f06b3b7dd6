import type { Knex } from 'knex';
import { toDate } from '../db/connection';

export const DOWNLOAD_TABLE = 'spotlight_export_downloads';

export interface DownloadRecord {
  id: number;
  tokenHash: string;
  customer: string;
  fileName: string;
  storedName: string;
  bytes: number;
  createdAt: Date;
  expiresAt: Date;
}

interface DownloadRow {
  id: number;
  token_hash: string;
  customer: string;
  file_name: string;
  stored_name: string;
  bytes: number | string;
  created_at: unknown;
  expires_at: unknown;
}

function toRecord(row: DownloadRow): DownloadRecord {
  return {
    id: Number(row.id),
    tokenHash: row.token_hash,
    customer: row.customer,
    fileName: row.file_name,
    storedName: row.stored_name,
    bytes: Number(row.bytes),
    createdAt: toDate(row.created_at)!,
    expiresAt: toDate(row.expires_at)!,
  };
}

/** Download links of workbooks too big to attach. Takes the primary database. */
export class DownloadRepository {
  constructor(private readonly db: Knex) {}

  /** One INSERT. */
  async insert(download: Omit<DownloadRecord, 'id'>): Promise<DownloadRecord> {
    const [id] = await this.db(DOWNLOAD_TABLE).insert({
      token_hash: download.tokenHash,
      customer: download.customer,
      file_name: download.fileName,
      stored_name: download.storedName,
      bytes: download.bytes,
      created_at: download.createdAt,
      expires_at: download.expiresAt,
    });
    return { id: Number(id), ...download };
  }

  async findByHash(tokenHash: string): Promise<DownloadRecord | null> {
    const row = await this.db<DownloadRow>(DOWNLOAD_TABLE).where({ token_hash: tokenHash }).first();
    return row ? toRecord(row) : null;
  }

  /** Links that expired at or before `now`, oldest first, at most `limit`. */
  async listExpired(now: Date, limit: number): Promise<DownloadRecord[]> {
    const rows = await this.db<DownloadRow>(DOWNLOAD_TABLE)
      .where('expires_at', '<=', now)
      .orderBy('expires_at')
      .limit(limit);
    return rows.map(toRecord);
  }

  async delete(ids: number[]): Promise<number> {
    if (ids.length === 0) return 0;
    return this.db(DOWNLOAD_TABLE).whereIn('id', ids).delete();
  }
}
