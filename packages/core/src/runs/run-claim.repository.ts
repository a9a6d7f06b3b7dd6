import crypto from 'node:crypto';
import type { Knex } from 'knex';
import { raw, type QueryBuilder } from 'objection';
import { dialectOf } from '../db/connection';
import { retryOnContention } from '../db/contention';
import { Run, type RunRecord } from '../db/models/run.model';

/**
 * The order the queue is claimed in, lower first: on-demand exports (someone
 * is waiting for them) ahead of scheduled ones.
 */
export const RUN_PRIORITIES = { onDemand: 0, scheduled: 1 } as const;
const CLAIMED_PRIORITIES = [RUN_PRIORITIES.onDemand, RUN_PRIORITIES.scheduled];

export interface Claim {
  instanceId: string;
  now: Date;
  leaseMs: number;
}

/**
 * Atomically takes, for this instance, a run that was abandoned (running
 * with an expired lease), or else the due run (queued and past its next
 * attempt) of the lowest priority that is due first: on-demand before scheduled.
 * MySQL/MariaDB: SELECT ... FOR UPDATE SKIP LOCKED then UPDATE in one
 * transaction, so instances never wait on or take each other's row. SQLite
 * has no row locks (knex throws on skipLocked there): one conditional UPDATE
 * is atomic because SQLite runs one writer at a time.
 */
export async function claimNextRun(db: Knex, claim: Claim): Promise<RunRecord | null> {
  const claimToken = crypto.randomUUID();
  const changes = {
    status: 'running' as const,
    claimedBy: claim.instanceId,
    claimToken,
    leaseExpiresAt: new Date(claim.now.getTime() + claim.leaseMs),
    startedAt: claim.now,
    attempts: raw('attempts + 1'),
  };
  // Two probes, each in the order of its own index, so that a claim reads a
  // handful of rows whatever the size of the history: an OR of both sorted
  // by id made MySQL walk the primary key through every finished run.
  const abandoned = (query: QueryBuilder<Run>) =>
    query
      .where('status', 'running')
      .andWhere('lease_expires_at', '<', claim.now)
      .orderBy('lease_expires_at')
      .orderBy('id')
      .limit(1);
  // Both priorities in one statement: the IN list makes one index range per
  // priority, read in index order, so the first row is the answer.
  const due = (query: QueryBuilder<Run>) =>
    query
      .where('status', 'queued')
      .whereIn('priority', CLAIMED_PRIORITIES)
      .andWhere('next_attempt_at', '<=', claim.now)
      .orderBy('priority')
      .orderBy('next_attempt_at')
      .orderBy('id')
      .limit(1);

  if (dialectOf(db) === 'mysql') {
    return retryOnContention(() =>
      db.transaction(async (trx) => {
        let candidate: Run | undefined;
        for (const probe of [abandoned, due]) {
          candidate = await probe(Run.query(trx).select('id')).forUpdate().skipLocked().first();
          if (candidate) break;
        }
        if (!candidate) return null;
        await Run.query(trx).patch(changes).where({ id: candidate.id });
        return (await Run.query(trx).findById(candidate.id)) ?? null;
      }),
    );
  }
  // SQLite runs one writer at a time: a conditional UPDATE of the probe's row is atomic.
  for (const probe of [abandoned, due]) {
    const claimed = await retryOnContention(() =>
      Run.query(db)
        .patch(changes)
        .whereIn('id', probe(Run.query(db).select('id'))),
    );
    if (claimed > 0) {
      return (await Run.query(db).where({ claim_token: claimToken }).first()) ?? null;
    }
  }
  return null;
}
