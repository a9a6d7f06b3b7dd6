import fs from 'node:fs';
import path from 'node:path';
import { describeEachDatabase, type SiteRow, type UserRow } from '@spotlight/core/testing';
import { SmtpCapture } from '@spotlight/testing';
import { filesBelow, runCli, startCli, tempDir, waitUntil } from '../../__fixtures__/run-cli';

/**
 * Workbooks and emails hold customers' personal data: whatever the umask,
 * the folders the export writes them to are 0700 and the files 0600, so no
 * other local account can read them.
 */

const modeOf = (file: string) => fs.statSync(file).mode & 0o777;

const asRoot = typeof process.getuid === 'function' && process.getuid() === 0;
/** Giving a folder to another user takes root (CI runs as root). */
const rootOnly = asRoot ? it : it.skip;
const NOBODY = 65534;

describeEachDatabase('spotlight export user-activity, private files', (db) => {
  let dir: string;
  let site: SiteRow;
  let manager: UserRow;
  let umask: number;
  const exportArgs = (...more: string[]) => [
    'export',
    'user-activity',
    '-c',
    site.domain,
    '-e',
    manager.email,
    ...more,
  ];

  beforeAll(async () => {
    // The usual umask, which leaves new files readable by everyone; the CLI inherits it.
    umask = process.umask(0o022);
    dir = tempDir();
    site = await db.factory.site({ name: 'Private' });
    manager = await db.factory.manager({ site, email: `boss@${site.domain}` });
    await db.factory.idea({ site, creator: manager });
  });

  afterAll(() => {
    process.umask(umask);
    if (dir) fs.rmSync(dir, { recursive: true, force: true });
  });

  it('writes the outbox as a 0700 folder and its .eml as 0600, and an --out in a new folder 0700/0600', async () => {
    const outbox = path.join(dir, 'fresh', 'data', 'outbox');
    const out = path.join(dir, 'fresh', 'copies', 'march', 'activity.xlsx');
    const run = await runCli(exportArgs('--out', out), {
      DATABASE_URL: db.url,
      SPOTLIGHT_OUTBOX_DIR: outbox,
      SPOTLIGHT_SCRATCH_DIR: path.join(dir, 'scratch'),
    });
    expect({ code: run.code, stderr: run.stderr }).toEqual({ code: 0, stderr: '' });

    const [eml] = filesBelow(outbox);
    expect(eml).toMatch(/\.eml$/);
    expect(modeOf(outbox).toString(8)).toBe('700');
    expect(modeOf(path.join(dir, 'fresh', 'data')).toString(8)).toBe('700');
    expect(modeOf(path.join(outbox, eml)).toString(8)).toBe('600');
    expect(modeOf(path.join(dir, 'fresh', 'copies')).toString(8)).toBe('700');
    expect(modeOf(path.dirname(out)).toString(8)).toBe('700');
    expect(modeOf(out).toString(8)).toBe('600');
  });

  it("keeps --out's unfinished copy 0600 while the email is being sent, even in a folder others can read", async () => {
    const smtp = await SmtpCapture.start({ holdData: true });
    try {
      const shared = path.join(dir, 'shared');
      fs.mkdirSync(shared, { mode: 0o755 });
      const out = path.join(shared, 'activity.xlsx');
      const { done } = startCli(exportArgs('--out', out), {
        DATABASE_URL: db.url,
        SMTP_URL: smtp.url,
        SPOTLIGHT_SCRATCH_DIR: path.join(dir, 'scratch'),
      });
      await waitUntil(
        () => fs.readdirSync(shared).some((name) => name.endsWith('.partial')),
        30_000,
        'the unfinished copy',
      );
      const [partial] = fs.readdirSync(shared);
      expect(modeOf(path.join(shared, partial)).toString(8)).toBe('600');
      smtp.releaseHeld();
      expect((await done).code).toBe(0);
      expect(modeOf(out).toString(8)).toBe('600');
      // The user's own folder is theirs to decide.
      expect(modeOf(shared).toString(8)).toBe('755');
    } finally {
      await smtp.stop();
    }
  });

  it('makes an outbox of ours that others can read private at start', async () => {
    const outbox = path.join(dir, 'open-outbox');
    fs.mkdirSync(outbox, { mode: 0o755 });
    fs.chmodSync(outbox, 0o755);
    const run = await runCli(exportArgs('--dry-run'), {
      DATABASE_URL: db.url,
      SPOTLIGHT_OUTBOX_DIR: outbox,
      SPOTLIGHT_SCRATCH_DIR: path.join(dir, 'scratch'),
    });
    expect(run.code).toBe(0);
    expect(modeOf(outbox).toString(8)).toBe('700');
  });

  rootOnly(
    'refuses an outbox of another user in one line naming the setting, and sends nothing',
    async () => {
      const outbox = path.join(dir, 'their-outbox');
      fs.mkdirSync(outbox, { mode: 0o755 });
      fs.chmodSync(outbox, 0o777);
      fs.chownSync(outbox, NOBODY, NOBODY);
      const run = await runCli(exportArgs(), {
        DATABASE_URL: db.url,
        SPOTLIGHT_OUTBOX_DIR: outbox,
        SPOTLIGHT_SCRATCH_DIR: path.join(dir, 'scratch'),
      });
      expect({ code: run.code, stderr: run.stderr }).toEqual({
        code: 2,
        stderr: `Error: SPOTLIGHT_OUTBOX_DIR ${outbox} belongs to another user, who could read customers' data in it; set SPOTLIGHT_OUTBOX_DIR to a folder of your own.\n`,
      });
      expect(filesBelow(outbox)).toEqual([]);
      expect(modeOf(outbox).toString(8)).toBe('777');
    },
  );
});
