// CR, LF and CRLF, and Unicode's line and paragraph separators: whatever a
// mail program, a spreadsheet or a terminal may print as a new line.
const LINE_BREAK = /\r\n|[\r\n\u2028\u2029]/g;

/** `text` on one line: each line break becomes a space, so a name is never read as two. */
export function oneLine(text: string): string {
  return text.replace(LINE_BREAK, ' ');
}
