import { enabledDialects, mariadbServerUrl } from './database.harness';

describe('database selection', () => {
  it('runs SQLite alone unless told otherwise', () => {
    expect(enabledDialects({})).toEqual(['sqlite']);
    expect(enabledDialects({ SPOTLIGHT_TEST_DATABASES: 'sqlite, mariadb' })).toEqual(['sqlite', 'mariadb']);
    expect(enabledDialects({ SPOTLIGHT_TEST_DATABASES: 'all' })).toEqual(['sqlite', 'mariadb']);
    expect(enabledDialects({ SPOTLIGHT_TEST_DATABASES: 'mariadb' })).toEqual(['mariadb']);
  });

  it('refuses an unknown database name instead of silently skipping it', () => {
    expect(() => enabledDialects({ SPOTLIGHT_TEST_DATABASES: 'sqlite,postgres' })).toThrow(
      /SPOTLIGHT_TEST_DATABASES has "postgres"/,
    );
  });

  it('creates test databases on the server named by SPOTLIGHT_TEST_MYSQL_URL', () => {
    expect(mariadbServerUrl({})).toBe('mysql://root@127.0.0.1:3306/');
    expect(mariadbServerUrl({ SPOTLIGHT_TEST_MYSQL_URL: 'mysql://ci:pw@db:3307/ignored' })).toBe(
      'mysql://ci:pw@db:3307/',
    );
  });
});
