import fs from 'node:fs';
import { execFileSync } from 'node:child_process';
import ExcelJS from 'exceljs';
import type { Requirement } from './requirement';

export type CellValue = string | number | boolean | Date | null;

export interface ReadWorkbook {
  workbook: ExcelJS.Workbook;
  sheetNames: string[];
  /** Cell values of each sheet, header row first, trailing empty cells trimmed. */
  rows(sheet: string): CellValue[][];
}

/** Opens an .xlsx (path or bytes) with exceljs for assertions on cells, styles and properties. */
export async function readWorkbook(source: string | Buffer): Promise<ReadWorkbook> {
  const workbook = new ExcelJS.Workbook();
  const data = typeof source === 'string' ? await fs.promises.readFile(source) : source;
  await workbook.xlsx.load(data as unknown as ArrayBuffer);
  return {
    workbook,
    sheetNames: workbook.worksheets.map((sheet) => sheet.name),
    rows(name: string) {
      const sheet = workbook.getWorksheet(name);
      if (!sheet)
        throw new Error(
          `No sheet "${name}"; the workbook has ${workbook.worksheets.map((s) => s.name).join(', ')}`,
        );
      const rows: CellValue[][] = [];
      sheet.eachRow({ includeEmpty: true }, (row, number) => {
        const values = (row.values as CellValue[])
          .slice(1)
          .map((value) => (value === undefined ? null : value));
        while (values.length && values[values.length - 1] === null) values.pop();
        rows[number - 1] = values;
      });
      return Array.from(rows, (row) => row ?? []);
    },
  };
}

export interface OpenpyxlCell {
  value: string | number | boolean | null;
  /** openpyxl's data type: "s" string, "n" number, "d" date, "f" formula, "b" bool. */
  type: string;
  bold: boolean;
  /** Whether the cell's alignment wraps text onto several lines. */
  wrap: boolean;
}

export interface OpenpyxlWorkbook {
  sheets: Array<{ name: string; freeze: string | null; autoFilter: string | null; rows: OpenpyxlCell[][] }>;
  properties: {
    title: string | null;
    subject: string | null;
    creator: string | null;
    created: string | null;
    description: string | null;
  };
}

const OPENPYXL_SCRIPT = `
import json, sys, datetime, openpyxl
wb = openpyxl.load_workbook(sys.argv[1])
def cell(c):
    v = c.value
    if isinstance(v, datetime.datetime): v = v.isoformat()
    return {"value": v, "type": c.data_type, "bold": bool(c.font and c.font.b),
            "wrap": bool(c.alignment and c.alignment.wrap_text)}
out = {"sheets": [], "properties": {k: (str(getattr(wb.properties, k)) if getattr(wb.properties, k) is not None else None) for k in ["title", "subject", "creator", "created", "description"]}}
for ws in wb.worksheets:
    out["sheets"].append({"name": ws.title, "freeze": ws.freeze_panes, "autoFilter": ws.auto_filter.ref,
        "rows": [[cell(c) for c in row] for row in ws.iter_rows()]})
print(json.dumps(out))
`;

/** Whether Python's openpyxl can be run here (Debian: python3-openpyxl). */
export function openpyxlAvailable(): boolean {
  try {
    execFileSync(pythonForOpenpyxl(), ['-c', 'import openpyxl'], { stdio: 'ignore' });
    return true;
  } catch {
    return false;
  }
}

/** openpyxl, the independent reader; CI requires it with SPOTLIGHT_REQUIRE_OPENPYXL=1. */
export const OPENPYXL: Requirement = {
  missing: 'openpyxl is not installed (Debian: python3-openpyxl)',
  requireEnv: 'SPOTLIGHT_REQUIRE_OPENPYXL',
  available: openpyxlAvailable,
};

function pythonForOpenpyxl(): string {
  return fs.existsSync('/usr/bin/python3') ? '/usr/bin/python3' : 'python3';
}

/** Reads an .xlsx with openpyxl, software independent of exceljs, to prove the file opens elsewhere. */
export function readWithOpenpyxl(file: string): OpenpyxlWorkbook {
  const output = execFileSync(pythonForOpenpyxl(), ['-c', OPENPYXL_SCRIPT, file], {
    encoding: 'utf8',
    maxBuffer: 256 * 1024 * 1024,
  });
  return JSON.parse(output) as OpenpyxlWorkbook;
}
