import { describeEachDatabase } from './database.harness';

describeEachDatabase('factories', (db) => {
  it('inserts a row of every Spotlight kind and returns it with its id', async () => {
    const f = db.factory;
    const site = await f.site();
    const user = await f.user({ site });
    const other = await f.user({ site });
    expect(other.email).not.toBe(user.email);
    const community = await f.community({ site, creator: user });
    const challenge = await f.challenge({ site, creator: user, community });
    const idea = await f.idea({ site, creator: user, challenge });
    const comment = await f.comment({ site, creator: other, idea });
    await f.comment({ site, creator: user, idea, parent: comment });
    await f.commentLike(comment, user);
    await f.vote({ creator: other, idea });
    await f.conversation({ site, creator: null, community });
    for (const join of [
      f.communityManager,
      f.communityMember,
      f.communityApplicant,
      f.communityBannedMember,
    ]) {
      await join.call(f, community, other);
    }
    await f.challengeFollower(challenge, other);
    const stored = await db.knex('central_user').where({ id: user.id }).first();
    expect(stored).toMatchObject({ email: user.email, site_id: site.id });
    const counts = await Promise.all(
      ['central_ideacomment', 'central_ideavote', 'central_community_managers'].map(async (table) => {
        const [{ n }] = await db.knex(table).count({ n: '*' });
        return Number(n);
      }),
    );
    expect(counts).toEqual([2, 1, 1]);
  });

  it('keeps unique pairs unique, as Django does', async () => {
    const site = await db.factory.site();
    const user = await db.factory.user({ site });
    const idea = await db.factory.idea({ site, creator: user });
    await db.factory.vote({ creator: user, idea });
    await expect(db.factory.vote({ creator: user, idea })).rejects.toThrow(/unique|duplicate/i);
  });
});
