import fs from 'node:fs';
import path from 'node:path';

/**
 * The product's version and commit, for `--version`, the server's start line
 * and its metrics. The version is the root package.json's (the core
 * package's when the root has none); the commit is not known here.
 */
export function buildInfo(): { version: string; commit: string } {
  const read = (file: string): string | undefined => {
    try {
      return (JSON.parse(fs.readFileSync(file, 'utf8')) as { version?: string }).version;
    } catch {
      return undefined;
    }
  };
  const version =
    read(path.resolve(__dirname, '../../../../package.json')) ??
    read(path.resolve(__dirname, '../../package.json')) ??
    '0.0.0';
  return { version, commit: 'unknown' };
}
