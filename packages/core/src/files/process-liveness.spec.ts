import { spawn, type ChildProcess } from 'node:child_process';
import fs from 'node:fs';
import { processIsRunning } from './process-liveness';

/** The state letter of a Linux process (R, S, Z, ...), or undefined once it is gone. */
function stateOf(pid: number): string | undefined {
  try {
    const stat = fs.readFileSync(`/proc/${pid}/stat`, 'utf8');
    return stat.slice(stat.lastIndexOf(')') + 2, stat.lastIndexOf(')') + 3);
  } catch {
    return undefined;
  }
}

async function until(condition: () => boolean, what: string, ms = 5_000): Promise<void> {
  const deadline = Date.now() + ms;
  while (!condition()) {
    if (Date.now() > deadline) throw new Error(`${what} did not happen within ${ms} ms`);
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
}

const linuxOnly = process.platform === 'linux' ? it : it.skip;

describe('processIsRunning', () => {
  let holder: ChildProcess | undefined;
  afterEach(() => {
    holder?.kill('SIGKILL');
    holder = undefined;
  });

  it('says yes for this process and no for an id nothing has', () => {
    expect(processIsRunning(process.pid)).toBe(true);
    expect(processIsRunning(2 ** 22 + 1)).toBe(false); // above Linux's largest pid
  });

  linuxOnly(
    'says no for a process killed but not yet reaped (a zombie: what kill -9 leaves until its parent or init collects it)',
    async () => {
      // A shell starts `sleep`, prints its pid and becomes a `sleep` itself, which never collects
      // its child: killed, the child stays a zombie for as long as the holder runs. So does the
      // restarted CLI after a kill -9 of bin/run.js, until init reaps it (every 2 s on this machine).
      holder = spawn('sh', ['-c', 'sleep 60 & echo $!; exec sleep 61'], {
        stdio: ['ignore', 'pipe', 'ignore'],
      });
      let out = '';
      holder.stdout!.setEncoding('utf8').on('data', (chunk: string) => (out += chunk));
      await until(() => out.endsWith('\n'), 'the shell printing its child');
      const child = Number(out.trim());
      await until(
        () => fs.readFileSync(`/proc/${holder!.pid}/cmdline`, 'utf8').startsWith('sleep\0'),
        'the shell becoming sleep',
      );
      process.kill(child, 'SIGKILL');
      await until(() => stateOf(child) === 'Z', 'the killed child becoming a zombie');

      expect(processIsRunning(child)).toBe(false);
      expect(processIsRunning(holder.pid!)).toBe(true);
    },
  );
});
