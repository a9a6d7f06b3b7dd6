import type { ModelObject, Pojo } from 'objection';
import { ProductModel } from './product.model';
import { AUDIT_TABLE } from './tables';

/** One recorded entry, as the audit trail reads it back. */
export type AuditRecord = ModelObject<AuditEntryModel>;

/** A row of spotlight_export_audit: who asked for what. */
export class AuditEntryModel extends ProductModel {
  static override tableName = AUDIT_TABLE;
  static override jsonAttributes = ['detail'];
  static override dateAttributes = ['at'];
  static override numberAttributes = ['id', 'tokenId'];

  declare id: number;
  declare at: Date;
  /** The token that asked; null when the system acted (a paused schedule, an alert). */
  declare tokenId: number | null;
  declare action: string;
  declare target: string;
  declare detail: Record<string, unknown> | null;

  override $parseDatabaseJson(json: Pojo): Pojo {
    const parsed = super.$parseDatabaseJson(json);
    // Text that is not JSON (written by hand, or cut short) is kept, not lost.
    if (typeof parsed.detail === 'string') parsed.detail = { text: parsed.detail };
    return parsed;
  }
}
