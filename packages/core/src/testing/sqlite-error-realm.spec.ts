import vm from 'node:vm';
import Database from 'better-sqlite3';

// The addon object that better-sqlite3 throws its errors from, shared by every test file of a worker.
function loadedAddon(): { isInitialized?: boolean; setErrorConstructor(constructor: unknown): void } {
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  const { _cache: nativeModules } = require('node:module') as {
    _cache: Record<string, { exports: ReturnType<typeof loadedAddon> }>;
  };
  const file = Object.keys(nativeModules).find((name) => name.endsWith('better_sqlite3.node'));
  if (!file) throw new Error('better-sqlite3 is not loaded');
  return nativeModules[file].exports;
}

function errorOfMissingTable(): unknown {
  const db = new Database(':memory:');
  try {
    db.prepare('select * from missing').all();
    return undefined;
  } catch (error) {
    return error;
  } finally {
    db.close();
  }
}

describe('SQLite errors in a jest worker', () => {
  it('are Errors of this test file even when an earlier file of the worker loaded the driver', async () => {
    new Database(':memory:').close();
    const addon = loadedAddon();
    // What an earlier test file leaves behind: its own error class, from its own realm.
    const foreign = vm.runInNewContext('(class SqliteError extends Error {})');
    addon.setErrorConstructor(foreign);
    addon.isInitialized = true;
    expect(errorOfMissingTable()).not.toBeInstanceOf(Error);

    jest.isolateModules(() => {
      // eslint-disable-next-line @typescript-eslint/no-require-imports
      require('../../../../scripts/jest-sqlite-error-realm.js');
    });

    expect(errorOfMissingTable()).toBeInstanceOf(Error);
    await expect(Promise.reject(errorOfMissingTable())).rejects.toThrow(/no such table/);
  });
});
