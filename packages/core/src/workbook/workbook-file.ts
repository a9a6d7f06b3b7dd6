import path from 'node:path';
import { InvalidInputError } from '../errors';
import { quoted } from '../text/quoted';

/** The extension of every workbook file the export writes or sends. */
export const WORKBOOK_EXTENSION = '.xlsx';

/**
 * A path to keep the workbook at, given as `what` (a flag's name): its name
 * must end in .xlsx, in any case, so that the file opens as what it is.
 */
export function parseWorkbookPath(what: string, file: string): string {
  if (path.extname(file).toLowerCase() !== WORKBOOK_EXTENSION) {
    throw new InvalidInputError(
      `${what} ${quoted(path.basename(file))} is not an ${WORKBOOK_EXTENSION} file name; the export writes an Excel workbook: give a name ending in ${WORKBOOK_EXTENSION}, such as activity${WORKBOOK_EXTENSION}.`,
    );
  }
  return file;
}
