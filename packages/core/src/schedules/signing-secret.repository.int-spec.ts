import { SIGNING_SECRET_TABLE } from '../db/models/tables';
import { describeEachDatabase } from '../testing';
import { SigningSecretRepository } from './signing-secret.repository';

describeEachDatabase('the signing secret kept in the database', (db) => {
  beforeEach(async () => {
    await db.knex(SIGNING_SECRET_TABLE).delete();
  });

  it('is made once: instances asking at the same time all get the one that was kept', async () => {
    const secrets = await Promise.all(
      Array.from({ length: 6 }, () => new SigningSecretRepository(db.knex).getOrCreate()),
    );
    const rows = await db.knex(SIGNING_SECRET_TABLE).select('secret');
    expect(rows).toHaveLength(1);
    expect(new Set(secrets)).toEqual(new Set([rows[0].secret]));
    expect(rows[0].secret).toMatch(/^[A-Za-z0-9_-]{43}$/);
  });

  it('is read, never replaced, once it exists', async () => {
    const first = await new SigningSecretRepository(db.knex).getOrCreate();
    expect(await new SigningSecretRepository(db.knex).getOrCreate()).toBe(first);
  });
});
