// Writes docs/rules.md from the rule catalog (bundled on the fly with esbuild).
import { writeFile } from 'node:fs/promises';
import { build } from 'esbuild';

const { outputFiles } = await build({
  entryPoints: ['functions/core/rules/describe.ts'],
  bundle: true,
  platform: 'node',
  format: 'esm',
  write: false,
});
const url = `data:text/javascript;base64,${Buffer.from(outputFiles[0].text).toString('base64')}`;
const { renderRulesMarkdown } = await import(url);
await writeFile('docs/rules.md', renderRulesMarkdown());
console.log('docs/rules.md written');
