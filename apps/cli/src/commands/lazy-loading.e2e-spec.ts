import { execFile } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { describeEachDatabase, type SiteRow, type UserRow } from '@spotlight/core/testing';
import { BIN, CLI_NODE_FLAGS, expectSuccess, tempDir, type CliRun } from '../__fixtures__/run-cli';

// Runs `spotlight <args>` as the binary does and returns, beside its output,
// the npm packages (and exceljs files) the process had loaded when it exited.
// It starts with bin/run.js's memory settings, as bin/run.js restarts itself
// when they are missing: the one process then does the command.
async function loadedBy(args: string[], env: Record<string, string>) {
  const dir = tempDir('spotlight-loaded-');
  const list = path.join(dir, 'loaded.json');
  const script = `
    process.argv = [process.execPath, ${JSON.stringify(BIN)}, ...${JSON.stringify(args)}];
    process.on('exit', () => require('node:fs').writeFileSync(${JSON.stringify(list)}, JSON.stringify(Object.keys(require.cache))));
    require(${JSON.stringify(BIN)});`;
  try {
    const run = await new Promise<CliRun>((resolve) => {
      execFile(
        process.execPath,
        [...CLI_NODE_FLAGS, '-e', script],
        {
          env: { PATH: process.env.PATH, HOME: process.env.HOME, MALLOC_ARENA_MAX: '1', ...env },
          timeout: 45_000,
        },
        (error, stdout, stderr) => resolve({ code: error ? (error.code as number) : 0, stdout, stderr }),
      );
    });
    const files = JSON.parse(fs.readFileSync(list, 'utf8')) as string[];
    const packages = new Set(
      files.flatMap((file) => {
        const match = /.*\/node_modules\/((?:@[^/]+\/)?[^/]+)\//.exec(file);
        return match ? [match[1]] : [];
      }),
    );
    return { run, packages, files };
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
}

describeEachDatabase('what a command loads', (db) => {
  let site: SiteRow;
  let manager: UserRow;
  const driver = db.dialect === 'sqlite' ? 'better-sqlite3' : 'mysql2';
  const otherDriver = db.dialect === 'sqlite' ? 'mysql2' : 'better-sqlite3';

  beforeAll(async () => {
    site = await db.factory.site();
    manager = await db.factory.manager({ site });
    await db.factory.user({ site });
  });

  it('a command that exports nothing loads neither the workbook writer, the mail sender nor the other driver', async () => {
    const { run, packages } = await loadedBy(['customers', 'list', '--json'], { DATABASE_URL: db.url });
    expectSuccess(run);
    expect(packages).toContain('knex');
    expect(packages).toContain(driver);
    for (const unused of ['exceljs', 'nodemailer', otherDriver]) expect(packages).not.toContain(unused);
  });

  it("an export loads exceljs's streaming writer, not its reader, and no mail sender on a dry run", async () => {
    const outbox = tempDir('spotlight-loaded-outbox-');
    try {
      const { run, packages, files } = await loadedBy(
        ['export', 'user-activity', '-c', site.domain, '-e', manager.email, '--dry-run', '--json'],
        { DATABASE_URL: db.url, SPOTLIGHT_DATA_DIR: outbox },
      );
      expectSuccess(run);
      expect(files.some((file) => file.endsWith('exceljs/lib/stream/xlsx/workbook-writer.js'))).toBe(true);
      expect(
        files.filter((file) =>
          /exceljs\/lib\/(exceljs\.nodejs|stream\/xlsx\/workbook-reader)\.js$/.test(file),
        ),
      ).toEqual([]);
      for (const unused of ['nodemailer', otherDriver]) expect(packages).not.toContain(unused);
    } finally {
      fs.rmSync(outbox, { recursive: true, force: true });
    }
  });
});
