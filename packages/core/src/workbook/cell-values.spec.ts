import { dateCell, EXCEL_MAX_CELL_LENGTH, listCell, MAX_LIST_LINES, textCell, xmlSafe } from './cell-values';

const CUT_MARKER = /… \((\d+) more characters\)$/;

describe('xmlSafe', () => {
  it.each([
    ['a C0 control', 'a\u0000b\u0001c\u0008d\u000Be\u000Cf\u000Eg\u001Fh', 'a�b�c�d�e�f�g�h'],
    ['DEL, which exceljs would drop', 'del\u007F', 'del�'],
    ['U+FFFE and U+FFFF', 'x\uFFFEy\uFFFFz', 'x�y�z'],
    ['a lone high surrogate', 'a\uD83Db', 'a�b'],
    ['a lone low surrogate', 'a\uDE00b', 'a�b'],
    ['a pair in the wrong order', '\uDE00\uD83D', '��'],
    ['a high surrogate at the very end', 'end\uD83D', 'end�'],
  ])('replaces %s with U+FFFD, one for each', (_case, input, expected) => {
    expect(xmlSafe(input)).toBe(expected);
    expect(xmlSafe(input)).toHaveLength(input.length);
  });

  it('keeps tab, line breaks, whole surrogate pairs and other characters XML allows', () => {
    const fine = 'tab\tLF\nCR\r 😀 \u2028 \uFDD0 \uFFFD é 中';
    expect(xmlSafe(fine)).toBe(fine);
  });
});

describe('textCell', () => {
  it('makes an empty cell of the empty string, and a text cell of anything else', () => {
    expect(textCell('')).toBeNull();
    expect(textCell(' ')).toBe(' ');
    expect(textCell('=1+2')).toBe('=1+2');
    expect(textCell('Ann\uFFFEe')).toBe('Ann�e');
  });

  it('leaves text of exactly 32,767 characters whole', () => {
    const full = 'x'.repeat(EXCEL_MAX_CELL_LENGTH);
    expect(textCell(full)).toBe(full);
  });

  it.each([EXCEL_MAX_CELL_LENGTH + 1, 40_000, 1_000_000])(
    'cuts text of %i characters to fit, saying how many characters were left out',
    (length) => {
      const full = Array.from({ length }, (_, i) => String.fromCharCode(97 + (i % 26))).join('');
      const cell = textCell(full)!;
      expect(cell.length).toBeLessThanOrEqual(EXCEL_MAX_CELL_LENGTH);
      const marker = CUT_MARKER.exec(cell)!;
      expect(marker).not.toBeNull();
      expect(full.startsWith(cell.slice(0, marker.index))).toBe(true);
      expect(Number(marker[1])).toBe(length - marker.index);
      // Only the count's digits may leave the cell short of the limit.
      expect(cell.length).toBeGreaterThan(EXCEL_MAX_CELL_LENGTH - 8);
    },
  );

  it('never splits a surrogate pair, and counts characters rather than UTF-16 units', () => {
    const full = '😀'.repeat(20_000);
    const cell = textCell(full)!;
    expect(cell.length).toBeLessThanOrEqual(EXCEL_MAX_CELL_LENGTH);
    const marker = CUT_MARKER.exec(cell)!;
    const kept = cell.slice(0, marker.index);
    expect(kept).toBe('😀'.repeat(kept.length / 2));
    expect(Number(marker[1])).toBe(20_000 - kept.length / 2);
    expect(xmlSafe(cell)).toBe(cell);
  });

  it('replaces unwritable characters before it measures, so a cut cell holds none', () => {
    const cell = textCell('\u0001'.repeat(40_000))!;
    expect(cell).toMatch(/^�+… \(\d+ more characters\)$/);
  });
});

describe('listCell', () => {
  it('puts one name per line, so separators inside names stay part of one name', () => {
    expect(listCell(['Alpha; Beta', 'Gamma, Delta', 'Epsilon'])).toBe('Alpha; Beta\nGamma, Delta\nEpsilon');
  });

  it('turns every kind of line break inside a name into one space', () => {
    expect(listCell(['a\r\nb', 'c\rd', 'e\nf', 'g\u2028h', 'i\u2029j', 'k\n\nl'])).toBe(
      'a b\nc d\ne f\ng h\ni j\nk  l',
    );
  });

  it('replaces unwritable characters in names, and is empty for no names', () => {
    expect(listCell(['Lima\uFFFFMike', 'ctl\u0007'])).toBe('Lima�Mike\nctl�');
    expect(listCell([])).toBeNull();
  });

  it('writes a list longer than a printed row holds "; "-separated, for its lines to wrap', () => {
    const names = Array.from({ length: MAX_LIST_LINES + 1 }, (_, i) => `Name ${i}`);
    expect(listCell(names.slice(0, MAX_LIST_LINES))).toBe(names.slice(0, MAX_LIST_LINES).join('\n'));
    expect(listCell(names)).toBe(names.join('; '));
  });

  it('cuts a list too long for one cell, counting what was left out', () => {
    const names = Array.from({ length: 300 }, (_, i) => `Community ${i} `.padEnd(149, 'x'));
    const full = names.join('; ');
    const cell = listCell(names)!;
    expect(cell.length).toBeLessThanOrEqual(EXCEL_MAX_CELL_LENGTH);
    const marker = CUT_MARKER.exec(cell)!;
    expect(full.startsWith(cell.slice(0, marker.index))).toBe(true);
    expect(Number(marker[1])).toBe(full.length - marker.index);
  });
});

describe('dateCell', () => {
  it('is empty for no date and for an invalid one', () => {
    expect(dateCell(null)).toBeNull();
    expect(dateCell(new Date(Number.NaN))).toBeNull();
    expect(dateCell(new Date('0000-00-00T00:00:00Z'))).toBeNull();
  });

  it('keeps a date Excel can show as a date', () => {
    for (const iso of ['1900-03-01T00:00:00.000Z', '2026-11-25T08:30:00.000Z', '9999-12-31T23:59:59.999Z']) {
      expect(dateCell(new Date(iso))).toEqual(new Date(iso));
    }
  });

  it('writes a date Excel cannot show as ISO 8601 text', () => {
    for (const iso of [
      '1850-06-01T12:00:00.000Z',
      '1900-02-28T23:59:59.999Z',
      '1899-12-31T00:00:00.000Z',
      '0001-01-01T00:00:00.000Z',
      '+010000-01-01T00:00:00.000Z',
    ]) {
      expect(dateCell(new Date(iso))).toBe(iso);
    }
  });

  it("shows a date Excel can show at the zone's wall clock, and one it cannot as the true UTC instant", () => {
    expect(dateCell(new Date('2026-11-25T08:30:00Z'), 'Europe/Paris')).toEqual(
      new Date('2026-11-25T09:30:00Z'),
    );
    expect(dateCell(new Date('1000-01-01T00:00:00Z'), 'Pacific/Kiritimati')).toBe('1000-01-01T00:00:00.000Z');
    expect(dateCell(new Date('1850-06-01T12:00:00Z'), 'America/New_York')).toBe('1850-06-01T12:00:00.000Z');
    // Paris's wall clock of that instant is already 1900-03-01, a day Excel shows.
    expect(dateCell(new Date('1900-02-28T23:55:00Z'), 'Europe/Paris')).toEqual(
      new Date('1900-03-01T00:04:21Z'),
    );
    expect(dateCell(new Date(Number.NaN), 'Europe/Paris')).toBeNull();
  });
});
