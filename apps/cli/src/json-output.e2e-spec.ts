import fs from 'node:fs';
import path from 'node:path';
import { ScheduleModel } from '@spotlight/core';
import { describeEachDatabase } from '@spotlight/core/testing';
import { jsonShape } from './__fixtures__/json-shape';
import { parseJson, runCli, tempDir, type CliRun } from './__fixtures__/run-cli';
import type { JsonFailure } from './base-command';
import type { CustomersListResult } from './commands/customers/list';
import type { CustomersManagersResult } from './commands/customers/managers';
import type { DbMigrateResult } from './commands/db/migrate';
import type { DbSeedResult } from './commands/db/seed';
import type { UserActivityExportResult } from './commands/export/user-activity';
import type { ExportsListResult } from './commands/exports/list';
import type { SchedulesListResult } from './commands/schedules/list';
import type { SchedulesRunResult } from './commands/schedules/run';
import type { ScheduleChangeResult, ScheduleEntry } from './schedules';
import type { TokenCreateResult } from './commands/token/create';
import type { TokenListResult } from './commands/token/list';
import type { TokenRevokeResult } from './commands/token/revoke';

// Scripts parse `--json`, and part of it is core's ExportSummary: a change to any
// command's JSON, wherever it comes from, must be a reviewed change to this file,
// the same on every database.
const SHAPES = path.join(__dirname, 'json-output.shapes.json');

describeEachDatabase('the shape of every command --json output', (db) => {
  let outbox: string;

  beforeAll(() => {
    outbox = tempDir();
  });

  afterAll(() => {
    fs.rmSync(outbox, { recursive: true, force: true });
  });

  async function json<T>(args: string[], exitCode = 0): Promise<T> {
    const run: CliRun = await runCli([...args, '--json'], {
      DATABASE_URL: db.url,
      SPOTLIGHT_OUTBOX_DIR: path.join(outbox, 'outbox'),
    });
    if (run.code !== exitCode) {
      throw new Error(
        `spotlight ${args.join(' ')}: exit ${run.code}\nstdout: ${run.stdout}\nstderr: ${run.stderr}`,
      );
    }
    return parseJson<T>(run);
  }

  // Seventeen commands, each a process of its own: more than jest's default minute on a busy machine.
  it(`stays as recorded in ${path.basename(SHAPES)} for each command`, async () => {
    const exportArgs = ['export', 'user-activity', '-c', 'example.com', '-e', 'manager@example.com'];
    const shapes: Record<string, Record<string, string>> = {};
    const record = (name: string, value: unknown) => (shapes[name] = jsonShape(value));

    record('db migrate', await json<DbMigrateResult>(['db', 'migrate']));
    record('db seed (created)', await json<DbSeedResult>(['db', 'seed', '--demo']));
    record('db seed (already there)', await json<DbSeedResult>(['db', 'seed', '--demo']));
    record('customers list', await json<CustomersListResult>(['customers', 'list']));
    record(
      'customers managers',
      await json<CustomersManagersResult>(['customers', 'managers', '-c', 'example.com']),
    );
    record(
      'export user-activity --dry-run',
      await json<UserActivityExportResult>([...exportArgs, '--dry-run']),
    );
    record('export user-activity', await json<UserActivityExportResult>(exportArgs));
    record('exports list', await json<ExportsListResult>(['exports', 'list']));
    const now = new Date();
    const { id } = await ScheduleModel.query(db.knex).insert({
      customer: 'example.com',
      recipient: 'manager@example.com',
      cron: '0 7 * * 1',
      timeZone: 'Europe/Berlin',
      windowDays: 30,
      enabled: true,
      nextDueAt: new Date(now.getTime() + 86_400_000),
      createdByTokenId: null,
      updatedByTokenId: null,
      createdAt: now,
      updatedAt: now,
    });
    record('schedules list', await json<SchedulesListResult>(['schedules', 'list']));
    record('schedules show', await json<ScheduleEntry>(['schedules', 'show', String(id)]));
    record('schedules pause', await json<ScheduleChangeResult>(['schedules', 'pause', String(id)]));
    record('schedules resume', await json<ScheduleChangeResult>(['schedules', 'resume', String(id)]));
    record('schedules run', await json<SchedulesRunResult>(['schedules', 'run', String(id)]));
    const token = await json<TokenCreateResult>([
      'token',
      'create',
      '--site',
      'example.com',
      '--label',
      'shapes',
    ]);
    record('token create', token);
    record('token list', await json<TokenListResult>(['token', 'list']));
    record('token revoke', await json<TokenRevokeResult>(['token', 'revoke', String(token.id)]));
    record(
      'a failure',
      await json<JsonFailure>(
        ['export', 'user-activity', '-c', 'nobody.example.org', '-e', 'x@nobody.example.org'],
        3,
      ),
    );

    // A deliberate change: edit the JSON file as the diff shows.
    expect(shapes).toEqual(JSON.parse(fs.readFileSync(SHAPES, 'utf8')));
  }, 180_000);
});
