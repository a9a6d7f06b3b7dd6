import fs from 'node:fs';
import { once } from 'node:events';
import { finished } from 'node:stream/promises';
import type { EngagementLevel, UserActivity } from '../activity/activity.types';
import { Utf8Batch } from '../text/utf8-batch';
import { PRIVATE_FILE_MODE } from '../files/private-folder';

/** Bytes of spooled users written, and read back, at a time. */
const SPOOL_BATCH_BYTES = 64 * 1024;

/** An inactive user as the spool keeps it: a JSON array on one line. */
export type SpooledUser = [
  email: string,
  firstName: string,
  lastName: string,
  accountActive: boolean,
  /** Epoch milliseconds, or null for no date or an invalid one. */
  dateJoined: number | null,
  lastLogin: number | null,
  neverLoggedIn: boolean,
  /** In a ranged export only: likes, communities managed and joined. */
  ...undated: [number, string[], string[]] | [],
];

/** A lapsed user as the spool keeps it: a JSON array on one line. */
export type SpooledLapsedUser = [
  email: string,
  firstName: string,
  lastName: string,
  accountActive: boolean,
  previousLevel: EngagementLevel,
  lastLogin: number | null,
];

/** How a spool writes a user: the line's JSON array. */
type Encode = (user: UserActivity) => SpooledUser | SpooledLapsedUser;

/** The inactive users' line; a ranged export lists the undated kinds of inactive users too. */
export function inactiveLine(ranged: boolean): Encode {
  return (user) => [
    user.email,
    user.firstName,
    user.lastName,
    user.accountActive,
    toSpool(user.dateJoined),
    toSpool(user.lastLogin),
    user.neverLoggedIn,
    ...((ranged ? [user.commentLikes, user.communitiesManaged, user.communitiesJoined] : []) as
      [number, string[], string[]] | []),
  ];
}

/** The lapsed users' line, with their level in the previous period. */
export function lapsedLine(previousLevel: (user: UserActivity) => EngagementLevel): Encode {
  return (user) => [
    user.email,
    user.firstName,
    user.lastName,
    user.accountActive,
    previousLevel(user),
    toSpool(user.lastLogin),
  ];
}

/**
 * Users of a later sheet (inactive, lapsed) wait in a scratch file, a JSON
 * line each, until the active ones are written: their sheets come after.
 */
export class UserSpool {
  private readonly file: fs.WriteStream;
  private error: Error | null = null;
  /** Lines go to the file 64K at a time, not a write per user. */
  private readonly pending = new Utf8Batch(SPOOL_BATCH_BYTES);

  constructor(
    private readonly path: string,
    private readonly encode: Encode,
  ) {
    this.file = fs.createWriteStream(path, { mode: PRIVATE_FILE_MODE });
    this.file.on('error', (error) => (this.error ??= error));
  }

  /** Returns a promise only when the file is behind. */
  add(user: UserActivity): Promise<void> | undefined {
    this.throwIfFailed();
    const full = this.pending.add(`${JSON.stringify(this.encode(user))}\n`);
    if (!full || this.file.write(full)) return undefined;
    return once(this.file, 'drain').then(() => undefined);
  }

  /** Writes what is pending and closes the file; never rejects (see {@link throwIfFailed}). */
  async close(): Promise<void> {
    if (this.pending.length > 0) this.file.write(this.pending.take());
    this.file.end();
    // finished() also settles for a file that already failed and closed (a
    // full disk, say), where waiting for 'close' would wait forever.
    await finished(this.file).catch((error: unknown) => {
      this.error ??= error as Error;
    });
  }

  /** Throws what writing the file failed with, if it did. */
  throwIfFailed(): void {
    if (this.error) throw this.error;
  }

  /**
   * The spooled lines, a chunk's worth at a time, read only as fast as they
   * are written out. readline's iterator reads ahead of a slow consumer and
   * queues the lines, which at 100k users cost more memory than the rest of
   * the export. The chunks stay Buffers, decoded a line at a time: no string
   * the size of a chunk is built.
   */
  async *lines(): AsyncGenerator<string[]> {
    // The end of a chunk's last line, which may end inside a character.
    let rest: Buffer | null = null;
    for await (const chunk of fs.createReadStream(this.path, { highWaterMark: SPOOL_BATCH_BYTES })) {
      const read = chunk as Buffer;
      const lines: string[] = [];
      let start = 0;
      for (let end = read.indexOf(NEWLINE); end !== -1; end = read.indexOf(NEWLINE, start)) {
        const line = rest ? Buffer.concat([rest, read.subarray(start, end)]) : read.subarray(start, end);
        rest = null;
        if (line.length > 0) lines.push(line.toString('utf8'));
        start = end + 1;
      }
      if (start < read.length)
        rest = rest ? Buffer.concat([rest, read.subarray(start)]) : read.subarray(start);
      yield lines;
    }
    if (rest) yield [rest.toString('utf8')];
  }
}

const NEWLINE = 0x0a;

/** A date as the spool keeps it: epoch milliseconds, or null for no date or an invalid one. */
function toSpool(date: Date | null): number | null {
  const time = date?.getTime();
  return time === undefined || Number.isNaN(time) ? null : time;
}

export function fromSpool(time: number | null): Date | null {
  return time === null ? null : new Date(time);
}
