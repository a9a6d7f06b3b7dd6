import { ProductModel } from './product.model';
import { LOCK_TABLE } from './tables';

/** A row of spotlight_export_lock: who holds a customer's export lock, and since when. */
export class ExportLockHolder extends ProductModel {
  static override tableName = LOCK_TABLE;
  static override idColumn = 'customer';
  static override dateAttributes = ['acquiredAt'];
  static override numberAttributes = ['pid'];

  declare customer: string;
  declare holder: string;
  declare host: string;
  declare pid: number;
  declare lockToken: string;
  declare acquiredAt: Date | null;
}
