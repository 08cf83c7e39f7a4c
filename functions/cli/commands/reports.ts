/**
 * `scrub62323 reports list|status|get|url|open`: the reports of a deployed stage (bucket names from
 * its stack's outputs) or of an endpoint the pipeline ran on (the local runner's bucket names), without
 * knowing a bucket name. A thin adapter: S3 and CloudFormation are adapters/report-bucket.ts and
 * stack-outputs.ts, the tables cli/reports-text.ts, the folder adapters/report-folder.ts.
 */
import { join, resolve } from 'node:path';
import { CloudFormationClient } from '@aws-sdk/client-cloudformation';
import { S3Client } from '@aws-sdk/client-s3';
import { z } from 'zod';
import { type AwsTarget, awsClientSettings, quietSdkNodeWarning } from '../../adapters/aws-config.js';
import { awsErrorCode, awsFailureSentence } from '../../adapters/aws-failure.js';
import { listUploads, type ReportBucket, reportBucket } from '../../adapters/report-bucket.js';
import { type FileContent, writeReportFolder } from '../../adapters/report-folder.js';
import { stackOutputs } from '../../adapters/stack-outputs.js';
import { isScrubError, ScrubError } from '../../core/errors.js';
import { REPORT_FILES } from '../../core/report/files.js';
import type { Summary } from '../../core/report/summary.js';
import { asOfDayOf } from '../../core/scrub.js';
import { parseSummary } from '../../local/summary.js';
import { BATCH_ID_PATTERN, batchIdsOfStored } from '../../pipeline/batch-id.js';
import { check } from '../../pipeline/checked.js';
import { BUCKETS, METRICS, PREFIX } from '../../pipeline/topology.js';
import {
  AWS_TARGET_OPTIONS,
  checkEndpoint,
  checkProfile,
  checkRegion,
  commandFailure,
} from '../aws-options.js';
import { type CommandIo, EXIT, parseCommandArgs, UsageError } from '../io.js';
import { openWithDefaultApp } from '../open-file.js';
import {
  type BatchRow,
  batchJson,
  batchRowOf,
  batchTable,
  type UploadRow,
  uploadJson,
  uploadTable,
  waitingRow,
} from '../reports-text.js';
import { guardStop } from '../stop-guard.js';

const MAX_EXPIRES_SECONDS = 7 * 86_400;

export const REPORTS_HELP = `Usage: scrub62323 reports list [--since YYYY-MM-DD] [--status S] [--json] [where]
       scrub62323 reports status [--since YYYY-MM-DD] [--status S] [--json] [where]
       scrub62323 reports get <batchId> [--to DIR] [where]
       scrub62323 reports url <batchId> [--expires 1h] [where]
       scrub62323 reports open <batchId> [--to DIR] [where]

The reports of a deployed stage or of an endpoint the pipeline ran on, without bucket names.

list    every report: batch, status, as-of date, lines, error findings, dollars at risk
status  billing's view: each upload under ${PREFIX.incoming} (every version), its batch id and how that
        batch went, read from its summary.json; "waiting" while it has none yet
get     downloads a batch's report folder into DIR/<batchId>/ (readable by you only; it appears whole,
        and a second get of the same batch replaces it), and prints the folder
url     a presigned GET link for each file of the report (anyone holding one can read that file until
        it expires), one "<file>  <url>" a line
open    downloads like get, then opens report.html in the default browser (or prints its path)

Where the reports are (one of):
  --stack NAME         a deployed stage's stack, Scrub62323-<stage>: bucket names from its outputs, with
                       the standard AWS credential chain (--profile, --region); with --endpoint, that
                       stack at the endpoint
  --endpoint URL       an S3 endpoint the pipeline ran on (e.g. http://127.0.0.1:5000 for moto_server, as
                       \`scrub62323 pipeline --endpoint\` uses it): buckets ${BUCKETS.intake} and ${BUCKETS.reports}
  --region REGION      the stack's region (default: AWS_REGION, or the profile's)
  --profile NAME       a profile of your AWS config (e.g. one you sign in to with SSO)

Options:
  --since YYYY-MM-DD   list: batches dated (by their id, the upload's day, UTC) from that day on;
                       status: uploads stored from that day on
  --status S           only batches of that status: complete, rejected, incomplete (status: or waiting)
  --json               list, status: a JSON array instead of the table
  --to DIR             get, open: the parent folder (default ./reports)
  --expires DURATION   url: how long the links work, e.g. 30m, 12h, 7d (default 1h; at most 7d)
  -h, --help           this help

Exit codes: 0 done, 2 bad arguments, an unknown batch or stack, or AWS refused or could not be reached.
`;

const ACTIONS = ['list', 'status', 'get', 'url', 'open'] as const;
type Action = (typeof ACTIONS)[number];
const BATCH_ACTIONS: readonly Action[] = ['get', 'url', 'open'];
const STATUSES = [...METRICS.batchStatuses, 'waiting'] as const;

export interface ReportsCommandDeps {
  /** The working directory --to is relative to (default: process.cwd()). */
  readonly cwd?: string;
  readonly now?: () => Date;
  /** Opens report.html; true when a browser took it (default: xdg-open, open or start). */
  readonly openFile?: (path: string) => Promise<boolean>;
}

interface Plan {
  readonly action: Action;
  readonly batchId?: string;
  readonly target: AwsTarget;
  readonly stack?: string;
  readonly since?: string;
  readonly status?: BatchRow['status'];
  readonly json: boolean;
  readonly to: string;
  readonly expires: { readonly text: string; readonly seconds: number };
}

/** A reports failure: one sentence naming the stack, bucket or batch, never an AWS message. */
export class ReportsError extends ScrubError {
  constructor(message: string, options?: ErrorOptions) {
    super('REPORTS_UNAVAILABLE', message, options);
    this.name = 'ReportsError';
  }
}

function parse(args: readonly string[]) {
  return parseCommandArgs({
    args: [...args],
    allowPositionals: true,
    options: {
      ...AWS_TARGET_OPTIONS,
      stack: { type: 'string' },
      since: { type: 'string' },
      status: { type: 'string' },
      json: { type: 'boolean' },
      to: { type: 'string' },
      expires: { type: 'string' },
      help: { type: 'boolean', short: 'h' },
    },
  });
}

type Values = ReturnType<typeof parse>['values'];

/** `30m`, `12h`, `7d` (or seconds, `90s`), at most the 7 days S3 allows a presigned URL. */
function expiresOf(text: string): Plan['expires'] {
  const match = /^(\d{1,7})([smhd])$/.exec(text);
  if (!match) throw new UsageError(`--expires takes a duration such as 30m, 12h or 7d, not "${text}"`);
  const seconds = Number(match[1]) * { s: 1, m: 60, h: 3600, d: 86_400 }[match[2] as 's' | 'm' | 'h' | 'd'];
  if (seconds < 1) throw new UsageError('--expires must be at least 1s');
  if (seconds > MAX_EXPIRES_SECONDS)
    throw new UsageError(`--expires ${text} is longer than a presigned S3 link can last (at most 7d)`);
  return { text, seconds };
}

function sinceOf(since: string | undefined): string | undefined {
  if (since === undefined) return undefined;
  try {
    asOfDayOf(since);
  } catch {
    throw new UsageError(`--since "${since}" is not a real date in YYYY-MM-DD`);
  }
  return since;
}

/** Refuses an option given to an action it does not belong to. */
function onlyFor(values: Values, action: Action, option: keyof Values, actions: readonly Action[]): void {
  if (values[option] !== undefined && !actions.includes(action))
    throw new UsageError(`--${option} is for reports ${actions.join(' and reports ')}`);
}

function targetOf(values: Values): { target: AwsTarget; stack?: string } {
  const endpoint = checkEndpoint(values.endpoint);
  const region = checkRegion(values.region);
  const profile = checkProfile(values.profile);
  const { stack } = values;
  if (stack !== undefined && !/^[A-Za-z][A-Za-z0-9-]{0,127}$/.test(stack))
    throw new UsageError(`--stack "${stack}" is not a CloudFormation stack name (e.g. Scrub62323-prod)`);
  if (stack === undefined && endpoint === undefined)
    throw new UsageError(
      'give --stack Scrub62323-<stage> (a deployed stage) or --endpoint URL (where the pipeline ran)',
    );
  return {
    target: {
      ...(endpoint !== undefined ? { endpoint } : {}),
      ...(region !== undefined ? { region } : {}),
      ...(profile !== undefined ? { profile } : {}),
    },
    ...(stack !== undefined ? { stack } : {}),
  };
}

function planOf(args: readonly string[], cwd: string): Plan | 'help' {
  if (args.includes('--help') || args.includes('-h')) return 'help';
  const { values, positionals } = parse(args);
  const [action, ...rest] = positionals;
  if (!ACTIONS.includes(action as Action))
    throw new UsageError(`reports needs one of ${ACTIONS.join(', ')} (see scrub62323 reports --help)`);
  const act = action as Action;
  const batchId = checkBatchArguments(act, rest);
  onlyFor(values, act, 'since', ['list', 'status']);
  onlyFor(values, act, 'status', ['list', 'status']);
  onlyFor(values, act, 'json', ['list', 'status']);
  onlyFor(values, act, 'to', ['get', 'open']);
  onlyFor(values, act, 'expires', ['url']);
  const status = values.status;
  const statuses: readonly string[] = act === 'status' ? STATUSES : METRICS.batchStatuses;
  if (status !== undefined && !statuses.includes(status))
    throw new UsageError(`--status takes one of ${statuses.join(', ')}`);
  const since = sinceOf(values.since);
  return {
    action: act,
    ...(batchId !== undefined ? { batchId } : {}),
    ...targetOf(values),
    ...(since !== undefined ? { since } : {}),
    ...(status !== undefined ? { status: status as BatchRow['status'] } : {}),
    json: values.json ?? false,
    to: resolve(cwd, values.to ?? 'reports'),
    expires: expiresOf(values.expires ?? '1h'),
  };
}

/** The batch id of get, url and open (checked: it becomes a folder name), and nothing for list or status. */
function checkBatchArguments(action: Action, rest: readonly string[]): string | undefined {
  if (!BATCH_ACTIONS.includes(action)) {
    if (rest.length > 0) throw new UsageError(`reports ${action} takes no batch id`);
    return undefined;
  }
  if (rest.length !== 1) throw new UsageError(`reports ${action} needs one batch id (see reports list)`);
  const batchId = rest[0]!;
  if (!BATCH_ID_PATTERN.test(batchId))
    throw new UsageError(
      `"${batchId}" is not a batch id (they look like 2026-11-28-nightly-batch-3f9c2a1b7e; see reports list)`,
    );
  return batchId;
}

/** The stage's buckets, an S3 client, and how to name them in a sentence. */
interface Located {
  readonly s3: S3Client;
  readonly reports: ReportBucket;
  readonly intakeBucket: string;
  readonly where: string;
}

const bucketName = z
  .string()
  .regex(/^[a-z0-9][a-z0-9.-]{1,61}[a-z0-9]$/, { error: 'expected a bucket name' });
const StageOutputsSchema = z.looseObject({ ReportsBucketName: bucketName, IntakeBucketName: bucketName });

/** A summary.json that does not hold to its schema (another writer shares the bucket). */
class UnreadableSummaryError extends ReportsError {}

/** A failure of AWS while reading `where`, in one sentence (a ScrubError of ours is passed on as it is). */
function reportsFailure(error: unknown, where: string, doing = 'cannot read'): ScrubError {
  if (isScrubError(error)) return error;
  const say = (message: string) => new ReportsError(message, { cause: error });
  if (awsErrorCode(error) === 'NoSuchBucket') return say(`${where} does not exist`);
  return say(awsFailureSentence(error, where, doing));
}

async function guarded<T>(where: string, work: () => Promise<T>, doing?: string): Promise<T> {
  try {
    return await work();
  } catch (error) {
    throw reportsFailure(error, where, doing);
  }
}

async function bucketsOf(plan: Plan): Promise<{ reports: string; intake: string }> {
  if (plan.stack === undefined) return { reports: BUCKETS.reports, intake: BUCKETS.intake };
  const stack = plan.stack;
  const where = `the stack ${stack}${plan.target.region ? ` (${plan.target.region})` : ''}`;
  const client = new CloudFormationClient(awsClientSettings(plan.target));
  try {
    const outputs = await guarded(where, () => stackOutputs(client, stack));
    if (outputs === undefined)
      throw new ReportsError(`there is no ${where.slice(4)} (check --stack, --region and --profile)`);
    const checked = check(StageOutputsSchema, outputs);
    if (!checked.ok)
      throw new ReportsError(
        `${where} is not a scrub62323 stage stack (Scrub62323-<stage>): its outputs lack ${checked.problem.split(':')[0]}`,
      );
    return { reports: checked.value.ReportsBucketName, intake: checked.value.IntakeBucketName };
  } finally {
    client.destroy();
  }
}

async function locate(plan: Plan): Promise<Located> {
  const buckets = await bucketsOf(plan);
  const s3 = new S3Client({
    ...awsClientSettings(plan.target),
    ...(plan.target.endpoint !== undefined ? { forcePathStyle: true } : {}),
  });
  const at = plan.target.endpoint !== undefined ? ` at ${plan.target.endpoint}` : '';
  return {
    s3,
    reports: reportBucket(s3, buckets.reports),
    intakeBucket: buckets.intake,
    where: `the reports bucket ${buckets.reports}${at}`,
  };
}

/** Runs `work` on every item, a few at a time, keeping their order. */
async function mapFew<T, R>(items: readonly T[], work: (item: T) => Promise<R>): Promise<R[]> {
  const results: R[] = new Array(items.length);
  let next = 0;
  const worker = async () => {
    while (next < items.length) {
      const index = next++;
      results[index] = await work(items[index]!);
    }
  };
  await Promise.all(Array.from({ length: Math.min(8, items.length) }, worker));
  return results;
}

interface ReadSummary {
  readonly summary: Summary;
  /** summary.json as stored (written as it is by get). */
  readonly bytes: Uint8Array;
}

/** A batch's summary, checked against its schema; undefined when the batch has none (yet). */
async function readSummary(located: Located, batchId: string): Promise<ReadSummary | undefined> {
  const bytes = await guarded(located.where, () => located.reports.read(batchId, 'summary.json'));
  if (bytes === undefined) return undefined;
  const parsed = parseSummary(Buffer.from(bytes).toString('utf8'));
  if (!parsed.ok)
    throw new UnreadableSummaryError(
      `the summary.json of batch ${batchId} is not a scrub62323 summary (${parsed.problem})`,
    );
  return { summary: parsed.value, bytes };
}

async function requireSummary(located: Located, batchId: string): Promise<ReadSummary> {
  const found = await readSummary(located, batchId);
  if (!found) throw new ReportsError(`there is no report of batch ${batchId} in ${located.where}`);
  return found;
}

/** A summary that cannot be read is left out of a listing, with a warning, rather than ending it. */
async function rowOrWarning(located: Located, batchId: string, io: CommandIo): Promise<BatchRow | undefined> {
  try {
    const found = await readSummary(located, batchId);
    if (!found) return undefined;
    // A folder copied under another name: listed by its folder, the id get, url and open take.
    if (found.summary.batchId !== batchId) {
      io.stderr(
        `scrub62323: warning: the summary.json of ${batchId} names another batch (${found.summary.batchId}); listed under ${batchId}\n`,
      );
      return { ...batchRowOf(found.summary), batchId };
    }
    return batchRowOf(found.summary);
  } catch (error) {
    if (!(error instanceof UnreadableSummaryError)) throw error;
    io.stderr(`scrub62323: warning: ${error.message}; left out\n`);
    return undefined;
  }
}

async function runList(plan: Plan, located: Located, io: CommandIo): Promise<number> {
  const ids = await guarded(located.where, () =>
    located.reports.batchIds(plan.since ? { since: plan.since } : {}),
  );
  // A folder without summary.json is still being written: it is listed once it is whole.
  const rows = (await mapFew(ids, (id) => rowOrWarning(located, id, io))).filter(
    (row): row is BatchRow => row !== undefined && (plan.status === undefined || row.status === plan.status),
  );
  io.stdout(plan.json ? batchJson(rows) : batchTable(rows));
  if (!plan.json) io.stderr(`scrub62323: ${rows.length} report(s) in ${located.where}\n`);
  return EXIT.processed;
}

/** The row of an upload's batch: the first of its possible ids with a summary, or waiting under the likeliest. */
async function uploadRowOf(
  located: Located,
  upload: Parameters<typeof batchIdsOfStored>[0],
): Promise<UploadRow> {
  const ids = batchIdsOfStored(upload);
  for (const id of ids) {
    const found = await readSummary(located, id);
    if (found) return { key: upload.key, uploadedAt: upload.lastModified, batch: batchRowOf(found.summary) };
  }
  return { key: upload.key, uploadedAt: upload.lastModified, batch: waitingRow(ids[0]!) };
}

async function runStatus(plan: Plan, located: Located, io: CommandIo): Promise<number> {
  const intakeWhere = `the uploads in ${located.intakeBucket}`;
  const uploads = await guarded(intakeWhere, () =>
    listUploads(located.s3, located.intakeBucket, plan.since ? { since: plan.since } : {}),
  );
  const rows = (await mapFew(uploads, (upload) => uploadRowOf(located, upload))).filter(
    (row) => plan.status === undefined || row.batch.status === plan.status,
  );
  io.stdout(plan.json ? uploadJson(rows) : uploadTable(rows, PREFIX.incoming));
  if (!plan.json) io.stderr(`scrub62323: ${rows.length} upload(s) in ${located.intakeBucket}\n`);
  return EXIT.processed;
}

/** Downloads the report folder into plan.to/<batchId>/ and returns the folder. */
async function download(plan: Plan, located: Located, io: CommandIo): Promise<string> {
  const batchId = plan.batchId!;
  const { summary, bytes } = await requireSummary(located, batchId);
  const folder = join(plan.to, batchId);
  // summary.json as already read (REPORT_FILES writes it last); every other file as it arrives.
  const files: Record<string, FileContent> = {};
  for (const name of REPORT_FILES)
    files[name] = name === 'summary.json' ? bytes : () => located.reports.stream(batchId, name);
  const stop = guardStop();
  try {
    await guarded(located.where, () => writeReportFolder(folder, files, { onStop: stop.add }));
  } finally {
    stop.dispose();
  }
  io.stderr(
    `scrub62323: report of batch ${batchId} (${summary.status}, as of ${summary.asOf}) in ${folder}\n`,
  );
  return folder;
}

async function runGet(plan: Plan, located: Located, io: CommandIo): Promise<number> {
  io.stdout(`${await download(plan, located, io)}\n`);
  return EXIT.processed;
}

async function runOpen(
  plan: Plan,
  located: Located,
  io: CommandIo,
  deps: ReportsCommandDeps,
): Promise<number> {
  const page = join(await download(plan, located, io), 'report.html');
  const opened = await (deps.openFile ?? openWithDefaultApp)(page);
  if (!opened) io.stderr('scrub62323: no browser could be opened; open the report yourself:\n');
  io.stdout(`${page}\n`);
  return EXIT.processed;
}

/** A warning when temporary credentials end before the links would: the links stop working with them. */
async function credentialWarning(located: Located, until: Date): Promise<string | undefined> {
  const identity = await guarded(located.where, () => located.s3.config.credentials());
  if (identity.expiration !== undefined && identity.expiration.getTime() < until.getTime())
    return `your AWS credentials are temporary and expire at ${identity.expiration.toISOString()}: the links stop working then, before --expires`;
  if (identity.expiration === undefined && identity.sessionToken)
    return 'your AWS credentials are temporary (a session token): the links stop working when they expire, which may be before --expires';
  return undefined;
}

async function runUrl(
  plan: Plan,
  located: Located,
  io: CommandIo,
  deps: ReportsCommandDeps,
): Promise<number> {
  const batchId = plan.batchId!;
  await requireSummary(located, batchId);
  const until = new Date((deps.now?.() ?? new Date()).getTime() + plan.expires.seconds * 1000);
  const warning = await credentialWarning(located, until);
  if (warning) io.stderr(`scrub62323: warning: ${warning}\n`);
  const urls = await guarded(located.where, () =>
    Promise.all(REPORT_FILES.map((name) => located.reports.presign(batchId, name, plan.expires.seconds))),
  );
  const width = Math.max(...REPORT_FILES.map((name) => name.length));
  io.stdout(REPORT_FILES.map((name, index) => `${name.padEnd(width)}  ${urls[index]}\n`).join(''));
  io.stderr(
    `scrub62323: links to batch ${batchId} work until ${until.toISOString()} (${plan.expires.text})\n`,
  );
  return EXIT.processed;
}

const RUN: Record<
  Action,
  (plan: Plan, located: Located, io: CommandIo, deps: ReportsCommandDeps) => Promise<number>
> = { list: runList, status: runStatus, get: runGet, url: runUrl, open: runOpen };

export async function runReportsCommand(
  args: readonly string[],
  io: CommandIo,
  deps: ReportsCommandDeps = {},
): Promise<number> {
  let located: Located | undefined;
  try {
    const plan = planOf(args, resolve(deps.cwd ?? process.cwd()));
    if (plan === 'help') {
      io.stdout(REPORTS_HELP);
      return EXIT.processed;
    }
    quietSdkNodeWarning();
    located = await locate(plan);
    return await RUN[plan.action](plan, located, io, deps);
  } catch (error) {
    // Every failure is the user's to fix (a batch, a stack, credentials, access): exit 2, as for usage.
    return commandFailure(error, io, 'reports', EXIT.usage);
  } finally {
    located?.s3.destroy();
  }
}
