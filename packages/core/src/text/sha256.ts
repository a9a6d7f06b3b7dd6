import crypto from 'node:crypto';

/** SHA-256 of a text (UTF-8), as 64 lowercase hex digits. */
export function sha256Hex(text: string): string {
  return crypto.createHash('sha256').update(text, 'utf8').digest('hex');
}
