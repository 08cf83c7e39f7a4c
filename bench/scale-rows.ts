/**
 * The bench's scale rows: a 10M-line batch through the local pipeline (every merge invocation's
 * peak heap, the report compared with `check`'s), and the pipeline modelled at 100M lines.
 */
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { formatCount } from '../functions/core/report/format.js';
import { FUNCTIONS } from '../functions/pipeline/topology.js';
import { benchPipeline, type PipelineBenchFigures, type PipelineRequests, sha256 } from './pipeline-bench.js';
import { assemblyCeilingFindings, modelAtScale, overLimits, ratesOf, requestsAt } from './scale-model.js';

const MB = 1024 * 1024;

export interface ScaleRowsInput {
  /** The 10M-line batch, and the folder `check` wrote its report to. */
  readonly file: string;
  readonly checkReport: string;
  readonly asOf: string;
  /** DynamoDB history dollars per million lines (history-bench), added to the model's. */
  readonly historyPerMillion: number;
  /** Lines per merge shard for the run: five shards, so a shard's CPU and the assembly's come apart. */
  readonly mergeShardLines: number;
}

const requestText = (r: PipelineRequests): string =>
  `${formatCount(r.s3Put)}/${formatCount(r.s3Get)}/${formatCount(r.s3List)}, ${formatCount(r.sqsSend)}/${formatCount(r.sqsReceive)}/${formatCount(r.sqsDelete)}`;

export async function scaleRows(input: ScaleRowsInput, log: (line: string) => void): Promise<string[]> {
  log('running 10M lines through the local pipeline, one invocation at a time (takes minutes) …');
  const run = await benchPipeline(input.file, {
    asOf: input.asOf,
    oneRun: true,
    mergeShardLines: input.mergeShardLines,
  });
  const same = await sameAsCheck(run, input.checkReport);
  const heaps = run.mergePeakHeapBytes.map((bytes) => `${(bytes / MB).toFixed(0)}`).join(', ');
  const rates = ratesOf(run);
  const measuredModel = requestsAt(run.lines, rates);
  const at100 = modelAtScale(100_000_000, rates);
  const over = overLimits(at100);
  const ceiling = assemblyCeilingFindings(rates);
  const seconds = at100.seconds;
  return [
    `| pipeline, 10M lines (embedded emulator, one invocation at a time) | figure |`,
    '|---|---:|',
    `| chunks, merge shards | ${formatCount(run.chunks)}, ${run.shards} |`,
    `| peak heap of each merge invocation: the shards, then the line ranges (the last also assembles the report) | ${heaps} MB |`,
    `| Lambda CPU: split / validate / merge | ${formatCount(Math.round(run.lambdaCpuMs.split))} / ${formatCount(Math.round(run.lambdaCpuMs.validate))} / ${formatCount(Math.round(run.lambdaCpuMs.merge))} ms |`,
    `| report identical to \`check\`'s (findings.csv, rejected.csv) | ${same ? 'yes' : '**NO**'} |`,
    `| requests: S3 put/get/list, SQS send/receive/delete: measured | ${requestText(run.requests)} |`,
    `| the same, from the model's formulas | ${requestText(measuredModel)} |`,
    '',
    `| modelled on AWS: 100M lines (${at100.ranges} byte ranges, ${formatCount(at100.chunks)} chunks, ${at100.shards} shards) | figure |`,
    '|---|---:|',
    `| wall time: split / validate (${FUNCTIONS.validate.reservedConcurrency} at a time) / shards, line ranges (${FUNCTIONS.merge.reservedConcurrency} at a time) / assembly | ${seconds.split.toFixed(0)} / ${seconds.validate.toFixed(0)} / ${seconds.shards.toFixed(0)}, ${seconds.renders.toFixed(0)} / ${seconds.assembly.toFixed(0)} s (${(seconds.total / 60).toFixed(1)} min, CPU only) |`,
    `| longest invocation: a split (a range, or the hash), the last shard (and the first line range), one line range, the last (and the assembly) | ${at100.longestInvocationSeconds.split.toFixed(0)} s (limit ${FUNCTIONS.split.timeoutSeconds} s), ${at100.longestInvocationSeconds.shard.toFixed(0)} s, ${at100.longestInvocationSeconds.render.toFixed(0)} s, ${at100.longestInvocationSeconds.assembly.toFixed(0)} s (limit ${FUNCTIONS.merge.timeoutSeconds} s) |`,
    `| over a limit at 100M | ${over.length > 0 ? over.join('; ') : 'nothing'} |`,
    `| the assembly's ceiling: findings one merge invocation writes in ${FUNCTIONS.merge.timeoutSeconds} s | ${formatCount(ceiling)} (${formatCount(Math.round(ceiling / (run.findings / run.lines) / 1e6))}M lines at this batch's density) |`,
    `| requests: S3 put/get/list, SQS send/receive/delete | ${requestText(at100.requests)} |`,
    `| dollars: the batch, per million lines, per million with DynamoDB history | $${at100.dollars.toFixed(2)}, $${at100.dollarsPerMillionLines.toFixed(4)}, $${(at100.dollarsPerMillionLines + input.historyPerMillion).toFixed(4)} |`,
  ];
}

/** Whether the pipeline's findings.csv and rejected.csv are byte for byte `check`'s. */
async function sameAsCheck(run: PipelineBenchFigures, folder: string): Promise<boolean> {
  const [findings, rejected] = await Promise.all(
    ['findings.csv', 'rejected.csv'].map((name) => readFile(join(folder, name))),
  );
  return sha256(findings!) === run.findingsSha256 && sha256(rejected!) === run.rejectedSha256;
}
