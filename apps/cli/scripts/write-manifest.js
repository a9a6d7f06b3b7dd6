// Writes oclif.manifest.json from the built commands, as `oclif manifest` does, with @oclif/core's own
// Plugin: the `oclif` packager would add the AWS SDK and a second @oclif/core to the install just for this.
// With the manifest, `spotlight --help` and each command read every command's flags from one JSON file
// instead of requiring all commands, and all of core with them, first.
const fs = require('node:fs');
const path = require('node:path');
const { Plugin } = require('@oclif/core');

async function main() {
  const root = path.resolve(__dirname, '..');
  const plugin = new Plugin({
    root,
    type: 'core',
    isRoot: true,
    ignoreManifest: true,
    errorOnManifestCreate: true,
    respectNoCacheDefault: true,
  });
  await plugin.load();
  const count = Object.keys(plugin.manifest.commands).length;
  if (count === 0)
    throw new Error(`no commands found under ${plugin.pjson.oclif.commands}; build the CLI first`);
  const file = path.join(root, 'oclif.manifest.json');
  fs.writeFileSync(file, `${JSON.stringify(plugin.manifest, null, 2)}\n`);
  console.log(`wrote ${path.relative(process.cwd(), file)} (${count} commands)`);
}

main().catch((error) => {
  console.error(`Error: could not write the oclif manifest: ${error.message}`);
  process.exitCode = 1;
});
