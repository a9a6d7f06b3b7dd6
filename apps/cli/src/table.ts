/**
 * Rows as aligned columns under an upper-case header, for `list` commands
 * without --json. Cells come from the database, where anything may be
 * stored: control characters and line separators are shown escaped, so no
 * cell breaks a line or forges one.
 */
export function formatTable(header: string[], rawRows: string[][]): string {
  const rows = rawRows.map((row) => row.map(printable));
  const widths = header.map((title, i) => Math.max(title.length, ...rows.map((row) => row[i].length)));
  return [header, ...rows]
    .map((row) =>
      row
        .map((cell, i) => (i === row.length - 1 ? cell : cell.padEnd(widths[i])))
        .join('  ')
        .trimEnd(),
    )
    .join('\n');
}

function printable(cell: string): string {
  return cell.replace(
    /[\p{Cc}\u2028\u2029]/gu,
    (ch) => `\\u${ch.charCodeAt(0).toString(16).padStart(4, '0')}`,
  );
}
