const preset = require('../../jest.preset.js');

// The console's tests: the browser specs start the built server and drive Chromium.
module.exports = { ...preset, roots: ['<rootDir>/e2e'], testTimeout: 120_000 };
