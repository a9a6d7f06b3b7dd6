import { TokenRepository, TokenService } from '@spotlight/core';
import { describeEachDatabase, type SiteRow } from '@spotlight/core/testing';
import { expectSuccess, parseJson, runCli } from '../../__fixtures__/run-cli';
import type { TokenCreateResult } from './create';
import type { TokenListResult } from './list';

describeEachDatabase('spotlight token list', (db) => {
  let site: SiteRow;
  const env = () => ({ DATABASE_URL: db.url });

  beforeAll(async () => {
    site = await db.factory.site();
  });

  it('shows every token with its scope, site, dates and last use, never the secret or its hash', async () => {
    const staff = parseJson<TokenCreateResult>(
      await runCli(['token', 'create', '--staff', '--label', 'support team', '--json'], env()),
    );
    const scoped = parseJson<TokenCreateResult>(
      await runCli(['token', 'create', '--site', site.domain, '--json'], env()),
    );
    expectSuccess(await runCli(['token', 'revoke', String(scoped.id)], env()));
    // What the server's guard does with every request.
    const used = await new TokenService(new TokenRepository(db.knex)).authenticate(staff.token);
    expect(used).toMatchObject({ id: staff.id, lastUsedAt: expect.any(Date) });

    const [json, text] = await Promise.all([
      runCli(['token', 'list', '--json'], env()),
      runCli(['token', 'list'], env()),
    ]);
    expectSuccess(json);
    const { tokens } = parseJson<TokenListResult>(json);
    expect(tokens.find((token) => token.id === staff.id)).toEqual({
      id: staff.id,
      prefix: staff.token.slice(0, 12),
      label: 'support team',
      scope: 'staff',
      site: null,
      createdAt: staff.createdAt,
      lastUsedAt: used!.lastUsedAt!.toISOString(),
      revokedAt: null,
    });
    expect(tokens.find((token) => token.id === scoped.id)).toMatchObject({
      scope: 'site',
      site: site.domain,
      lastUsedAt: null,
      revokedAt: expect.stringMatching(/^\d{4}-\d\d-\d\dT/),
    });
    const hashes = (await db.knex('spotlight_export_token').pluck('token_hash')) as string[];
    for (const secret of [staff.token, scoped.token, ...hashes]) {
      expect(json.stdout).not.toContain(secret);
      expect(text.stdout).not.toContain(secret);
    }

    expectSuccess(text);
    const lines = text.stdout.trimEnd().split('\n');
    expect(lines[0]).toMatch(/^ID\s+PREFIX\s+LABEL\s+SCOPE\s+SITE\s+CREATED\s+LAST USED\s+REVOKED$/);
    expect(text.stdout).toMatch(
      new RegExp(
        `^${staff.id}\\s+${staff.token.slice(0, 12)}\\s+support team\\s+staff\\s+-\\s+\\S+\\s+${used!.lastUsedAt!.toISOString().replace(/\./g, '\\.')}\\s+-$`,
        'm',
      ),
    );
    expect(text.stdout).toMatch(
      new RegExp(
        `^${scoped.id}\\s+spx_\\S+\\s+-\\s+site\\s+${site.domain.replace(/\./g, '\\.')}\\s+\\S+\\s+never\\s+\\d{4}-`,
        'm',
      ),
    );
  });
});
