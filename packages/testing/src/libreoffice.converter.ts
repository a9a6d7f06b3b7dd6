import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { execFileSync } from 'node:child_process';
import type { Requirement } from './requirement';

/** Whether LibreOffice can be run headless here (Debian: libreoffice-calc-nogui). */
export function libreOfficeAvailable(): boolean {
  try {
    execFileSync('sh', ['-c', 'command -v soffice'], { stdio: 'ignore' });
    return true;
  } catch {
    return false;
  }
}

/** LibreOffice, for what converts or prints a workbook; CI requires it with SPOTLIGHT_REQUIRE_LIBREOFFICE=1. */
export const LIBREOFFICE: Requirement = {
  missing: 'LibreOffice is not installed (Debian: libreoffice-calc-nogui)',
  requireEnv: 'SPOTLIGHT_REQUIRE_LIBREOFFICE',
  available: libreOfficeAvailable,
};

/**
 * Converts a spreadsheet with headless LibreOffice (`pdf`, `ods`, `csv`, ...)
 * and returns the converted file's bytes: LibreOffice reads the workbook
 * independently of exceljs and openpyxl.
 */
export function convertWithLibreOffice(file: string, format: string): Buffer {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'spotlight-soffice-'));
  try {
    // Its own profile: two conversions at once would otherwise share a lock.
    execFileSync(
      'soffice',
      [
        `-env:UserInstallation=file://${path.join(dir, 'profile')}`,
        '--headless',
        '--convert-to',
        format,
        '--outdir',
        dir,
        file,
      ],
      { stdio: 'ignore', timeout: 120_000 },
    );
    const out = path.join(dir, `${path.parse(file).name}.${format.split(':')[0]}`);
    return fs.readFileSync(out);
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
}

/** One entry of a zip file (an .xlsx or .ods part), read with Python's zipfile. */
export function zipEntry(file: string | Buffer, entry: string): string {
  const source = typeof file === 'string' ? file : null;
  const script =
    'import sys, zipfile, io\ndata = sys.stdin.buffer.read()\nz = zipfile.ZipFile(sys.argv[2] if sys.argv[2] else io.BytesIO(data))\nsys.stdout.write(z.read(sys.argv[1]).decode("utf-8"))';
  return execFileSync(
    fs.existsSync('/usr/bin/python3') ? '/usr/bin/python3' : 'python3',
    ['-c', script, entry, source ?? ''],
    {
      input: source ? '' : file,
      encoding: 'utf8',
      maxBuffer: 256 * 1024 * 1024,
    },
  );
}
