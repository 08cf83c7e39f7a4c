/**
 * The whole job for one batch: read it, check every chunk (here or on a pool the caller passes in),
 * merge the partials in order, and render the report folder. The CLI and the tests call this; the
 * pipeline runs the same steps split across Lambdas.
 */
import {
  BatchAccumulator,
  type HistorySource,
  type MergedBatch,
  NO_HISTORY,
  type SessionSink,
} from './engine/accumulator.js';
import type { ReportBatch } from './engine/batch-findings.js';
import type { CheckOptions, ChunkPartial } from './engine/check-chunk.js';
import {
  type CutPartial,
  checkAndCut,
  isCut,
  PartitionedAccumulator,
  type SpillStore,
} from './engine/partitioned-merge.js';
import { parseDate } from './engine/values.js';
import { ScrubError } from './errors.js';
import type { RawChunk } from './intake/chunk.js';
import type { ColumnLayout } from './intake/columns.js';
import { type BatchRejection, type IntakeResult, type ReadOptions, readBatch } from './intake/reader.js';
import { assembleReport, filesAsText, type ReportFile, type TextReportFileName } from './report/files.js';
import type { BatchError, Summary, SummaryContext } from './report/summary.js';
import { BUILT_IN_BOOKS, type RuleBooks } from './rules/books.js';

/** Checks chunks: in this thread, on worker threads, anywhere. */
export interface ChunkChecker {
  /** Checks a chunk; with `partitions`, cuts the partial for a partitioned merge (see checkAndCut). */
  check(
    chunk: RawChunk,
    layout: ColumnLayout,
    options: CheckOptions,
    partitions?: number,
  ): Promise<ChunkPartial | CutPartial>;
  /** How many chunks may be in flight at once. */
  readonly parallelism: number;
  /** Called once every chunk is checked: the checker may free what it holds (threads) before the merge ends. */
  release?(): Promise<void>;
}

export const inProcessChecker: ChunkChecker = {
  check: async (chunk, layout, options, partitions) => checkAndCut(chunk, layout, options, partitions),
  parallelism: 1,
};

export interface ScrubOptions extends ReadOptions {
  readonly batchId: string;
  readonly sourceName: string;
  /** YYYY-MM-DD. */
  readonly asOf: string;
  /** The batch's rule books (rules/packs/load.ts); the built-in rule set's when absent. */
  readonly books?: RuleBooks;
  readonly now?: () => Date;
  /** Called after each chunk is merged, with the records merged so far. */
  readonly onProgress?: (records: number) => void;
}

export interface ScrubPorts {
  readonly checker?: ChunkChecker;
  readonly history?: HistorySource;
  /** Where the batch's sessions go (to record them in the history of later batches). */
  readonly sessions?: SessionSink;
  /**
   * Where the merge tables wait, cut into partitions, until every chunk is in. Without one they
   * stay in memory (fine for Lambda-sized batches); the CLI passes temporary files for big ones.
   */
  readonly spill?: SpillStore;
}

export interface ScrubResult {
  readonly summary: Summary;
  /** The report files in writing order, piece by piece: what a writer streams. */
  readonly report: readonly ReportFile[];
  /** The text files as text, rendered on first read (findings.xlsx: `fileContent` of its entry in `report`). */
  readonly files: Record<TextReportFileName, string>;
  /** The merged batch, when its findings are held in memory (not spilled). */
  readonly batch?: MergedBatch;
}

/** Day number of a YYYY-MM-DD as-of date; throws on anything else (callers validate user input first). */
export function asOfDayOf(asOf: string): number {
  const day = /^\d{4}-\d{2}-\d{2}$/.test(asOf) ? parseDate(asOf) : undefined;
  if (day === undefined) throw new ScrubError('BAD_AS_OF', 'the as-of date is not a real date in YYYY-MM-DD');
  return day;
}

export async function scrubBatch(
  source: AsyncIterable<Uint8Array> | Iterable<Uint8Array>,
  options: ScrubOptions,
  ports: ScrubPorts = {},
): Promise<ScrubResult> {
  const books = options.books ?? BUILT_IN_BOOKS;
  const merged = await checkAndMerge(source, { ...options, books }, ports);
  const { intake } = merged;
  const context: SummaryContext = {
    batchId: options.batchId,
    asOf: options.asOf,
    source: {
      name: options.sourceName,
      bytes: intake.bytes,
      sha256: intake.sha256,
      encoding: intake.encoding,
    },
    unknownColumns: intake.layout?.unknownColumns ?? [],
    generatedAt: (options.now ?? (() => new Date()))(),
    packs: books.packs,
    defaultPack: books.defaultPack,
    historyIgnoredRows: ports.history?.ignoredRows?.() ?? 0,
  };
  const { summary, files } = assembleReport(context, merged);
  return {
    summary,
    report: files,
    files: filesAsText(files),
    ...('batch' in merged && !('flagged' in merged.batch) ? { batch: merged.batch } : {}),
  };
}

/** What is known of an upload that was refused before it was read as a batch. */
export interface RefusedSource {
  readonly bytes: number;
  /** Empty when the upload was not read (over the size limit). */
  readonly sha256: string;
}

/**
 * The report of an upload refused as a whole before it was read as CSV (UNSUPPORTED_FILE): the
 * pipeline writes the same one from its manifest, so `check` and the pipeline agree file for file.
 */
export function refusedReport(
  options: Pick<ScrubOptions, 'batchId' | 'sourceName' | 'asOf' | 'books' | 'now'>,
  source: RefusedSource,
  error: BatchError,
): ScrubResult {
  const books = options.books ?? BUILT_IN_BOOKS;
  const context: SummaryContext = {
    batchId: options.batchId,
    asOf: options.asOf,
    source: { name: options.sourceName, bytes: source.bytes, sha256: source.sha256, encoding: 'utf-8' },
    unknownColumns: [],
    generatedAt: (options.now ?? (() => new Date()))(),
    packs: books.packs,
    defaultPack: books.defaultPack,
  };
  const { summary, files } = assembleReport(context, { rejection: error });
  return { summary, report: files, files: filesAsText(files) };
}

/**
 * Reads, checks and merges. The merge tables live only in this call, so they are garbage before
 * the report is rendered (a big batch would otherwise hold both at once).
 */
async function checkAndMerge(
  source: AsyncIterable<Uint8Array> | Iterable<Uint8Array>,
  options: ScrubOptions,
  ports: ScrubPorts,
): Promise<
  | { intake: IntakeResult; batch: MergedBatch | ReportBatch }
  | { intake: IntakeResult; rejection: BatchRejection }
> {
  const checker = ports.checker ?? inProcessChecker;
  const asOfDay = asOfDayOf(options.asOf);
  const books = options.books ?? BUILT_IN_BOOKS;
  const accumulatorOptions = {
    linesInOrder: true,
    books,
    ...(ports.sessions ? { sessions: ports.sessions } : {}),
  };
  const checkOptions: CheckOptions = { asOfDay, books };
  const { spill } = ports;
  const partitioned = spill ? new PartitionedAccumulator(spill, accumulatorOptions) : undefined;
  const accumulator = partitioned ?? new BatchAccumulator(accumulatorOptions);
  // Chunks are checked in parallel but merged in chunk order, so lines reach the merge ascending.
  const inFlight: Promise<ChunkPartial | CutPartial>[] = [];
  let merged = 0;
  const mergeOldest = async () => {
    const result = await inFlight.shift()!;
    if (isCut(result)) partitioned!.addCut(result);
    else accumulator.add(result);
    const partial = isCut(result) ? result.root : result;
    merged += partial.checked + partial.rejected.length;
    options.onProgress?.(merged);
  };

  let intake: IntakeResult;
  try {
    intake = await readBatch(
      source,
      async (chunk, layout) => {
        const started = checker.check(chunk, layout, checkOptions, partitioned?.cutInto);
        started.catch(() => undefined); // awaited in order below; avoid an unhandled rejection meanwhile
        inFlight.push(started);
        while (inFlight.length > checker.parallelism) await mergeOldest();
      },
      options,
    );
    while (inFlight.length > 0) await mergeOldest();
  } finally {
    await Promise.allSettled(inFlight);
  }
  await checker.release?.();
  if (intake.rejection) return { intake, rejection: intake.rejection };
  accumulator.addRejected(intake.rejected);
  const history = ports.history ?? NO_HISTORY;
  // A spilled batch's findings stay in the spill store until the report is written.
  const batch = partitioned ? await partitioned.finishReport(history) : await accumulator.finish(history);
  return { intake, batch };
}
