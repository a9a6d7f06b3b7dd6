// Records every test's full name and status in .test-results/, so that
// scripts/test-summary.mjs can total all packages and check that each enabled
// database leg really ran.
const fs = require('node:fs');
const path = require('node:path');

class ResultsReporter {
  constructor(globalConfig) {
    this.rootDir = globalConfig.rootDir;
  }

  onRunComplete(_contexts, results) {
    const dir = path.resolve(__dirname, '..', '.test-results');
    fs.mkdirSync(dir, { recursive: true });
    const tests = results.testResults.flatMap((file) =>
      file.testResults.map((test) => ({ name: test.fullName, status: test.status })),
    );
    const failedFiles = results.testResults
      .filter((file) => file.testExecError)
      .map((file) => file.testFilePath);
    // Wall time per file, so CI can show where its minutes go.
    const files = results.testResults.map((file) => ({
      file: path.relative(path.resolve(__dirname, '..'), file.testFilePath),
      seconds: (file.perfStats.end - file.perfStats.start) / 1000,
    }));
    const name = path.basename(this.rootDir);
    fs.writeFileSync(
      path.join(dir, `${name}.json`),
      JSON.stringify({ package: name, tests, failedFiles, files }, null, 1),
    );
  }
}

module.exports = ResultsReporter;
