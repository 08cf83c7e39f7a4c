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
import { writeSyntheticBatch } from './generate-batch.js';
import { benchHistory, DYNAMODB_PRICES } from './history-bench.js';
import { benchPipeline, costBreakdown } from './pipeline-bench.js';
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

function parseOnly(file: string): Measured {
  return child(`
    import { createReadStream } from 'node:fs';
    import { parse } from ${JSON.stringify(pathToFileURL(resolve('node_modules/csv-parse/lib/index.js')).href)};
    const started = performance.now();
    let lines = -1;
    for await (const _ of createReadStream(${JSON.stringify(file)}, { highWaterMark: 1 << 20 }).pipe(parse({ relax_column_count: true }))) lines += 1;
    const ms = performance.now() - started;
    ${REPORT}`);
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
  const out = `${file}.report-${run.workers}-${(run.args ?? []).length}-${run.pinned ? 'pinned' : 'free'}`;
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

async function main(): Promise<void> {
  const dir = await mkdtemp(join(tmpdir(), 'scrub62323-bench-'));
  const cores = cpus().length;
  const rows: string[] = [];
  const log = (text: string) => {
    process.stdout.write(`${text}\n`);
  };
  try {
    const oneMillion = join(dir, 'batch-1m.csv');
    const fourMillion = join(dir, 'batch-4m.csv');
    log(`generating 1M and 4M lines in ${dir} …`);
    const { bytes } = await writeSyntheticBatch(oneMillion, 1_000_000);
    await writeSyntheticBatch(fourMillion, 4_000_000);

    log('measuring 1M lines: parse-only, check on 1 worker, check on all cores …');
    const parsed = parseOnly(oneMillion);
    const one = check(oneMillion, { workers: 1 });
    const all = check(oneMillion, { workers: cores });
    log('measuring 4M lines, all cores …');
    const big = check(fourMillion, { workers: cores });
    log('measuring one core (the whole process pinned): built-in rule set, and with two rule packs …');
    const packArgs = await writeBenchPacks(dir);
    const pinnedBuiltIn = check(oneMillion, { workers: 0, pinned: true });
    const pinnedPacks = check(oneMillion, { workers: 0, pinned: true, args: packArgs });
    // SCRUB_BENCH_BASELINE=<another build's dist/cli.js> measures that build on the same batch too.
    const baselineCli = process.env.SCRUB_BENCH_BASELINE;
    const baseline = baselineCli
      ? check(oneMillion, { workers: 0, pinned: true, cli: resolve(baselineCli) })
      : undefined;

    const parseRate = rate(parsed);
    const oneRate = rate(one);
    const allRate = rate(all);
    rows.push(
      `| measurement (1M lines, ${(bytes / MB).toFixed(0)} MB) | lines/s | ratio to parse-only | peak RSS |`,
      '|---|---:|---:|---:|',
      `| csv-parse alone, arrays, one thread | ${formatCount(parseRate)} | 1.00 | ${(parsed.maxRssBytes / MB).toFixed(0)} MB |`,
      `| \`check\`, 1 worker thread | ${formatCount(oneRate)} | ${ratio(oneRate, parseRate)} | ${(one.maxRssBytes / MB).toFixed(0)} MB |`,
      `| \`check\`, ${cores} worker threads (all cores) | ${formatCount(allRate)} | ${ratio(allRate, parseRate)} | ${(all.maxRssBytes / MB).toFixed(0)} MB |`,
      `| \`check\`, 4M lines, all cores | ${formatCount(rate(big))} | ${ratio(rate(big), parseRate)} | ${(big.maxRssBytes / MB).toFixed(0)} MB |`,
      '',
      `| one core (${TASKSET ? 'process pinned with taskset -c 0' : 'taskset not found: NOT pinned'}), 1M lines, \`check --workers 0\` | lines/s | ratio to built-in | peak RSS |`,
      '|---|---:|---:|---:|',
      `| built-in rule set 62323/v2 | ${formatCount(rate(pinnedBuiltIn))} | 1.00 | ${(pinnedBuiltIn.maxRssBytes / MB).toFixed(0)} MB |`,
      `| two rule packs judging every line (one with a dated entry) | ${formatCount(rate(pinnedPacks))} | ${ratio(rate(pinnedPacks), rate(pinnedBuiltIn))} | ${(pinnedPacks.maxRssBytes / MB).toFixed(0)} MB |`,
      ...(baseline
        ? [
            `| another build (\`SCRUB_BENCH_BASELINE\`), built-in rules | ${formatCount(rate(baseline))} | ${ratio(rate(baseline), rate(pinnedBuiltIn))} | ${(baseline.maxRssBytes / MB).toFixed(0)} MB |`,
          ]
        : []),
    );

    log('measuring findings.xlsx of the 1M-line batch …');
    rows.push(...xlsxRows(benchXlsx(oneMillion, SAMPLE_AS_OF)));

    log('measuring the pipeline on the embedded emulator (1M lines) …');
    const pipeline = await benchPipeline(oneMillion, { asOf: SAMPLE_AS_OF });
    const cost = costBreakdown(pipeline, pipeline.lines);
    log('measuring the member history on the DynamoDB emulator (1M prior sessions; takes minutes) …');
    const history = await benchHistory(oneMillion, { asOf: SAMPLE_AS_OF, priorSessions: 1_000_000 });
    const historyPerMillion = history.costPerBatch * (1_000_000 / pipeline.lines);
    rows.push(
      '',
      '| pipeline (1M lines, embedded emulator) | figure |',
      '|---|---:|',
      `| wall time, upload event to report | ${(pipeline.wallMs / 1000).toFixed(1)} s (${ratio(pipeline.wallMs, all.ms)}× \`check\` on all cores) |`,
      `| split throughput | ${pipeline.splitMBps.toFixed(1)} MB/s |`,
      `| Lambda CPU: split / validate | ${formatCount(Math.round(pipeline.lambdaCpuMs.split))} ms / ${formatCount(Math.round(pipeline.lambdaCpuMs.validate))} ms (${pipeline.chunks} chunks) |`,
      `| requests: S3 put/get/list, SQS send/receive/delete | ${pipeline.requests.s3Put}/${pipeline.requests.s3Get}/${pipeline.requests.s3List}, ${pipeline.requests.sqsSend}/${pipeline.requests.sqsReceive}/${pipeline.requests.sqsDelete} |`,
      `| AWS cost per million claim lines (list prices ${cost.pricesAsOf}) | $${cost.total.toFixed(4)} (Lambda $${(cost.lambdaCompute + cost.lambdaRequests).toFixed(4)}, SQS $${cost.sqs.toFixed(4)}, S3 $${cost.s3.toFixed(4)}) |`,
      '',
      `| member history (1M-line batch, ${formatCount(history.priorSessions)} prior sessions, dynalite) | figure |`,
      '|---|---:|',
      `| lookup: members with 62323 lines, Query requests, wall time | ${formatCount(history.membersLookedUp)} members, ${formatCount(history.lookup.queries)} queries, ${(history.lookup.ms / 1000).toFixed(1)} s |`,
      `| record: sessions written, BatchWriteItem requests, wall time | ${formatCount(history.sessionsRecorded)} sessions, ${formatCount(history.record.batchWrites)} requests, ${(history.record.ms / 1000).toFixed(1)} s |`,
      `| DynamoDB cost per million claim lines (on demand, ${DYNAMODB_PRICES.asOf} prices) | $${historyPerMillion.toFixed(4)} |`,
      `| AWS cost per million claim lines, with history | $${(cost.total + historyPerMillion).toFixed(4)} |`,
    );

    const machine = `${cores} × ${cpus()[0]?.model.trim() ?? 'cpu'}, ${(totalmem() / 1024 ** 3).toFixed(0)} GB, Node ${process.versions.node}, ${new Date().toISOString().slice(0, 10)}`;
    const block = `<!-- bench:start -->\nMeasured by \`npm run bench\` on ${machine}.\n\n${rows.join('\n')}\n<!-- bench:end -->`;
    log(`\n${block}\n`);
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
