import fs from 'node:fs';
import { Command, Errors, type Interfaces } from '@oclif/core';
import { InvalidInputError, explainDatabaseError, sweepStaleScratch } from '@spotlight/core';
import { debugEnabled, loadCliConfig } from './config';
import { describeFailure, describeInterruption, type CliErrorCode } from './exit-codes';
import { openServices, type Services } from './services';

// Work that stops cleanly (an export) gets this long to end and record itself; then the CLI ends anyway.
const INTERRUPT_GRACE_MS = 10_000;
// Ctrl-C reaches both processes of a restarted CLI and the first relays it (bin/run.js): one signal.
const SAME_SIGNAL_MS = 300;

/** What `--json` prints when a command fails. */
export interface JsonFailure {
  error: { code: CliErrorCode; message: string; exitCode: number };
}

/**
 * The base of every `spotlight` command: `--json`, services built from the
 * validated environment and closed when the command ends, and the one place
 * where failures become a one-line message and a documented exit code.
 *
 * A command extends it, declares its flags and returns its typed result from
 * `run()`; `--json` prints that result.
 */
export abstract class SpotlightCommand<T> extends Command {
  static override enableJsonFlag = true;

  private openedServices?: Services;
  private readonly interruptCleanups: Array<() => void> = [];
  private readonly onSignal = (signal: NodeJS.Signals) => this.interrupt(signal);
  private readonly stopping = new AbortController();
  private stopsCleanly = false;
  private interruptedBy?: { signal: NodeJS.Signals; at: number };

  abstract override run(): Promise<T>;

  /** Whether the command creates a SQLite database that does not exist (`db migrate`); others refuse it. */
  protected readonly createsSqliteFile: boolean = false;

  /** Database, repositories and services, made on first use. */
  protected get services(): Services {
    this.openedServices ??= openServices(loadCliConfig().core, {
      debug: debugEnabled(),
      createSqliteFile: this.createsSqliteFile,
    });
    return this.openedServices;
  }

  /**
   * oclif's parse, refusing a flag given an empty value: `--since "$SINCE"`
   * with SINCE unset would otherwise be an export of all time that nobody
   * asked for.
   */
  protected override async parse<
    F extends Record<string, unknown>,
    B extends Record<string, unknown>,
    A extends Record<string, unknown>,
  >(options?: Interfaces.Input<F, B, A>, argv?: string[]): Promise<Interfaces.ParserOutput<F, B, A>> {
    const parsed = await super.parse(options, argv);
    for (const [name, value] of Object.entries(parsed.flags)) {
      if (typeof value !== 'string' || value.trim() !== '') continue;
      const required = Boolean(options?.flags?.[name]?.required);
      throw new InvalidInputError(
        `--${name} is empty: give it a value${required ? '' : ', or leave it out'}.`,
      );
    }
    return parsed;
  }

  /** Whether transient output (progress) may be drawn: stderr is a terminal and no --json. */
  protected get interactive(): boolean {
    return Boolean(process.stderr.isTTY) && !this.jsonEnabled();
  }

  override async init(): Promise<void> {
    await super.init();
    process.on('SIGINT', this.onSignal);
    process.on('SIGTERM', this.onSignal);
    removeScratchOfDeadProcesses();
  }

  /**
   * For work that stops cleanly when aborted (an export, which then records
   * itself): the first SIGINT or SIGTERM aborts it and the command ends
   * through `catch`, with 130 or 143. A second signal, or work still going
   * after INTERRUPT_GRACE_MS, ends the command at once, as it does for
   * commands that never ask for this signal.
   */
  protected get abortSignal(): AbortSignal {
    this.stopsCleanly = true;
    return this.stopping.signal;
  }

  /** Synchronous work to do if the command is interrupted before it finishes (remove a partial file, say). */
  protected onInterrupt(cleanup: () => void): void {
    this.interruptCleanups.push(cleanup);
  }

  private interrupt(signal: NodeJS.Signals): void {
    const first = this.interruptedBy;
    if (first) {
      if (Date.now() - first.at >= SAME_SIGNAL_MS) this.exitAtOnce(signal);
      return;
    }
    this.interruptedBy = { signal, at: Date.now() };
    if (!this.stopsCleanly) return this.exitAtOnce(signal);
    this.stopping.abort(signal);
    setTimeout(() => this.exitAtOnce(signal), INTERRUPT_GRACE_MS).unref();
  }

  // Node would exit at once on Ctrl-C, skipping every `finally`: remove the
  // scratch files here, then exit with the conventional 128 + signal number.
  private exitAtOnce(signal: NodeJS.Signals): void {
    for (const cleanup of this.interruptCleanups) cleanup();
    this.openedServices?.removeScratch();
    const failure = describeInterruption(signal);
    process.stderr.write(`Error: ${failure.message}\n`);
    // Synchronous: process.exit() would drop a write still queued on a pipe.
    if (this.jsonEnabled()) fs.writeSync(1, `${JSON.stringify({ error: failure } satisfies JsonFailure)}\n`);
    process.exit(failure.exitCode);
  }

  protected override async catch(error: Error & { exitCode?: number }): Promise<never> {
    if (error instanceof Errors.ExitError) throw error;
    const services = this.openedServices;
    const explained = services?.usedDatabase ? explainDatabaseError(error, services.databaseLabel) : error;
    const failure = this.interruptedBy
      ? describeInterruption(this.interruptedBy.signal, explained)
      : describeFailure(explained);
    process.stderr.write(`Error: ${failure.message}\n`);
    if (debugEnabled()) process.stderr.write(`${stackOf(explained)}\n`);
    if (this.jsonEnabled()) {
      const json: JsonFailure = { error: failure };
      this.logJson(json);
    }
    // ExitError is the one error oclif's handler neither prints nor decorates.
    throw new Errors.ExitError(failure.exitCode);
  }

  protected override async finally(error: Error | undefined): Promise<void> {
    process.off('SIGINT', this.onSignal);
    process.off('SIGTERM', this.onSignal);
    try {
      await this.openedServices?.close();
    } finally {
      await super.finally(error);
    }
  }
}

// A CLI killed mid-export (kill -9) leaves a workbook and a spool of users'
// addresses in its scratch folder; the next command of anyone removes them.
function removeScratchOfDeadProcesses(): void {
  try {
    sweepStaleScratch(loadCliConfig().core.scratchRoot);
  } catch {
    // A bad configuration is reported when the command uses it; a folder that
    // cannot be swept now will be on a later start.
  }
}

function stackOf(error: unknown): string {
  const parts: string[] = [];
  let current: unknown = error;
  while (current instanceof Error && parts.length < 5) {
    parts.push(`${parts.length ? 'Caused by: ' : ''}${current.stack ?? current.message}`);
    current = current.cause;
  }
  return parts.length ? parts.join('\n') : String(error);
}
