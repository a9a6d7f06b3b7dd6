import crypto from 'node:crypto';
import { TokenRepository, TokenService } from '@spotlight/core';
import { describeEachDatabase, type SiteRow } from '@spotlight/core/testing';
import { expectSuccess, parseJson, runCli } from '../../__fixtures__/run-cli';
import type { TokenCreateResult } from './create';
import type { TokenRevokeResult } from './revoke';

describeEachDatabase('spotlight token', (db) => {
  let site: SiteRow;
  let tokens: TokenService;
  const env = () => ({ DATABASE_URL: db.url });

  beforeAll(async () => {
    site = await db.factory.site();
    tokens = new TokenService(new TokenRepository(db.knex));
  });

  it('creates a staff token, prints it once on stdout and stores only its hash', async () => {
    const run = await runCli(['token', 'create', '--staff', '--label', 'support team'], env());
    expectSuccess(run);
    const token = run.stdout.trim();
    expect(token).toMatch(/^spx_[A-Za-z0-9_-]{43}$/);
    expect(run.stderr).toMatch(/^Created staff token \(every customer\), id \d+\. It is shown once/);

    const row = await db
      .knex('spotlight_export_token')
      .where({ token_hash: crypto.createHash('sha256').update(token).digest('hex') })
      .first();
    expect(row).toMatchObject({ scope: 'staff', site_domain: null, label: 'support team' });
    const stored = JSON.stringify(await db.knex('spotlight_export_token').select());
    expect(stored).not.toContain(token);
    expect(await tokens.verify(token)).toMatchObject({ scope: 'staff' });
  });

  it('creates a site token for an existing customer, with --json', async () => {
    const run = await runCli(['token', 'create', '--site', site.domain.toUpperCase(), '--json'], env());
    expectSuccess(run);
    const result = parseJson<TokenCreateResult>(run);
    expect(result).toMatchObject({ id: expect.any(Number), scope: 'site', site: site.domain, label: null });
    expect(await tokens.verify(result.token)).toMatchObject({
      id: result.id,
      scope: 'site',
      siteDomain: site.domain,
    });
  });

  it.each([
    [['--site', 'nobody.example.org'], 3, /No customer has the domain "nobody.example.org"/],
    [[], 2, /Give either --staff .* or --site DOMAIN/],
    [['--staff', '--site', 'example.com'], 2, /cannot also be provided when using/],
    [
      ['--staff', '--label', 'team\nError: forged'],
      2,
      /^Error: --label "team\\nError: forged" must be one line of text, without control characters\.$/m,
    ],
  ])('refuses %j with exit code %i and one line', async (flags, code, message) => {
    const run = await runCli(['token', 'create', ...flags], env());
    expect(run.code).toBe(code);
    expect(run.stdout).toBe('');
    expect(run.stderr).toMatch(message);
    expect(run.stderr.trim().split('\n')).toHaveLength(1);
  });

  it('revokes by id or by the token itself, after which the token no longer verifies', async () => {
    const byId = parseJson<TokenCreateResult>(await runCli(['token', 'create', '--staff', '--json'], env()));
    const revoked = await runCli(['token', 'revoke', String(byId.id), '--json'], env());
    expectSuccess(revoked);
    expect(parseJson<TokenRevokeResult>(revoked)).toMatchObject({
      id: byId.id,
      scope: 'staff',
      revokedAt: expect.any(String),
    });
    expect(await tokens.verify(byId.token)).toBeNull();

    const byToken = parseJson<TokenCreateResult>(
      await runCli(['token', 'create', '--site', site.domain, '--json'], env()),
    );
    const text = await runCli(['token', 'revoke', byToken.token], env());
    expectSuccess(text);
    expect(text.stdout).toMatch(
      new RegExp(`^Revoked site token for ${site.domain.replace(/\./g, '\\.')} ${byToken.id} \\(spx_`),
    );
    expect(await tokens.verify(byToken.token)).toBeNull();

    // Revoking again changes nothing and says when it happened.
    const again = parseJson<TokenRevokeResult>(
      await runCli(['token', 'revoke', String(byId.id), '--json'], env()),
    );
    expect(again.revokedAt).toBe(parseJson<TokenRevokeResult>(revoked).revokedAt);
  });

  it('pauses the schedules a revoked token created, and says how many', async () => {
    const owner = parseJson<TokenCreateResult>(await runCli(['token', 'create', '--staff', '--json'], env()));
    const other = parseJson<TokenCreateResult>(await runCli(['token', 'create', '--staff', '--json'], env()));
    const now = new Date();
    const schedule = async (createdBy: number, enabled: boolean): Promise<number> => {
      const [id] = await db.knex('spotlight_export_schedule').insert({
        customer: site.domain,
        recipient: 'manager@example.com',
        cron: '0 7 * * 1',
        time_zone: 'UTC',
        enabled,
        next_due_at: enabled ? new Date(now.getTime() + 86_400_000) : null,
        created_by_token_id: createdBy,
        updated_by_token_id: createdBy,
        created_at: now,
        updated_at: now,
      });
      return Number(id);
    };
    const mine = [await schedule(owner.id, true), await schedule(owner.id, true)];
    const alreadyPaused = await schedule(owner.id, false);
    const theirs = await schedule(other.id, true);
    const enabled = async () =>
      Object.fromEntries(
        (
          await db
            .knex('spotlight_export_schedule')
            .whereIn('id', [...mine, alreadyPaused, theirs])
            .select('id', 'enabled', 'next_due_at')
        ).map((row) => [row.id, Boolean(Number(row.enabled)) && row.next_due_at !== null]),
      );

    const revoked = await runCli(['token', 'revoke', String(owner.id), '--json'], env());
    expectSuccess(revoked);
    expect(parseJson<TokenRevokeResult>(revoked)).toMatchObject({ id: owner.id, pausedSchedules: 2 });
    expect(await enabled()).toEqual({
      [mine[0]]: false,
      [mine[1]]: false,
      [alreadyPaused]: false,
      [theirs]: true,
    });

    // One re-enabled since (by another token, say) is paused by revoking again.
    await db
      .knex('spotlight_export_schedule')
      .where({ id: mine[0] })
      .update({ enabled: true, next_due_at: now });
    const again = await runCli(['token', 'revoke', owner.token], env());
    expectSuccess(again);
    expect(again.stdout).toMatch(/; paused 1 schedule it created\.$/m);
    const none = await runCli(['token', 'revoke', String(owner.id)], env());
    expect(none.stdout).toMatch(/; paused 0 schedules it created\.$/m);
    expect((await enabled())[theirs]).toBe(true);
  });

  it.each([
    ['beyond the safe integers', '99999999999999999999999'],
    ['just beyond them, which a number would round', '9007199254740993'],
    ['longer than an echo', '1'.repeat(70)],
  ])('refuses an id %s, echoing it as typed, and revokes nothing', async (_what, id) => {
    const before = await db.knex('spotlight_export_token').whereNotNull('revoked_at').count({ n: '*' });
    const run = await runCli(['token', 'revoke', id], env());
    expect(run.code).toBe(2);
    expect(run.stdout).toBe('');
    const echo = id.length > 60 ? `${id.slice(0, 60)}…` : id;
    expect(run.stderr).toBe(
      `Error: ${JSON.stringify(echo)} is not a token id: an id is a whole number up to 9007199254740991; give the id printed by "spotlight token create" or the token itself.\n`,
    );
    expect(await db.knex('spotlight_export_token').whereNotNull('revoked_at').count({ n: '*' })).toEqual(
      before,
    );
  });

  it('refuses to revoke a token that does not exist', async () => {
    const run = await runCli(['token', 'revoke', '999999'], env());
    expect(run.code).toBe(2);
    expect(run.stderr).toMatch(
      /^Error: No token "999999"; give the id printed by "spotlight token create" or the token itself\.$/m,
    );
  });
});
