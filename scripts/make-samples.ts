/**
 * Writes the sample batches in samples/ (run from the repository root):
 *
 *   npx tsx scripts/make-samples.ts            # or bundle it with esbuild and run with node
 *
 * - nightly-batch.csv      ~700 lines, mostly clean, with every rule of 62323/v2 planted on purpose
 * - prior-history.csv      member history from earlier batches (packs.md), for the history rules
 * - packs/*.json           the example rule packs (commercial-um, medicare), each changing planted lines
 * - clean-batch.csv        ~150 lines that must give zero findings
 * - expected-findings.json the answer key for nightly-batch.csv, computed by the reference checker
 * - README.md              the same answer key for people
 *
 * The output is a pure function of the seeds below: no Math.random, no clock. Edit the scripts and
 * regenerate rather than editing the CSVs by hand, or the line numbers in the answer key go stale.
 *
 * The pieces, in scripts/samples/: world.ts (people, providers, claims), background.ts (clean claims),
 * planter.ts and plant/*.ts (the planted scenarios, by rule group, run in the order of scenarios.ts),
 * packs.ts (the packs and payers), csv-files.ts (layout and CSV text), answer-key.ts (the reference
 * checker's findings and the self-check), readme.ts.
 * Every draw comes from one seeded stream per file, so the order of the calls below is part of the output.
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { SAMPLE_AS_OF } from '../bench/synthetic.js';
import {
  BATCH_ID,
  checkClean,
  checkPackEffects,
  compactJson,
  historyOnly,
  keyFindings,
  packEffects,
  runReference,
  selfCheck,
} from './samples/answer-key.js';
import { addBackground, addUnrelatedHistory } from './samples/background.js';
import { historyCsv, layout, render } from './samples/csv-files.js';
import type { Batch } from './samples/model.js';
import { packJson, SAMPLE_PACKS } from './samples/packs.js';
import { readme } from './samples/readme.js';
import { plantScenarios } from './samples/scenarios.js';
import { World } from './samples/world.js';

const NIGHTLY_SEED = 62323;
const CLEAN_SEED = 62324;
const NIGHTLY_TARGET_LINES = 720;
const CLEAN_TARGET_LINES = 150;
const HISTORY_FILE = 'samples/prior-history.csv';

function main(): void {
  const outDir = process.argv[2] ?? 'samples';
  mkdirSync(join(outDir, 'packs'), { recursive: true });

  // Nightly batch: planted scenarios first (so their ids do not depend on the background size).
  const world = new World(NIGHTLY_SEED);
  const planter = plantScenarios(world);
  const plantedLines = planter.batch.blocks.reduce((sum, block) => sum + block.entries.length, 0);
  addBackground(world, planter.batch, NIGHTLY_TARGET_LINES - plantedLines, true);
  addUnrelatedHistory(world, planter.batch.history);
  const nightly = render(layout(world.rng, planter.batch.blocks, true));
  const historyText = historyCsv(planter.batch.history);

  // The answer key is the reference checker's, held to what was planted.
  const packs = SAMPLE_PACKS.map(({ pack }) => pack);
  const runs = runReference(nightly.text, SAMPLE_AS_OF, packs, historyText);
  const withHistoryOnly = historyOnly(runs);
  selfCheck(nightly.placed, runs, withHistoryOnly);
  const effects = packEffects(runs, nightly.placed);
  checkPackEffects(effects, runs.full);
  const findings = keyFindings(runs.full);

  // Clean batch: background only, its own seed, no history of its own.
  const cleanWorld = new World(CLEAN_SEED);
  const clean: Batch = { blocks: [], history: [] };
  addBackground(cleanWorld, clean, CLEAN_TARGET_LINES, false);
  const cleanFile = render(layout(cleanWorld.rng, clean.blocks, false));
  checkClean(cleanFile.text, SAMPLE_AS_OF, packs, historyText);

  const records = nightly.placed.filter(({ entry }) => entry.kind !== 'blank');
  const rejected = records.flatMap(({ line, endLine, entry }) =>
    entry.kind === 'raw' ? [{ line, end_line: endLine, reason: entry.reason }] : [],
  );
  const severity = { error: 0, warning: 0, info: 0 };
  for (const finding of findings) severity[finding.severity] += 1;
  const counts = {
    lines: runs.full.checked + runs.full.rejectedLines.length,
    checked: runs.full.checked,
    rejected: runs.full.rejectedLines.length,
    indexLines: records.filter(
      ({ entry }) => entry.kind === 'line' && entry.fields.procedure_code.trim().toUpperCase() === '62323',
    ).length,
    flaggedLines: new Set(findings.map((finding) => finding.line)).size,
    findings: severity,
  };

  const answer = {
    file: 'samples/nightly-batch.csv',
    history: HISTORY_FILE,
    packs: SAMPLE_PACKS.map(({ file }) => file),
    batchId: BATCH_ID,
    asOf: SAMPLE_AS_OF,
    ruleSet: '62323/v2',
    counts,
    // Checked lines judged by each pack (summary.json rulePacks[].lines).
    packLines: runs.full.packLines,
    findings,
    rejected,
    onlyWithHistory: withHistoryOnly,
    nearMisses: nightly.placed.flatMap(({ line, entry }) =>
      entry.kind === 'line' && entry.mustNot.length > 0
        ? [{ line, mustNotFire: entry.mustNot, why: entry.why }]
        : [],
    ),
    cleanBatch: { file: 'samples/clean-batch.csv', lines: cleanFile.placed.length, findings: [] },
  };

  writeFileSync(join(outDir, 'nightly-batch.csv'), nightly.text);
  writeFileSync(join(outDir, 'prior-history.csv'), historyText);
  for (const { file, pack } of SAMPLE_PACKS) {
    writeFileSync(join(outDir, 'packs', file.slice(file.lastIndexOf('/') + 1)), packJson(pack));
  }
  writeFileSync(join(outDir, 'clean-batch.csv'), cleanFile.text);
  writeFileSync(join(outDir, 'expected-findings.json'), compactJson(answer));
  writeFileSync(
    join(outDir, 'README.md'),
    readme(nightly.placed, findings, planter.scenarios, effects, withHistoryOnly, {
      lines: records.length,
      checked: runs.full.checked,
      rejected: rejected.length,
      physical: nightly.text.split('\n').length - 1,
      history: planter.batch.history.length,
      clean: cleanFile.placed.length,
      packLines: runs.full.packLines,
      findings: severity,
    }),
  );
  console.log(
    `wrote ${outDir}/: nightly-batch.csv (${records.length} records, ${findings.length} findings: ` +
      `${severity.error} errors, ${severity.warning} warnings), prior-history.csv ` +
      `(${planter.batch.history.length} rows), packs/ (${SAMPLE_PACKS.length}), clean-batch.csv (${cleanFile.placed.length} lines)`,
  );
}

main();
