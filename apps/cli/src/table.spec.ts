import { formatTable } from './table';

describe('formatTable', () => {
  it('aligns columns and shows control characters and line separators escaped, so no cell adds a line', () => {
    const table = formatTable(
      ['NAME', 'DOMAIN'],
      [
        ['Evil\nError: forged', 'a.example.com'],
        ['Ok\u2028', 'b'],
      ],
    );
    expect(table.split('\n')).toEqual([
      'NAME                     DOMAIN',
      'Evil\\u000aError: forged  a.example.com',
      'Ok\\u2028                 b',
    ]);
  });
});
