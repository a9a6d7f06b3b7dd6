import { describeEachDatabase, Factory, type SiteRow, type UserRow } from '@spotlight/core/testing';
import { SmtpCapture } from '@spotlight/testing';
import { parseJson, runCli } from '../../__fixtures__/run-cli';
import type { UserActivityExportResult } from './user-activity';

/**
 * The old tool ran queries per user. The export must run the same number of
 * SQL statements for a one-user site as for 300 users in 40 communities with
 * activity of every kind: the count core measures on every database the
 * export touches and the CLI prints with --json. A CLI export takes the
 * customer's lock, reads one snapshot, releases the lock and records itself:
 * - SQLite (8): INSERT lock; BEGIN, guard, activity, communities, COMMIT; DELETE lock; INSERT history.
 * - MariaDB (11): GET_LOCK, upsert lock row; SET TRANSACTION READ ONLY, BEGIN,
 *   guard, activity, communities, COMMIT; DELETE lock row, RELEASE_LOCK; INSERT history.
 * The Summary sheet is totalled from the activity rows and adds none.
 */
const EXPECTED_QUERIES = { sqlite: 8, mariadb: 11 };

describeEachDatabase('spotlight export user-activity query count', (db) => {
  let smtp: SmtpCapture;
  let small: { site: SiteRow; manager: UserRow };
  let big: { site: SiteRow; manager: UserRow };

  beforeAll(async () => {
    smtp = await SmtpCapture.start();
    small = await db.knex.transaction(async (trx) => {
      const f = new Factory(trx);
      const site = await f.site({ name: 'Tiny' });
      return { site, manager: await f.manager({ site, email: `manager@${site.domain}` }) };
    });
    // One transaction: hundreds of single-row inserts, without a commit each.
    big = await db.knex.transaction(async (trx) => {
      const f = new Factory(trx);
      const site = await f.site({ name: 'Big' });
      const manager = await f.manager({ site, email: `manager@${site.domain}` });
      const users = [manager];
      for (let i = 1; i < 300; i += 1) users.push(await f.user({ site }));
      const communities = [];
      for (let i = 0; i < 40; i += 1) {
        const community = await f.community({ site, creator: users[i * 5] });
        await f.communityManager(community, users[i * 5]);
        communities.push(community);
      }
      const ideas = [];
      const comments = [];
      for (const [i, user] of users.entries()) {
        // Every tenth user does nothing at all and lands on the inactive sheet.
        if (i % 10 === 9) continue;
        const community = communities[i % 40];
        await f.communityMember(community, user);
        if (i % 5 === 0) await f.challenge({ site, creator: user, community });
        if (i % 3 === 0) ideas.push(await f.idea({ site, creator: user }));
        if (i % 4 === 0 && ideas.length)
          comments.push(await f.comment({ site, creator: user, idea: ideas[i % ideas.length] }));
        if (i % 6 === 0 && comments.length) await f.commentLike(comments[i % comments.length], user);
        if (i % 2 === 0 && ideas.length) await f.vote({ creator: user, idea: ideas[i % ideas.length] });
        if (i % 7 === 0) await f.conversation({ site, creator: user, community });
      }
      return { site, manager };
    });
  });

  afterAll(async () => {
    await smtp?.stop();
  });

  it('runs the same number of queries (7 on SQLite, 10 on MariaDB) for 1 user and for 300 users', async () => {
    const env = { DATABASE_URL: db.url, SMTP_URL: smtp.url };
    const [one, many] = await Promise.all(
      [small, big].map(({ site, manager }) =>
        runCli(['export', 'user-activity', '-c', site.domain, '-e', manager.email, '--json'], env),
      ),
    );
    if (one.code !== 0 || many.code !== 0) throw new Error(`${one.stderr}${many.stderr}`);
    const oneSummary = parseJson<UserActivityExportResult>(one);
    const manySummary = parseJson<UserActivityExportResult>(many);

    expect([one.code, many.code]).toEqual([0, 0]);
    expect([oneSummary.active, oneSummary.inactive]).toEqual([0, 1]);
    expect([manySummary.active, manySummary.inactive]).toEqual([270, 30]);
    expect(manySummary.queries).toBe(oneSummary.queries);
    expect(oneSummary.queries).toBe(EXPECTED_QUERIES[db.dialect]);
    expect(smtp.messages.map((message) => message.envelope.to).sort()).toEqual(
      [[small.manager.email], [big.manager.email]].sort(),
    );
  });
});
