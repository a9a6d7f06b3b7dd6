import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { execFileSync } from 'node:child_process';
import type { Requirement } from './requirement';

/** One word as printed: its text and its box on the page, in points from the top left. */
export interface PrintedWord {
  text: string;
  xMin: number;
  yMin: number;
  xMax: number;
  yMax: number;
}

export interface PrintedPage {
  width: number;
  height: number;
  words: PrintedWord[];
}

/** Whether poppler's pdftotext and pdftoppm can be run here (Debian: poppler-utils). */
export function popplerAvailable(): boolean {
  try {
    execFileSync('sh', ['-c', 'command -v pdftotext && command -v pdftoppm'], { stdio: 'ignore' });
    return true;
  } catch {
    return false;
  }
}

/** poppler, for reading printed pages; required with LibreOffice, which prints them (SPOTLIGHT_REQUIRE_LIBREOFFICE=1). */
export const POPPLER: Requirement = {
  missing: 'poppler is not installed (Debian: poppler-utils)',
  requireEnv: 'SPOTLIGHT_REQUIRE_LIBREOFFICE',
  available: popplerAvailable,
};

const decode = (text: string) =>
  text
    .replace(/&lt;/g, '<')
    .replace(/&gt;/g, '>')
    .replace(/&quot;/g, '"')
    .replace(/&apos;/g, "'")
    .replace(/&amp;/g, '&');

/**
 * Every word of a PDF with its box (`pdftotext -bbox`), page by page. A box
 * is as tall as its font's ascent to descent: about the font's size in points.
 */
export function readPrintedPages(pdf: Buffer): PrintedPage[] {
  const html = execFileSync('pdftotext', ['-bbox', '-', '-'], {
    input: pdf,
    encoding: 'utf8',
    maxBuffer: 256 * 1024 * 1024,
    timeout: 60_000,
  });
  return [...html.matchAll(/<page width="([\d.]+)" height="([\d.]+)">([\s\S]*?)<\/page>/g)].map((page) => ({
    width: Number(page[1]),
    height: Number(page[2]),
    words: [
      ...page[3].matchAll(
        /<word xMin="([\d.-]+)" yMin="([\d.-]+)" xMax="([\d.-]+)" yMax="([\d.-]+)">([^<]*)<\/word>/g,
      ),
    ].map((word) => ({
      text: decode(word[5]),
      xMin: Number(word[1]),
      yMin: Number(word[2]),
      xMax: Number(word[3]),
      yMax: Number(word[4]),
    })),
  }));
}

/**
 * Pairs of words printed over each other. Each box loses a fifth of its
 * height top and bottom first (room above capitals and below the baseline,
 * which the next line of a paragraph may take) and half a point each side.
 */
export function overlappingWords(page: PrintedPage): Array<[PrintedWord, PrintedWord]> {
  const inner = page.words.map((word) => {
    const trim = (word.yMax - word.yMin) / 5;
    return { word, x0: word.xMin + 0.5, x1: word.xMax - 0.5, y0: word.yMin + trim, y1: word.yMax - trim };
  });
  inner.sort((a, b) => a.y0 - b.y0);
  const pairs: Array<[PrintedWord, PrintedWord]> = [];
  for (let i = 0; i < inner.length; i += 1) {
    for (let j = i + 1; j < inner.length && inner[j].y0 < inner[i].y1; j += 1) {
      if (inner[j].x0 < inner[i].x1 && inner[i].x0 < inner[j].x1) pairs.push([inner[i].word, inner[j].word]);
    }
  }
  return pairs;
}

/**
 * Saves a picture of every page of `pdf` as `<dir>/<name>-<page>.png`
 * (`pdftoppm -png`), for a person to look at; returns their paths.
 */
export function savePagePictures(pdf: Buffer, dir: string, name: string): string[] {
  fs.mkdirSync(dir, { recursive: true });
  for (const old of fs.readdirSync(dir)) {
    if (old.startsWith(`${name}-`) && old.endsWith('.png')) fs.rmSync(path.join(dir, old));
  }
  const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'spotlight-pdf-'));
  try {
    const file = path.join(tmp, 'printed.pdf');
    fs.writeFileSync(file, pdf);
    execFileSync('pdftoppm', ['-png', '-r', '80', file, path.join(dir, name)], {
      stdio: 'ignore',
      timeout: 120_000,
    });
  } finally {
    fs.rmSync(tmp, { recursive: true, force: true });
  }
  return fs
    .readdirSync(dir)
    .filter((file) => file.startsWith(`${name}-`) && file.endsWith('.png'))
    .sort()
    .map((file) => path.join(dir, file));
}
