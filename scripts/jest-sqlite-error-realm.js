// Runs before each test file. Jest gives every test file its own realm (its
// own Error) but a worker process loads better-sqlite3's native addon once,
// and the addon throws the SqliteError class of the first file that opened a
// database: in every later file of that worker, SQLite's errors are not
// `instanceof Error`, and `expect(...).rejects.toThrow()` reports them as
// "did not throw". Marking the addon uninitialised makes this file's
// better-sqlite3 register its own SqliteError when it opens its first database.
const { _cache: nativeModules } = require('node:module');

for (const [file, loaded] of Object.entries(nativeModules)) {
  if (file.endsWith('better_sqlite3.node')) loaded.exports.isInitialized = false;
}
