import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { requirementMet, type Requirement } from './requirement';

const REQUIRE_ENV = 'SPOTLIGHT_REQUIRE_SPEC_TOOL';
const requirement = (here: boolean): Requirement => ({
  missing: 'spec-tool is not installed (Debian: spec-tool)',
  requireEnv: REQUIRE_ENV,
  available: () => here,
});

describe('requirementMet', () => {
  let warn: jest.SpyInstance;
  beforeEach(() => {
    warn = jest.spyOn(console, 'warn').mockImplementation(() => undefined);
  });
  afterEach(() => warn.mockRestore());

  it('lets what needs it run when it is here, required or not, saying nothing', () => {
    expect(requirementMet(requirement(true), 'the check', {})).toBe(true);
    expect(requirementMet(requirement(true), 'the check', { [REQUIRE_ENV]: '1' })).toBe(true);
    expect(warn).not.toHaveBeenCalled();
  });

  it('skips when it is missing, and says what is missing, what is skipped and how to make that fail', () => {
    expect(requirementMet(requirement(false), 'the rendered check', {})).toBe(false);
    expect(warn).toHaveBeenCalledWith(
      `spec-tool is not installed (Debian: spec-tool); skipping the rendered check (${REQUIRE_ENV}=1 makes that a failure)`,
    );
  });

  it('fails, never skips, when it is missing and its variable is 1', () => {
    expect(() => requirementMet(requirement(false), 'the rendered check', { [REQUIRE_ENV]: '1' })).toThrow(
      `spec-tool is not installed (Debian: spec-tool), and ${REQUIRE_ENV}=1 makes that a failure`,
    );
    expect(warn).not.toHaveBeenCalled();
  });
});

interface JestRun {
  passed: number;
  failed: number;
  skipped: number;
  failures: string;
  stderr: string;
}

/** Runs jest itself on the gated fixture suite, so skipped and failed are jest's own verdicts. */
function runGatedSuite(env: Record<string, string>): JestRun {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'spotlight-gate-'));
  const out = path.join(dir, 'result.json');
  // The packages' jest settings (swc), on the fixture alone, without the reporter that records results.
  const config = path.join(dir, 'jest.config.js');
  const settings = {
    rootDir: path.join(__dirname, '__fixtures__'),
    roots: ['<rootDir>'],
    testMatch: ['**/gated.suite.ts'],
    reporters: ['default'],
  };
  fs.writeFileSync(
    config,
    `module.exports = { ...require(${JSON.stringify(path.resolve(__dirname, '../../../jest.preset.js'))}), ...${JSON.stringify(settings)} };`,
  );
  const childEnv: NodeJS.ProcessEnv = { ...process.env, ...env };
  if (!('GATED_AVAILABLE' in env)) delete childEnv.GATED_AVAILABLE;
  if (!('SPOTLIGHT_REQUIRE_GATE_FIXTURE' in env)) delete childEnv.SPOTLIGHT_REQUIRE_GATE_FIXTURE;
  const child = spawnSync(
    process.execPath,
    [
      require.resolve('jest/bin/jest'),
      '--config',
      config,
      '--runInBand',
      '--ci',
      '--json',
      '--outputFile',
      out,
    ],
    { env: childEnv, encoding: 'utf8', timeout: 60_000 },
  );
  if (!fs.existsSync(out)) throw new Error(`jest wrote no result (exit ${child.status}): ${child.stderr}`);
  const result = JSON.parse(fs.readFileSync(out, 'utf8')) as {
    numPassedTests: number;
    numFailedTests: number;
    numPendingTests: number;
    testResults: Array<{ message: string }>;
  };
  fs.rmSync(dir, { recursive: true, force: true });
  return {
    passed: result.numPassedTests,
    failed: result.numFailedTests,
    skipped: result.numPendingTests,
    failures: result.testResults.map((file) => file.message).join('\n'),
    stderr: child.stderr,
  };
}

describe('describeWhen, as jest runs it', () => {
  it('declares the suite as it is when what it needs is here', () => {
    const run = runGatedSuite({ GATED_AVAILABLE: '1' });
    expect(run).toMatchObject({ passed: 1, failed: 0, skipped: 0 });
  }, 90_000);

  it('skips the suite when what it needs is missing, and prints why', () => {
    const run = runGatedSuite({});
    expect(run).toMatchObject({ passed: 0, failed: 0, skipped: 1 });
    expect(run.stderr).toContain(
      'the gate fixture is not here (GATED_AVAILABLE=1 brings it); skipping "gated suite" (SPOTLIGHT_REQUIRE_GATE_FIXTURE=1 makes that a failure)',
    );
  }, 90_000);

  it('fails the suite, and never skips it, when what it needs is missing and its variable is 1', () => {
    const run = runGatedSuite({ SPOTLIGHT_REQUIRE_GATE_FIXTURE: '1' });
    expect(run).toMatchObject({ passed: 0, failed: 1, skipped: 0 });
    expect(run.failures).toContain(
      'the gate fixture is not here (GATED_AVAILABLE=1 brings it), and SPOTLIGHT_REQUIRE_GATE_FIXTURE=1 makes that a failure',
    );
  }, 90_000);
});
