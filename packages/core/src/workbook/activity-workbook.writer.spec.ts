import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { OPENPYXL, readWithOpenpyxl, readWorkbook, requirementMet } from '@spotlight/testing';
import type { CommunityActivity, DatedCountKey, UserActivity } from '../activity/activity.types';
import { previousPeriod } from '../activity/previous-period';
import { listCell } from './cell-values';
import {
  ACTIVE_SHEET,
  COMMUNITIES_SHEET,
  INACTIVE_SHEET,
  LAPSED_SHEET,
  SUMMARY_SHEET,
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
    neverLoggedIn: (fields.lastLogin ?? null) === null,
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

const NO_COMMUNITY_ACTIVITY: CommunityActivity = {
  name: '',
  created: null,
  deleted: false,
  managers: 0,
  members: 0,
  challenges: 0,
  ideas: 0,
  comments: 0,
  conversations: 0,
};

/** The users as the repository hands them over: in batches (of seven here, the last one shorter). */
async function* from(users: UserActivity[]): AsyncGenerator<UserActivity[]> {
  for (let i = 0; i < users.length; i += 7) yield users.slice(i, i + 7);
}

describe('activity workbook writer', () => {
  let tmp: string;
  beforeEach(() => {
    tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'spotlight-writer-spec-'));
  });
  afterEach(() => fs.rmSync(tmp, { recursive: true, force: true }));

  async function write(
    users: UserActivity[],
    meta: Partial<WorkbookMeta> = {},
    maxRowsPerSheet?: number,
  ): Promise<string> {
    const file = path.join(tmp, 'book.xlsx');
    await writeActivityWorkbook(
      from(users),
      fs.createWriteStream(file),
      { customer: 'example.com', generatedAt: new Date('2026-11-25T08:30:00Z'), range: {}, ...meta },
      { scratchDir: tmp, maxRowsPerSheet },
    );
    return file;
  }

  describe('change since the previous period', () => {
    const quarter = { since: new Date('2026-04-01T00:00:00Z'), until: new Date('2026-07-01T00:00:00Z') };
    const previous = previousPeriod(quarter, 'UTC');
    const then = (counts: Partial<Record<DatedCountKey, number>> = {}) => ({
      challenges: 0,
      ideas: 0,
      comments: 0,
      votes: 0,
      conversations: 0,
      communitiesCreated: 0,
      ...counts,
    });
    const login = new Date('2026-02-03T04:05:00Z');
    // Sorted by email, as the repository streams them.
    const users = () => [
      user({ email: 'a-new@example.com', ideas: 1, previous: then() }),
      user({ email: 'b-lapsed@example.com', lastLogin: login, previous: then({ comments: 2, votes: 1 }) }),
      user({ email: 'c-retained@example.com', votes: 1, previous: then({ challenges: 1 }) }),
      user({ email: 'd-idle@example.com', commentLikes: 4, communitiesJoined: ['Ops'], previous: then() }),
      user({
        email: 'e-lapsed@example.com',
        accountActive: false,
        commentLikes: 1,
        previous: then({ votes: 3 }),
      }),
      user({ email: 'f-new@example.com', comments: 1, previous: then() }),
    ];

    it('heads a Summary block with the previous period in words and counts each status', async () => {
      expect(previous?.words).toBe('Q1 2026');
      const book = await readWorkbook(await write(users(), { range: quarter, previous }));
      const rows = book.rows(SUMMARY_SHEET).map((row) => row.slice(0, 2));
      const at = rows.findIndex((row) => row[0] === 'Change since Q1 2026');
      expect(at).toBeGreaterThan(0);
      expect(rows.slice(at, at + 5)).toEqual([
        ['Change since Q1 2026', 'Users'],
        ['New', 2],
        ['Retained', 1],
        ['Lapsed', 2],
        ['Idle in both', 1],
      ]);
    });

    it('lists the lapsed users after the inactive ones, with their level in the previous period', async () => {
      const file = await write(users(), { range: quarter, previous });
      const book = await readWorkbook(file);
      expect(book.sheetNames).toEqual([SUMMARY_SHEET, ACTIVE_SHEET, INACTIVE_SHEET, LAPSED_SHEET]);
      expect(book.rows(LAPSED_SHEET)).toEqual([
        ['Email', 'First name', 'Last name', 'Account', 'Level in the previous period', 'Last login (UTC)'],
        ['b-lapsed@example.com', 'Test', expect.any(String), 'Active', 'Contributor', login],
        // No last login: an empty cell, which the reader leaves out.
        ['e-lapsed@example.com', 'Test', expect.any(String), 'Deactivated', 'Supporter'],
      ]);
      // Lapsed users are inactive now: they stay on Inactive users too.
      expect(book.rows(INACTIVE_SHEET).map((row) => row[0])).toEqual([
        'Email',
        'b-lapsed@example.com',
        'd-idle@example.com',
        'e-lapsed@example.com',
      ]);

      if (!requirementMet(OPENPYXL, 'the independent reader check')) return;
      const sheet = readWithOpenpyxl(file).sheets.find((candidate) => candidate.name === LAPSED_SHEET)!;
      expect(sheet).toMatchObject({ freeze: 'A2', autoFilter: 'A1:F3' });
      expect(sheet.rows[0].every((cell) => cell.bold)).toBe(true);
      expect(sheet.rows[1][5]).toMatchObject({ value: '2026-02-03T04:05:00', type: 'd' });
    });

    it('gives each active user their level in the previous period, Idle when they were not active then', async () => {
      const rows = (await readWorkbook(await write(users(), { range: quarter, previous }))).rows(
        ACTIVE_SHEET,
      );
      expect(rows[0].slice(0, 6)).toEqual([
        'Email',
        'First name',
        'Last name',
        'Engagement',
        'Previous period',
        'Account',
      ]);
      expect(rows.slice(1).map((row) => [row[0], row[3], row[4]])).toEqual([
        ['a-new@example.com', 'Creator', 'Idle'],
        ['c-retained@example.com', 'Supporter', 'Creator'],
        ['f-new@example.com', 'Contributor', 'Idle'],
      ]);
    });

    it('continues the lapsed users on "Lapsed users (2)" past the row limit', async () => {
      const lapsed = Array.from({ length: 5 }, (_, i) =>
        user({ email: `lapsed${i}@example.com`, previous: then({ ideas: 1 }) }),
      );
      const book = await readWorkbook(await write(lapsed, { range: quarter, previous }, 3));
      expect(book.sheetNames).toEqual([
        SUMMARY_SHEET,
        ACTIVE_SHEET,
        INACTIVE_SHEET,
        `${INACTIVE_SHEET} (2)`,
        LAPSED_SHEET,
        `${LAPSED_SHEET} (2)`,
      ]);
      expect(
        [...book.rows(LAPSED_SHEET).slice(1), ...book.rows(`${LAPSED_SHEET} (2)`).slice(1)].map(
          (row) => row[0],
        ),
      ).toEqual(lapsed.map(({ email }) => email));
      expect(book.rows(`${LAPSED_SHEET} (2)`)[0][0]).toBe('Email');
    });

    it('says nothing about change in an all-time export', async () => {
      const book = await readWorkbook(await write(users()));
      expect(book.sheetNames).toEqual([SUMMARY_SHEET, ACTIVE_SHEET, INACTIVE_SHEET]);
      expect(book.rows(ACTIVE_SHEET)[0]).not.toContain('Previous period');
      const text = book.rows(SUMMARY_SHEET).flat().join(' ');
      expect(text).not.toMatch(/change|lapsed|retained|previous/i);
    });
  });

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
      ['a@example.com', 'Test', expect.any(String), 'Active', undefined, undefined, 'Yes'],
      ['b@example.com', 'Test', expect.any(String), 'Active', undefined, undefined, 'No'],
      [
        'c@example.com',
        'Test',
        expect.any(String),
        'Active',
        '1850-06-01T12:00:00.000Z',
        new Date('2026-02-03T04:05:06.789Z'),
        'No',
      ],
    ]);
  });

  it('writes a date Excel cannot show as the true UTC instant, labelled Z, whatever the zone', async () => {
    const file = await write(
      [
        user({
          email: 'a@example.com',
          dateJoined: new Date('1000-01-01T00:00:00Z'),
          lastLogin: new Date('2026-02-03T04:05:06Z'),
        }),
      ],
      { timeZone: 'Pacific/Kiritimati' },
    );
    const book = await readWorkbook(file);
    // Kiritimati's wall clock of that instant is 0999-12-31 13:30:40: shown as a date cell, it would be labelled Z.
    expect(book.rows(INACTIVE_SHEET)[1].slice(4, 6)).toEqual([
      '1000-01-01T00:00:00.000Z',
      new Date('2026-02-03T18:05:06Z'),
    ]);
  });

  it('writes properties other software opens when the customer holds characters XML cannot', async () => {
    if (!requirementMet(OPENPYXL, 'the independent reader check')) return;
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
    expect(activeHeader.slice(6, 13)).toEqual([
      'Challenges created',
      'Ideas created',
      'Comments submitted',
      'Comment likes given (all time)',
      'Idea votes',
      'Conversations created',
      'Communities created',
    ]);
    expect(activeHeader.slice(13)).toEqual([
      'Communities managed (all time)',
      'Communities joined (all time)',
    ]);
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
      [
        'Email',
        'First name',
        'Last name',
        'Account',
        'Date joined (UTC)',
        'Last login (UTC)',
        'Never logged in',
      ],
    ]);
  });

  describe("the manager's view", () => {
    const login = new Date('2026-11-20T09:15:00Z');
    const users = () => [
      user({ email: 'creator@example.com', ideas: 2, votes: 4, lastLogin: login }),
      user({ email: 'contributor@example.com', comments: 3, commentLikes: 1, accountActive: false }),
      user({ email: 'supporter@example.com', votes: 1, lastLogin: login }),
      user({ email: 'liker@example.com', commentLikes: 2 }),
      user({ email: 'member@example.com', communitiesJoined: ['A', 'B'], communitiesManaged: ['A'] }),
      user({ email: 'idle@example.com', lastLogin: login }),
      user({ email: 'gone@example.com', accountActive: false }),
    ];

    /** The Summary as label -> the cells after it. */
    async function summaryOf(file: string): Promise<Map<string, unknown[]>> {
      const book = await readWorkbook(file);
      return new Map(book.rows(SUMMARY_SHEET).map((row) => [String(row[0]), row.slice(1)]));
    }

    it('gives each active user an engagement level, an account state and the last login, before the counts', async () => {
      const book = await readWorkbook(await write(users()));
      const rows = book.rows(ACTIVE_SHEET);
      expect(rows[0].slice(0, 7)).toEqual([
        'Email',
        'First name',
        'Last name',
        'Engagement',
        'Account',
        'Last login (UTC)',
        'Challenges created',
      ]);
      expect(rows.slice(1).map((row) => [row[0], row[3], row[4], row[5] ?? null])).toEqual([
        ['creator@example.com', 'Creator', 'Active', login],
        ['contributor@example.com', 'Contributor', 'Deactivated', null],
        ['supporter@example.com', 'Supporter', 'Active', login],
        ['liker@example.com', 'Supporter', 'Active', null],
        ['member@example.com', 'Member', 'Active', null],
      ]);
      const inactive = book.rows(INACTIVE_SHEET).slice(1);
      expect(inactive.map((row) => [row[0], row[3], row[6]])).toEqual([
        ['idle@example.com', 'Active', 'No'],
        ['gone@example.com', 'Deactivated', 'Yes'],
      ]);
    });

    it('puts a Summary first whose numbers are the totals of the users written', async () => {
      const file = await write(users(), { customerName: 'Example & Co' });
      const summary = await summaryOf(file);
      expect(summary.get('Customer')).toEqual(['Example & Co']);
      expect(summary.get('Domain')).toEqual(['example.com']);
      expect(summary.get('Period')).toEqual(['all time']);
      expect(summary.get('Generated')).toEqual(['2026-11-25 08:30 (UTC)']);
      expect(summary.get('All users')).toEqual([7]);
      expect(summary.get('Active')).toEqual([5]);
      expect(summary.get('Inactive')).toEqual([2]);
      expect(summary.get('Deactivated accounts')).toEqual([2]);
      expect(summary.get('Never logged in')).toEqual([4]);
      expect(summary.get('Creator')).toEqual([1, 1 / 7, '███']);
      expect(summary.get('Contributor')).toEqual([1, 1 / 7, '███']);
      expect(summary.get('Supporter')).toEqual([2, 2 / 7, '██████']);
      expect(summary.get('Member')).toEqual([1, 1 / 7, '███']);
      expect(summary.get('Idle')).toEqual([2, 2 / 7, '██████']);
      expect(summary.get('Ideas created')).toEqual([2]);
      expect(summary.get('Idea votes')).toEqual([5]);
      expect(summary.get('Comment likes given')).toEqual([3]);
      expect(summary.get('Communities joined: memberships')).toEqual([2]);
      expect(summary.get('Communities managed: memberships')).toEqual([1]);
      expect([...summary.keys()]).toContain('How to read this');

      if (!requirementMet(OPENPYXL, 'the independent reader check')) return;
      const other = readWithOpenpyxl(file);
      expect(other.sheets.map((sheet) => sheet.name)).toEqual([SUMMARY_SHEET, ACTIVE_SHEET, INACTIVE_SHEET]);
      const byLabel = new Map(other.sheets[0].rows.map((row) => [row[0].value, row.slice(1)]));
      expect(byLabel.get('All users')?.[0]).toMatchObject({ value: 7, type: 'n' });
      expect(
        byLabel
          .get('Supporter')
          ?.slice(0, 3)
          .map((cell) => cell.value),
      ).toEqual([2, 2 / 7, '██████']);
    });

    it('in a ranged export, counts only dated activity for levels and says so', async () => {
      const range = { since: new Date('2026-01-01T00:00:00Z'), until: new Date('2026-04-01T00:00:00Z') };
      const summary = await summaryOf(await write(users(), { range }));
      expect(summary.get('Period')).toEqual(['1 January 2026 to 31 March 2026']);
      expect(summary.get('Active in the period')).toEqual([3]);
      expect(summary.get('Inactive in the period')).toEqual([4]);
      expect(summary.get('Supporter')?.[0]).toBe(1);
      expect(summary.get('Member')?.[0]).toBe(0);
      expect(summary.get('Idle')?.[0]).toBe(4);
      expect(summary.get('Comment likes given (all time)')).toEqual([3]);
      expect(summary.get('Communities joined (all time): memberships')).toEqual([2]);
    });
  });

  it('reads back every inactive user whole, whatever characters fall where the scratch file is read in chunks', async () => {
    // Names of two to four bytes a character: the 64K chunks the spool is
    // read in end inside characters. One user's line alone spans several
    // chunks (a ranged export spools inactive users' communities).
    const names = ['é', '社', '😀'];
    const inactive = Array.from({ length: 4000 }, (_, i) =>
      user({
        email: `u${String(i).padStart(4, '0')}@example.com`,
        firstName: names[i % 3].repeat(10 + (i % 31)),
        lastName: `${names[(i + 1) % 3].repeat(20)}${i}`,
      }),
    );
    const long = Array.from({ length: 5000 }, (_, i) => `${'社区'.repeat(6)}${i}`);
    inactive[1234] = { ...inactive[1234], communitiesJoined: long };
    const file = await write(inactive, { range: { since: new Date('2026-01-01T00:00:00Z') } });
    const rows = (await readWorkbook(file)).rows(INACTIVE_SHEET).slice(1);
    expect(rows.map((row) => [row[0], row[1], row[2]])).toEqual(
      inactive.map(({ email, firstName, lastName }) => [email, firstName, lastName]),
    );
    expect(rows[1234][rows[1234].length - 1]).toBe(listCell(long));
  });

  it('streams thousands of users with the Summary listed first, never holding the other sheets back', async () => {
    // The Summary is written last. Had it been added to the workbook first, the zip
    // would wait for it before taking any other sheet's rows: those would pile up
    // in memory, and the writer, waiting for the zip to drain, would stall (from
    // about 400 users).
    const many = Array.from({ length: 3000 }, (_, i) => user({ email: `u${i}@example.com`, ideas: i % 2 }));
    const stalled = new Promise<never>((_resolve, reject) =>
      setTimeout(() => reject(new Error('the writer stalled')), 30_000).unref(),
    );
    const file = await Promise.race([write(many), stalled]);
    const book = await readWorkbook(file);
    expect(book.sheetNames).toEqual([SUMMARY_SHEET, ACTIVE_SHEET, INACTIVE_SHEET]);
    expect(book.rows(ACTIVE_SHEET)).toHaveLength(1501);
    expect(book.rows(INACTIVE_SHEET)).toHaveLength(1501);
    expect(new Map(book.rows(SUMMARY_SHEET).map((row) => [row[0], row[1]])).get('All users')).toBe(3000);
  });
  /**
   * Writes 2,000 users, half of them inactive (their sheet is written after
   * the stream ends), and one community; tells the order in which progress,
   * betweenSheets and the communities' first read came.
   */
  async function writeWithCommunities(
    communitiesEarly?: boolean,
  ): Promise<{ events: string[]; reads: number }> {
    const many = Array.from({ length: 2000 }, (_, i) => user({ email: `u${i}@example.com`, ideas: i % 2 }));
    const events: string[] = [];
    let reads = 0;
    async function* communities(): AsyncGenerator<CommunityActivity> {
      reads += 1;
      events.push('communities asked for');
      yield { ...NO_COMMUNITY_ACTIVITY, name: 'Makers' };
    }
    const file = path.join(tmp, 'book.xlsx');
    await writeActivityWorkbook(
      from(many),
      fs.createWriteStream(file),
      { customer: 'example.com', generatedAt: new Date('2026-11-25T08:30:00Z'), range: {} },
      {
        scratchDir: tmp,
        communities,
        communitiesEarly,
        onProgress: (users) => events.push(`progress ${users}`),
        betweenSheets: () => events.push('between sheets'),
      },
    );
    const book = await readWorkbook(file);
    expect(book.rows(INACTIVE_SHEET)).toHaveLength(1001);
    expect(
      book
        .rows(COMMUNITIES_SHEET)
        .slice(1)
        .map((row) => row[0]),
    ).toEqual(['Makers']);
    return { events, reads };
  }

  it('asks for the communities as soon as the last user is read, before the inactive users are written, and reads them once', async () => {
    const { events, reads } = await writeWithCommunities();
    // The last progress report comes once the inactive users are written.
    expect(events.slice(-3)).toEqual(['communities asked for', 'progress 2000', 'between sheets']);
    expect(reads).toBe(1);
  });

  it('for a database in this process, asks for the communities only once the user sheets are written, after betweenSheets', async () => {
    const { events, reads } = await writeWithCommunities(false);
    expect(events.slice(-3)).toEqual(['progress 2000', 'between sheets', 'communities asked for']);
    expect(reads).toBe(1);
  });

  it('ends the communities it asked for when the workbook fails before reading them', async () => {
    const many = Array.from({ length: 50 }, (_, i) => user({ email: `u${i}@example.com` }));
    let ended = false;
    async function* communities(): AsyncGenerator<CommunityActivity> {
      // Asked for once the users are read: the inactive users' spool then
      // disappears, so the writer fails before it reads a community.
      fs.rmSync(path.join(tmp, 'inactive-users.ndjson'));
      try {
        yield { ...NO_COMMUNITY_ACTIVITY, name: 'Makers' };
      } finally {
        ended = true;
      }
    }
    await expect(
      writeActivityWorkbook(
        from(many),
        fs.createWriteStream(path.join(tmp, 'book.xlsx')),
        { customer: 'example.com', generatedAt: new Date('2026-11-25T08:30:00Z'), range: {} },
        { scratchDir: tmp, communities },
      ),
    ).rejects.toThrow(/ENOENT/);
    expect(ended).toBe(true);
  });

  it("fails with the scratch file's own error when the inactive users cannot be spooled, and reads no community", async () => {
    const many = Array.from({ length: 50 }, (_, i) => user({ email: `u${i}@example.com` }));
    let asked = false;
    async function* communities(): AsyncGenerator<CommunityActivity> {
      asked = true;
      yield { ...NO_COMMUNITY_ACTIVITY, name: 'Makers' };
    }
    await expect(
      writeActivityWorkbook(
        from(many),
        fs.createWriteStream(path.join(tmp, 'book.xlsx')),
        { customer: 'example.com', generatedAt: new Date('2026-11-25T08:30:00Z'), range: {} },
        // A scratch folder that does not exist: the spool cannot be opened.
        { scratchDir: path.join(tmp, 'gone'), communities },
      ),
    ).rejects.toThrow(/ENOENT.*gone\/inactive-users\.ndjson/);
    expect(asked).toBe(false);
  });
});
