import crypto from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type { Knex } from 'knex';
import { createTestDatabase, describeEachDatabase } from '@spotlight/core/testing';
import { readWorkbook, type CellValue } from '@spotlight/testing';
import {
  ActivityRepository,
  ACTIVITY_COUNTS,
  ExportService,
  OutboxMailRepository,
  type UserActivity,
} from '@spotlight/core';
import { SEEDED_TABLES } from './table-load';
import { generateCustomer, seedDemo, SeedSiteExistsError, type GenerateReport } from './seed';

interface DirectActivity {
  counts: number[];
  managed: string[];
  joined: string[];
}

/** One user's activity on a site, by the schema doc's definition, with SQL written independently of the export's. */
async function directActivity(knex: Knex, siteId: number, userId: number): Promise<DirectActivity> {
  const count = (sql: string) => one(knex, sql, [userId, siteId]);
  const counts = [
    await count('SELECT COUNT(*) AS n FROM central_challenge WHERE creator_id = ? AND site_id = ?'),
    await count('SELECT COUNT(*) AS n FROM central_idea WHERE creator_id = ? AND site_id = ?'),
    await count('SELECT COUNT(*) AS n FROM central_ideacomment WHERE creator_id = ? AND site_id = ?'),
    await count(
      'SELECT COUNT(*) AS n FROM central_ideacomment_liked_by l JOIN central_ideacomment c ON c.id = l.ideacomment_id WHERE l.user_id = ? AND c.site_id = ?',
    ),
    await count(
      'SELECT COUNT(*) AS n FROM central_ideavote v JOIN central_idea i ON i.id = v.idea_id WHERE v.creator_id = ? AND i.site_id = ?',
    ),
    await count('SELECT COUNT(*) AS n FROM central_conversation WHERE creator_id = ? AND site_id = ?'),
    await count('SELECT COUNT(*) AS n FROM central_community WHERE creator_id = ? AND site_id = ?'),
  ];
  const names = async (table: string) =>
    (
      await knex(`${table} as m`)
        .join('central_community as c', 'c.id', 'm.community_id')
        .where({ 'm.user_id': userId, 'c.site_id': siteId })
        .pluck('c.name')
    )
      .map(String)
      .sort();
  return {
    counts,
    managed: await names('central_community_managers'),
    joined: await names('central_community_members'),
  };
}

async function one(knex: Knex, sql: string, bindings: Knex.RawBinding[]): Promise<number> {
  const rows = await knex.raw(sql, bindings);
  // mysql2 answers [rows, fields]; better-sqlite3 answers rows.
  const first = (Array.isArray(rows[0]) ? rows[0][0] : rows[0]) as { n: number | string };
  return Number(first.n);
}

async function countWhere(knex: Knex, sql: string, bindings: Knex.RawBinding[] = []): Promise<number> {
  return one(knex, sql, bindings);
}

/** A hash of every seeded table's rows in id order. */
async function fingerprint(knex: Knex): Promise<string> {
  const hash = crypto.createHash('sha256');
  for (const table of SEEDED_TABLES) {
    for (const row of await knex(table).orderBy('id')) hash.update(JSON.stringify(row));
  }
  return hash.digest('hex');
}

/** A workbook's community cell: one name per line, or "; "-separated past 20 (generated names hold neither). */
const names = (cell: CellValue | undefined) => (cell ? String(cell).split(/\n|; /).sort() : []);

describeEachDatabase('data generator', (db) => {
  let report: GenerateReport;

  beforeAll(async () => {
    report = await generateCustomer(db.knex, {
      users: 200,
      seed: 7,
      domain: 'acme.example.com',
      name: 'Acme',
      noiseSites: 2,
    });
  });

  it('makes the customer, its manager and the noise sites it reports', async () => {
    expect(report).toMatchObject({
      site: { domain: 'acme.example.com', name: 'Acme' },
      users: 200,
      managerEmail: 'manager@acme.example.com',
      noiseSites: ['noise-1.acme.example.com', 'noise-2.acme.example.com'],
    });
    const sites = await db.knex('django_site').orderBy('id').pluck('domain');
    expect(sites).toEqual(['acme.example.com', ...report.noiseSites]);
    const manager = await db
      .knex('central_user')
      .where({ email: report.managerEmail, site_id: report.site.id })
      .first();
    expect(manager).toMatchObject({ is_manager: expect.anything(), is_active: expect.anything() });
    expect(Boolean(manager.is_manager) && Boolean(manager.is_active)).toBe(true);
    expect(
      await countWhere(db.knex, 'SELECT COUNT(*) AS n FROM central_user WHERE site_id = ?', [report.site.id]),
    ).toBe(200);
  });

  it('writes every kind of activity, deleted rows, inactive users and rows that must not count', async () => {
    const site = report.site.id;
    const perKind = {
      challenges: 'SELECT COUNT(*) AS n FROM central_challenge WHERE site_id = ?',
      ideas: 'SELECT COUNT(*) AS n FROM central_idea WHERE site_id = ?',
      comments: 'SELECT COUNT(*) AS n FROM central_ideacomment WHERE site_id = ?',
      likes:
        'SELECT COUNT(*) AS n FROM central_ideacomment_liked_by l JOIN central_ideacomment c ON c.id = l.ideacomment_id WHERE c.site_id = ?',
      votes:
        'SELECT COUNT(*) AS n FROM central_ideavote v JOIN central_idea i ON i.id = v.idea_id WHERE i.site_id = ?',
      conversations:
        'SELECT COUNT(*) AS n FROM central_conversation WHERE site_id = ? AND creator_id IS NOT NULL',
      communities: 'SELECT COUNT(*) AS n FROM central_community WHERE site_id = ?',
      managers:
        'SELECT COUNT(*) AS n FROM central_community_managers m JOIN central_community c ON c.id = m.community_id WHERE c.site_id = ?',
      members:
        'SELECT COUNT(*) AS n FROM central_community_members m JOIN central_community c ON c.id = m.community_id WHERE c.site_id = ?',
    };
    for (const [kind, sql] of Object.entries(perKind)) {
      const rows = await countWhere(db.knex, sql, [site]);
      expect({ kind, present: rows > 0 }).toEqual({ kind, present: true });
    }
    expect(
      await countWhere(
        db.knex,
        'SELECT COUNT(*) AS n FROM central_idea WHERE site_id = ? AND is_deleted = 1',
        [site],
      ),
    ).toBeGreaterThan(0);
    expect(
      await countWhere(
        db.knex,
        'SELECT COUNT(*) AS n FROM central_user WHERE site_id = ? AND is_active = 0',
        [site],
      ),
    ).toBeGreaterThan(0);
    expect(
      await countWhere(
        db.knex,
        'SELECT COUNT(*) AS n FROM central_conversation WHERE site_id = ? AND creator_id IS NULL',
        [site],
      ),
    ).toBeGreaterThan(0);
    // A power law: a tenth of the users do most of the voting, and many do nothing.
    const votes = (
      await db.knex('central_ideavote').select('creator_id').count({ n: '*' }).groupBy('creator_id')
    ).map((row) => Number(row.n));
    votes.sort((a, b) => b - a);
    const total = votes.reduce((a, b) => a + b, 0);
    expect(votes.slice(0, 20).reduce((a, b) => a + b, 0)).toBeGreaterThan(total / 2);
    // Rows across sites exist, so the isolation checks below can fail.
    expect(
      await countWhere(
        db.knex,
        'SELECT COUNT(*) AS n FROM central_ideavote v JOIN central_idea i ON i.id = v.idea_id JOIN central_user u ON u.id = v.creator_id WHERE u.site_id <> i.site_id',
      ),
    ).toBeGreaterThan(0);
    expect(
      await countWhere(db.knex, 'SELECT COUNT(*) AS n FROM central_user WHERE email = ? AND site_id <> ?', [
        report.managerEmail,
        site,
      ]),
    ).toBeGreaterThan(0);
  });

  it("agrees with the export's counts, user by user, and in total", async () => {
    const dir = await fs.promises.mkdtemp(path.join(os.tmpdir(), 'seed-export-'));
    try {
      const service = new ExportService(new ActivityRepository(db.knex), new OutboxMailRepository(dir), {
        mailFrom: 'x@y.z',
        databaseLabel: db.dialect,
      });
      const file = path.join(dir, 'export.xlsx');
      const summary = await service.exportToEmail(
        { customer: report.site.domain, recipient: report.managerEmail },
        { dryRun: true, saveTo: file },
      );
      expect(summary.active + summary.inactive).toBe(report.users);
      const book = await readWorkbook(file);
      const active = book.rows('Active users').slice(1);
      const inactive = book.rows('Inactive users').slice(1);
      expect(active).toHaveLength(summary.active);

      // Every activity row of the report is in the workbook, and nothing else.
      let total = 0;
      for (const row of active) {
        total +=
          (row.slice(6, 13) as number[]).reduce((a, b) => a + b, 0) +
          names(row[13]).length +
          names(row[14]).length;
      }
      expect(total).toBe(report.activityRows);

      // The heaviest users, the manager and a few others, against direct counts.
      const byEmail = new Map(active.map((row) => [String(row[0]), row]));
      const users: Array<{ id: number; email: string }> = await db
        .knex('central_user')
        .where({ site_id: report.site.id })
        .orderBy('id')
        .select('id', 'email');
      const heavy = await db
        .knex<{ creator_id: number }>('central_ideavote')
        .whereIn(
          'creator_id',
          users.map((u) => u.id),
        )
        .select('creator_id')
        .count({ n: '*' })
        .groupBy('creator_id')
        .orderBy('n', 'desc')
        .limit(3);
      const sample = new Set([
        users[0].id,
        users[5].id,
        users[50].id,
        users[150].id,
        ...heavy.map((row) => Number(row.creator_id)),
      ]);
      expect(sample.size).toBeGreaterThanOrEqual(5);
      for (const id of sample) {
        const user = users.find((u) => u.id === id)!;
        const direct = await directActivity(db.knex, report.site.id, id);
        const row = byEmail.get(user.email);
        const isActive = direct.counts.some((n) => n > 0) || direct.managed.length + direct.joined.length > 0;
        if (!isActive) {
          expect(row).toBeUndefined();
          expect(inactive.map((r) => r[0])).toContain(user.email);
          continue;
        }
        expect({
          email: user.email,
          counts: row?.slice(6, 13),
          managed: names(row?.[13]),
          joined: names(row?.[14]),
        }).toEqual({
          email: user.email,
          ...direct,
        });
      }
    } finally {
      await fs.promises.rm(dir, { recursive: true, force: true });
    }
  });

  it("never lets a noise site's users or rows into the customer's export", async () => {
    const customerUsers = new Set(
      (await db.knex('central_user').where({ site_id: report.site.id }).pluck('id')).map(Number),
    );
    const seen: number[] = [];
    await new ActivityRepository(db.knex).inSnapshot(async (snapshot) => {
      for await (const user of snapshot.streamActivity(report.site.id)) seen.push(user.userId);
    });
    expect(seen).toHaveLength(customerUsers.size);
    expect(seen.every((id) => customerUsers.has(id))).toBe(true);

    // And the other way round: a noise site's export holds only its own users.
    const noise = await db.knex('django_site').where({ domain: report.noiseSites[0] }).first();
    const noiseUsers = await countWhere(db.knex, 'SELECT COUNT(*) AS n FROM central_user WHERE site_id = ?', [
      noise.id,
    ]);
    let listed = 0;
    await new ActivityRepository(db.knex).inSnapshot(async (snapshot) => {
      for await (const user of snapshot.streamActivity(noise.id)) {
        expect(customerUsers.has(user.userId)).toBe(false);
        listed += 1;
      }
    });
    expect(listed).toBe(noiseUsers);
  });

  it('gives even a one-user customer every kind of activity, all of it counted', async () => {
    const tiny = await generateCustomer(db.knex, { users: 1, domain: 'tiny.example.com', noiseSites: 1 });
    const users: UserActivity[] = [];
    await new ActivityRepository(db.knex).inSnapshot(async (snapshot) => {
      for await (const user of snapshot.streamActivity(tiny.site.id)) users.push(user);
    });
    expect(users).toHaveLength(1);
    const [manager] = users;
    expect(manager.email).toBe('manager@tiny.example.com');
    for (const { key } of ACTIVITY_COUNTS)
      expect({ key, done: manager[key] > 0 }).toEqual({ key, done: true });
    expect(manager.communitiesManaged.length).toBeGreaterThan(0);
    expect(manager.communitiesJoined.length).toBeGreaterThan(0);
    const total =
      ACTIVITY_COUNTS.reduce((sum, { key }) => sum + manager[key], 0) +
      manager.communitiesManaged.length +
      manager.communitiesJoined.length;
    expect(total).toBe(tiny.activityRows);
  });

  it('refuses a domain that exists and writes nothing', async () => {
    const before = await countWhere(db.knex, 'SELECT COUNT(*) AS n FROM central_user');
    await expect(generateCustomer(db.knex, { users: 10, domain: 'ACME.example.com' })).rejects.toThrow(
      SeedSiteExistsError,
    );
    await expect(generateCustomer(db.knex, { users: 10, domain: 'acme.example.com' })).rejects.toThrow(
      /already has acme\.example\.com/,
    );
    expect(await countWhere(db.knex, 'SELECT COUNT(*) AS n FROM central_user')).toBe(before);
  });

  it('seeds the demo once: example.com with its manager, other.example.org beside it', async () => {
    const demo = await seedDemo(db.knex);
    expect(demo).toMatchObject({
      site: { domain: 'example.com', name: 'Example Inc.' },
      users: 300,
      managerEmail: 'manager@example.com',
      noiseSites: ['other.example.org'],
    });
    expect(demo.activityRows).toBeGreaterThan(3000);
    const other = await db.knex('django_site').where({ domain: 'other.example.org' }).first();
    const otherManager = await db
      .knex('central_user')
      .where({ site_id: other.id, email: 'manager@other.example.org' })
      .first();
    expect(Boolean(otherManager?.is_manager) && Boolean(otherManager?.is_active)).toBe(true);
    await expect(seedDemo(db.knex)).rejects.toThrow(SeedSiteExistsError);
  });

  it('makes the same data from the same seed, and other data from another', async () => {
    const [first, second, third] = await Promise.all([1, 2, 3].map(() => createTestDatabase(db.dialect)));
    try {
      const options = { users: 120, seed: 11, domain: 'same.example.com', noiseSites: 1 };
      await generateCustomer(first.knex, options);
      await generateCustomer(second.knex, options);
      await generateCustomer(third.knex, { ...options, seed: 12 });
      const [a, b, c] = await Promise.all(
        [first, second, third].map((database) => fingerprint(database.knex)),
      );
      expect(b).toBe(a);
      expect(c).not.toBe(a);
    } finally {
      await Promise.all([first, second, third].map((database) => database.drop()));
    }
  });
});
