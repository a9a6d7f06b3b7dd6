import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { ScratchSpace, sweepStaleScratch } from './scratch-space';

describe('ScratchSpace', () => {
  let root: string;
  beforeEach(() => {
    root = path.join(fs.mkdtempSync(path.join(os.tmpdir(), 'scratch-spec-')), 'root');
  });
  afterEach(() => fs.rmSync(path.dirname(root), { recursive: true, force: true }));

  it('makes a private folder per process under a private root', () => {
    const scratch = ScratchSpace.open(root);
    expect(path.dirname(scratch.dir)).toBe(root);
    expect(path.basename(scratch.dir)).toMatch(new RegExp(`^${process.pid}-[0-9A-Za-z]+$`));
    expect(fs.statSync(root).mode & 0o777).toBe(0o700);
    expect(fs.statSync(scratch.dir).mode & 0o777).toBe(0o700);
    scratch.remove();
    expect(fs.existsSync(scratch.dir)).toBe(false);
  });

  it('removes the folders of processes that no longer run, and only those', () => {
    fs.mkdirSync(path.join(root, '111-AbC123'), { recursive: true });
    fs.writeFileSync(path.join(root, '111-AbC123', 'inactive-users.ndjson'), '["a@example.com"]');
    fs.mkdirSync(path.join(root, '222-xyz789'));
    fs.mkdirSync(path.join(root, 'not-ours'));
    sweepStaleScratch(root, (pid) => pid === 222);
    expect(fs.readdirSync(root).sort()).toEqual(['222-xyz789', 'not-ours']);
  });

  it('refuses a root that is a link to somewhere else', () => {
    const elsewhere = fs.mkdtempSync(path.join(os.tmpdir(), 'scratch-elsewhere-'));
    try {
      fs.symlinkSync(elsewhere, root);
      expect(() => ScratchSpace.open(root)).toThrow(/is not a folder; set SPOTLIGHT_SCRATCH_DIR/);
    } finally {
      fs.rmSync(elsewhere, { recursive: true, force: true });
    }
  });
});
