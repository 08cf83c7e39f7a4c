#!/usr/bin/env node
// Launcher: runs the bundled CLI (built by `npm ci` / `npm run build` into dist/).
let cli;
try {
  cli = await import('../dist/cli.js');
} catch (error) {
  if (error?.code !== 'ERR_MODULE_NOT_FOUND') throw error;
  process.stderr.write('scrub62323: not built yet; run `npm run build` (npm ci does it for you)\n');
  process.exit(2);
}
process.exitCode = await cli.main(process.argv.slice(2), {
  stdout: (text) => process.stdout.write(text),
  stderr: (text) => process.stderr.write(text),
  interactive: Boolean(process.stderr.isTTY),
});
