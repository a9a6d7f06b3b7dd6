import crypto from 'node:crypto';
import { raw, type RawBuilder } from 'objection';

/** What one unsubscribe link names: one schedule, its recipient, and the generation it was mailed in. */
export interface UnsubscribeTarget {
  scheduleId: number;
  recipient: string;
  generation: number;
}

/** `paused_by` of a schedule its recipient stopped with the link in its email. */
export const PAUSED_BY_RECIPIENT = 'recipient';

/**
 * The columns a resume sets, whoever resumes (the API or the CLI): the link
 * generation goes up, so that the links mailed before stop working, and the
 * mark of who paused it goes.
 */
export function resumedScheduleColumns(): { linkGeneration: RawBuilder; pausedBy: null } {
  return { linkGeneration: raw('?? + 1', ['link_generation']), pausedBy: null };
}

const encode = (data: Buffer | string) => Buffer.from(data).toString('base64url');

/**
 * Signs and verifies unsubscribe tokens: base64url of `id.generation.recipient`,
 * a dot, and the base64url HMAC-SHA256 of that first part. About 100
 * characters for a usual address, short enough for a header line.
 */
export class UnsubscribeSigner {
  constructor(private readonly secret: string) {}

  sign(target: UnsubscribeTarget): string {
    const payload = encode(`${target.scheduleId}.${target.generation}.${target.recipient}`);
    return `${payload}.${this.mac(payload)}`;
  }

  /** What a token names, or null when it is malformed or its signature does not match. */
  verify(token: string): UnsubscribeTarget | null {
    const match = /^([A-Za-z0-9_-]{1,400})\.([A-Za-z0-9_-]{43})$/.exec(token);
    if (!match) return null;
    const expected = Buffer.from(this.mac(match[1]), 'base64url');
    const given = Buffer.from(match[2], 'base64url');
    if (given.length !== expected.length || !crypto.timingSafeEqual(given, expected)) return null;
    const fields = /^(\d{1,15})\.(\d{1,15})\.(.+)$/s.exec(
      Buffer.from(match[1], 'base64url').toString('utf8'),
    );
    if (!fields) return null;
    return { scheduleId: Number(fields[1]), generation: Number(fields[2]), recipient: fields[3] };
  }

  private mac(payload: string): string {
    return crypto.createHmac('sha256', this.secret).update(payload).digest('base64url');
  }
}
