import type ExcelJS from 'exceljs';
import { columnLetter } from './row-xml';

/**
 * How the data sheets look on paper (and in LibreOffice, which neither
 * measures rows streamed out nor substitutes a font as narrow as Calibri):
 * rows tall enough for their wrapped lines, and text never printed smaller
 * than a person can read.
 */

/** The data sheets' font size (exceljs's default, Calibri 11). */
const FONT_PT = 11;
/** Excel's height of a line of 11 pt Calibri; LibreOffice's wider substitute fits in it too. */
const LINE_PT = 15;
/** The tallest row Excel accepts. */
const MAX_ROW_PT = 409.5;
/**
 * Characters of text that fit on a line of a column `width` characters wide
 * (widths count digits, and a cell has a little padding): LibreOffice's
 * stand-in for Calibri, DejaVu Sans, is wider, so a line is counted shorter
 * than the width.
 */
const charsPerLine = (width: number) => Math.max(1, Math.floor(width * 0.95) - 1);
/** The smallest text fitting a sheet to one page wide may print; 7 pt is the floor, with room for font metrics. */
const MIN_FITTED_PT = 8;
/** Landscape A4 less exceljs's default margins (0.7 in each side), in points. */
const PRINTABLE_WIDTH_PT = 842 - 2 * 0.7 * 72;

/**
 * The row's height in points when a wrapped cell holds more than one line;
 * undefined for a row of one line, whose height every reader gets right.
 */
export function rowHeight(
  values: ReadonlyArray<unknown>,
  wrapWidths: ReadonlyArray<number | null>,
): number | undefined {
  let lines = 1;
  for (let i = 0; i < wrapWidths.length; i += 1) {
    const width = wrapWidths[i];
    const value = values[i];
    if (width !== null && typeof value === 'string') lines = Math.max(lines, wrappedLines(value, width));
  }
  return lines > 1 ? Math.min(MAX_ROW_PT, lines * LINE_PT) : undefined;
}

/** The header row's height: headers wrap onto as many lines as their column's width needs. */
export function headerHeight(headers: readonly string[], widths: readonly number[]): number {
  // Bold text is wider still: count a little less per line.
  const lines = Math.max(1, ...headers.map((header, i) => wrappedLines(header, widths[i] * 0.9)));
  return Math.min(MAX_ROW_PT, lines * LINE_PT);
}

/**
 * Lines `text` takes in a column `width` characters wide, wrapped at spaces
 * (and inside words too long for a line). One pass without allocating: it
 * runs for every row's lists.
 */
export function wrappedLines(text: string, width: number): number {
  const perLine = charsPerLine(width);
  if (text.length <= perLine && !text.includes('\n')) return 1;
  let lines = 1;
  let used = 0;
  let word = 0;
  for (let i = 0; i <= text.length; i += 1) {
    const code = i < text.length ? text.charCodeAt(i) : NEWLINE;
    if (code !== SPACE && code !== NEWLINE) {
      word += 1;
      continue;
    }
    if (word > 0) {
      if (used > 0 && used + 1 + word > perLine) {
        lines += 1;
        used = 0;
      }
      used += (used > 0 ? 1 : 0) + word;
      for (; used > perLine; used -= perLine) lines += 1;
      word = 0;
    }
    if (code === NEWLINE && i < text.length) {
      lines += 1;
      used = 0;
    }
  }
  return lines;
}

const SPACE = 32;
const NEWLINE = 10;

/** A column's width in points, as spreadsheets turn a width in characters into pixels (7 a digit, 5 of padding). */
function widthPoints(width: number): number {
  return (Math.trunc(width * 7) + 5) * 0.75;
}

/**
 * The page setup of a data sheet, from its columns' widths: landscape A4,
 * the header row on every page, fitted to one page wide when its text then
 * still prints at 8 pt or more; otherwise printed at 8 pt with its columns
 * running onto further pages, left to right before down, and the first
 * `titleColumns` (who the row is about) repeated on each.
 */
export function dataSheetPageSetup(
  widths: readonly number[],
  titleColumns: number,
): Partial<ExcelJS.PageSetup> {
  const common = { orientation: 'landscape', paperSize: 9, printTitlesRow: '1:1' } as const;
  const total = widths.reduce((sum, width) => sum + widthPoints(width), 0);
  if ((FONT_PT * PRINTABLE_WIDTH_PT) / total >= MIN_FITTED_PT)
    return { ...common, fitToPage: true, fitToWidth: 1, fitToHeight: 0 };
  const scale = Math.ceil((100 * MIN_FITTED_PT) / FONT_PT);
  const titles = widths.slice(0, titleColumns).reduce((sum, width) => sum + widthPoints(width), 0);
  // Titles that would fill most of each page are left out: the other columns need the room.
  const repeat = titleColumns > 0 && (titles * scale) / 100 <= PRINTABLE_WIDTH_PT / 2;
  return {
    ...common,
    fitToPage: false,
    scale,
    pageOrder: 'overThenDown',
    ...(repeat && { printTitlesColumn: `A:${columnLetter(titleColumns)}` }),
  };
}
