import crypto from 'node:crypto';
import os from 'node:os';
import type { Knex } from 'knex';
import type { ModelObject } from 'objection';
import { dialectOf } from '../db/connection';
import { ExportLockHolder } from '../db/models/export-lock.model';
import { isUniqueViolation } from '../db/unique-violation';
import { ExportInProgressError } from '../errors';
import { processIsRunning } from '../files/process-liveness';

/** A customer's export lock, held until {@link ExportLock.release}. */
export interface ExportLock {
  release(): Promise<void>;
}

type Holder = ModelObject<ExportLockHolder>;

/**
 * One email export per customer at a time, across processes and machines
 * that share the database. The lock row names the holder so that a refusal
 * can say who and since when.
 *
 * MySQL/MariaDB: the lock itself is `GET_LOCK` on a connection kept for the
 * export, which the server releases when that connection ends, so a killed
 * process never leaves a customer locked; the row only describes the holder.
 * SQLite: the row is the lock; a row whose process no longer runs on this
 * machine is stale and taken over (SQLite is a local file: its users share
 * the machine).
 */
export class ExportLockRepository {
  constructor(
    private readonly db: Knex,
    private readonly process: { host: string; pid: number; isRunning(pid: number): boolean } = {
      host: os.hostname(),
      pid: global.process.pid,
      isRunning: processIsRunning,
    },
  ) {}

  /** Takes the customer's lock at once, or throws ExportInProgressError naming the holder. */
  async acquire(customer: string, holder: string, now: Date): Promise<ExportLock> {
    const row: Holder = {
      customer,
      holder: holder.slice(0, 200),
      host: this.process.host.slice(0, 100),
      pid: this.process.pid,
      lockToken: crypto.randomUUID(),
      acquiredAt: now,
    };
    return dialectOf(this.db) === 'mysql' ? this.acquireMysql(row) : this.acquireSqlite(row);
  }

  private async acquireMysql(row: Holder): Promise<ExportLock> {
    const client = this.db.client as {
      acquireConnection(): Promise<unknown>;
      releaseConnection(connection: unknown): Promise<void>;
    };
    const connection = await client.acquireConnection();
    const name = mysqlLockName(row.customer);
    try {
      const [rows] = await this.db.raw('SELECT GET_LOCK(?, 0) AS got', [name]).connection(connection);
      if (Number((rows as Array<{ got: unknown }>)[0]?.got) !== 1) {
        throw await this.refusal(row.customer);
      }
      await ExportLockHolder.query(this.db)
        .insert(row)
        .onConflict('customer')
        .merge()
        .onBuildKnex((query) => query.connection(connection));
    } catch (error) {
      await client.releaseConnection(connection);
      throw error;
    }
    return {
      release: async () => {
        try {
          await ExportLockHolder.query(this.db)
            .where({ lock_token: row.lockToken })
            .delete()
            .onBuildKnex((query) => query.connection(connection));
          await this.db.raw('SELECT RELEASE_LOCK(?)', [name]).connection(connection);
        } finally {
          await client.releaseConnection(connection);
        }
      },
    };
  }

  private async acquireSqlite(row: Holder): Promise<ExportLock> {
    for (let attempt = 0; ; attempt += 1) {
      try {
        await ExportLockHolder.query(this.db).insert(row);
        break;
      } catch (error) {
        if (!isUniqueViolation(error)) throw error;
      }
      const current = await ExportLockHolder.query(this.db).findById(row.customer);
      if (current && (attempt > 0 || !this.isStale(current))) throw this.describe(current);
      // The holder died without releasing: take its place, once.
      if (current) await ExportLockHolder.query(this.db).where({ lock_token: current.lockToken }).delete();
    }
    return {
      release: async () => {
        await ExportLockHolder.query(this.db).where({ lock_token: row.lockToken }).delete();
      },
    };
  }

  private isStale(row: Holder): boolean {
    return row.host === this.process.host && !this.process.isRunning(row.pid);
  }

  private async refusal(customer: string): Promise<ExportInProgressError> {
    const current = await ExportLockHolder.query(this.db).findById(customer);
    return current ? this.describe(current) : new ExportInProgressError(customer, 'another process', null);
  }

  private describe(row: Holder): ExportInProgressError {
    return new ExportInProgressError(
      row.customer,
      `${row.holder}, on ${row.host} (pid ${row.pid})`,
      row.acquiredAt,
    );
  }
}

/** The MySQL lock name of a customer: GET_LOCK names are limited to 64 characters, a domain may have 100. */
export function mysqlLockName(customer: string): string {
  return `spotlight-export:${crypto.createHash('sha1').update(customer).digest('hex')}`;
}
