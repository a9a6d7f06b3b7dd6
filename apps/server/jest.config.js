// Most of the server's e2e specs wait on the server processes, databases and
// SMTP servers they start: two workers keep both cores of a small machine busy
// instead of one (as the CLI's do).
module.exports = { ...require('../../jest.preset.js'), maxWorkers: 2 };
