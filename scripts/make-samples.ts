/**
 * Writes the sample batches in samples/ (run from the repository root):
 *
 *   npx tsx scripts/make-samples.ts            # or bundle it with esbuild and run with node
 *
 * - nightly-batch.csv      ~600 lines, mostly clean, with every rule of 62323/v1 planted on purpose
 * - prior-sessions.csv     history from earlier batches (member, date, code) used by FREQUENCY_EXCEEDED
 * - clean-batch.csv        ~150 lines that must give zero findings
 * - expected-findings.json the answer key for nightly-batch.csv (line numbers computed here)
 * - README.md              the same answer key for people
 *
 * The output is a pure function of the seeds below: no Math.random, no clock. Edit the scripts and
 * regenerate rather than editing the CSVs by hand, or the line numbers in the answer key go stale.
 *
 * The pieces, in scripts/samples/: world.ts (people, providers, claims), background.ts (clean claims),
 * planter.ts and plant/*.ts (the planted scenarios, by rule group, run in the order of scenarios.ts),
 * csv-files.ts (layout and CSV text), answer-key.ts (expected findings and the self-check), readme.ts.
 * Every draw comes from one seeded stream per file, so the order of the calls below is part of the output.
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { SAMPLE_AS_OF } from '../bench/synthetic.js';
import {
  byLineThenRule,
  compactJson,
  expectedFindings,
  selfCheck,
  severityOf,
} from './samples/answer-key.js';
import { addBackground, addUnrelatedHistory } from './samples/background.js';
import { historyCsv, layout, render } from './samples/csv-files.js';
import type { Batch } from './samples/model.js';
import { readme } from './samples/readme.js';
import { plantScenarios } from './samples/scenarios.js';
import { World } from './samples/world.js';

const NIGHTLY_SEED = 62323;
const CLEAN_SEED = 62324;
const NIGHTLY_TARGET_LINES = 600;
const CLEAN_TARGET_LINES = 150;

function main(): void {
  const outDir = process.argv[2] ?? 'samples';
  mkdirSync(outDir, { recursive: true });

  // Nightly batch: planted scenarios first (so their ids do not depend on the background size).
  const world = new World(NIGHTLY_SEED);
  const planter = plantScenarios(world);
  const plantedLines = planter.batch.blocks.reduce((sum, block) => sum + block.entries.length, 0);
  addBackground(world, planter.batch, NIGHTLY_TARGET_LINES - plantedLines, true);
  addUnrelatedHistory(world, planter.batch.history);
  const nightly = render(layout(world.rng, planter.batch.blocks, true));
  const findings = expectedFindings(nightly.placed);
  selfCheck(nightly.placed, findings);

  // Clean batch: background only, its own seed, no history.
  const cleanWorld = new World(CLEAN_SEED);
  const clean: Batch = { blocks: [], history: [] };
  addBackground(cleanWorld, clean, CLEAN_TARGET_LINES, false);
  const cleanFile = render(layout(cleanWorld.rng, clean.blocks, false));

  const records = nightly.placed.filter(({ entry }) => entry.kind !== 'blank');
  const rejected = records.flatMap(({ line, endLine, entry }) =>
    entry.kind === 'raw' ? [{ line, end_line: endLine, reason: entry.reason }] : [],
  );
  const checked = records.filter(({ entry }) => entry.kind === 'line');
  const severity = { error: 0, warning: 0, info: 0 };
  for (const finding of findings) severity[severityOf(finding.rule_id)] += 1;

  const answer = {
    file: 'samples/nightly-batch.csv',
    history: 'samples/prior-sessions.csv',
    asOf: SAMPLE_AS_OF,
    ruleSet: '62323/v1',
    counts: {
      lines: records.length,
      checked: checked.length,
      rejected: rejected.length,
      indexLines: checked.filter(
        ({ entry }) => entry.kind === 'line' && entry.fields.procedure_code.trim().toUpperCase() === '62323',
      ).length,
      flaggedLines: new Set(findings.map((finding) => finding.line)).size,
      findings: severity,
    },
    findings,
    rejected,
    onlyWithHistory: nightly.placed
      .flatMap(({ line, entry }) =>
        entry.kind === 'line' ? entry.needsHistory.map((rule_id) => ({ line, rule_id })) : [],
      )
      .sort(byLineThenRule),
    nearMisses: nightly.placed.flatMap(({ line, entry }) =>
      entry.kind === 'line' && entry.mustNot.length > 0
        ? [{ line, mustNotFire: entry.mustNot, why: entry.why }]
        : [],
    ),
    cleanBatch: { file: 'samples/clean-batch.csv', lines: cleanFile.placed.length, findings: [] },
  };

  const historyText = historyCsv(planter.batch.history);
  writeFileSync(join(outDir, 'nightly-batch.csv'), nightly.text);
  writeFileSync(join(outDir, 'prior-sessions.csv'), historyText);
  writeFileSync(join(outDir, 'clean-batch.csv'), cleanFile.text);
  writeFileSync(join(outDir, 'expected-findings.json'), compactJson(answer));
  writeFileSync(
    join(outDir, 'README.md'),
    readme(nightly.placed, findings, planter.scenarios, {
      lines: records.length,
      checked: checked.length,
      rejected: rejected.length,
      physical: nightly.text.split('\n').length - 1,
      history: planter.batch.history.length,
      clean: cleanFile.placed.length,
    }),
  );
  console.log(
    `wrote ${outDir}/: nightly-batch.csv (${records.length} records, ${findings.length} findings), ` +
      `prior-sessions.csv (${planter.batch.history.length} rows), clean-batch.csv (${cleanFile.placed.length} lines)`,
  );
}

main();
