/**
 * `scrub62323 pipeline`: runs the serverless pipeline on this machine — the embedded S3/SQS/SNS
 * emulator and DynamoDB emulator (the member history, kept in ./.scrub62323/), or an endpoint you
 * name — and downloads the report. The emulators are imported only here, lazily, so `check` never
 * loads them.
 */
import { readFile, stat } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import { describeFsError } from '../../adapters/report-folder.js';
import { isScrubError } from '../../core/errors.js';
import { historyTextOf, readHistoryTable } from '../../core/history-csv.js';
import { stateFolderOf } from '../../local/state-folder.js';
import { MAX_CHUNK_LINES } from '../../pipeline/config.js';
import { emailView } from '../../pipeline/notice.js';
import { EXIT, parseCommandArgs, requireAsOf, UsageError } from '../io.js';
import { summaryText } from '../summary-text.js';

export const PIPELINE_HELP = `Usage: scrub62323 pipeline <batch.csv> [options]

Runs the serverless pipeline locally: uploads the batch (.csv or .csv.gz) to incoming/ in the intake
bucket, delivers the S3 event, and runs the split and validate functions on real SQS messages until
this upload's report is in the reports bucket (other runs may share the endpoint); then downloads it
and prints the summary (stdout) and the "report ready" notice as email subscribers get it (stderr).
The report is the same as \`scrub62323 check\` gives for the same file, as-of date and history; a
file of another name, or an empty one, gets a rejected report (UNSUPPORTED_FILE), as check gives it.

Member history: validate reads the earlier sessions of the batch's members from a DynamoDB table and
records this batch's sessions in it, as in AWS. The table is on an embedded DynamoDB emulator whose
data stays in ./.scrub62323/ (private, git-ignored), so the next run remembers this one; with
--endpoint it is that endpoint's table scrub62323-history.

Options:
  --out DIR            report folder (default ./reports/<batch id>/)
  --as-of YYYY-MM-DD   the date the batch is judged on, sent as the upload's x-amz-meta-as-of
                       (default: the upload's event date, UTC)
  --endpoint URL       use this S3/SQS/SNS/DynamoDB endpoint (e.g. http://127.0.0.1:5000 for
                       moto_server) instead of the embedded emulators
  --history FILE       earlier sessions (member_id,date_of_service,procedure_code, and optionally
                       provider_npi,claim_id,...), imported into the history first, as
                       \`scrub62323 history import\` does
  --fresh-history      erase the saved history (./.scrub62323/, or the endpoint's table) first:
                       this run starts it over
  --rules FILE         a rule pack (JSON), stored under packs/ in the work bucket first; repeatable
  --rules-default NAME upload the batch to incoming/NAME/, which makes pack NAME the batch's default
  --chunk-lines N      records per chunk (default 20000, as deployed)
  -h, --help           this help

Exit codes: 0 batch processed, 1 report incomplete or the pipeline failed, 2 batch rejected or bad arguments.
`;

export interface PipelineCommandIo {
  readonly stdout: (text: string) => void;
  readonly stderr: (text: string) => void;
}

export interface PipelineCommandDeps {
  /** The working directory: its .scrub62323/ keeps the history, its reports/ the reports (default: process.cwd()). */
  readonly cwd?: string;
  /** The built function thread (dist/function-thread.js): validate and merge run on every core. */
  readonly functionThreads?: URL;
}

/** Validate and merge on threads when the command was given the built thread script. */
const threadOptionsOf = (deps: PipelineCommandDeps): { functionThreads?: URL } =>
  deps.functionThreads ? { functionThreads: deps.functionThreads } : {};

async function requireFile(path: string, what: string): Promise<void> {
  const info = await stat(path).catch(() => undefined);
  if (!info) throw new UsageError(`cannot read ${path}: no such file`);
  if (!info.isFile()) throw new UsageError(`${what} ${path} is not a file`);
}

function chunkLinesOf(given: string | undefined): number | undefined {
  if (given === undefined) return undefined;
  const chunkLines = Number(given);
  if (!/^\d+$/.test(given) || chunkLines < 1 || chunkLines > MAX_CHUNK_LINES) {
    throw new UsageError(`--chunk-lines takes a whole number from 1 to ${MAX_CHUNK_LINES}, not "${given}"`);
  }
  return chunkLines;
}

/** A --history file is read before anything starts: one that is no history CSV is a bad argument. */
async function requireHistoryFile(path: string): Promise<void> {
  await requireFile(path, 'history file');
  try {
    readHistoryTable(historyTextOf(await readFile(path)).text);
  } catch (error) {
    const reason = isScrubError(error) ? error.message : describeFsError(error);
    throw new UsageError(`cannot use --history ${path}: ${reason}`);
  }
}

/** Checks --rules files exist and --rules-default is a pack name (it becomes a key folder); returns the name. */
async function packArguments(
  files: readonly string[],
  defaultPack: string | undefined,
): Promise<string | undefined> {
  for (const pack of files) await requireFile(pack, 'rule pack');
  if (defaultPack !== undefined && !/^[A-Za-z0-9._-]{1,64}$/.test(defaultPack)) {
    throw new UsageError('--rules-default takes a pack name (letters, digits, -, _ or ., at most 64)');
  }
  return defaultPack;
}

export async function runPipelineCommand(
  args: string[],
  io: PipelineCommandIo,
  deps: PipelineCommandDeps = {},
): Promise<number> {
  let parsed: ReturnType<typeof parse>;
  try {
    parsed = parse(args);
  } catch (error) {
    io.stderr(`scrub62323: ${(error as Error).message}\n`);
    return EXIT.usage;
  }
  const { values, positionals } = parsed;
  if (values.help) {
    io.stdout(PIPELINE_HELP);
    return EXIT.processed;
  }
  try {
    if (positionals.length !== 1)
      throw new UsageError('pipeline needs exactly one batch file (see scrub62323 pipeline --help)');
    const file = positionals[0]!;
    await requireFile(file, 'batch');
    const asOf = values['as-of'] === undefined ? undefined : requireAsOf(values['as-of']);
    const endpoint = values.endpoint;
    if (endpoint !== undefined && !/^https?:\/\/[^\s/]+/.test(endpoint)) {
      throw new UsageError(`--endpoint "${endpoint}" is not an http(s) URL`);
    }
    if (values.history !== undefined) await requireHistoryFile(values.history);
    const defaultPack = await packArguments(values.rules ?? [], values['rules-default']);
    const chunkLines = chunkLinesOf(values['chunk-lines']);
    const cwd = resolve(deps.cwd ?? process.cwd());

    // The SDK warns on every run that its 2027 releases will need Node 22; Node 20 is supported here.
    process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED ??= 'true';
    const { runPipeline } = await import('../../local/run.js');
    const { PipelineRunError } = await import('../../local/runner.js');
    try {
      const run = await runPipeline({
        file,
        ...(asOf !== undefined ? { asOf } : {}),
        ...(endpoint !== undefined ? { endpoint } : {}),
        ...(values.history !== undefined ? { history: [values.history] } : {}),
        ...(values.rules !== undefined ? { packs: values.rules } : {}),
        ...(defaultPack !== undefined ? { defaultPack } : {}),
        ...(chunkLines !== undefined ? { chunkLines } : {}),
        ...threadOptionsOf(deps),
        // With an endpoint the history is its table; the state folder is not used.
        historyStore: { stateDir: stateFolderOf(cwd), fresh: values['fresh-history'] ?? false },
        outDir: (batchId) => resolve(cwd, values.out ?? join('reports', batchId)),
        onNotice: (text) => io.stderr(`scrub62323: note: ${text}\n`),
      });
      io.stdout(summaryText(run.summary, run.folder!));
      // The notice is what subscribers were told, beside the result: stderr, with the other notes.
      if (run.notice) io.stderr(noticeText(emailView(run.notice)));
      if (run.summary.status === 'rejected') return EXIT.rejected;
      return run.summary.status === 'incomplete' ? 1 : EXIT.processed;
    } catch (error) {
      if (!(error instanceof PipelineRunError)) throw error;
      io.stderr(`scrub62323: ${error.message}\n`);
      return 1;
    }
  } catch (error) {
    if (!(error instanceof UsageError)) throw error;
    io.stderr(`scrub62323: ${error.message}\n`);
    return EXIT.usage;
  }
}

const noticeText = (email: string): string =>
  `\n--- the "report ready" notice, as email subscribers get it ---\n${email}---\n`;

function parse(args: string[]) {
  return parseCommandArgs({
    args,
    allowPositionals: true,
    options: {
      out: { type: 'string' },
      'as-of': { type: 'string' },
      endpoint: { type: 'string' },
      history: { type: 'string' },
      'fresh-history': { type: 'boolean' },
      rules: { type: 'string', multiple: true },
      'rules-default': { type: 'string' },
      'chunk-lines': { type: 'string' },
      help: { type: 'boolean', short: 'h' },
    },
  });
}
