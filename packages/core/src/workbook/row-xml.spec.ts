import { PassThrough } from 'node:stream';
import type ExcelJS from 'exceljs';
import { RowXml, columnLetter, type CellValue } from './row-xml';
import { DATE_FORMAT } from './sheet-series';
import { NUMBER_FORMAT } from './summary-sheet';

// eslint-disable-next-line @typescript-eslint/no-require-imports
const WorkbookWriter: typeof ExcelJS.stream.xlsx.WorkbookWriter = require('exceljs/lib/stream/xlsx/workbook-writer');

/** The product's kinds of column style, one object per column as SheetSeries keeps them. */
const STYLES: Array<Partial<ExcelJS.Style>> = [
  {},
  { numFmt: DATE_FORMAT },
  { numFmt: NUMBER_FORMAT, alignment: { horizontal: 'right' } },
  { alignment: { wrapText: true, vertical: 'top' } },
  {},
  { numFmt: NUMBER_FORMAT, alignment: { horizontal: 'right' } },
];

/**
 * A sheet of the streaming writer with the product's column styles, and the
 * XML exceljs itself writes for a row: added, styled and committed the way
 * the workbook writer did before rows were rendered by RowXml.
 */
function exceljsSheet() {
  const workbook = new WorkbookWriter({
    stream: new PassThrough().resume(),
    useStyles: true,
    useSharedStrings: false,
  });
  const sheet = workbook.addWorksheet('Rows');
  sheet.columns = STYLES.map((style, i) => ({ header: `Column ${i + 1}`, width: 12, style }));
  sheet.getRow(1).commit();
  const stream = (sheet as unknown as { stream: { write(xml: string): unknown } }).stream;
  const written: string[] = [];
  const write = stream.write.bind(stream);
  stream.write = (xml: string) => {
    written.push(String(xml));
    return write(xml);
  };
  return {
    workbook,
    /** What exceljs writes for the row, and its number. */
    write(values: CellValue[], height?: number): { xml: string; number: number } {
      const before = written.length;
      const row = sheet.addRow(values);
      if (height) row.height = height;
      row.eachCell((cell, column) => {
        cell.style = STYLES[column - 1];
      });
      row.commit();
      // Text of several lines is written as an inline string, the one place RowXml differs.
      const xml = written
        .slice(before)
        .join('')
        .replace(/t="str"><v>([^<]*\n[^<]*)<\/v>/g, 't="inlineStr"><is><t xml:space="preserve">$1</t></is>');
      return { xml, number: row.number };
    },
  };
}

const EDGE_ROWS: CellValue[][] = [
  ['ann@example.com', new Date('2025-03-04T05:06:07.089Z'), 0, 'Alpha\nBeta', 'Active', 12],
  ['<b>&"quotes"\'</b>', new Date(0), -1, 'tab\there\r\nCR', '', 0.5],
  ['control \u0001\u0008\u000B\u001F and DEL \u007F are dropped by exceljs', null, 1e21, null, null, 2 ** 53],
  ['😀 中文 é \u2028 \uFFFD', new Date('1900-03-01T00:00:00Z'), 123456789, 'x', 'y', -0],
  [null, null, null, null, null, null],
  [null, null, null, null, 'only the fifth', null],
  ['short row'],
  ['', new Date('9999-12-31T23:59:59.999Z'), 3.14159, '', 'z', 7],
];

describe('RowXml', () => {
  it('writes each row exactly as exceljs does: escaping, dates, numbers, empty cells and style ids', () => {
    const reference = exceljsSheet();
    const rowXml = new RowXml(reference.workbook, STYLES);
    for (const values of EDGE_ROWS) {
      const { xml, number } = reference.write(values);
      expect(rowXml.render(values, number)).toBe(xml);
    }
  });

  it('matches exceljs on 2,000 rows of random text, numbers, dates and empty cells', () => {
    let seed = 2024;
    const random = () => (seed = (seed * 1103515245 + 12345) % 2 ** 31) / 2 ** 31;
    const pick = (): CellValue => {
      const kind = Math.floor(random() * 5);
      if (kind === 0) return null;
      if (kind === 1) return Math.floor(random() * 1e6) / (random() < 0.5 ? 1 : 7);
      if (kind === 2) return new Date(Date.UTC(1950, 0, 1) + Math.floor(random() * 3e12));
      return Array.from({ length: Math.floor(random() * 12) }, () =>
        String.fromCharCode(Math.floor(random() * 0x3000)),
      ).join('');
    };
    const reference = exceljsSheet();
    const rowXml = new RowXml(reference.workbook, STYLES);
    for (let i = 0; i < 2_000; i += 1) {
      const values = STYLES.map(pick);
      const { xml, number } = reference.write(values);
      expect(rowXml.render(values, number)).toBe(xml);
    }
  });

  it('writes a row height as exceljs writes row.height, and none for a row of one line', () => {
    const reference = exceljsSheet();
    const rowXml = new RowXml(reference.workbook, STYLES);
    for (const [values, height] of [
      [EDGE_ROWS[0], 30],
      [EDGE_ROWS[1], 409.5],
      [EDGE_ROWS[3], undefined],
    ] as const) {
      const { xml, number } = reference.write([...values], height);
      expect(rowXml.render(values, number, height)).toBe(xml);
    }
  });

  it('names columns as spreadsheets do', () => {
    expect([1, 26, 27, 52, 53, 702, 703, 16_384].map(columnLetter)).toEqual([
      'A',
      'Z',
      'AA',
      'AZ',
      'BA',
      'ZZ',
      'AAA',
      'XFD',
    ]);
  });
});
