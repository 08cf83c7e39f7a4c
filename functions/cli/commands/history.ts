/**
 * `scrub62323 history import|export`: moves member history between a CSV file and the history store —
 * the embedded one of ./.scrub62323/ (what `pipeline` uses), an endpoint's table, or a deployed table.
 * A thin adapter: the file format is core/history-import.ts and history-csv.ts, the store
 * local/history.ts.
 */
import { stat } from 'node:fs/promises';
import { resolve } from 'node:path';
import { quietSdkNodeWarning } from '../../adapters/aws-config.js';
import { writeHistoryFile } from '../../adapters/file-history.js';
import { describeFsError } from '../../adapters/report-folder.js';
import { isScrubError } from '../../core/errors.js';
import { historyHeader, historyRowOf } from '../../core/history-csv.js';
import { formatCount } from '../../core/report/format.js';
import {
  type HistoryTarget,
  historyFailure,
  type ImportResult,
  LOCAL_HISTORY_TABLE,
  type OpenHistory,
  openHistory,
  readHistoryImport,
  recordImport,
} from '../../local/history.js';
import { stateFolderOf } from '../../local/state-folder.js';
import {
  AWS_TARGET_OPTIONS,
  checkEndpoint,
  checkProfile,
  checkRegion,
  commandFailure,
} from '../aws-options.js';
import { type CommandIo, EXIT, parseCommandArgs, UsageError } from '../io.js';
import { todayUtc } from './check.js';

export const HISTORY_HELP = `Usage: scrub62323 history import <file.csv> [options]
       scrub62323 history export [--out FILE] [options]

Moves member history (the earlier sessions FREQUENCY_EXCEEDED, REPEAT_TOO_SOON and
PRIOR_BATCH_DUPLICATE count) between a CSV file and the history store: to start with a year of
sessions from a practice-management system, to keep a copy, or to move it to a deployed table.

import  reads a CSV of member_id,date_of_service,procedure_code (the batch header aliases work) and,
        optionally, provider_npi,claim_id,line_no,claim_frequency,batch_id,line (what
        \`check --history FILE --record\` and \`history export\` write) and records its 62323, 64483
        and 64484 sessions. A row whose member id, date or code is empty or invalid is skipped and
        counted. A row without batch_id is filed under batch import-<file name>. Importing the same
        sessions again changes nothing.
export  writes every kept session as that CSV (member ids trimmed and upper-cased, dates YYYY-MM-DD)
        to --out FILE (readable by you only) or to standard output.

Where the history is (default: the embedded store in ./.scrub62323/, as \`scrub62323 pipeline\` keeps it):
  --endpoint URL       the DynamoDB of this endpoint (e.g. http://127.0.0.1:5000 for moto_server),
                       table ${LOCAL_HISTORY_TABLE} (created if missing), as \`pipeline --endpoint\` uses it
  --table NAME         a deployed history table, with the standard AWS credential chain (never created
                       or erased here); with --endpoint, that table at the endpoint
  --region REGION      the table's region (default: AWS_REGION, or the profile's)
  --profile NAME       with --table: a profile of your AWS config (e.g. one you sign in to with SSO)

Options:
  --out FILE           export: the file to write (default: standard output)
  --fresh-history      import: erase the embedded store's history (or the endpoint's table) first,
                       so it holds this file's sessions only
  -h, --help           this help

Exit codes: 0 done, 1 the history could not be read or written, 2 bad arguments or a bad file.
`;

export interface HistoryCommandDeps {
  /** The working directory whose .scrub62323/ holds the embedded store (default: process.cwd()). */
  readonly cwd?: string;
  readonly now?: () => Date;
}

type Values = ReturnType<typeof parse>['values'];

function parse(args: readonly string[]) {
  return parseCommandArgs({
    args: [...args],
    allowPositionals: true,
    options: {
      out: { type: 'string' },
      ...AWS_TARGET_OPTIONS,
      table: { type: 'string' },
      'fresh-history': { type: 'boolean' },
      help: { type: 'boolean', short: 'h' },
    },
  });
}

/** Where the history is, from --endpoint, --table, --region and --profile (checked). */
function targetOf(values: Values, cwd: string): HistoryTarget {
  const { table } = values;
  const endpoint = checkEndpoint(values.endpoint);
  const region = checkRegion(values.region);
  const profile = checkProfile(values.profile);
  if (table !== undefined && !/^[A-Za-z0-9_.-]{3,255}$/.test(table))
    throw new UsageError('--table takes a DynamoDB table name (3 to 255 letters, digits, _, - or .)');
  if (profile !== undefined && (table === undefined || endpoint !== undefined))
    throw new UsageError('--profile goes with --table (a deployed table)');
  if (endpoint !== undefined)
    return {
      kind: 'endpoint',
      endpoint,
      ...(table !== undefined ? { tableName: table } : {}),
      ...(region !== undefined ? { region } : {}),
    };
  if (table !== undefined)
    return {
      kind: 'table',
      tableName: table,
      ...(region !== undefined ? { region } : {}),
      ...(profile !== undefined ? { profile } : {}),
    };
  if (region !== undefined) throw new UsageError('--region goes with --table or --endpoint');
  return { kind: 'embedded', stateDir: stateFolderOf(cwd) };
}

interface Plan {
  readonly action: 'import' | 'export';
  readonly file?: string;
  readonly target: HistoryTarget;
  readonly fresh: boolean;
}

function planOf(args: readonly string[], cwd: string): Plan | 'help' {
  if (args.includes('--help') || args.includes('-h')) return 'help';
  const { values, positionals } = parse(args);
  const [action, ...files] = positionals;
  if (action !== 'import' && action !== 'export')
    throw new UsageError('history needs import or export (see scrub62323 history --help)');
  const target = targetOf(values, cwd);
  const fresh = values['fresh-history'] ?? false;
  if (action === 'import') {
    if (files.length !== 1)
      throw new UsageError('history import needs exactly one CSV file (see scrub62323 history --help)');
    if (values.out !== undefined) throw new UsageError('--out is for history export');
    if (fresh && target.kind === 'table')
      throw new UsageError('--fresh-history does not erase a deployed table (delete its items in AWS)');
    return { action, file: resolve(cwd, files[0]!), target, fresh };
  }
  if (files.length > 0)
    throw new UsageError('history export takes no file name; write to one with --out FILE');
  if (fresh) throw new UsageError('--fresh-history is for history import');
  return { action, ...(values.out !== undefined ? { file: resolve(cwd, values.out) } : {}), target, fresh };
}

async function requireFile(path: string): Promise<void> {
  const info = await stat(path).catch(() => undefined);
  if (!info) throw new UsageError(`cannot read ${path}: no such file`);
  if (!info.isFile()) throw new UsageError(`${path} is not a file`);
}

async function runImport(plan: Plan, io: CommandIo, deps: HistoryCommandDeps): Promise<number> {
  const file = plan.file!;
  await requireFile(file);
  // The file is read before the store is opened: a file that is no history CSV changes nothing.
  const imported = await readHistoryImport(file).catch((error: unknown) => {
    const reason = isScrubError(error) ? error.message : describeFsError(error);
    throw new UsageError(`cannot import ${file}: ${reason}`);
  });
  const history = await openHistory(plan.target, { fresh: plan.fresh });
  try {
    const result = await recordImport(history, imported, todayUtc(deps.now?.()));
    io.stderr(
      `history: ${formatCount(result.written)} session(s) imported into ${history.where}${notesOf(result)}\n`,
    );
    return EXIT.processed;
  } finally {
    await history.close();
  }
}

function notesOf(result: ImportResult): string {
  const notes = [
    ...(result.skippedRows > 0
      ? [`${formatCount(result.skippedRows)} row(s) ignored: missing or invalid values, or no CSV`]
      : []),
    ...(result.otherCodes > 0
      ? [`${formatCount(result.otherCodes)} row(s) of other procedure codes left out`]
      : []),
  ];
  return notes.length > 0 ? ` (${notes.join('; ')})` : '';
}

/** Every kept record, page by page; a failure of the store is put in one sentence. */
async function* recordsOf(history: OpenHistory) {
  try {
    yield* history.store.records();
  } catch (error) {
    throw historyFailure(error, history, 'cannot read');
  }
}

async function runExport(plan: Plan, io: CommandIo): Promise<number> {
  if (plan.file !== undefined) {
    const info = await stat(plan.file).catch(() => undefined);
    if (info && !info.isFile()) throw new UsageError(`--out ${plan.file} is not a file`);
  }
  const history = await openHistory(plan.target, { mustExist: true });
  try {
    let written = 0;
    if (plan.file === undefined) {
      // The header waits for the first page: a store that cannot be read prints no CSV at all.
      let header = `${historyHeader()}\n`;
      for await (const page of recordsOf(history)) {
        io.stdout(header + page.map((record) => `${historyRowOf(record)}\n`).join(''));
        header = '';
        written += page.length;
      }
    } else {
      written = (
        await writeHistoryFile(plan.file, recordsOf(history)).catch((error: unknown) => {
          if (isScrubError(error)) throw error;
          throw new UsageError(`cannot write ${plan.file}: ${describeFsError(error)}`);
        })
      ).written;
    }
    io.stderr(
      `history: ${formatCount(written)} session(s) exported from ${history.where}${plan.file ? ` to ${plan.file}` : ''}\n`,
    );
    return EXIT.processed;
  } finally {
    await history.close();
  }
}

export async function runHistoryCommand(
  args: readonly string[],
  io: CommandIo,
  deps: HistoryCommandDeps = {},
): Promise<number> {
  try {
    const plan = planOf(args, resolve(deps.cwd ?? process.cwd()));
    if (plan === 'help') {
      io.stdout(HISTORY_HELP);
      return EXIT.processed;
    }
    quietSdkNodeWarning();
    return plan.action === 'import' ? await runImport(plan, io, deps) : await runExport(plan, io);
  } catch (error) {
    return commandFailure(error, io, 'history', 1);
  }
}
