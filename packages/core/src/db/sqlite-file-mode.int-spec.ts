import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type { Knex } from 'knex';
import { createDatabase } from './connection';

const modeOf = (file: string) => fs.statSync(file).mode & 0o777;

/** Writes a row in WAL mode, so that the -wal and -shm files exist while the connection is open. */
async function write(db: Knex): Promise<void> {
  await db.schema.createTable(`t_${Date.now()}`, (table) => {
    table.increments('id');
    table.string('email');
  });
}

// SQLite only: the file, and the files SQLite makes beside it, are what this is about.
describe('the SQLite file the product creates', () => {
  let dir: string;
  let umask: number;

  beforeEach(() => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'spotlight-sqlite-mode-'));
    // The usual umask, under which files are made world-readable unless asked otherwise.
    umask = process.umask(0o022);
  });
  afterEach(() => {
    process.umask(umask);
    fs.rmSync(dir, { recursive: true, force: true });
  });

  it('is readable by this OS user only (0600), and so are its -wal and -shm files', async () => {
    const file = path.join(dir, 'data', 'spotlight.sqlite');
    const db = createDatabase(`sqlite://${file}`);
    try {
      await write(db);
      expect([file, `${file}-wal`, `${file}-shm`].map((name) => [name, modeOf(name).toString(8)])).toEqual([
        [file, '600'],
        [`${file}-wal`, '600'],
        [`${file}-shm`, '600'],
      ]);
    } finally {
      await db.destroy();
    }
  });

  it("keeps an existing file's mode: its owner chose it, and others may rely on it", async () => {
    const file = path.join(dir, 'shared.sqlite');
    fs.writeFileSync(file, '');
    fs.chmodSync(file, 0o640);
    const db = createDatabase(`sqlite://${file}`);
    try {
      await write(db);
      expect(modeOf(file).toString(8)).toBe('640');
      // SQLite gives the files beside it the database's own mode.
      expect(modeOf(`${file}-wal`).toString(8)).toBe('640');
    } finally {
      await db.destroy();
    }
  });
});
