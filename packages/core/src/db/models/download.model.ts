import type { ModelObject } from 'objection';
import { ProductModel } from './product.model';
import { DOWNLOAD_TABLE } from './tables';

export type DownloadRecord = ModelObject<Download>;

/** A row of spotlight_export_downloads: a link to a workbook too big to attach. */
export class Download extends ProductModel {
  static override tableName = DOWNLOAD_TABLE;
  static override dateAttributes = ['createdAt', 'expiresAt'];
  static override numberAttributes = ['id', 'bytes', 'runId'];

  declare id: number;
  /** SHA-256 of the link's token; the stored file is named after it. */
  declare tokenHash: string;
  declare customer: string;
  /** The export run that kept it; null when kept outside a run (or before runs were recorded). */
  declare runId: number | null;
  /** The name the browser saves. */
  declare fileName: string;
  /** The file's name inside the storage folder. */
  declare storedName: string;
  declare bytes: number;
  declare createdAt: Date;
  declare expiresAt: Date;
}
