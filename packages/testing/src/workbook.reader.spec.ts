import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import ExcelJS from 'exceljs';
import { OPENPYXL, readWithOpenpyxl, readWorkbook } from './workbook.reader';
import { requirementMet } from './requirement';

describe('workbook readers', () => {
  let file: string;
  beforeAll(async () => {
    file = path.join(fs.mkdtempSync(path.join(os.tmpdir(), 'reader-spec-')), 'book.xlsx');
    const workbook = new ExcelJS.Workbook();
    const sheet = workbook.addWorksheet('Data');
    sheet.addRow(['Name', 'Count', 'When']);
    sheet.addRow(['=text', 3, new Date('2026-01-02T03:04:05Z')]);
    sheet.addRow(['trailing', null, null]);
    await workbook.xlsx.writeFile(file);
  });
  afterAll(() => fs.rmSync(path.dirname(file), { recursive: true, force: true }));

  it('gives each sheet as rows of values with trailing empty cells trimmed', async () => {
    const book = await readWorkbook(file);
    expect(book.sheetNames).toEqual(['Data']);
    expect(book.rows('Data')).toEqual([
      ['Name', 'Count', 'When'],
      ['=text', 3, new Date('2026-01-02T03:04:05Z')],
      ['trailing'],
    ]);
    expect(() => book.rows('Missing')).toThrow('No sheet "Missing"; the workbook has Data');
  });

  it('reads the same file with openpyxl, when it is installed', () => {
    if (!requirementMet(OPENPYXL, 'the independent reader check')) return;
    const book = readWithOpenpyxl(file);
    expect(book.sheets[0].name).toBe('Data');
    expect(book.sheets[0].rows[1].map((cell) => [cell.value, cell.type])).toEqual([
      ['=text', 's'],
      [3, 'n'],
      ['2026-01-02T03:04:05', 'd'],
    ]);
  });
});
