import fs from 'node:fs';
import path from 'node:path';

const ROOT = path.resolve(__dirname, '../../..');
const READMES = ['README.md', 'apps/cli/README.md', 'apps/server/README.md', 'packages/bench/README.md'];

/** Shell lines of the fenced code blocks and every inline code span. */
function commandsOf(markdown: string): string[] {
  const blocks = [...markdown.matchAll(/^```[a-z]*\n([\s\S]*?)^```/gm)].flatMap((match) =>
    match[1].split('\n').map((line) => line.replace(/\s+#.*$/, '').trim()),
  );
  const prose = markdown.replace(/^```[a-z]*\n[\s\S]*?^```/gm, '');
  const spans = [...prose.matchAll(/`([^`\n]+)`/g)].map((match) => match[1]);
  return [...blocks, ...spans].filter(Boolean);
}

// A fresh machine has Node and npm, not a global pnpm: "npx --yes pnpm@... install" is how
// the README installs, so every later command must work without "pnpm" on the PATH.
describe.each(READMES)('%s', (readme) => {
  it('spells every command so that it runs without a global pnpm', () => {
    const commands = commandsOf(fs.readFileSync(path.join(ROOT, readme), 'utf8'));
    expect(commands.length).toBeGreaterThan(0);
    expect(commands.filter((command) => /(^|[\s($;&|])pnpm\s/.test(command))).toEqual([]);
  });
});
