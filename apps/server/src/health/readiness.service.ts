import { firstLine } from '@spotlight/core';
import type { DatabaseProbeRepository } from './database-probe.repository';
import { within } from './within';

export interface ReadinessOptions {
  /** The longest each database may take to answer. */
  timeoutMs: number;
  /** null when this instance runs no scheduler. */
  scheduler: {
    /** When the scheduler last finished a tick, null before its first. */
    lastTickAt: () => Date | null;
    /** The baseline before the first tick: when the instance started. */
    startedAt: Date;
    /** A last tick older than this means the scheduler is stuck. */
    staleAfterMs: number;
  } | null;
  clock?: () => Date;
}

export interface Readiness {
  ready: boolean;
  /** The instance is shutting down: not ready, whatever its databases say. */
  stopping: boolean;
  /** "ok" or "unreachable: <reason>" per database (primary, and replica when there is one). */
  database: Record<string, string>;
  /** "ok", "off" (no background work here) or "stale: ..." */
  scheduler: string;
}

/** Whether this instance can do its work: its databases answer in time and its scheduler ticks. */
export class ReadinessService {
  private readonly clock: () => Date;
  private shuttingDown = false;

  constructor(
    private readonly databases: Record<string, DatabaseProbeRepository>,
    private readonly options: ReadinessOptions,
  ) {
    this.clock = options.clock ?? (() => new Date());
  }

  /** Shutdown has started: from now on the instance is not ready. */
  stopping(): void {
    this.shuttingDown = true;
  }

  async check(): Promise<Readiness> {
    // Not even the databases are asked: their pools are about to close.
    if (this.shuttingDown) return { ready: false, stopping: true, database: {}, scheduler: 'stopping' };
    const names = Object.keys(this.databases);
    const answers = await Promise.all(
      names.map(async (name): Promise<[string, string]> => {
        try {
          await within(this.databases[name].ping(), this.options.timeoutMs, `the ${name} database`);
          return [name, 'ok'];
        } catch (error) {
          return [name, `unreachable: ${firstLine((error as Error).message)}`];
        }
      }),
    );
    const database = Object.fromEntries(answers);
    const scheduler = this.schedulerState();
    return {
      ready: answers.every(([, state]) => state === 'ok') && (scheduler === 'ok' || scheduler === 'off'),
      stopping: false,
      database,
      scheduler,
    };
  }

  private schedulerState(): string {
    const scheduler = this.options.scheduler;
    if (!scheduler) return 'off';
    const last = scheduler.lastTickAt();
    const since = last ?? scheduler.startedAt;
    const ageMs = this.clock().getTime() - since.getTime();
    if (ageMs <= scheduler.staleAfterMs) return 'ok';
    return last
      ? `stale: last tick ${Math.round(ageMs / 1000)} s ago, at ${last.toISOString()}`
      : `stale: no tick in the ${Math.round(ageMs / 1000)} s since start`;
  }
}
