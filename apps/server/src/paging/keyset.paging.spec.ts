import { InvalidInputError } from '@spotlight/core';
import { KeysetPaging } from './keyset.paging';

const rows = (...ids: number[]) => ids.map((id) => ({ id }));

describe('keyset paging', () => {
  const runs = new KeysetPaging('run');

  it('gives the next page a cursor only when a row beyond the limit came back', () => {
    const first = runs.page(rows(9, 8, 7), 2);
    expect(first.items).toEqual(rows(9, 8));
    expect(runs.before(first.nextCursor!)).toBe(8);
    expect(runs.page(rows(6, 5), 2)).toEqual({ items: rows(6, 5), nextCursor: null });
    expect(runs.before(undefined)).toBeUndefined();
  });

  it("refuses a cursor it did not give, and another list's cursor, with one line saying what to do", () => {
    const audit = new KeysetPaging('audit');
    const auditCursor = audit.page(rows(3, 2), 1).nextCursor!;
    for (const cursor of ['nonsense', auditCursor]) {
      expect(() => runs.before(cursor)).toThrow(InvalidInputError);
      expect(() => runs.before(cursor)).toThrow(
        `cursor "${cursor}" is not one this API returned; start again without a cursor.`,
      );
    }
  });
});
