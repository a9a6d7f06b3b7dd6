import { spawn, type ChildProcess } from 'node:child_process';
import fs from 'node:fs';
import net from 'node:net';
import path from 'node:path';

/** The built server, as production runs it. */
export const SERVER_MAIN = path.join(
  path.dirname(require.resolve('@spotlight/server/package.json')),
  'dist',
  'main.js',
);

/** What is kept of a server's output: the end, enough to say why it stopped. */
const OUTPUT_TAIL = 64 * 1024;

async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = net.createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address() as net.AddressInfo;
      server.close(() => resolve(port));
    });
  });
}

/** One `node apps/server/dist/main.js` child process on a free port of 127.0.0.1. */
export class ServerInstance {
  private tail = '';
  private readonly exited: Promise<void>;

  private constructor(
    private readonly child: ChildProcess,
    readonly url: string,
    readonly name: string,
  ) {
    const keep = (chunk: Buffer) => {
      this.tail = (this.tail + chunk.toString()).slice(-OUTPUT_TAIL);
    };
    child.stdout!.on('data', keep);
    child.stderr!.on('data', keep);
    this.exited = new Promise((resolve) => child.once('exit', () => resolve()));
  }

  /** Starts the server with exactly `env` (plus PATH, HOST and PORT) and waits until /health answers. */
  static async start(
    name: string,
    env: Record<string, string>,
    timeoutMs = 180_000,
  ): Promise<ServerInstance> {
    if (!fs.existsSync(SERVER_MAIN))
      throw new Error(`${SERVER_MAIN} is missing; build first: npx pnpm@10.34.9 build`);
    const port = await freePort();
    const child = spawn(process.execPath, [SERVER_MAIN], {
      env: { PATH: process.env.PATH ?? '', HOST: '127.0.0.1', PORT: String(port), ...env },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    const instance = new ServerInstance(child, `http://127.0.0.1:${port}`, name);
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      if (child.exitCode !== null)
        throw new Error(`server ${name} exited with ${child.exitCode}: ${instance.output()}`);
      try {
        if ((await fetch(`${instance.url}/health`)).ok) return instance;
      } catch {
        // not listening yet
      }
      if (Date.now() > deadline) {
        await instance.stop();
        throw new Error(
          `server ${name} did not become healthy in ${timeoutMs / 1000} s: ${instance.output()}`,
        );
      }
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
  }

  get pid(): number {
    return this.child.pid!;
  }

  output(): string {
    return this.tail;
  }

  /** The process's peak resident set so far (VmHWM), in bytes; null where /proc has no such line. */
  peakRss(): number | null {
    try {
      const status = fs.readFileSync(`/proc/${this.pid}/status`, 'utf8');
      const kb = /^VmHWM:\s+(\d+) kB$/m.exec(status);
      return kb ? Number(kb[1]) * 1024 : null;
    } catch {
      return null;
    }
  }

  /** SIGTERM, then SIGKILL if it has not exited within `graceMs`. */
  async stop(graceMs = 30_000): Promise<void> {
    if (this.child.exitCode !== null || this.child.signalCode !== null) return;
    this.child.kill('SIGTERM');
    let timer: NodeJS.Timeout | undefined;
    const killed = new Promise<void>((resolve) => {
      timer = setTimeout(() => {
        this.child.kill('SIGKILL');
        resolve();
      }, graceMs);
    });
    await Promise.race([this.exited, killed]);
    clearTimeout(timer);
    await this.exited;
  }
}
