import { describeEachDatabase, type SiteRow, type UserRow } from '@spotlight/core/testing';
import { SmtpCapture } from '@spotlight/testing';
import { startServer, type ServerProcess } from '../__fixtures__/server-process';
import { createToken } from '../__fixtures__/test-app';
import { parseStrictJson } from '../__fixtures__/json-line';

type LogLine = Record<string, unknown> & { msg?: string; requestId?: string; runId?: number };

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;

describeEachDatabase('JSON logs of the server process', (db) => {
  let smtp: SmtpCapture;
  let server: ServerProcess;
  let staff: string;
  let site: SiteRow;
  let manager: UserRow;

  beforeAll(async () => {
    smtp = await SmtpCapture.start();
    staff = await createToken(db, { staff: true });
    site = await db.factory.site();
    manager = await db.factory.manager({ site });
    server = await startServer({
      DATABASE_URL: db.url,
      SMTP_URL: smtp.url,
      SPOTLIGHT_WORKER_POLL_MS: '100',
      SPOTLIGHT_SCHEDULER_TICK_MS: '60000',
    });
  }, 30_000);
  afterAll(async () => {
    await server.stop();
    await smtp.stop();
  });

  const lines = (): LogLine[] =>
    server
      .output()
      .split('\n')
      .filter((line) => line.trim())
      // Not JSON.parse, which hides a repeated key by keeping its last value.
      .map((line) => parseStrictJson(line) as LogLine);

  /** Waits, at most `timeoutMs`, for a log line that `matches`. */
  async function lineWhere(matches: (line: LogLine) => boolean, timeoutMs = 15_000): Promise<LogLine> {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      const found = lines().find(matches);
      if (found) return found;
      if (Date.now() > deadline)
        throw new Error(`no such log line within ${timeoutMs} ms:\n${server.output()}`);
      await new Promise((resolve) => setTimeout(resolve, 50));
    }
  }

  it('writes one JSON object per line, with the request id on HTTP lines and the run id on worker lines', async () => {
    const asked = await fetch(`${server.url}/exports?limit=1`, {
      headers: { Authorization: `Bearer ${staff}`, 'X-Request-Id': 'support-ticket-4711' },
    });
    expect(asked.status).toBe(200);
    expect(asked.headers.get('x-request-id')).toBe('support-ticket-4711');

    const queued = await fetch(`${server.url}/exports`, {
      method: 'POST',
      headers: { Authorization: `Bearer ${staff}`, 'Content-Type': 'application/json' },
      body: JSON.stringify({ customer: site.domain, recipient: manager.email }),
    });
    expect(queued.status).toBe(202);
    const generated = queued.headers.get('x-request-id')!;
    expect(generated).toMatch(UUID);
    const { id } = (await queued.json()) as { id: number };

    // A header that could forge log content is replaced by a fresh id.
    const forged = await fetch(`${server.url}/exports/${id}`, {
      headers: { Authorization: `Bearer ${staff}`, 'X-Request-Id': 'x", "level": "fatal' },
    });
    expect(forged.headers.get('x-request-id')).toMatch(UUID);

    await smtp.waitFor(1);
    const outcome = await lineWhere((line) => /: sent/.test(line.msg ?? '') && line.runId === id);
    expect(outcome).toMatchObject({ level: 'info', context: 'ExportWorker', runId: id });

    const first = await lineWhere((line) => line.requestId === 'support-ticket-4711');
    expect(first).toMatchObject({
      req: { method: 'GET', url: '/exports?limit=1' },
      res: { statusCode: 200 },
    });
    const second = await lineWhere((line) => line.requestId === generated);
    expect(second).toMatchObject({ req: { method: 'POST', url: '/exports' }, res: { statusCode: 202 } });

    const all = lines();
    // Every HTTP line carries its request's id; every line about the run, the run's id.
    for (const line of all.filter((line) => line.req !== undefined))
      expect(line.requestId).toEqual(expect.any(String));
    for (const line of all.filter((line) => new RegExp(`\\bexport ${id}\\b`).test(line.msg ?? '')))
      expect(line.runId).toBe(id);
    expect(all.find((line) => /listening on/.test(line.msg ?? ''))).toMatchObject({
      level: 'info',
      context: 'Server',
      version: expect.stringMatching(/^\d+\.\d+\.\d+/),
      commit: expect.any(String),
      node: process.version,
      database: db.dialect === 'mariadb' ? 'mysql' : 'sqlite',
    });
    // Every line says which part of the server wrote it.
    for (const line of all) expect([line.msg, line.context]).toEqual([line.msg, expect.any(String)]);
    expect(server.output()).not.toContain(staff);
  }, 30_000);

  it('writes a line when shutdown starts and one when it is done', async () => {
    await server.stop();
    const all = lines();
    const starting = all.findIndex(
      (line) => line.context === 'Server' && /^shutting down/.test(line.msg ?? ''),
    );
    const done = all.findIndex((line) => line.context === 'Server' && /^stopped/.test(line.msg ?? ''));
    expect(starting).toBeGreaterThan(-1);
    expect(done).toBeGreaterThan(starting);
    expect(all[done].msg).toMatch(/SIGTERM/);
  }, 30_000);
});
