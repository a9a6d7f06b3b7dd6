import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { PassThrough } from 'node:stream';
import {
  availableCollations,
  createTestDatabase,
  describeEachDatabase,
  enabledDialects,
  type TestDatabase,
  type TestDialect,
} from '../testing';
import { ActivityRepository } from '../activity/activity.repository';
import { AmbiguousCustomerError, CustomerNotFoundError, RecipientNotAllowedError } from '../errors';
import { CustomerRepository } from '../customers/customer.repository';
import { OutboxMailRepository } from '../mail/mail.repository';
import { ExportService } from './export.service';

/**
 * The old tool mailed the wrong manager. Under MariaDB's default collation
 * (and every `_ci`/`_ai` one) "andre@" equals "andré@", "ｍanager@" equals
 * "manager@" and "exámple.org" equals "example.org": the guard must compare
 * trimmed and case-insensitively and nothing more, on every collation
 * Spotlight may use.
 */
const COLLATIONS = ['utf8mb4_general_ci', 'utf8mb4_unicode_ci', 'utf8mb4_0900_ai_ci'];

interface Leg {
  dialect: TestDialect;
  collation?: string;
}

async function legs(): Promise<Leg[]> {
  const result: Leg[] = [];
  for (const dialect of enabledDialects()) {
    if (dialect === 'sqlite') result.push({ dialect });
    else for (const collation of await availableCollations(COLLATIONS)) result.push({ dialect, collation });
  }
  return result;
}

// One describe per collation, declared once the server says which it has.
const legsReady = legs();

describe('the recipient guard compares exactly, whatever the collation', () => {
  let all: Leg[] = [];
  beforeAll(async () => {
    all = await legsReady;
    // The MariaDB leg must run the collations it has; MySQL 8's 0900 one is absent on MariaDB.
    if (enabledDialects().includes('mariadb')) {
      expect(all.filter((leg) => leg.dialect === 'mariadb').map((leg) => leg.collation)).toEqual(
        expect.arrayContaining(['utf8mb4_general_ci', 'utf8mb4_unicode_ci']),
      );
    }
  });

  it.each(
    enabledDialects().flatMap((dialect) =>
      dialect === 'sqlite'
        ? [['sqlite', 'its own collation']]
        : COLLATIONS.map((collation) => [dialect, collation] as [string, string | undefined]),
    ),
  )('[%s] %s', async (dialect, collation) => {
    const leg = all.find(
      (candidate) =>
        candidate.dialect === dialect && (candidate.collation ?? 'its own collation') === collation,
    );
    if (!leg) {
      // This server has no such collation ("where the server has it").
      expect(dialect).toBe('mariadb');
      return;
    }
    await checkLeg(leg);
  });
});

async function checkLeg(leg: Leg): Promise<void> {
  const db: TestDatabase = await createTestDatabase(leg.dialect, { collation: leg.collation });
  const { exports, sent, close } = exportsToOutbox(db);
  try {
    const site = await db.factory.site({ domain: 'example.com', name: 'Example' });
    await db.factory.manager({ site, email: 'andré@example.com' });
    await db.factory.user({ site, email: 'andre@example.com' });
    await db.factory.manager({ site, email: 'manager@example.com' });
    const other = await db.factory.site({ domain: 'exámple.org', name: 'Accented' });
    await db.factory.manager({ site: other, email: 'boss@example.org' });

    // A non-manager whose address differs from a manager's only by an accent.
    await expect(
      exports.exportToEmail({ customer: 'example.com', recipient: 'andre@example.com' }),
    ).rejects.toMatchObject({ constructor: RecipientNotAllowedError, reason: 'not-a-manager' });
    // Nobody has this address; a manager's differs by an accent, or by the width of one letter.
    for (const nobody of ['managér@example.com', 'ｍanager@example.com']) {
      await expect(
        exports.exportToEmail({ customer: 'example.com', recipient: nobody }),
      ).rejects.toMatchObject({ constructor: RecipientNotAllowedError, reason: 'unknown-address' });
      await expect(exports.checkRecipient('example.com', nobody)).rejects.toBeInstanceOf(
        RecipientNotAllowedError,
      );
    }
    // A customer whose domain differs from an existing one only by an accent.
    await expect(
      exports.exportToEmail({ customer: 'example.org', recipient: 'boss@example.org' }),
    ).rejects.toBeInstanceOf(CustomerNotFoundError);
    await expect(
      exports.exportToStream({ customer: 'example.org' }, new PassThrough().resume()),
    ).rejects.toBeInstanceOf(CustomerNotFoundError);
    expect(sent()).toEqual([]);

    // Case and spaces still do not matter: the stored address receives it.
    const summary = await exports.exportToEmail({
      customer: 'EXAMPLE.com',
      recipient: ' ANDRÉ@example.com ',
    });
    expect(summary.recipient).toBe('andré@example.com');
    expect(sent()).toHaveLength(1);
  } finally {
    close();
    await db.drop();
  }
}

/** An export service that writes its emails into a scratch outbox; `close()` removes it. */
function exportsToOutbox(db: TestDatabase): { exports: ExportService; sent(): string[]; close(): void } {
  const outbox = fs.mkdtempSync(path.join(os.tmpdir(), 'spotlight-guard-spec-'));
  const mail = new OutboxMailRepository(outbox);
  const exports = new ExportService(new ActivityRepository(db.knex), mail, {
    mailFrom: 'exports@spotlight.test',
    databaseLabel: db.dialect,
    tmpDir: outbox,
  });
  return {
    exports,
    sent: () => fs.readdirSync(outbox).filter((name) => name.endsWith('.eml')),
    close() {
      mail.close();
      fs.rmSync(outbox, { recursive: true, force: true });
    },
  };
}

describeEachDatabase('two customers whose domains differ only by case', (db) => {
  it('are refused, never merged: no export, no email, no list of managers mixing them', async () => {
    const site = await db.factory.site({ domain: 'twin.example.com', name: 'Twin' });
    await db.factory.manager({ site, email: 'owner@twin.example.com' });
    const impostor = db.factory.site({ domain: 'Twin.EXAMPLE.com', name: 'Impostor' });
    if (db.dialect === 'mariadb') {
      // The unique index on the domain ignores case there: two such customers cannot exist.
      await expect(impostor).rejects.toThrow(/Duplicate entry/);
      return;
    }
    await db.factory.manager({ site: await impostor, email: 'evil@impostor.example' });
    const { exports, sent, close } = exportsToOutbox(db);
    try {
      for (const recipient of ['evil@impostor.example', 'owner@twin.example.com']) {
        await expect(exports.exportToEmail({ customer: 'twin.example.com', recipient })).rejects.toThrow(
          new AmbiguousCustomerError('twin.example.com', ['Twin.EXAMPLE.com', 'twin.example.com']),
        );
      }
      await expect(
        exports.exportToStream({ customer: 'twin.example.com' }, new PassThrough().resume()),
      ).rejects.toBeInstanceOf(AmbiguousCustomerError);
      await expect(
        new CustomerRepository(db.knex).findSiteWithManagers('twin.example.com'),
      ).rejects.toBeInstanceOf(AmbiguousCustomerError);
      expect(sent()).toEqual([]);
    } finally {
      close();
    }
  });
});
