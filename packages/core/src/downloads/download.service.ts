import crypto from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import { ConfigurationError, DownloadExpiredError, DownloadNotFoundError } from '../errors';
import { prepareCopy } from '../files/prepared-copy';
import { ensurePrivateFolder } from '../files/private-folder';
import { sha256Hex } from '../text/sha256';
import type { DownloadRecord } from '../db/models/download.model';
import type { DownloadRepository } from './download.repository';

export interface DownloadServiceOptions {
  /** Where the workbooks are kept; every server instance must see the same folder. */
  storageDir: string;
  /** The server's base URL, without a trailing slash; without it links can be served but not made. */
  publicUrl?: string;
  ttlMs: number;
  clock?: () => Date;
}

/** A workbook kept behind a link, as the email tells it. */
export interface KeptDownload {
  id: number;
  url: string;
  expiresAt: Date;
  /** The file's name inside the storage folder (the token's hash, not the token). */
  storedName: string;
}

/** A download ready to be served. */
export interface OpenDownload {
  path: string;
  fileName: string;
  bytes: number;
}

// 256 random bits, base64url: 43 characters. Only this shape is ever looked up.
const TOKEN_PATTERN = /^[A-Za-z0-9_-]{43}$/;
// Stored names are made here, never from the request; checked again before use.
const STORED_NAME_PATTERN = /^[0-9a-f]{64}\.xlsx$/;
const PURGE_BATCH = 500;

/**
 * Workbooks too big to email: kept in a storage folder behind an unguessable
 * link that expires. The token is the only credential and is never stored;
 * the database and the folder hold its SHA-256, so neither leaks working links.
 */
export class DownloadService {
  private readonly clock: () => Date;

  constructor(
    private readonly downloads: DownloadRepository,
    private readonly options: DownloadServiceOptions,
  ) {
    this.clock = options.clock ?? (() => new Date());
  }

  /** Whether links can be made: a public URL is configured. */
  get canLink(): boolean {
    return Boolean(this.options.publicUrl);
  }

  /**
   * The link an email sent now would carry, for a preview: the real one's
   * token is made when the email is sent, so this one names that and works nowhere.
   */
  previewLink(): { url: string; expiresAt: Date } {
    return {
      url: `${this.options.publicUrl ?? ''}/downloads/(a new link, made when the email is sent)`,
      expiresAt: new Date(this.clock().getTime() + this.options.ttlMs),
    };
  }

  /**
   * Copies `file` into the storage folder and records its link, with one
   * INSERT. On failure nothing is left behind.
   */
  async keep(
    file: string,
    meta: { customer: string; fileName: string; runId?: number },
  ): Promise<KeptDownload> {
    const { publicUrl } = this.options;
    if (!publicUrl)
      throw new ConfigurationError(
        "SPOTLIGHT_PUBLIC_URL is not set, so no download link can be made; set it to the server's address.",
      );
    const token = crypto.randomBytes(32).toString('base64url');
    const tokenHash = sha256Hex(token);
    const storedName = `${tokenHash}.xlsx`;
    const createdAt = this.clock();
    const expiresAt = new Date(createdAt.getTime() + this.options.ttlMs);
    await ensurePrivateFolder(this.options.storageDir, 'SPOTLIGHT_STORAGE_DIR');
    const copy = await prepareCopy(file, path.join(this.options.storageDir, storedName));
    try {
      const target = await copy.commit();
      const bytes = (await fs.promises.stat(target)).size;
      const record = await this.downloads.insert({
        tokenHash,
        customer: meta.customer,
        runId: meta.runId ?? null,
        fileName: meta.fileName,
        storedName,
        bytes,
        createdAt,
        expiresAt,
      });
      return {
        id: record.id,
        url: `${publicUrl}/downloads/${token}`,
        expiresAt,
        storedName,
      };
    } catch (error) {
      await copy.discard();
      await fs.promises.rm(copy.destination, { force: true });
      throw error;
    }
  }

  /** Withdraws a link just made, e.g. when the email carrying it could not be sent. */
  async discard(download: KeptDownload): Promise<void> {
    await this.downloads.delete([download.id]);
    if (STORED_NAME_PATTERN.test(download.storedName))
      await fs.promises.rm(path.join(this.options.storageDir, download.storedName), { force: true });
  }

  /** The file behind `token`; DownloadNotFoundError or DownloadExpiredError otherwise. */
  async open(token: string): Promise<OpenDownload> {
    if (!TOKEN_PATTERN.test(token)) throw new DownloadNotFoundError();
    return this.serve(await this.downloads.findByHash(sha256Hex(token)));
  }

  /**
   * The file export run `runId` kept, for whoever may see that run (the
   * caller checks): DownloadNotFoundError when it kept none or it is gone,
   * DownloadExpiredError once its link has expired.
   */
  async openForRun(runId: number): Promise<OpenDownload> {
    return this.serve(await this.downloads.findByRun(runId));
  }

  private async serve(record: DownloadRecord | null): Promise<OpenDownload> {
    if (!record || !STORED_NAME_PATTERN.test(record.storedName)) throw new DownloadNotFoundError();
    if (record.expiresAt.getTime() <= this.clock().getTime())
      throw new DownloadExpiredError(record.expiresAt);
    const file = path.join(this.options.storageDir, record.storedName);
    try {
      const { size } = await fs.promises.stat(file);
      return { path: file, fileName: record.fileName, bytes: size };
    } catch {
      // The row outlived its file (removed by hand, or a clean-up in flight).
      throw new DownloadNotFoundError();
    }
  }

  /** Deletes expired links and their files; returns how many. The scheduled clean-up calls this. */
  async purgeExpired(): Promise<number> {
    const now = this.clock();
    let purged = 0;
    for (;;) {
      const expired = await this.downloads.listExpired(now, PURGE_BATCH);
      if (expired.length === 0) return purged;
      // Files first: a row without its file answers 404, a file without its row would stay forever.
      await Promise.all(expired.map((record) => this.removeFile(record)));
      purged += await this.downloads.delete(expired.map((record) => record.id));
      if (expired.length < PURGE_BATCH) return purged;
    }
  }

  private async removeFile(record: DownloadRecord): Promise<void> {
    if (!STORED_NAME_PATTERN.test(record.storedName)) return;
    await fs.promises.rm(path.join(this.options.storageDir, record.storedName), { force: true });
  }
}
