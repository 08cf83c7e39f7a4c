/** `scrub62323 check`: scrub a local batch in-process and write the report folder. */
import { createHash } from 'node:crypto';
import { createReadStream } from 'node:fs';
import { readFile, stat } from 'node:fs/promises';
import { availableParallelism } from 'node:os';
import { basename, join, resolve } from 'node:path';
import { appendHistoryFile, loadHistoryFile } from '../../adapters/file-history.js';
import {
  checkReportFolder,
  describeFsError,
  ReportFolderError,
  writeReportFolder,
} from '../../adapters/report-folder.js';
import { type FileSpill, openFileSpill, SpillFolderError } from '../../adapters/spill-files.js';
import { type HistorySource, NO_HISTORY, type SessionSink } from '../../core/engine/accumulator.js';
import { isScrubError } from '../../core/errors.js';
import { historyTextOf } from '../../core/history-csv.js';
import type { SessionRecordInput } from '../../core/history-port.js';
import { parseLimit } from '../../core/intake/reader.js';
import { measureUpload, unpackedBytesEstimate, uploadRefusalOf } from '../../core/intake/upload-file.js';
import { REPORT_FILES } from '../../core/report/files.js';
import { formatCount } from '../../core/report/format.js';
import type { BatchError, Summary } from '../../core/report/summary.js';
import type { RuleBooks } from '../../core/rules/books.js';
import type { PackChoice } from '../../core/rules/packs/load.js';
import { type ChunkChecker, refusedReport, scrubBatch } from '../../core/scrub.js';
import { type CommandIo, EXIT, parseCommandArgs, requireAsOf, UsageError } from '../io.js';
import { booksOfChoice, readPackChoice } from '../packs.js';
import { guardStop } from '../stop-guard.js';
import { summaryText } from '../summary-text.js';
import { startWorkerPool, type WorkerPool } from '../worker-pool.js';

export const CHECK_HELP = `Usage: scrub62323 check <batch.csv> [options]

Checks a claim batch (.csv or .csv.gz) against rule set 62323/v2 (and any rule packs) and writes
the report folder: findings.csv, findings.xlsx, summary.json, rejected.csv and report.html. A file
of another name (any letter case is fine: NIGHTLY.CSV), or an empty one, gets a rejected report
(UNSUPPORTED_FILE), as the pipeline gives it.

Options:
  --out DIR            report folder (default ./reports/<batch name>/)
  --as-of YYYY-MM-DD   the date the batch is judged on (default: today, UTC)
  --fail-on LEVEL      exit 1 when findings of LEVEL exist: error, or warning (warnings or errors)
  --rules FILE         a rule pack (JSON) for the payers it names; repeat for more packs
  --rules-default NAME the pack for lines whose payer no pack claims (default: built-in 62323/v2)
  --history FILE       earlier sessions (member_id,date_of_service,procedure_code, and optionally
                       provider_npi,claim_id,batch_id) for the frequency and history rules
  --record             with --history: append this batch's sessions to that file afterwards
                       (recording the same batch again adds nothing)
  --workers N          worker threads (default: one per core, up to 8, for files of 4 MB or more;
                       0 = this thread only)
  --max-records N      reject a batch of more than N records as BATCH_TOO_LARGE
                       (default 100000000, or MAX_RECORDS)
  --max-gzip-ratio R   reject a .gz that unpacks to more than R times its size as BATCH_TOO_LARGE
                       (default 50, or MAX_GZIP_RATIO)
  -h, --help           this help

Exit codes: 0 batch processed, 1 findings at the --fail-on level, 2 batch rejected or bad arguments.
`;

/** Files at least this big are checked on worker threads, their merge tables spilled to disk. */
const PARALLEL_FROM_BYTES = 4 * 1024 * 1024;
/** Bytes of batch per spill partition: about 250k lines, whose merge tables take ~12 MB. */
const BYTES_PER_PARTITION = 32 * 1024 * 1024;
/**
 * Batches up to this size (about 1.2M lines of the bench's mix) are one partition: their merge
 * tables (~60 MB at 1M lines) stay in memory and each chunk is merged as it comes, which made the
 * 1M-line bench batch about 18% faster on one core and on all (cutting, storing and re-reading the
 * pieces took that), for some 20–50 MB more at its peak. Bigger batches are cut, so memory stays flat.
 */
const ONE_PARTITION_BYTES = 160 * 1024 * 1024;
/**
 * Records per chunk here: a quarter of the pipeline's. A worker's heap holds one chunk's strings and
 * objects, and two workers' heaps are most of the memory left once the merge tables spill. 5,000
 * peaks 10-20 MB lower than 10,000 at 1M lines on all cores, at the same speed; 2,500 is no better.
 */
const CHUNK_RECORDS = 5000;

/** Spill partitions for a batch file of `bytes` (gzipped or not): enough that one fits in memory easily. */
export function spillPartitionsFor(bytes: number, gzipped: boolean): number {
  const unpacked = unpackedBytesEstimate(bytes, gzipped);
  if (unpacked <= ONE_PARTITION_BYTES) return 1;
  return Math.min(256, Math.max(2, Math.ceil(unpacked / BYTES_PER_PARTITION)));
}

export interface CheckDeps {
  /** The built worker script (dist/worker.js). */
  readonly workerUrl: URL;
  readonly now?: () => Date;
  /** Where big batches spill their merge tables (default: the system's temporary folder). */
  readonly tempFolder?: string;
  /** Where MAX_RECORDS and MAX_GZIP_RATIO are read (default: process.env); flags win over them. */
  readonly env?: Readonly<Record<string, string | undefined>>;
}

export const todayUtc = (now: Date = new Date()): string => now.toISOString().slice(0, 10);

/** The longest batch name: its folder's temporary sibling (`.<name>.tmp-<pid>-<random>`) must fit a file name. */
const NAME_MAX = 100;
const NAME_HASH_CHARS = 10;

/**
 * Batch name from a file name: `nightly.csv.gz` → `nightly`. A longer name keeps its start and ends
 * in a hash of the whole file name, so two long names that differ only at the end stay two batches.
 */
export function batchNameOf(file: string): string {
  const name =
    basename(file)
      .replace(/\.csv(\.gz)?$|\.gz$/i, '')
      .replace(/[^A-Za-z0-9._-]+/g, '_')
      .replace(/^\.+/, '') || 'batch';
  if (name.length <= NAME_MAX) return name;
  const hash = createHash('sha256').update(basename(file)).digest('hex').slice(0, NAME_HASH_CHARS);
  return `${name.slice(0, NAME_MAX - NAME_HASH_CHARS - 1)}-${hash}`;
}

export interface ReportWritten {
  readonly summary: Summary;
  readonly folder: string;
}

export function exitCodeFor(summary: Summary, failOn: 'error' | 'warning' | undefined): number {
  if (summary.status === 'rejected') return EXIT.rejected;
  const { error, warning } = summary.counts.findings;
  if (failOn === 'error' && error > 0) return EXIT.findings;
  if (failOn === 'warning' && error + warning > 0) return EXIT.findings;
  return EXIT.processed;
}

export async function runCheckCommand(
  args: readonly string[],
  io: CommandIo,
  deps: CheckDeps,
): Promise<number> {
  const options = parseCheckArgs(args, deps);
  if (options === 'help') {
    io.stdout(CHECK_HELP);
    return EXIT.processed;
  }
  const size = await batchFileSize(options.file);
  const workers = workerCount(size, options.workers);
  const packs = await readPackChoice(options.rules, options.rulesDefault);
  const books = booksOfChoice(packs);
  const name = batchNameOf(options.file);
  const historyBatchId = options.history === undefined ? name : await historyBatchIdOf(options, name);
  const history =
    options.history === undefined
      ? undefined
      : await loadHistory(options.history, historyBatchId, io, options.record);
  const folder = resolve(options.out ?? join('reports', name));
  const recordTo = options.record ? options.history : undefined;
  const run = { ...options, size, workers, name, historyBatchId, folder, history, recordTo, packs, books };
  // The same names and sizes the pipeline refuses (it also has an upload size limit; check streams any size).
  const refusal = uploadRefusalOf(basename(options.file), size);
  const summary = refusal
    ? await refuseToFolder(run, refusal.error, io, deps)
    : await scrubToFolder(run, io, deps);
  return exitCodeFor(summary, options.failOn);
}

interface CheckOptions {
  readonly file: string;
  readonly asOf: string;
  readonly failOn: 'error' | 'warning' | undefined;
  readonly out: string | undefined;
  readonly history: string | undefined;
  readonly record: boolean;
  readonly rules: readonly string[];
  readonly rulesDefault: string | undefined;
  /** The --workers value as given (checked once the file's size is known). */
  readonly workers: string | undefined;
  readonly limits: { readonly maxRecords?: number; readonly maxGzipRatio?: number };
}

/** The command line, checked: every problem is a UsageError naming the option. */
function parseCheckArgs(args: readonly string[], deps: CheckDeps): CheckOptions | 'help' {
  // Help wins over everything else on the line, even an unknown option.
  if (args.includes('--help') || args.includes('-h')) return 'help';
  const { values, positionals } = parseCommandArgs({
    args: [...args],
    allowPositionals: true,
    options: {
      out: { type: 'string' },
      'as-of': { type: 'string' },
      'fail-on': { type: 'string' },
      history: { type: 'string' },
      record: { type: 'boolean' },
      rules: { type: 'string', multiple: true },
      'rules-default': { type: 'string' },
      workers: { type: 'string' },
      'max-records': { type: 'string' },
      'max-gzip-ratio': { type: 'string' },
      help: { type: 'boolean', short: 'h' },
    },
  });
  if (values.help) return 'help';
  if (positionals.length !== 1)
    throw new UsageError('check needs exactly one batch file (see scrub62323 check --help)');
  const asOf = requireAsOf(values['as-of'] ?? todayUtc(deps.now?.()));
  const failOn = values['fail-on'];
  if (failOn !== undefined && failOn !== 'error' && failOn !== 'warning') {
    throw new UsageError(`--fail-on takes error or warning, not "${failOn}"`);
  }
  if (values.record && values.history === undefined)
    throw new UsageError('--record needs --history FILE (the file the sessions are appended to)');
  return {
    file: positionals[0]!,
    asOf,
    failOn,
    out: values.out,
    history: values.history,
    record: values.record ?? false,
    rules: values.rules ?? [],
    rulesDefault: values['rules-default'],
    workers: values.workers,
    limits: limitsOf(values, deps.env ?? process.env),
  };
}

/** The BATCH_TOO_LARGE limits: a flag wins over its environment variable; unset ones keep the reader's defaults. */
function limitsOf(
  values: { 'max-records'?: string; 'max-gzip-ratio'?: string },
  env: Readonly<Record<string, string | undefined>>,
): CheckOptions['limits'] {
  const limit = (flag: string, name: string, kind: 'records' | 'ratio', given: string | undefined) => {
    const fromEnv = env[name]?.trim() || undefined;
    const value = given ?? fromEnv;
    if (value === undefined) return undefined;
    const parsed = parseLimit(value, kind);
    if (typeof parsed === 'number') return parsed;
    throw new UsageError(`${given === undefined ? name : flag} ${parsed}`);
  };
  const maxRecords = limit('--max-records', 'MAX_RECORDS', 'records', values['max-records']);
  const maxGzipRatio = limit('--max-gzip-ratio', 'MAX_GZIP_RATIO', 'ratio', values['max-gzip-ratio']);
  return {
    ...(maxRecords !== undefined ? { maxRecords } : {}),
    ...(maxGzipRatio !== undefined ? { maxGzipRatio } : {}),
  };
}

/** The batch file's size in bytes; a missing file or a folder is a UsageError. */
function batchFileSize(file: string): Promise<number> {
  return stat(file).then(
    (info) => {
      if (!info.isFile()) throw new UsageError(`${file} is not a file`);
      return info.size;
    },
    () => {
      throw new UsageError(`cannot read ${file}: no such file`);
    },
  );
}

/** Worker threads: as --workers says, else one per core (up to 8) for big files, none for small ones. */
function workerCount(size: number, given: string | undefined): number {
  if (given === undefined) return size >= PARALLEL_FROM_BYTES ? Math.min(availableParallelism(), 8) : 0;
  const workers = Number(given);
  if (!Number.isInteger(workers) || workers < 0 || workers > 64) {
    throw new UsageError(`--workers takes a whole number from 0 to 64, not "${given}"`);
  }
  return workers;
}

/**
 * The batch's id in a history file: its name and a hash of its bytes. A file of the same name with
 * other claims (tomorrow's nightly.csv) is another batch whose sessions count and get recorded; the
 * same file checked again is the same batch, so it neither counts itself nor is recorded twice.
 */
async function historyBatchIdOf(options: CheckOptions, name: string): Promise<string> {
  const { file } = options;
  if (options.history !== undefined && (await sameFile(file, options.history))) {
    throw new UsageError(`--history ${options.history} is the batch file itself; give the history file`);
  }
  const { sha256 } = await measureUpload(createReadStream(file, { highWaterMark: 1 << 20 }));
  return `${name}-${sha256.slice(0, NAME_HASH_CHARS)}`;
}

async function sameFile(a: string, b: string): Promise<boolean> {
  const [first, second] = await Promise.all([stat(a), stat(b).catch(() => undefined)]);
  return second !== undefined && first.dev === second.dev && first.ino === second.ino;
}

async function loadHistory(
  file: string,
  batchId: string,
  io: CommandIo,
  recording: boolean,
): Promise<HistorySource> {
  try {
    // --record starts a history: a file that is missing or empty is one with no sessions yet.
    if (recording && (await isMissingOrEmpty(file))) {
      io.stderr(`history: ${file} has no sessions yet; this batch's sessions will start it\n`);
      return NO_HISTORY;
    }
    const loaded = await loadHistoryFile(file, batchId);
    if (loaded.skippedRows > 0)
      io.stderr(`history: ${loaded.skippedRows} row(s) ignored (missing or invalid values, or no CSV)\n`);
    return loaded.source;
  } catch (error) {
    // Our own errors say what is wrong in a sentence; a file-system error is put in words.
    const reason = isScrubError(error) ? error.message : describeFsError(error);
    throw new UsageError(`cannot use --history ${file}: ${reason}`);
  }
}

async function isMissingOrEmpty(file: string): Promise<boolean> {
  const info = await stat(file).catch((error: NodeJS.ErrnoException) => {
    if (error.code === 'ENOENT') return undefined;
    throw error;
  });
  if (info === undefined) return true;
  if (!info.isFile() || info.size > 1024) return false;
  return historyTextOf(await readFile(file)).text.trim() === '';
}

interface CheckRun {
  readonly file: string;
  readonly asOf: string;
  readonly size: number;
  readonly workers: number;
  readonly name: string;
  readonly folder: string;
  readonly history: HistorySource | undefined;
  /** The batch's id in the history: its name and a hash of its bytes (see historyBatchIdOf). */
  readonly historyBatchId: string;
  /** The history file this batch's sessions are appended to (--record). */
  readonly recordTo: string | undefined;
  readonly limits: CheckOptions['limits'];
  readonly packs: PackChoice;
  readonly books: RuleBooks;
}

/** Scrubs the batch, writes the report folder and prints the summary; cleans up whatever happens. */
async function scrubToFolder(run: CheckRun, io: CommandIo, deps: CheckDeps): Promise<Summary> {
  const { file, size, workers, history } = run;
  const recorded: SessionRecordInput[] = [];
  const sessions: SessionSink | undefined =
    run.recordTo === undefined
      ? undefined
      : { batchId: run.historyBatchId, add: (records) => void recorded.push(...records) };
  const progress = io.interactive && size >= PARALLEL_FROM_BYTES ? progressPrinter(io) : undefined;
  const spills = size >= PARALLEL_FROM_BYTES;
  let spill: FileSpill | undefined;
  let pool: WorkerPool | undefined;
  // The spill files and the report being written hold claim and member ids: a stopped run removes
  // them before it stops (the guard is in place before either exists).
  const stop = guardStop();
  const closeSpill = () => {
    if (spill && !spill.close())
      io.stderr(`scrub62323: could not remove ${spill.folder}; delete it, it holds claim data\n`);
  };
  try {
    // A report that could not be put in place fails now, not after the whole batch.
    checkReportFolder(run.folder, REPORT_FILES);
    if (spills) {
      spill = openFileSpill(spillPartitionsFor(size, /\.gz$/i.test(file)), deps.tempFolder);
      stop.add(closeSpill);
    }
    if (workers > 0)
      pool = startWorkerPool(deps.workerUrl, workers, {
        cutPartials: workers >= availableParallelism(),
        packs: run.packs,
      });
    const result = await scrubBatch(
      createReadStream(file, { highWaterMark: 1 << 20 }),
      {
        batchId: run.name,
        sourceName: basename(file),
        recordsPerChunk: CHUNK_RECORDS,
        ...run.limits,
        asOf: run.asOf,
        books: run.books,
        ...(deps.now ? { now: deps.now } : {}),
        ...(progress ? { onProgress: progress.update } : {}),
      },
      {
        ...(pool ? { checker: pool satisfies ChunkChecker } : {}),
        ...(history ? { history } : {}),
        ...(spill ? { spill } : {}),
        ...(sessions ? { sessions } : {}),
      },
    );
    progress?.done();
    await writeReportFolder(run.folder, result.report, { onStop: stop.add });
    if (run.recordTo !== undefined && result.summary.status !== 'rejected')
      await recordSessions(run.recordTo, recorded, io);
    io.stdout(summaryText(result.summary, run.folder));
    return result.summary;
  } catch (error) {
    // A temporary folder that cannot be made or fills up is the user's to fix: say how.
    if (error instanceof SpillFolderError)
      throw new UsageError(`${error.message}; set TMPDIR to a writable folder with room`);
    if (error instanceof ReportFolderError) throw new UsageError(error.message);
    throw error;
  } finally {
    // Cleanup never hides the error that got us here. The spill goes before the guard: a signal
    // after the guard is gone stops the process at once.
    closeSpill();
    stop.dispose();
    await pool?.close().catch(() => undefined);
  }
}

/** Writes the rejected report of a file that is no batch file (its bytes are only hashed). */
async function refuseToFolder(
  run: CheckRun,
  error: BatchError,
  io: CommandIo,
  deps: CheckDeps,
): Promise<Summary> {
  try {
    checkReportFolder(run.folder, REPORT_FILES);
    const source = await measureUpload(createReadStream(run.file, { highWaterMark: 1 << 20 }));
    const result = refusedReport(
      {
        batchId: run.name,
        sourceName: basename(run.file),
        asOf: run.asOf,
        books: run.books,
        ...(deps.now ? { now: deps.now } : {}),
      },
      source,
      error,
    );
    await writeReportFolder(run.folder, result.report);
    io.stdout(summaryText(result.summary, run.folder));
    return result.summary;
  } catch (error) {
    if (error instanceof ReportFolderError) throw new UsageError(error.message);
    throw error;
  }
}

async function recordSessions(
  file: string,
  records: readonly SessionRecordInput[],
  io: CommandIo,
): Promise<void> {
  try {
    const { appended } = await appendHistoryFile(file, records);
    io.stderr(`history: ${formatCount(appended)} session(s) recorded in ${file}\n`);
  } catch (error) {
    const reason = isScrubError(error) ? error.message : describeFsError(error);
    throw new UsageError(`the report is written, but recording in ${file} failed: ${reason}`);
  }
}

function progressPrinter(io: CommandIo): { update: (records: number) => void; done: () => void } {
  const started = Date.now();
  let last = 0;
  return {
    update(records) {
      const now = Date.now();
      if (now - last < 500) return;
      last = now;
      const rate = Math.round(records / Math.max(0.001, (now - started) / 1000));
      io.stderr(`\r${formatCount(records)} lines · ${formatCount(rate)} lines/s   `);
    },
    done() {
      if (last > 0) io.stderr('\n');
    },
  };
}
