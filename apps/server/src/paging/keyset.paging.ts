import { InvalidInputError } from '@spotlight/core';

export interface KeysetPage<T> {
  items: T[];
  /** Pass as `cursor` for the next (older) page; null on the last page. */
  nextCursor: string | null;
}

/**
 * Newest-first pages keyed by id, for every list of the API: the cursor is
 * the last id of a page under the list's name, so that a cursor of one list
 * is refused by another.
 */
export class KeysetPaging {
  constructor(private readonly name: string) {}

  /** The id the next page starts below; undefined for the first page. */
  before(cursor: string | undefined): number | undefined {
    if (!cursor) return undefined;
    const match = new RegExp(`^${this.name}:(\\d+)$`).exec(Buffer.from(cursor, 'base64url').toString('utf8'));
    if (!match)
      throw new InvalidInputError(
        `cursor "${cursor}" is not one this API returned; start again without a cursor.`,
      );
    return Number(match[1]);
  }

  /** The page from rows fetched with `limit + 1`: the extra row only says that another page follows. */
  page<T extends { id: number }>(rows: T[], limit: number): KeysetPage<T> {
    const items = rows.slice(0, limit);
    const nextCursor =
      rows.length > limit
        ? Buffer.from(`${this.name}:${items[items.length - 1].id}`).toString('base64url')
        : null;
    return { items, nextCursor };
  }
}
