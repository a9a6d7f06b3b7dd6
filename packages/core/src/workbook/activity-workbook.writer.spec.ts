import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { openpyxlAvailable, readWithOpenpyxl, readWorkbook } from '@spotlight/testing';
import type { UserActivity } from '../activity/activity.types';
import {
  ACTIVE_SHEET,
  INACTIVE_SHEET,
  writeActivityWorkbook,
  type WorkbookMeta,
} from './activity-workbook.writer';

let nextId = 1;
function user(fields: Partial<UserActivity>): UserActivity {
  const id = nextId++;
  return {
    userId: id,
    email: `user${id}@example.com`,
    firstName: 'Test',
    lastName: `User ${id}`,
    dateJoined: new Date('2025-01-02T03:04:05Z'),
    lastLogin: null,
    accountActive: true,
    neverLoggedIn: true,
    challenges: 0,
    ideas: 0,
    comments: 0,
    commentLikes: 0,
    votes: 0,
    conversations: 0,
    communitiesCreated: 0,
    communitiesManaged: [],
    communitiesJoined: [],
    ...fields,
  };
}

async function* from(users: UserActivity[]): AsyncGenerator<UserActivity> {
  yield* users;
}

describe('activity workbook writer', () => {
  let tmp: string;
  beforeEach(() => {
    tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'spotlight-writer-spec-'));
  });
  afterEach(() => fs.rmSync(tmp, { recursive: true, force: true }));

  async function write(users: UserActivity[], meta: Partial<WorkbookMeta> = {}): Promise<string> {
    const file = path.join(tmp, 'book.xlsx');
    await writeActivityWorkbook(
      from(users),
      fs.createWriteStream(file),
      { customer: 'example.com', generatedAt: new Date('2026-11-25T08:30:00Z'), range: {}, ...meta },
      { scratchDir: tmp },
    );
    return file;
  }

  it('keeps missing and invalid dates of inactive users empty through the spool, never 1970', async () => {
    const file = await write([
      user({ email: 'a@example.com', dateJoined: null, lastLogin: null }),
      user({ email: 'b@example.com', dateJoined: new Date(Number.NaN), lastLogin: new Date(Number.NaN) }),
      user({
        email: 'c@example.com',
        dateJoined: new Date('1850-06-01T12:00:00Z'),
        lastLogin: new Date('2026-02-03T04:05:06.789Z'),
      }),
    ]);
    const book = await readWorkbook(file);
    expect(book.rows(INACTIVE_SHEET).slice(1)).toEqual([
      ['a@example.com', 'Test', expect.any(String)],
      ['b@example.com', 'Test', expect.any(String)],
      [
        'c@example.com',
        'Test',
        expect.any(String),
        '1850-06-01T12:00:00.000Z',
        new Date('2026-02-03T04:05:06.789Z'),
      ],
    ]);
  });

  it('writes properties other software opens when the customer holds characters XML cannot', async () => {
    if (process.env.SPOTLIGHT_REQUIRE_OPENPYXL !== '1' && !openpyxlAvailable()) return;
    const file = await write([user({ communitiesJoined: ['x'] })], {
      customer: 'bad\uFFFE\u0001.example.com',
    });
    const book = readWithOpenpyxl(file);
    expect(book.properties).toMatchObject({
      title: 'User activity: bad\uFFFD\uFFFD.example.com',
      subject: 'bad\uFFFD\uFFFD.example.com',
    });
    expect(book.properties.description).toContain('User activity of bad\uFFFD\uFFFD.example.com, all time');
  });

  it('in a ranged export, lists undated likes and memberships "(all time)" and lets only dated activity make a user active', async () => {
    const range = { since: new Date('2026-01-01T00:00:00Z'), until: new Date('2026-04-01T00:00:00Z') };
    const file = await write(
      [
        user({ email: 'joiner@example.com', commentLikes: 4, communitiesJoined: ['Alpha', 'Beta'] }),
        user({ email: 'voter@example.com', votes: 1, commentLikes: 2, communitiesManaged: ['Alpha'] }),
      ],
      { range },
    );
    const book = await readWorkbook(file);
    const [activeHeader, voter] = book.rows(ACTIVE_SHEET);
    expect(activeHeader.slice(3, 10)).toEqual([
      'Challenges created',
      'Ideas created',
      'Comments submitted',
      'Comment likes given (all time)',
      'Idea votes',
      'Conversations created',
      'Communities created',
    ]);
    expect(activeHeader.slice(10)).toEqual(['Communities managed (all time)', 'Communities joined (all time)']);
    expect(voter[0]).toBe('voter@example.com');
    expect(book.rows(ACTIVE_SHEET)).toHaveLength(2);
    const [inactiveHeader, joiner] = book.rows(INACTIVE_SHEET);
    expect(inactiveHeader.slice(-3)).toEqual([
      'Comment likes given (all time)',
      'Communities managed (all time)',
      'Communities joined (all time)',
    ]);
    expect(joiner[0]).toBe('joiner@example.com');
    expect(joiner.slice(-3)).toEqual([4, undefined, 'Alpha\nBeta']);
  });

  it('without a range, counts likes and memberships as activity and says nothing of "all time"', async () => {
    const file = await write([user({ email: 'joiner@example.com', communitiesJoined: ['Alpha'] })]);
    const book = await readWorkbook(file);
    expect(book.rows(ACTIVE_SHEET).map((row) => row[0])).toEqual(['Email', 'joiner@example.com']);
    expect(book.rows(ACTIVE_SHEET)[0].join(' ')).not.toContain('all time');
    expect(book.rows(INACTIVE_SHEET)).toEqual([
      ['Email', 'First name', 'Last name', 'Date joined (UTC)', 'Last login (UTC)'],
    ]);
  });
});
