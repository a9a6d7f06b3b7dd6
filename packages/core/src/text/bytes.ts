/**
 * A size for people, in binary units ("512 B", "7.3 KiB", "20.0 MiB"): the one
 * unit every message, email and summary uses.
 */
export function formatBytes(bytes: number): string {
  if (bytes < 1024) return `${bytes} B`;
  if (bytes < 1024 * 1024) return `${(bytes / 1024).toFixed(1)} KiB`;
  return `${(bytes / (1024 * 1024)).toFixed(1)} MiB`;
}
