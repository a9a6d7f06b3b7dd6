import { describeEachDatabase } from '@spotlight/core/testing';
import { ActivityRepository, type UserActivity } from '@spotlight/core';
import { DEMO_SITES, seedDemo, type GenerateReport } from './seed';

/** The schema doc's engagement level, all time, written here apart from the export's. */
function level(user: UserActivity): string {
  if (user.challenges + user.ideas + user.conversations + user.communitiesCreated > 0) return 'Creator';
  if (user.comments > 0) return 'Contributor';
  if (user.votes + user.commentLikes > 0) return 'Supporter';
  if (user.communitiesManaged.length + user.communitiesJoined.length > 0) return 'Member';
  return 'Idle';
}

const MONTH = 30 * 86_400_000;

describeEachDatabase('demo data', (db) => {
  let demo: GenerateReport;
  const users: UserActivity[] = [];

  beforeAll(async () => {
    demo = await seedDemo(db.knex);
    await new ActivityRepository(db.knex).inSnapshot(async (snapshot) => {
      for await (const user of snapshot.streamActivity(demo.site.id)) users.push(user);
    });
  });

  it('follows participation inequality: a few create, more comment, most only vote or like, some only belong', () => {
    const levels = new Map<string, number>();
    for (const user of users) levels.set(level(user), (levels.get(level(user)) ?? 0) + 1);
    const active = users.length - (levels.get('Idle') ?? 0);
    const share = (name: string) => (levels.get(name) ?? 0) / active;
    expect(active).toBeGreaterThan(users.length / 3);
    expect(share('Creator')).toBeLessThanOrEqual(0.4);
    for (const name of ['Contributor', 'Supporter', 'Member'])
      expect({ name, atLeastFivePercent: share(name) >= 0.05 }).toEqual({ name, atLeastFivePercent: true });
    // Supporters are the largest group of the active users.
    expect(share('Supporter')).toBeGreaterThan(
      Math.max(share('Creator'), share('Contributor'), share('Member')),
    );
  });

  it('has a few heavy creators who hold a long tail of the ideas', () => {
    const ideas = users.map((user) => user.ideas).sort((a, b) => b - a);
    const total = ideas.reduce((a, b) => a + b, 0);
    const creators = ideas.filter((n) => n > 0).length;
    const top = ideas.slice(0, Math.ceil(creators / 10)).reduce((a, b) => a + b, 0);
    expect(top).toBeGreaterThan(total / 3);
  });

  it('spreads activity over time: in each month of its last year some users are new and some lapse', async () => {
    const dated = await db.knex
      .select('creator_id as user')
      .min({ first: 'created' })
      .max({ last: 'created' })
      .from(
        db.knex
          .select('creator_id', 'created')
          .from('central_idea')
          .where({ site_id: demo.site.id })
          .unionAll((union) =>
            union
              .select('creator_id', 'created')
              .from('central_ideacomment')
              .where({ site_id: demo.site.id }),
          )
          .unionAll((union) =>
            union
              .select('v.creator_id', 'v.created')
              .from('central_ideavote as v')
              .join('central_idea as i', 'i.id', 'v.idea_id')
              .where('i.site_id', demo.site.id),
          )
          .as('rows'),
      )
      .groupBy('creator_id');
    const times = dated.map((row: { first: Date | string | number; last: Date | string | number }) => ({
      first: new Date(row.first).getTime(),
      last: new Date(row.last).getTime(),
    }));
    const end = Math.max(...times.map((time) => time.last));
    for (let month = 1; month <= 12; month += 1) {
      const from = end - (month + 1) * MONTH;
      const to = end - month * MONTH;
      const starting = times.filter((time) => time.first >= from && time.first < to).length;
      const lapsing = times.filter((time) => time.last >= from && time.last < to).length;
      expect({ month, starting: starting > 0, lapsing: lapsing > 0 }).toEqual({
        month,
        starting: true,
        lapsing: true,
      });
    }
  });

  it('has no name that looks like hostile input: formulas, control characters, text longer than a cell holds', async () => {
    const sites = await db
      .knex('django_site')
      .whereIn('domain', [DEMO_SITES.customer.domain, DEMO_SITES.other.domain])
      .pluck('id');
    const names: string[] = [
      ...(await db.knex('central_community').whereIn('site_id', sites).pluck('name')),
      ...(await db.knex('central_challenge').whereIn('site_id', sites).pluck('name')),
      ...(await db.knex('central_idea').whereIn('site_id', sites).pluck('name')),
      ...(await db.knex('central_conversation').whereIn('site_id', sites).pluck('name')),
      ...(await db.knex('central_user').whereIn('site_id', sites).pluck('first_name')),
      ...(await db.knex('central_user').whereIn('site_id', sites).pluck('last_name')),
      ...(await db.knex('central_user').whereIn('site_id', sites).pluck('email')),
    ].map(String);
    expect(names.length).toBeGreaterThan(1000);
    // eslint-disable-next-line no-control-regex -- finding control characters is the point
    const hostile = names.filter((name) => /^[=+\-@]|[\x00-\x1F\x7F]/.test(name) || name.length > 150);
    expect(hostile).toEqual([]);
  });
});
