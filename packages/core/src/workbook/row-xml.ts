import type ExcelJS from 'exceljs';

/** A data cell as the workbook writes it: text, a number, a date or nothing. */
export type CellValue = string | number | Date | null;

/** What of exceljs 4.4's streaming writer the rows are written through. */
export interface WorksheetInternals {
  /** The sheet's XML on its way to the zip; opened with the sheet, `<sheetData>` written with its header. */
  stream: { write(xml: string | Buffer): unknown };
  /** The number of the next row exceljs would write. */
  _rowZero: number;
  /** Whether `<sheetData>` has been opened (by the header row). */
  startedData?: boolean;
}

interface StylesInternals {
  /** The style's id in styles.xml, added if new; cached per style object. */
  addStyleModel(style: Partial<ExcelJS.Style>, cellType: number): number;
}

interface ExcelUtils {
  xmlEncode(text: string): string;
  dateToExcel(date: Date, date1904?: boolean): number;
}

/**
 * Renders a data sheet's rows as the XML exceljs 4.4's row and cell xforms
 * write, byte for byte, without building exceljs's Row and Cell objects for
 * each: at 100k users those objects were most of the time Node spent per row
 * and most of its garbage. exceljs still writes everything else (columns,
 * header, sheet and workbook parts, styles.xml), and its own escaping, date
 * serials and style ids are used here: `row-xml.spec.ts` compares the sheets
 * with those exceljs writes from the same rows, so a change in exceljs that
 * this would miss fails there. One difference: text of several lines is an
 * inline string, which exceljs and openpyxl read back as the same text.
 */
export class RowXml {
  private readonly references: string[];
  /** The style id of an empty cell in each column (exceljs gives it a copy of the column's style). */
  private readonly emptyStyleIds: number[];
  private readonly styles: StylesInternals;
  private readonly utils: ExcelUtils;
  private readonly types: { String: number; Number: number; Date: number; Null: number };

  constructor(
    workbook: ExcelJS.stream.xlsx.WorkbookWriter,
    /** One style object per column, the one each of the column's cells has. */
    private readonly cellStyles: ReadonlyArray<Partial<ExcelJS.Style>>,
  ) {
    const { styles } = workbook as unknown as { styles?: StylesInternals };
    if (typeof styles?.addStyleModel !== 'function')
      throw new Error('exceljs changed: its streaming workbook has no styles.addStyleModel');
    this.styles = styles;
    // eslint-disable-next-line @typescript-eslint/no-require-imports
    this.utils = require('exceljs/lib/utils/utils');
    // eslint-disable-next-line @typescript-eslint/no-require-imports
    this.types = (require('exceljs/lib/doc/enums') as { ValueType: RowXml['types'] }).ValueType;
    this.references = cellStyles.map((_style, i) => columnLetter(i + 1));
    this.emptyStyleIds = cellStyles.map((style) => styles.addStyleModel({ ...style }, this.types.Null));
  }

  /**
   * The row's XML, or '' for a row with no value (exceljs writes none for it
   * either). A `height` in points is written as exceljs writes `row.height`.
   */
  render(values: readonly CellValue[], rowNumber: number, height?: number): string {
    const { styles, cellStyles, types } = this;
    let cells = '';
    let hasValue = false;
    for (let i = 0; i < values.length; i += 1) {
      const value = values[i];
      const reference = this.references[i] + rowNumber;
      if (value === null) {
        const styleId = this.emptyStyleIds[i];
        if (styleId) cells += `<c r="${reference}" s="${styleId}"/>`;
        continue;
      }
      hasValue = true;
      if (typeof value === 'string') {
        const style = styleAttribute(styles.addStyleModel(cellStyles[i], types.String));
        // LibreOffice drops the line breaks of a "str" cell whose lines fit its
        // width ("Alpha\nBeta" shows as "AlphaBeta"); an inline string keeps them.
        cells += value.includes('\n')
          ? `<c r="${reference}"${style} t="inlineStr"><is><t xml:space="preserve">${this.utils.xmlEncode(value)}</t></is></c>`
          : `<c r="${reference}"${style} t="str"><v>${this.utils.xmlEncode(value)}</v></c>`;
      } else if (typeof value === 'number') {
        cells += `<c r="${reference}"${styleAttribute(styles.addStyleModel(cellStyles[i], types.Number))}><v>${this.utils.xmlEncode(value.toString())}</v></c>`;
      } else {
        cells += `<c r="${reference}"${styleAttribute(styles.addStyleModel(cellStyles[i], types.Date))}><v>${this.utils.dateToExcel(value, false)}</v></c>`;
      }
    }
    return hasValue
      ? `<row r="${rowNumber}"${height ? ` ht="${height}" customHeight="1"` : ''} spans="1:${values.length}" x14ac:dyDescent="0.25">${cells}</row>`
      : '';
  }
}

function styleAttribute(styleId: number): string {
  return styleId ? ` s="${styleId}"` : '';
}

export function columnLetter(column: number): string {
  let letters = '';
  for (let n = column; n > 0; n = Math.floor((n - 1) / 26))
    letters = String.fromCharCode(65 + ((n - 1) % 26)) + letters;
  return letters;
}
