import { describeEachDatabase, assertNumQueries } from '../testing';
import { TokenRepository } from './token.repository';
import { TokenService } from './token.service';

describeEachDatabase('TokenService.authenticate', (db) => {
  it('records when a token was last used, writing at most once a minute, in a single UPDATE', async () => {
    let now = new Date('2026-05-01T10:00:00.000Z');
    const tokens = new TokenService(new TokenRepository(db.knex), () => now);
    const { record, token } = await tokens.create({ staff: true });
    expect(record.lastUsedAt).toBeNull();

    // The lookup and the one UPDATE.
    const first = await assertNumQueries(db.knex, 2, () => tokens.authenticate(token));
    expect(first?.lastUsedAt?.toISOString()).toBe('2026-05-01T10:00:00.000Z');

    now = new Date('2026-05-01T10:00:59.000Z');
    const soon = await assertNumQueries(db.knex, 1, () => tokens.authenticate(token));
    expect(soon?.lastUsedAt?.toISOString()).toBe('2026-05-01T10:00:00.000Z');

    now = new Date('2026-05-01T10:01:30.000Z');
    await assertNumQueries(db.knex, 2, () => tokens.authenticate(token));
    const [listed] = (await tokens.list()).filter((item) => item.id === record.id);
    expect(listed.lastUsedAt?.toISOString()).toBe('2026-05-01T10:01:30.000Z');

    // verify() stays a pure check, and unknown or revoked tokens write nothing.
    now = new Date('2026-05-01T11:00:00.000Z');
    await assertNumQueries(db.knex, 1, () => tokens.verify(token));
    await tokens.revoke(String(record.id));
    expect(await assertNumQueries(db.knex, 1, () => tokens.authenticate(token))).toBeNull();
    expect(await assertNumQueries(db.knex, 0, () => tokens.authenticate('nonsense'))).toBeNull();
  });
});
