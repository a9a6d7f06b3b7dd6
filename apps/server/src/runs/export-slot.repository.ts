import crypto from 'node:crypto';
import type { Knex } from 'knex';
import { dialectOf } from '@spotlight/core';

/** One of the read database's export slots, held until {@link ExportSlot.release}. */
export interface ExportSlot {
  release(): Promise<void>;
}

interface PoolClient {
  acquireConnection(): Promise<unknown>;
  releaseConnection(connection: unknown): Promise<void>;
}

/**
 * A cap on the exports that read one database at the same time, across every
 * instance that reads it: the replica is what they share.
 *
 * MySQL/MariaDB: slot n is `GET_LOCK('spotlight-export-slot-<database>-<n>')`
 * on the database read, held on a connection kept for the export; the server
 * releases it when that connection ends, so a killed instance frees its slots.
 * One statement tries the slots in turn (CASE stops at the first it gets),
 * from a random one so that instances do not all contend for slot 0.
 * SQLite: the database is a file of one machine, read by one server process; the
 * slots are counted in that process.
 */
export class ExportSlotRepository {
  private held = 0;

  constructor(
    private readonly db: Knex,
    private readonly slots: number,
  ) {}

  /** A free slot, or null when all are taken, at once: the caller leaves its run queued. */
  async tryAcquire(): Promise<ExportSlot | null> {
    if (dialectOf(this.db) !== 'mysql') return this.acquireInProcess();
    const client = this.db.client as PoolClient;
    const connection = await client.acquireConnection();
    const names = this.lockNames();
    let slot: number;
    try {
      const [rows] = await this.db
        .raw(
          `SELECT CASE ${names.map(() => 'WHEN GET_LOCK(?, 0) = 1 THEN ?').join(' ')} ELSE -1 END AS slot`,
          names.flatMap((name, index) => [name, index]),
        )
        .connection(connection);
      slot = Number((rows as Array<{ slot: unknown }>)[0]?.slot);
    } catch (error) {
      await client.releaseConnection(connection);
      throw error;
    }
    if (!(slot >= 0)) {
      await client.releaseConnection(connection);
      return null;
    }
    return {
      release: async () => {
        try {
          await this.db.raw('SELECT RELEASE_LOCK(?)', [names[slot]]).connection(connection);
        } finally {
          await client.releaseConnection(connection);
        }
      },
    };
  }

  private acquireInProcess(): ExportSlot | null {
    if (this.held >= this.slots) return null;
    this.held += 1;
    let released = false;
    return {
      release: async () => {
        if (released) return;
        released = true;
        this.held -= 1;
      },
    };
  }

  /** Every slot's lock name, starting from a random one. */
  private lockNames(): string[] {
    const database = this.databaseName();
    const start = crypto.randomInt(this.slots);
    return Array.from(
      { length: this.slots },
      (_, i) => `spotlight-export-slot-${database}-${(start + i) % this.slots}`,
    );
  }

  /** The read database's name, hashed when too long for GET_LOCK's 64 characters. */
  private databaseName(): string {
    const { database } = (this.db.client as { config: { connection?: { database?: string } } }).config
      .connection ?? { database: '' };
    const name = database ?? '';
    return name.length <= 32 && /^[\w$]*$/.test(name)
      ? name
      : crypto.createHash('sha1').update(name).digest('hex').slice(0, 16);
  }
}
