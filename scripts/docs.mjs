// Writes docs/rules.md and docs/rule-pack.schema.json from the rule catalog and the pack schema
// (each module bundled on the fly with esbuild). Each document is written on its own, so one that
// fails to build does not keep the other stale; the script still fails.
import { writeFile } from 'node:fs/promises';
import { build } from 'esbuild';

const DOCUMENTS = [
  { file: 'docs/rules.md', entry: 'functions/core/rules/describe.ts', render: 'renderRulesMarkdown' },
  {
    file: 'docs/rule-pack.schema.json',
    entry: 'functions/core/rules/packs/json-schema.ts',
    render: 'renderRulePackJsonSchema',
  },
];

/** The module at `entry`, bundled and imported. */
async function load(entry) {
  const { outputFiles } = await build({
    entryPoints: [entry],
    bundle: true,
    platform: 'node',
    format: 'esm',
    write: false,
    logLevel: 'silent',
  });
  return import(`data:text/javascript;base64,${Buffer.from(outputFiles[0].text).toString('base64')}`);
}

for (const { file, entry, render } of DOCUMENTS) {
  try {
    const module = await load(entry);
    await writeFile(file, module[render]());
    console.log(`${file} written`);
  } catch (error) {
    console.error(`${file} not written: ${error instanceof Error ? error.message : String(error)}`);
    process.exitCode = 1;
  }
}
