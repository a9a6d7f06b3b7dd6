// The e2e specs mostly wait for the child processes they spawn: two workers
// keep both cores of a small machine busy instead of one.
module.exports = { ...require('../../jest.preset.js'), maxWorkers: 2 };
