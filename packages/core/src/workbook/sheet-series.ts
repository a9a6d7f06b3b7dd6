import type { Writable } from 'node:stream';
import type ExcelJS from 'exceljs';
import { NUMBER_FORMAT } from './summary-sheet';
import { Utf8Batch } from '../text/utf8-batch';
import { RowXml, columnLetter, type CellValue, type WorksheetInternals } from './row-xml';
import { dataSheetPageSetup, headerHeight, rowHeight } from './print-layout';

/**
 * The data sheets' rows as exceljs's streaming writer takes them: a series of
 * sheets of one kind, the columns they share, and what other spreadsheet
 * software needs beside exceljs's output (filter names, tab order).
 */

export const DATE_FORMAT = 'yyyy-mm-dd hh:mm';

/** Bytes of sheet XML allowed to wait for the compressor before rows stop being added. */
const ZIP_BACKLOG_LIMIT = 128 * 1024;
/** Bytes of rendered rows written to the sheet's stream at a time. */
const BATCH_BYTES = 32 * 1024;

export interface Column {
  header: string;
  width: number;
  numFmt?: string;
  /** Text on several lines: a list, one name per line, or a name longer than the column. */
  wrap?: boolean;
  /** Says whom the row is about: printed again on every page the row continues on (leading columns only). */
  printTitle?: boolean;
}
type ZipInput = Writable & { _writableState?: { length: number } };

/**
 * Writes a sheet's rows, continuing on "Name (2)", "Name (3)", ... when one
 * sheet is full, so that no user is ever left out.
 */
export class SheetSeries {
  private sheet: ExcelJS.Worksheet | null = null;
  private rowsInSheet = 0;
  private readonly cellStyles: Array<Partial<ExcelJS.Style>>;
  private rowXml: RowXml | null = null;
  /** Rows rendered but not yet handed to the sheet's stream. */
  private readonly pending = new Utf8Batch(BATCH_BYTES);
  /** The first rows, held back until the column widths are known from them. */
  private sample: CellValue[][] | null = [];
  private widths: number[] = [];
  /** Each column's width where its text wraps, null where it does not: what a row's height depends on. */
  private wrapWidths: Array<number | null> = [];
  readonly names: string[] = [];

  constructor(
    private readonly workbook: ExcelJS.stream.xlsx.WorkbookWriter,
    private readonly baseName: string,
    private readonly columns: Column[],
    private readonly maxRows: number,
    /** Rejects once the workbook's destination has failed: waiting for the zip would then never end. */
    private readonly outputFailed: Promise<never>,
    /** Collects each sheet's autofilter as the workbook-level name other software reads. */
    private readonly filters: FilterNames,
  ) {
    this.cellStyles = columns.map((column, i) => columnStyle(column, columns[i - 1]));
  }

  /**
   * Writes one row. Returns a promise only when the zip is behind: the caller
   * waits for it then, and otherwise goes on at once, without a promise and a
   * turn of the microtask queue for every row.
   */
  add(values: CellValue[]): Promise<void> | undefined {
    if (this.sample) {
      this.sample.push(values);
      if (this.sample.length < WIDTH_SAMPLE_ROWS) return undefined;
      return this.flushSample();
    }
    return this.write(values);
  }

  private write(values: CellValue[]): Promise<void> | undefined {
    if (!this.sheet || this.rowsInSheet === this.maxRows) this.open();
    // The header, written by exceljs, opened the sheet's data; each row goes
    // straight into the sheet's XML as exceljs would have written it.
    this.rowXml ??= new RowXml(this.workbook, this.cellStyles);
    const full = this.pending.add(
      this.rowXml.render(values, this.rowsInSheet + 2, rowHeight(values, this.wrapWidths)),
    );
    this.rowsInSheet += 1;
    return full ? this.flush(full) : undefined;
  }

  /**
   * Hands rendered rows to the sheet's stream in one write: exceljs's stream
   * turns each write into a promise and a write to the zip, which per row
   * cost more than rendering it.
   */
  private flush(rows: Buffer): Promise<void> | undefined {
    (this.sheet as unknown as WorksheetInternals).stream.write(rows);
    return this.backlogBelowLimit();
  }

  private writePending(): void {
    if (this.pending.length > 0)
      (this.sheet as unknown as WorksheetInternals).stream.write(this.pending.take());
  }

  /**
   * Column widths must be written before the first row, so they are
   * estimated from the first rows (and the headers), held back meanwhile:
   * a bounded number, whatever the site's size.
   */
  private async flushSample(): Promise<void> {
    const sample = this.sample ?? [];
    this.sample = null;
    this.widths = this.columns.map((column, i) =>
      fitWidth(
        column,
        sample.map((row) => row[i]),
      ),
    );
    this.wrapWidths = this.columns.map((column, i) => (column.wrap ? this.widths[i] : null));
    for (const values of sample) {
      const wait = this.write(values);
      if (wait) await wait;
    }
  }

  /**
   * exceljs's streaming writer hands each sheet's XML to the zip without
   * backpressure: when rows arrive faster than deflate compresses them, the
   * XML piles up in memory (tens of MB for 100k users). The pile sits in the
   * stream the zip reads the sheet from; waiting for it to drain keeps memory
   * flat. It relies on exceljs 4.4 internals and does nothing if they change.
   */
  private backlogBelowLimit(): Promise<void> | undefined {
    const zipInput = (this.sheet as unknown as { stream?: { pipes?: ZipInput[] } }).stream?.pipes?.[0];
    // A readable-stream 2 PassThrough: no writableLength, but the same state.
    const backlog = zipInput?._writableState?.length;
    if (!zipInput || typeof backlog !== 'number' || backlog < ZIP_BACKLOG_LIMIT || zipInput.destroyed)
      return undefined;
    return this.drained(zipInput);
  }

  private async drained(zipInput: ZipInput): Promise<void> {
    let done = () => {};
    const drained = new Promise<void>((resolve) => {
      done = () => {
        zipInput.off('drain', done);
        zipInput.off('close', done);
        resolve();
      };
      zipInput.on('drain', done);
      zipInput.on('close', done);
    });
    try {
      await Promise.race([drained, this.outputFailed]);
    } finally {
      done();
    }
  }

  /** Makes sure the first sheet exists (with its header) even with no rows. */
  async finish(): Promise<void> {
    if (this.sample) await this.flushSample();
    if (!this.sheet) this.open();
    this.commitSheet();
  }

  private commitSheet(): void {
    const sheet = this.sheet!;
    // The sheet's last rows; its end follows them into the same stream, and
    // the workbook's commit waits for the zip. exceljs's count of the rows
    // written moves on past them, as if it had written them itself.
    this.writePending();
    (sheet as unknown as WorksheetInternals)._rowZero = this.rowsInSheet + 2;
    // Written with the sheet's end, so it can cover every row now that they are known.
    const range = {
      from: { row: 1, column: 1 },
      to: { row: this.rowsInSheet + 1, column: this.columns.length },
    };
    sheet.autoFilter = range;
    this.filters.add(sheet, `$A$1:$${columnLetter(this.columns.length)}$${this.rowsInSheet + 1}`);
    sheet.commit();
  }

  private open(): void {
    if (this.sheet) this.commitSheet();
    const name = this.names.length === 0 ? this.baseName : `${this.baseName} (${this.names.length + 1})`;
    const widths = this.columns.map((column, i) => this.widths[i] ?? column.width);
    const titleColumns = this.columns.findIndex((column) => !column.printTitle);
    const sheet = this.workbook.addWorksheet(name, {
      views: [{ state: 'frozen', ySplit: 1 }],
      pageSetup: dataSheetPageSetup(widths, titleColumns < 0 ? this.columns.length : titleColumns),
    });
    sheet.columns = this.columns.map((column, i) => ({
      header: column.header,
      width: widths[i],
      style: this.cellStyles[i],
    }));
    const header = sheet.getRow(1);
    header.font = { bold: true };
    header.height = headerHeight(
      this.columns.map((column) => column.header),
      widths,
    );
    this.columns.forEach((column, i) => {
      // Over its values: numbers and dates to the right, text to the left.
      header.getCell(i + 1).alignment = {
        horizontal: column.numFmt ? 'right' : 'left',
        ...this.cellStyles[i].alignment,
        wrapText: true,
        vertical: 'top',
      };
    });
    header.commit();
    const internals = sheet as unknown as WorksheetInternals;
    if (
      internals.startedData !== true ||
      internals._rowZero !== 2 ||
      typeof internals.stream?.write !== 'function'
    )
      throw new Error(
        'exceljs changed: its streaming worksheet no longer opens the data with the header row',
      );
    this.sheet = sheet;
    this.rowsInSheet = 0;
    this.names.push(name);
  }
}

/** Rows a sheet holds back to estimate its column widths. */
const WIDTH_SAMPLE_ROWS = 500;
const MIN_WIDTH = 6;
const MAX_WIDTH = 60;
/** Headers wrap: a long one needs only about this many characters a line. */
const HEADER_LINE = 16;

/** A column's width in characters: its longest value in the sample, or header line, bounded. */
function fitWidth(column: Column, values: CellValue[]): number {
  let longest = Math.min(column.header.length, Math.max(HEADER_LINE, longestWord(column.header)));
  for (const value of values) longest = Math.max(longest, displayLength(value, column));
  return Math.min(MAX_WIDTH, Math.max(MIN_WIDTH, longest + 2));
}

function longestWord(text: string): number {
  return Math.max(...text.split(/\s+/).map((word) => word.length));
}

function displayLength(value: CellValue, column: Column): number {
  if (value === null) return 0;
  if (value instanceof Date) return DATE_FORMAT.length;
  if (typeof value === 'number') {
    return column.numFmt === NUMBER_FORMAT ? value.toLocaleString('en-US').length : String(value).length;
  }
  return Math.max(...value.split('\n').map((line) => line.length));
}

/**
 * exceljs writes a sheet's autoFilter but not the hidden workbook name
 * "_xlnm._FilterDatabase" Excel adds beside it; LibreOffice reads that name
 * to know the filtered range. The streaming writer has no way to add a name
 * local to a sheet, so the names join its list just before it is written.
 */
export class FilterNames {
  private readonly filters: Array<{ sheet: ExcelJS.Worksheet; range: string }> = [];

  add(sheet: ExcelJS.Worksheet, range: string): void {
    this.filters.push({ sheet, range });
  }

  /** Call once the sheets are in their final order: a name belongs to the sheet at its index. */
  addTo(workbook: ExcelJS.stream.xlsx.WorkbookWriter): void {
    const internal = workbook as unknown as WorkbookInternals;
    const definedNames = internal._definedNames;
    if (!definedNames || !Array.isArray(definedNames.model) || !Array.isArray(internal._worksheets)) return;
    const listed = internal._worksheets.filter(Boolean);
    const names = this.filters.map(({ sheet, range }) => ({
      name: '_xlnm._FilterDatabase',
      ranges: [`'${sheet.name.replace(/'/g, "''")}'!${range}`],
      localSheetId: listed.indexOf(sheet),
    }));
    Object.defineProperty(definedNames, 'model', {
      value: [...(definedNames.model as unknown[]), ...names],
      configurable: true,
    });
  }
}

interface WorkbookInternals {
  _worksheets?: Array<ExcelJS.Worksheet | undefined>;
  _definedNames?: { model?: unknown };
}

/**
 * Lists `sheet` first in the workbook (its tab comes first) although it was
 * added, and written, last. exceljs's streaming writer opens a sheet's part of
 * the zip as soon as the sheet is added, and the zip takes its parts one after
 * the other: a sheet added first but written last would hold every other
 * sheet's rows in memory until the end (and stall the writer's backpressure).
 * workbook.xml lists the sheets in the order of this array; each keeps its own
 * part (sheetN.xml by id), so reordering the array reorders only the tabs.
 */
export function listFirst(workbook: ExcelJS.stream.xlsx.WorkbookWriter, sheet: ExcelJS.Worksheet): void {
  const internal = workbook as unknown as WorkbookInternals;
  if (!Array.isArray(internal._worksheets)) return;
  const others = internal._worksheets.filter((other) => other && other !== sheet);
  internal._worksheets = [sheet, ...others];
}

/**
 * Every value at the top of its row: beside a list several lines tall, a
 * row's values read as one line. Text right after a column of numbers or
 * dates (which sit on the right) is indented, so the two never touch.
 */
function columnStyle(column: Column, previous: Column | undefined): Partial<ExcelJS.Style> {
  return {
    ...(column.numFmt && { numFmt: column.numFmt }),
    alignment: {
      vertical: 'top',
      ...(column.numFmt === NUMBER_FORMAT && { horizontal: 'right' }),
      ...(!column.numFmt && previous?.numFmt && { horizontal: 'left', indent: 1 }),
      ...(column.wrap && { wrapText: true }),
    },
  };
}
