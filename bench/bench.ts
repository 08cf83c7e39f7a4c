/**
 * `npm run bench`: throughput and memory of the engine, measured side by side in one run on batches
 * generated here (seeded, in a temp folder, never committed), and the figures written into the
 * README's Performance section. Each measurement runs in a child process so that its peak RSS is
 * its own. Timing lives here, never in tests.
 */
import { execFileSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { cpus, tmpdir, totalmem } from 'node:os';
import { join, resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import { formatCount } from '../functions/core/report/format.js';
import { DENSE_PROFILE, writeSyntheticBatch } from './generate-batch.js';
import { benchHistory, DYNAMODB_PRICES } from './history-bench.js';
import { benchReportHtml, reportHtmlRows, writeDenseBatch } from './html-bench.js';
import { benchPipeline, costBreakdown } from './pipeline-bench.js';
import { scaleRows } from './scale-rows.js';
import { SAMPLE_AS_OF } from './synthetic.js';
import { benchXlsx, xlsxRows } from './xlsx-bench.js';

interface Measured {
  readonly ms: number;
  readonly maxRssBytes: number;
  readonly lines: number;
}

const DIST = resolve('dist');
const MB = 1024 * 1024;

/** Pins a whole process to CPU 0 (where `taskset` exists): a one-core rate with no second core helping. */
const TASKSET = ['/usr/bin/taskset', '/bin/taskset'].find((path) => existsSync(path));
const PINNED = TASKSET ? 'whole process pinned with taskset -c 0' : 'taskset not found: NOT pinned';

/**
 * Runs `script` (an ES module body) in a fresh node process and returns what it prints as JSON;
 * `pinned` runs the whole process on one CPU.
 */
function child(script: string, pinned = false): Measured {
  const node = [process.execPath, '--input-type=module', '-e', script];
  const [command, ...args] = pinned && TASKSET ? [TASKSET, '-c', '0', ...node] : node;
  const output = execFileSync(command!, args, {
    encoding: 'utf8',
    maxBuffer: 16 * MB,
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  return JSON.parse(output.trim().split('\n').pop()!) as Measured;
}

const REPORT = `console.log(JSON.stringify({ ms, lines, maxRssBytes: process.resourceUsage().maxRSS * 1024 }));`;

/** csv-parse alone, rows as arrays: the first anchor of every rate. Pinned: a one-core figure. */
function parseOnly(file: string): Measured {
  return child(
    `
    import { createReadStream } from 'node:fs';
    import { parse } from ${JSON.stringify(pathToFileURL(resolve('node_modules/csv-parse/lib/index.js')).href)};
    const started = performance.now();
    let lines = -1;
    for await (const _ of createReadStream(${JSON.stringify(file)}, { highWaterMark: 1 << 20 }).pipe(parse({ relax_column_count: true }))) lines += 1;
    const ms = performance.now() - started;
    ${REPORT}`,
    true,
  );
}

/** papaparse alone (quote-aware, streamed), the second anchor. Pinned too. */
function papaParseOnly(file: string): Measured {
  return child(
    `
    import { createReadStream } from 'node:fs';
    import { createRequire } from 'node:module';
    const Papa = createRequire(${JSON.stringify(pathToFileURL(resolve('package.json')).href)})('papaparse');
    const started = performance.now();
    let lines = -1;
    await new Promise((done, fail) => Papa.parse(createReadStream(${JSON.stringify(file)}, { highWaterMark: 1 << 20 }), {
      skipEmptyLines: true,
      chunk: (result) => { lines += result.data.length; },
      complete: done,
      error: fail,
    }));
    const ms = performance.now() - started;
    ${REPORT}`,
    true,
  );
}

interface CheckRun {
  readonly workers: number;
  /** Extra command-line arguments (rule packs). */
  readonly args?: readonly string[];
  readonly pinned?: boolean;
  /** The CLI bundle to run (another build's dist/cli.js, to compare with it). */
  readonly cli?: string;
}

function check(file: string, run: CheckRun): Measured {
  const cli = run.cli ?? join(DIST, 'cli.js');
  const out = `${file}.report-${run.workers}-${(run.args ?? []).length}-${run.pinned ? 'pinned' : 'free'}${run.cli ? '-baseline' : ''}`;
  const args = [
    'check',
    file,
    '--workers',
    String(run.workers),
    '--as-of',
    SAMPLE_AS_OF,
    '--out',
    out,
    ...(run.args ?? []),
  ];
  return child(
    `
    import { main } from ${JSON.stringify(pathToFileURL(cli).href)};
    import { readFileSync } from 'node:fs';
    const started = performance.now();
    const code = await main(${JSON.stringify(args)}, { stdout() {}, stderr(text) { process.stderr.write(text); } });
    const ms = performance.now() - started;
    if (code !== 0) throw new Error('check exited ' + code);
    const lines = JSON.parse(readFileSync(${JSON.stringify(out)} + '/summary.json', 'utf8')).counts.lines;
    ${REPORT}`,
    run.pinned,
  );
}

/**
 * Two packs for the bench batch's payers, one with a dated list entry, so every line is judged
 * by a pack and the dated-book path runs.
 */
async function writeBenchPacks(dir: string): Promise<string[]> {
  const packs = [
    {
      name: 'bench-commercial',
      version: '1',
      payers: ['Acme Health, Inc.', 'Contoso Health Plan', 'Fabrikam Mutual', 'Blue Heron "Select" PPO'],
      rules: {
        FREQUENCY_EXCEEDED: {
          windows: [
            { limit: 3, days: 183 },
            { limit: 4, days: 365 },
          ],
        },
        REPEAT_TOO_SOON: { enabled: true, days: 14 },
        PRIOR_AUTH_MISSING: { severity: 'error' },
      },
      lists: { coveredDiagnoses: { add: [{ code: 'M5136', effectiveTo: '2024-09-30' }] } },
    },
    {
      name: 'bench-medicare',
      version: '1',
      payers: ['Medicare Part B', 'Northwind Benefits'],
      rules: { PRIOR_AUTH_MISSING: { enabled: false } },
    },
  ];
  const files: string[] = [];
  for (const pack of packs) {
    const file = join(dir, `${pack.name}.json`);
    await writeFile(file, JSON.stringify(pack));
    files.push('--rules', file);
  }
  return files;
}

const rate = (m: Measured): number => Math.round(m.lines / (m.ms / 1000));
const ratio = (a: number, b: number): string => (a / b).toFixed(2);

/** The measurement of median time (peak RSS the median too): odd rounds give a real run. */
function median(runs: readonly Measured[]): Measured {
  const byTime = [...runs].sort((a, b) => a.ms - b.ms);
  const bySize = [...runs].sort((a, b) => a.maxRssBytes - b.maxRssBytes);
  const middle = runs.length >> 1;
  return { ...byTime[middle]!, maxRssBytes: bySize[middle]!.maxRssBytes };
}

/** Every round's runs of one batch. */
interface EngineTable {
  readonly file: string;
  readonly csvParse: Measured[];
  readonly papaparse: Measured[];
  readonly oneCore: Measured[];
  readonly oneCorePacks: Measured[];
  readonly allCores: Measured[];
  readonly baseline: Measured[];
}

const emptyTable = (file: string): EngineTable => ({
  file,
  csvParse: [],
  papaparse: [],
  oneCore: [],
  oneCorePacks: [],
  allCores: [],
  baseline: [],
});

/**
 * A batch's table: each rate as a ratio to csv-parse and to papaparse parse-only, both on one core
 * (a ratio above 1 is faster than the parser alone); all cores also as its wall time over
 * csv-parse's one-core wall time (lower is better).
 */
function engineRows(name: string, bytes: number, table: EngineTable, cores: number): string[] {
  const csvParse = median(table.csvParse);
  const papaparse = median(table.papaparse);
  const row = (label: string, runs: readonly Measured[], extra = ''): string => {
    const m = median(runs);
    return `| ${label} | ${formatCount(rate(m))} | ${ratio(rate(m), rate(csvParse))} | ${ratio(rate(m), rate(papaparse))} | ${(m.ms / 1000).toFixed(1)} s${extra} | ${(m.maxRssBytes / MB).toFixed(0)} MB |`;
  };
  const all = median(table.allCores);
  return [
    `| 1M lines (${(bytes / MB).toFixed(0)} MB), ${name}; medians of ${table.csvParse.length} rounds | lines/s | × csv-parse | × papaparse | wall time | peak RSS |`,
    '|---|---:|---:|---:|---:|---:|',
    row('csv-parse parse-only, arrays, one core', table.csvParse),
    row('papaparse parse-only, quote-aware, one core', table.papaparse),
    row(`\`check\`, one core (${PINNED}), built-in rule set`, table.oneCore),
    row(`\`check\`, one core, two rule packs judging every line`, table.oneCorePacks),
    ...(table.baseline.length > 0
      ? [row('another build (`SCRUB_BENCH_BASELINE`), one core, built-in rules', table.baseline)]
      : []),
    row(
      `\`check\`, all ${cores} cores (unpinned)`,
      table.allCores,
      ` (${ratio(all.ms, csvParse.ms)}× csv-parse's one-core time)`,
    ),
  ];
}

async function main(): Promise<void> {
  const dir = await mkdtemp(join(tmpdir(), 'scrub62323-bench-'));
  const cores = cpus().length;
  const rows: string[] = [];
  const log = (text: string) => {
    process.stdout.write(`${text}\n`);
  };
  try {
    const oneMillion = join(dir, 'batch-1m.csv');
    const dense = join(dir, 'batch-1m-dense.csv');
    const tenMillion = join(dir, 'batch-10m.csv');
    log(`generating 1M lines (bench mix and dense) and 10M lines in ${dir} …`);
    // SCRUB_BENCH_LINES shrinks every batch (10M becomes ten times it), to try the bench quickly.
    const lines = Number(process.env.SCRUB_BENCH_LINES ?? 1_000_000);
    const { bytes } = await writeSyntheticBatch(oneMillion, lines);
    const { bytes: denseBytes } = await writeSyntheticBatch(dense, lines, 62323, DENSE_PROFILE);
    await writeSyntheticBatch(tenMillion, lines * 10);
    const packArgs = await writeBenchPacks(dir);
    // SCRUB_BENCH_BASELINE=<another build's dist/cli.js> measures that build on the same batches too.
    const baselineCli = process.env.SCRUB_BENCH_BASELINE;

    const rounds = Number(process.env.SCRUB_BENCH_ROUNDS ?? 3);
    const engine = new Map<string, { bytes: number; table: EngineTable }>([
      ['the bench batch (~12% 62323 lines, ~3% flagged)', { bytes, table: emptyTable(oneMillion) }],
      ['a dense batch (~35% 62323 lines, ~20% flagged)', { bytes: denseBytes, table: emptyTable(dense) }],
    ]);
    // Rounds interleave every measurement, so a slow spell of the machine spreads over all of them;
    // each figure is the median of its rounds.
    for (let round = 1; round <= rounds; round += 1) {
      for (const [name, { table }] of engine) {
        log(`round ${round}/${rounds}, ${name}: parse-only anchors, check on one core and on all cores …`);
        table.csvParse.push(parseOnly(table.file));
        table.papaparse.push(papaParseOnly(table.file));
        table.oneCore.push(check(table.file, { workers: 0, pinned: true }));
        table.oneCorePacks.push(check(table.file, { workers: 0, pinned: true, args: packArgs }));
        table.allCores.push(check(table.file, { workers: cores }));
        if (baselineCli)
          table.baseline.push(check(table.file, { workers: 0, pinned: true, cli: resolve(baselineCli) }));
      }
    }
    log('measuring 10M lines on all cores (once) …');
    const big = check(tenMillion, { workers: cores });
    for (const [name, { bytes: size, table }] of engine)
      rows.push(...engineRows(name, size, table, cores), '');
    rows.push(
      '| 10M lines, `check` on all cores (one run) | lines/s | wall time | peak RSS |',
      '|---|---:|---:|---:|',
      `| bench mix | ${formatCount(rate(big))} | ${(big.ms / 1000).toFixed(1)} s | ${(big.maxRssBytes / MB).toFixed(0)} MB |`,
    );
    const all = median(engine.values().next().value!.table.allCores);

    log('measuring findings.xlsx of the 1M-line batch …');
    rows.push(...xlsxRows(benchXlsx(oneMillion, SAMPLE_AS_OF)));

    log('measuring the pipeline on the embedded emulator (1M lines) …');
    const pipeline = await benchPipeline(oneMillion, {
      asOf: SAMPLE_AS_OF,
      functionThreads: new URL('./function-thread.js', import.meta.url),
    });
    const cost = costBreakdown(pipeline, pipeline.lines);
    log('measuring the member history on the DynamoDB emulator (1M prior sessions; takes minutes) …');
    const history = await benchHistory(oneMillion, { asOf: SAMPLE_AS_OF, priorSessions: lines });
    const historyPerMillion = history.costPerBatch * (1_000_000 / pipeline.lines);
    rows.push(
      '',
      '| pipeline (1M lines, embedded emulator) | figure |',
      '|---|---:|',
      `| wall time, upload event to report | ${(pipeline.wallMs / 1000).toFixed(1)} s (${ratio(pipeline.wallMs, all.ms)}× \`check\` on all cores) |`,
      `| split throughput | ${pipeline.splitMBps.toFixed(1)} MB/s |`,
      `| Lambda CPU: split / validate / merge | ${formatCount(Math.round(pipeline.lambdaCpuMs.split))} / ${formatCount(Math.round(pipeline.lambdaCpuMs.validate))} / ${formatCount(Math.round(pipeline.lambdaCpuMs.merge))} ms (${pipeline.chunks} chunks, ${pipeline.shards} shard${pipeline.shards === 1 ? '' : 's'}) |`,
      `| peak heap of each merge invocation | ${pipeline.mergePeakHeapBytes.map((bytes) => (bytes / MB).toFixed(0)).join(', ')} MB |`,
      `| requests: S3 put/get/list, SQS send/receive/delete | ${pipeline.requests.s3Put}/${pipeline.requests.s3Get}/${pipeline.requests.s3List}, ${pipeline.requests.sqsSend}/${pipeline.requests.sqsReceive}/${pipeline.requests.sqsDelete} |`,
      `| AWS cost per million claim lines (list prices ${cost.pricesAsOf}) | $${cost.total.toFixed(4)} (Lambda $${(cost.lambdaCompute + cost.lambdaRequests).toFixed(4)}, SQS $${cost.sqs.toFixed(4)}, S3 $${cost.s3.toFixed(4)}) |`,
      '',
      `| member history (1M-line batch, ${formatCount(history.priorSessions)} prior sessions, dynalite) | figure |`,
      '|---|---:|',
      `| lookup: members with 62323 lines, Query requests, wall time | ${formatCount(history.membersLookedUp)} members, ${formatCount(history.lookup.queries)} queries, ${(history.lookup.ms / 1000).toFixed(1)} s |`,
      `| record: sessions written, BatchWriteItem requests, wall time | ${formatCount(history.sessionsRecorded)} sessions, ${formatCount(history.record.batchWrites)} requests, ${(history.record.ms / 1000).toFixed(1)} s |`,
      `| DynamoDB cost per million claim lines (on demand, ${DYNAMODB_PRICES.asOf} prices) | $${historyPerMillion.toFixed(4)} |`,
      `| AWS cost per million claim lines, with history | $${(cost.total + historyPerMillion).toFixed(4)} |`,
      '',
      ...(await scaleRows(
        {
          file: tenMillion,
          checkReport: `${tenMillion}.report-${cores}-0-free`,
          asOf: SAMPLE_AS_OF,
          historyPerMillion,
          mergeShardLines: lines * 2,
        },
        log,
      )),
    );

    log(
      'measuring report.html: the 1M-line batch, and a page at the 300,000-finding budget, in headless Chromium …',
    );
    const denseBatch = join(dir, 'batch-dense.csv');
    await writeDenseBatch(denseBatch, 300_000);
    rows.push(
      '',
      ...reportHtmlRows(await benchReportHtml(oneMillion)),
      '',
      ...reportHtmlRows(await benchReportHtml(denseBatch)),
    );

    const machine = `${cores} × ${cpus()[0]?.model.trim() ?? 'cpu'}, ${(totalmem() / 1024 ** 3).toFixed(0)} GB, Node ${process.versions.node}, ${new Date().toISOString().slice(0, 10)}`;
    const block = `<!-- bench:start -->\nMeasured by \`npm run bench\` on ${machine}.\n\n${rows.join('\n')}\n<!-- bench:end -->`;
    log(`\n${block}\n`);
    // A shrunken trial run must not replace the README's figures.
    if (process.env.SCRUB_BENCH_LINES !== undefined) return;
    const readme = await readFile('README.md', 'utf8');
    const updated = readme.replace(/<!-- bench:start -->[\s\S]*?<!-- bench:end -->/, block);
    if (updated !== readme) {
      await writeFile('README.md', updated);
      log('README.md Performance section updated.');
    }
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}

await main();
