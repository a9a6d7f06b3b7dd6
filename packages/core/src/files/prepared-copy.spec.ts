import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { removeUnfinishedSync, writeAtomically } from './atomic-file';
import { prepareCopy } from './prepared-copy';

describe('prepareCopy and writeAtomically', () => {
  let dir: string;
  let source: string;
  beforeEach(() => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'spotlight-files-spec-'));
    source = path.join(dir, 'source.xlsx');
    fs.writeFileSync(source, 'the workbook');
  });
  afterEach(() => fs.rmSync(dir, { recursive: true, force: true }));

  it('never writes through a file or a link that already sits at an unfinished name', async () => {
    const victim = path.join(dir, 'victim.txt');
    fs.writeFileSync(victim, 'keep me');
    const target = path.join(dir, 'out.xlsx');
    fs.symlinkSync(victim, `${target}.partial`);
    const mine = path.join(dir, 'mine.eml');
    fs.writeFileSync(`${mine}.partial`, 'a file of my own');

    const copy = await prepareCopy(source, target);
    await copy.commit();
    await writeAtomically(mine, async (partial) => {
      await fs.promises.writeFile(partial, 'the email', { flag: 'wx' });
    });

    expect(fs.readFileSync(victim, 'utf8')).toBe('keep me');
    expect(fs.lstatSync(target).isFile()).toBe(true);
    expect(fs.readFileSync(target, 'utf8')).toBe('the workbook');
    expect(fs.readFileSync(`${mine}.partial`, 'utf8')).toBe('a file of my own');
    expect(fs.readFileSync(mine, 'utf8')).toBe('the email');
  });

  it('leaves no folder it made when the copy fails or is discarded', async () => {
    await expect(
      prepareCopy(path.join(dir, 'missing.xlsx'), path.join(dir, 'a', 'b', 'out.xlsx')),
    ).rejects.toThrow();
    expect(fs.existsSync(path.join(dir, 'a'))).toBe(false);

    const copy = await prepareCopy(source, path.join(dir, 'c', 'd', 'out.xlsx'));
    expect(fs.existsSync(path.join(dir, 'c', 'd'))).toBe(true);
    await copy.discard();
    expect(fs.readdirSync(dir).sort()).toEqual(['source.xlsx']);

    // A folder that was there before stays.
    fs.mkdirSync(path.join(dir, 'kept'));
    await (await prepareCopy(source, path.join(dir, 'kept', 'e', 'out.xlsx'))).discard();
    expect(fs.readdirSync(path.join(dir, 'kept'))).toEqual([]);
  });

  it('removes the unfinished copies of processes that are gone, and only those', async () => {
    const target = path.join(dir, 'out.xlsx');
    const gone = spawnSync(process.execPath, ['-e', '0']).pid!;
    fs.writeFileSync(`${target}.${gone}-0123abcd.partial`, 'left by a killed export');
    fs.writeFileSync(`${target}.${process.pid}-89abcdef.partial`, 'being written by this process');
    fs.writeFileSync(path.join(dir, `other.xlsx.${gone}-0123abcd.partial`), 'another file of theirs');

    await (await prepareCopy(source, target)).commit();

    expect(fs.readdirSync(dir).sort()).toEqual(
      [
        'other.xlsx.' + `${gone}-0123abcd.partial`,
        `out.xlsx.${process.pid}-89abcdef.partial`,
        'out.xlsx',
        'source.xlsx',
      ].sort(),
    );
  });

  it('removes an unfinished copy on demand (an interrupted command), and nothing else', async () => {
    const target = path.join(dir, 'out.xlsx');
    fs.writeFileSync(target, 'an earlier workbook');
    await prepareCopy(source, target);
    expect(fs.readdirSync(dir).filter((name) => name.endsWith('.partial'))).toHaveLength(1);
    removeUnfinishedSync(target);
    expect(fs.readdirSync(dir).sort()).toEqual(['out.xlsx', 'source.xlsx']);
    expect(fs.readFileSync(target, 'utf8')).toBe('an earlier workbook');
  });
});
