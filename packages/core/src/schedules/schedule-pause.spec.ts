import type { AuditRecord } from '../db/models/audit.model';
import { currentPauses, pauseRecordedBy } from './schedule-pause';

const AT = new Date('2026-12-07T10:00:00Z');
let nextId = 100;
const entry = (
  action: string,
  detail: Record<string, unknown> | null,
  tokenId: number | null = null,
  target = 'schedule:1',
): AuditRecord => ({ id: nextId--, at: AT, tokenId, action, target, detail });

describe('why a schedule is paused, from its audit entries', () => {
  it('reads every way a schedule gets paused', () => {
    expect(pauseRecordedBy(entry('schedule.update', { enabled: false }, 7))).toEqual({
      at: AT,
      by: 'token',
      tokenId: 7,
      reason: null,
    });
    expect(pauseRecordedBy(entry('schedule.create', { enabled: false, cron: '0 7 * * 1' }, 7))).toMatchObject(
      {
        by: 'token',
        tokenId: 7,
      },
    );
    expect(pauseRecordedBy(entry('schedule.pause', { operator: 'jane', reason: 'on holiday' }))).toEqual({
      at: AT,
      by: 'support',
      tokenId: null,
      reason: 'on holiday',
    });
    expect(pauseRecordedBy(entry('schedule.pause', { operator: 'jane', reason: '  ' }))).toMatchObject({
      reason: null,
    });
    expect(
      pauseRecordedBy(entry('schedule.pause', { by: 'system', failuresInARow: 3, runIds: [1] })),
    ).toEqual({
      at: AT,
      by: 'system',
      tokenId: null,
      reason: 'its last 3 due times failed',
    });
    expect(pauseRecordedBy(entry('schedule.pause', { by: 'system', failuresInARow: 1 }))!.reason).toBe(
      'its last due time failed',
    );
    expect(pauseRecordedBy(entry('schedule.pause', { by: 'system', duplicateOf: 4 }))!.reason).toBe(
      'identical to schedule 4, which stays enabled',
    );
    expect(
      pauseRecordedBy(entry('schedule.unsubscribe', { by: 'recipient', actor: 'm@example.com' })),
    ).toEqual({
      at: AT,
      by: 'recipient',
      tokenId: null,
      reason: null,
    });
    // Text that was not JSON is kept as { text }: still a pause, with no words of its own.
    expect(pauseRecordedBy(entry('schedule.pause', { text: 'cut sh' }))).toMatchObject({ by: 'support' });
  });

  it('ignores what did not pause: a resume, an update of other fields, a run, a delete', () => {
    expect(pauseRecordedBy(entry('schedule.update', { enabled: true }, 7))).toBeNull();
    expect(pauseRecordedBy(entry('schedule.update', { windowDays: 3 }, 7))).toBeNull();
    expect(pauseRecordedBy(entry('schedule.update', null, 7))).toBeNull();
    expect(pauseRecordedBy(entry('schedule.create', { enabled: true }, 7))).toBeNull();
    expect(pauseRecordedBy(entry('schedule.resume', { operator: 'jane' }))).toBeNull();
    expect(pauseRecordedBy(entry('schedule.run', { run: 3 }, 7))).toBeNull();
  });

  it("takes each schedule's newest pausing entry, past newer updates of other fields", () => {
    const entries = [
      entry('schedule.update', { windowDays: 3 }, 7, 'schedule:1'),
      entry('schedule.unsubscribe', { by: 'recipient' }, null, 'schedule:1'),
      entry('schedule.update', { enabled: false }, 7, 'schedule:1'),
      entry('schedule.pause', { operator: 'jane', reason: 'older' }, null, 'schedule:2'),
      entry('schedule.pause', { operator: 'jane', reason: 'not asked for' }, null, 'schedule:3'),
    ];
    const pauses = currentPauses([1, 2, 9], entries);
    expect([...pauses.keys()]).toEqual([1, 2]);
    expect(pauses.get(1)!.by).toBe('recipient');
    expect(pauses.get(2)!.reason).toBe('older');
    // Schedule 9's pause is older than the audit's retention: nothing is made up.
    expect(pauses.has(9)).toBe(false);
  });
});
