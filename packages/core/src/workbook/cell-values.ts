import { oneLine } from '../text/one-line';
import { DEFAULT_TIME_ZONE, toWallClock } from './zoned-time';

/**
 * What the workbook writes for a value from the database, so that the file
 * opens everywhere and each cell tells the truth about what was stored.
 */

/** The most characters Excel holds in one cell. */
export const EXCEL_MAX_CELL_LENGTH = 32_767;

/** Written where a character cannot be stored, so the reader sees that one was there. */
export const REPLACEMENT_CHARACTER = '\uFFFD';

// What XML 1.0 cannot hold: C0 controls other than tab, LF and CR; U+FFFE and
// U+FFFF; surrogates without their other half. DEL is legal XML, but exceljs
// drops it without a trace.
const UNWRITABLE =
  // eslint-disable-next-line no-control-regex -- matching control characters is the point
  /[\x00-\x08\x0B\x0C\x0E-\x1F\x7F\uFFFE\uFFFF]|[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/g;

// Excel's serial numbers are off by one before 1900-03-01 (it counts a
// 29 February 1900 that never was) and do not go below 1 or past 9999.
const FIRST_EXCEL_DATE = Date.UTC(1900, 2, 1);
const LAST_EXCEL_DATE = Date.UTC(9999, 11, 31, 23, 59, 59, 999);

/** `text` with every character XML cannot hold replaced by U+FFFD. */
export function xmlSafe(text: string): string {
  return text.replace(UNWRITABLE, REPLACEMENT_CHARACTER);
}

/**
 * A text cell: characters XML cannot hold become U+FFFD, and text too long
 * for a cell is cut with "… (N more characters)" at its end. The empty
 * string is an empty cell. exceljs never turns a string into a formula.
 */
export function textCell(value: string): string | null {
  return value === '' ? null : fitCell(xmlSafe(value));
}

/** The most names a list cell puts one to a line: a row of more lines would not fit on a printed page. */
export const MAX_LIST_LINES = 20;

/**
 * A list of names as one cell: one name per line (the column wraps), so a
 * name holding "; " or "," is never read as two. Line breaks inside a name
 * become spaces, so each line is exactly one name. A longer list than
 * {@link MAX_LIST_LINES} is written "; "-separated and wrapped instead: one
 * name a line would make a row taller than a page (or than Excel's 409 pt).
 */
export function listCell(names: readonly string[]): string | null {
  const separator = names.length > MAX_LIST_LINES ? '; ' : '\n';
  return textCell(names.map(oneLine).join(separator));
}

/**
 * A date cell showing `value` at the wall clock of `timeZone`. No date, or
 * an invalid one (a MySQL zero date), is an empty cell. A date Excel cannot
 * show is written as ISO 8601 text of the instant itself, in UTC: text
 * ending in Z must mean UTC, whatever zone the other cells are shown in.
 */
export function dateCell(value: Date | null, timeZone = DEFAULT_TIME_ZONE): Date | string | null {
  if (value === null || Number.isNaN(value.getTime())) return null;
  const shown = toWallClock(value, timeZone);
  const time = shown.getTime();
  return time < FIRST_EXCEL_DATE || time > LAST_EXCEL_DATE ? value.toISOString() : shown;
}

function fitCell(text: string): string {
  if (text.length <= EXCEL_MAX_CELL_LENGTH) return text;
  // The count never has more digits than the whole text's length.
  let end = EXCEL_MAX_CELL_LENGTH - cutMarker(text.length).length;
  if (isHighSurrogate(text.charCodeAt(end - 1))) end -= 1;
  return text.slice(0, end) + cutMarker(countCharacters(text, end));
}

function cutMarker(cut: number): string {
  return `… (${cut} more characters)`;
}

/** Characters (code points, not UTF-16 units) from `start` on, in text with no lone surrogates. */
function countCharacters(text: string, start: number): number {
  let count = text.length - start;
  for (let i = start; i < text.length; i += 1) if (isLowSurrogate(text.charCodeAt(i))) count -= 1;
  return count;
}

function isHighSurrogate(code: number): boolean {
  return code >= 0xd800 && code <= 0xdbff;
}

function isLowSurrogate(code: number): boolean {
  return code >= 0xdc00 && code <= 0xdfff;
}
