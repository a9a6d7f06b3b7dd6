import { dataSheetPageSetup, headerHeight, rowHeight, wrappedLines } from './print-layout';

describe('print layout', () => {
  it('counts the lines of wrapped text: one per name, more for a name wider than its column', () => {
    expect(wrappedLines('Alpha', 20)).toBe(1);
    expect(wrappedLines('Alpha\nBeta\nGamma', 20)).toBe(3);
    expect(wrappedLines('word '.repeat(40).trim(), 20)).toBeGreaterThanOrEqual(10);
    expect(wrappedLines('x'.repeat(100), 20)).toBeGreaterThanOrEqual(5);
  });

  it('gives a row of several lines its height, and none to a row of one', () => {
    expect(rowHeight(['a@example.com', 3, 'One\nTwo\nThree'], [null, null, 30])).toBe(45);
    expect(rowHeight(['a@example.com', 3, 'One'], [null, null, 30])).toBeUndefined();
    // Text in a column that does not wrap takes no more lines.
    expect(rowHeight(['a\nb', 3, null], [null, null, 30])).toBeUndefined();
    expect(rowHeight(['x', 'line\n'.repeat(100)], [null, 30])).toBe(409.5);
    expect(headerHeight(['Email', 'Comments submitted'], [30, 12])).toBe(30);
  });

  it('fits a sheet to one page wide only when its text still prints at 8 pt', () => {
    expect(dataSheetPageSetup([30, 16, 16, 12, 12], 3)).toMatchObject({
      orientation: 'landscape',
      fitToPage: true,
      fitToWidth: 1,
      fitToHeight: 0,
      printTitlesRow: '1:1',
    });
    const wide = dataSheetPageSetup(
      Array.from({ length: 15 }, () => 18),
      3,
    );
    expect(wide).toMatchObject({
      fitToPage: false,
      scale: 73,
      printTitlesColumn: 'A:C',
      printTitlesRow: '1:1',
    });
    expect((11 * wide.scale!) / 100).toBeGreaterThanOrEqual(8);
  });
});
