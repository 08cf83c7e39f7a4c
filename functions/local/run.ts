/**
 * One batch through the local pipeline, as `scrub62323 pipeline` runs it: history files imported
 * first, the upload, its S3 event (the endpoint's own if it sends one, else the runner's), the
 * functions until the upload's own summary.json is in the reports bucket, and the report downloaded.
 */
import { basename } from 'node:path';
import { writeReportFolder } from '../adapters/report-folder.js';
import type { ReportContents } from '../core/report/files.js';
import type { Summary } from '../core/report/summary.js';
import type { ReportReady } from '../pipeline/notice.js';
import { PREFIX } from '../pipeline/topology.js';
import { LocalPipeline, type LocalPipelineOptions, PipelineRunError, type RunStats } from './runner.js';
import { parseSummary } from './summary.js';
import type { UploadedObject } from './upload.js';

export interface RunPipelineOptions extends LocalPipelineOptions {
  readonly file: string;
  /** Sets the upload's as-of metadata (default: the event date). */
  readonly asOf?: string;
  /**
   * History CSVs imported into the history table first (as `scrub62323 history import` does), or,
   * in a run without a history table, placed under history/ in the work bucket.
   */
  readonly history?: readonly string[];
  /** Rule packs to place under packs/ in the work bucket first. */
  readonly packs?: readonly string[];
  /** The batch's default pack: the upload goes to incoming/<name>/. */
  readonly defaultPack?: string;
  /** Folder to download the report into; a function of the batch id, or omitted for no download. */
  readonly outDir?: string | ((batchId: string) => string);
  readonly timeoutMs?: number;
  /** Told about things the user should know (e.g. an endpoint without conditional writes). */
  readonly onNotice?: (text: string) => void;
}

export interface PipelineRun {
  readonly batchId: string;
  readonly summary: Summary;
  /** The text files as text, findings.xlsx as bytes. */
  readonly files: ReportContents;
  readonly folder?: string;
  /** The "report ready" notice of the report, as subscribers got it (absent if it never arrived). */
  readonly notice?: ReportReady;
  readonly upload: UploadedObject;
  /**
   * Who sent the S3 event: the endpoint's own bucket notification (completed by the runner where it
   * named no object version), or the runner.
   */
  readonly eventSource: 'endpoint' | 'runner';
  readonly stats: RunStats;
  readonly wallMs: number;
}

/** Uploads one file, runs the pipeline until its report is in S3, downloads the report. */
export async function runPipeline(options: RunPipelineOptions): Promise<PipelineRun> {
  const started = performance.now();
  const pipeline = await LocalPipeline.start(options);
  try {
    if (!pipeline.conditionalWrites) {
      options.onNotice?.(
        'this endpoint ignores If-None-Match on PutObject: two validates finishing together could both merge (same report) and notify twice',
      );
    }
    for (const path of options.history ?? []) await addHistory(pipeline, path, options);
    const packs = options.packs ?? [];
    for (const [index, name] of packKeyNames(packs).entries()) await pipeline.uploadPack(packs[index]!, name);
    const packFolder = options.defaultPack === undefined ? '' : `${options.defaultPack}/`;
    const upload = await pipeline.uploadFile(options.file, {
      key: `${PREFIX.incoming}${packFolder}${basename(options.file)}`,
      ...(options.asOf ? { asOf: options.asOf } : {}),
    });
    // An endpoint that sends notifications does so at once (moto) or within seconds (S3).
    const endpointEvent = pipeline.nativeNotifications ? await pipeline.awaitEndpointEvent(upload) : 'none';
    const eventSource = endpointEvent === 'none' ? 'runner' : 'endpoint';
    if (eventSource === 'runner') await pipeline.announce(upload);
    const batchId = await pipeline.awaitReport(
      upload,
      options.timeoutMs !== undefined ? { timeoutMs: options.timeoutMs } : {},
    );
    const files = await pipeline.readReport(batchId);
    const summary = summaryOf(files['summary.json'], batchId);
    const notice = await pipeline.awaitNotice(batchId);
    let folder: string | undefined;
    if (options.outDir !== undefined) {
      folder = typeof options.outDir === 'function' ? options.outDir(batchId) : options.outDir;
      await writeReportFolder(folder, files);
    }
    return {
      batchId,
      summary,
      files,
      ...(folder !== undefined ? { folder } : {}),
      ...(notice ? { notice } : {}),
      upload,
      eventSource,
      stats: pipeline.stats(),
      wallMs: performance.now() - started,
    };
  } finally {
    await pipeline.stop();
  }
}

/**
 * The names packs are stored under in packs/: their file names, and where two files share one
 * (a/p.json and b/p.json) the later ones numbered (p-2.json), so no pack overwrites another.
 */
export function packKeyNames(paths: readonly string[]): string[] {
  const taken = new Set<string>();
  return paths.map((path) => {
    const name = basename(path);
    let key = name;
    for (let n = 2; taken.has(key); n += 1) key = name.replace(/(\.json)?$/i, `-${n}$1`);
    taken.add(key);
    return key;
  });
}

/** Imported sessions expire counted from the batch's as-of date, as the batch's own sessions do. */
async function addHistory(pipeline: LocalPipeline, path: string, options: RunPipelineOptions): Promise<void> {
  if (pipeline.historyTable === undefined) return pipeline.uploadHistory(path);
  const recordedOn = options.asOf ?? (options.now?.() ?? new Date()).toISOString().slice(0, 10);
  const { skippedRows } = await pipeline.importHistory(path, recordedOn);
  if (skippedRows > 0)
    options.onNotice?.(
      `history: ${skippedRows} row(s) of ${basename(path)} ignored (missing or invalid values, or no CSV)`,
    );
}

function summaryOf(text: string, batchId: string): Summary {
  const parsed = parseSummary(text);
  if (!parsed.ok)
    throw new PipelineRunError(`the summary.json of ${batchId} is not readable (${parsed.problem})`);
  if (parsed.value.batchId !== batchId)
    throw new PipelineRunError(`the summary.json under ${batchId} is of another batch`);
  return parsed.value;
}
