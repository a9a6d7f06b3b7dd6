import { captureQueries, describeEachDatabase } from '../testing';
import { ActivityRepository } from '../activity/activity.repository';
import { RecipientNotAllowedError } from '../errors';
import { guardRecipient } from './recipient.guard';

// What another customer's people are must not show in how a refusal is made:
// an address that manages another customer and one nobody has cost the same
// statements, so neither the answer nor its time tells them apart.
describeEachDatabase('a refused recipient at another customer or nowhere', (db) => {
  it('runs the same statements, and a site token reads the same words', async () => {
    const asked = await db.factory.site();
    const other = await db.factory.site();
    const foreign = await db.factory.manager({ site: other });
    const snapshot = new ActivityRepository(db.knex);

    const refuse = async (recipient: string) => {
      const { result, queries } = await captureQueries(db.knex, () =>
        guardRecipient(snapshot, asked.domain, recipient).then(
          () => null,
          (error: unknown) => error,
        ),
      );
      expect(result).toBeInstanceOf(RecipientNotAllowedError);
      return { error: result as RecipientNotAllowedError, statements: queries.map((query) => query.sql) };
    };
    const elsewhere = await refuse(foreign.email);
    const nowhere = await refuse(`nobody-${foreign.email}`);

    expect(elsewhere.error.reason).toBe('manager-of-other-site');
    expect(nowhere.error.reason).toBe('unknown-address');
    expect(elsewhere.statements).toEqual(nowhere.statements);
    expect(elsewhere.statements).toHaveLength(3);
    expect(elsewhere.error.tenantMessage.replace(foreign.email, 'X')).toBe(
      nowhere.error.tenantMessage.replace(`nobody-${foreign.email}`, 'X'),
    );
  });
});
