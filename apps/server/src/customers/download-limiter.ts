/** A taken download slot; give it back exactly once, when the download has ended. */
export interface DownloadSlot {
  release(): void;
}

/**
 * Bounds the streamed downloads this instance serves at once, per customer and
 * in all: each holds a read snapshot (SQLite's only connection, a MariaDB
 * pool connection) and a scratch folder until its client has the workbook.
 */
export class DownloadLimiter {
  private readonly perCustomer = new Map<string, number>();
  private total = 0;

  constructor(private readonly limits: { perCustomer: number; total: number }) {}

  /** A slot, or why there is none. Synchronous, so requests arriving together cannot both pass. */
  acquire(customer: string): { slot: DownloadSlot } | { refused: string } {
    const mine = this.perCustomer.get(customer) ?? 0;
    if (mine >= this.limits.perCustomer)
      return {
        refused: `${mine} download(s) of ${customer} are in progress, the most allowed at once; try again shortly.`,
      };
    if (this.total >= this.limits.total)
      return {
        refused: `${this.total} downloads are in progress, the most this server serves at once; try again shortly.`,
      };
    this.perCustomer.set(customer, mine + 1);
    this.total += 1;
    let released = false;
    return {
      slot: {
        release: () => {
          if (released) return;
          released = true;
          this.total -= 1;
          const left = (this.perCustomer.get(customer) ?? 1) - 1;
          if (left > 0) this.perCustomer.set(customer, left);
          else this.perCustomer.delete(customer);
        },
      },
    };
  }

  /** Downloads in progress, for tests and health. */
  get inProgress(): number {
    return this.total;
  }
}
