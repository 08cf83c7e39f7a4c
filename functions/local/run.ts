/**
 * One batch through the local pipeline, as `scrub62323 pipeline` runs it: history files first, the
 * upload, its S3 event (the endpoint's own if it sends one, else the runner's), the functions until
 * the "report ready" notice, and the report downloaded.
 */
import { writeReportFolder } from '../adapters/report-folder.js';
import type { ReportFileName } from '../core/report/files.js';
import type { Summary } from '../core/report/summary.js';
import { sleep } from '../pipeline/sleep.js';
import { LocalPipeline, type LocalPipelineOptions, type RunStats } from './runner.js';
import type { UploadedObject } from './upload.js';

export interface RunPipelineOptions extends LocalPipelineOptions {
  readonly file: string;
  /** Sets the upload's as-of metadata (default: the event date). */
  readonly asOf?: string;
  /** History CSVs to place under history/ in the work bucket first. */
  readonly history?: readonly string[];
  /** Folder to download the report into; a function of the batch id, or omitted for no download. */
  readonly outDir?: string | ((batchId: string) => string);
  readonly timeoutMs?: number;
  /** Told about things the user should know (e.g. an endpoint without conditional writes). */
  readonly onNotice?: (text: string) => void;
}

export interface PipelineRun {
  readonly batchId: string;
  readonly summary: Summary;
  readonly files: Record<ReportFileName, string>;
  readonly folder?: string;
  readonly upload: UploadedObject;
  /** Who sent the S3 event: the endpoint's own bucket notification, or the runner. */
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
    for (const path of options.history ?? []) await pipeline.uploadHistory(path);
    const before = pipeline.nativeNotifications ? await pipeline.queueDepth('intake') : 0;
    const upload = await pipeline.uploadFile(options.file, options.asOf ? { asOf: options.asOf } : {});
    const eventSource =
      pipeline.nativeNotifications && (await eventArrived(pipeline, before)) ? 'endpoint' : 'runner';
    if (eventSource === 'runner') await pipeline.announce(upload);
    await pipeline.drain({
      until: () => pipeline.noticeFor(upload) !== undefined,
      ...(options.timeoutMs !== undefined ? { timeoutMs: options.timeoutMs } : {}),
    });
    const notice = pipeline.noticeFor(upload)!;
    const files = await pipeline.readReport(notice.batchId);
    const summary = JSON.parse(files['summary.json']) as Summary;
    let folder: string | undefined;
    if (options.outDir !== undefined) {
      folder = typeof options.outDir === 'function' ? options.outDir(notice.batchId) : options.outDir;
      await writeReportFolder(folder, files);
    }
    return {
      batchId: notice.batchId,
      summary,
      files,
      ...(folder !== undefined ? { folder } : {}),
      upload,
      eventSource,
      stats: pipeline.stats(),
      wallMs: performance.now() - started,
    };
  } finally {
    await pipeline.stop();
  }
}

/** An endpoint that sends notifications does so at once (moto) or within seconds (S3). */
async function eventArrived(pipeline: LocalPipeline, before: number): Promise<boolean> {
  for (let waited = 0; waited < 3000; waited += 100) {
    if ((await pipeline.queueDepth('intake')) > before) return true;
    await sleep(100);
  }
  return false;
}
