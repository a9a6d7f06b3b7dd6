import { SingleBar } from 'cli-progress';

export interface ExportProgress {
  update(users: number): void;
  stop(): void;
}

const SILENT: ExportProgress = { update() {}, stop() {} };

/**
 * A progress line on stderr for exports that take a while. It appears only
 * after `delayMs`, so quick exports print nothing but their summary, and never
 * when `enabled` is false (stderr is not a terminal, or --json).
 */
export function exportProgress(
  customer: string,
  options: { enabled: boolean; delayMs?: number },
): ExportProgress {
  if (!options.enabled) return SILENT;
  const bar = new SingleBar({
    stream: process.stderr,
    format: `Exporting ${customer}: {value} users written ({duration_formatted})`,
    clearOnComplete: true,
    hideCursor: true,
  });
  let users = 0;
  let started = false;
  const timer = setTimeout(() => {
    started = true;
    bar.start(0, users);
  }, options.delayMs ?? 1000);
  timer.unref();
  return {
    update(value) {
      users = value;
      if (started) bar.update(value);
    },
    stop() {
      clearTimeout(timer);
      if (started) bar.stop();
    },
  };
}
