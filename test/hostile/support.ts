/**
 * Black-box helpers for the hostile-input acceptance suite: they run the built CLI as a user would
 * (a child process of `node bin/scrub62323.js`), make batch files, and read the report folder back
 * from disk. Nothing here imports the product's own modules, so the suite keeps working while the
 * code behind the CLI is moved around.
 */
import { type ChildProcess, spawn, spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { once } from 'node:events';
import { createWriteStream, existsSync } from 'node:fs';
import { mkdir, mkdtemp, readdir, readFile, rm, stat, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { parse } from 'csv-parse/sync';
import { afterAll, afterEach } from 'vitest';

export const BIN = join(process.cwd(), 'bin/scrub62323.js');
export const AS_OF = '2026-11-28';

/** The slow 1M-line memory case also needs `SCRUB_HOSTILE_BIG=1`. */
export const HOSTILE_BIG = process.env.SCRUB_HOSTILE_BIG === '1';

export const COLUMNS = [
  'claim_id',
  'line_no',
  'member_id',
  'date_of_service',
  'procedure_code',
  'modifiers',
  'dx_1',
  'units',
  'place_of_service',
  'rendering_npi',
  'charge',
  'prior_auth',
] as const;
export type Column = (typeof COLUMNS)[number];
export const HEADER = COLUMNS.join(',');

/** A clean 62323 line (no finding), numbered `index`; `fields` replaces single cells verbatim. */
export function row(index: number, fields: Partial<Record<Column, string>> = {}): string {
  const base: Record<Column, string> = {
    claim_id: `C${index}`,
    line_no: '1',
    member_id: `M${index}`,
    date_of_service: '2026-03-02',
    procedure_code: '62323',
    modifiers: '',
    dx_1: 'M54.16',
    units: '1',
    place_of_service: '11',
    rendering_npi: '1234567893',
    charge: '1250.00',
    prior_auth: `PA${index}`,
  };
  return COLUMNS.map((column) => fields[column] ?? base[column]).join(',');
}

/** CSV text: the header, then the rows, LF-terminated. */
export const csv = (rows: readonly string[], header = HEADER): string => `${header}\n${rows.join('\n')}\n`;

export const sha256 = (data: string | Uint8Array): string => createHash('sha256').update(data).digest('hex');

// ---------------------------------------------------------------------------------------------------
// Scratch folders

const scratchRoots: string[] = [];
/** Children still running when a test ends (it timed out, or failed early) are killed, not left to spin. */
const liveChildren = new Set<ChildProcess>();
afterEach(() => {
  for (const child of liveChildren) killGroup(child, 'SIGKILL');
  liveChildren.clear();
});

/**
 * Each child runs in its own process group, so that a wrapper (/usr/bin/time, /bin/sh) and the node
 * process under it are stopped together.
 */
export function killGroup(child: ChildProcess, signal: NodeJS.Signals): void {
  if (child.pid === undefined || child.exitCode !== null || child.signalCode !== null) return;
  try {
    process.kill(-child.pid, signal);
  } catch {
    child.kill(signal);
  }
}
afterAll(async () => {
  if (process.env.SCRUB_HOSTILE_KEEP === '1') return;
  await Promise.all(scratchRoots.map((root) => rm(root, { recursive: true, force: true })));
});

export interface Scratch {
  /** Root of this test's scratch space. */
  readonly root: string;
  /** A fresh, empty folder given to the child as TMPDIR (spill folders must not outlive the run). */
  readonly tmp: string;
  /** Writes an input file under root/in and returns its path. */
  file(name: string, data: string | Uint8Array): Promise<string>;
  /** A path for a report folder (not created) under root/out. */
  out(name: string): string;
}

export async function scratch(label: string): Promise<Scratch> {
  const root = await mkdtemp(join(tmpdir(), `hostile-${label}-`));
  scratchRoots.push(root);
  const tmp = join(root, 'tmp');
  await mkdir(tmp);
  await mkdir(join(root, 'in'));
  await mkdir(join(root, 'out'));
  return {
    root,
    tmp,
    async file(name, data) {
      const path = join(root, 'in', name);
      await writeFile(path, data);
      return path;
    },
    out: (name) => join(root, 'out', name),
  };
}

/** Writes a big CSV as a stream (the test process stays small): header, then `count` rows. */
export async function writeRows(
  path: string,
  count: number,
  rowOf: (index: number) => string,
  header = HEADER,
): Promise<void> {
  const stream = createWriteStream(path);
  stream.write(`${header}\n`);
  let block: string[] = [];
  for (let index = 0; index < count; index += 1) {
    block.push(rowOf(index));
    if (block.length === 10_000) {
      if (!stream.write(`${block.join('\n')}\n`)) await once(stream, 'drain');
      block = [];
    }
  }
  if (block.length > 0) stream.write(`${block.join('\n')}\n`);
  stream.end();
  await once(stream, 'finish');
}

/** Folders a run left in a TMPDIR that look like the product's spill folders. */
export async function spillLeftovers(tmp: string): Promise<string[]> {
  return (await readdir(tmp)).filter((name) => name.startsWith('scrub62323-'));
}

// ---------------------------------------------------------------------------------------------------
// Running the CLI

export interface CliOptions {
  /** Extra environment (merged over a copy of this process's, without the limit settings). */
  readonly env?: Record<string, string>;
  /** TMPDIR for the child; give each test a fresh one. */
  readonly tmp?: string;
  readonly cwd?: string;
  /**
   * The child is killed (SIGKILL) after this long and the result says `timedOut` (default 25 s, under
   * vitest's 30 s test timeout; tests that allow longer raise both).
   */
  readonly timeoutMs?: number;
  /** Run under this umask (through /bin/sh). */
  readonly umask?: string;
  /** Measure the child's peak RSS with /usr/bin/time -v (when present). */
  readonly measure?: boolean;
}

export interface CliResult {
  readonly code: number | null;
  readonly signal: NodeJS.Signals | null;
  readonly stdout: string;
  readonly stderr: string;
  readonly timedOut: boolean;
  /** Peak resident set size in MB, when measured. */
  readonly peakRssMb?: number;
}

export interface RunningCli {
  readonly child: ChildProcess;
  readonly done: Promise<CliResult>;
  /** Resolves once stdout or stderr has printed anything. */
  readonly spoke: Promise<void>;
}

export const HAS_GNU_TIME =
  existsSync('/usr/bin/time') && spawnSync('/usr/bin/time', ['-v', 'true'], { stdio: 'ignore' }).status === 0;

function childEnv(options: CliOptions): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = { ...process.env };
  for (const key of ['MAX_RECORDS', 'MAX_GZIP_RATIO', 'NODE_OPTIONS', 'VITEST', 'VITEST_WORKER_ID'])
    delete env[key];
  if (options.tmp !== undefined) env.TMPDIR = options.tmp;
  return { ...env, ...options.env };
}

export function startCli(args: readonly string[], options: CliOptions = {}): RunningCli {
  let command = process.execPath;
  let argv = [BIN, ...args];
  const measuring = options.measure === true && HAS_GNU_TIME;
  if (measuring) {
    argv = ['-v', command, ...argv];
    command = '/usr/bin/time';
  }
  if (options.umask !== undefined) {
    argv = ['-c', `umask ${options.umask} && exec "$0" "$@"`, command, ...argv];
    command = '/bin/sh';
  }
  const child = spawn(command, argv, {
    cwd: options.cwd ?? process.cwd(),
    env: childEnv(options),
    stdio: ['ignore', 'pipe', 'pipe'],
    detached: true,
  });
  let stdout = '';
  let stderr = '';
  let timedOut = false;
  let spokeResolve: () => void = () => {};
  const spoke = new Promise<void>((resolve) => {
    spokeResolve = resolve;
  });
  child.stdout!.setEncoding('utf8').on('data', (text: string) => {
    stdout += text;
    spokeResolve();
  });
  child.stderr!.setEncoding('utf8').on('data', (text: string) => {
    stderr += text;
    spokeResolve();
  });
  const timer = setTimeout(() => {
    timedOut = true;
    killGroup(child, 'SIGKILL');
  }, options.timeoutMs ?? 25_000);
  liveChildren.add(child);
  const done = new Promise<CliResult>((resolve) => {
    child.on('close', (code, signal) => {
      clearTimeout(timer);
      liveChildren.delete(child);
      let peakRssMb: number | undefined;
      if (measuring) {
        const match = /Maximum resident set size \(kbytes\): (\d+)/.exec(stderr);
        if (match) peakRssMb = Number(match[1]) / 1024;
        // /usr/bin/time reports a signal as "Command terminated by signal N" and exits 128+N.
        stderr = stderr.replace(/\n?\tCommand being timed:[\s\S]*$/, '');
      }
      resolve({ code, signal, stdout, stderr, timedOut, ...(peakRssMb === undefined ? {} : { peakRssMb }) });
    });
  });
  return { child, done, spoke };
}

export const runCli = (args: readonly string[], options: CliOptions = {}): Promise<CliResult> =>
  startCli(args, options).done;

/** `check <file> --out <out> --as-of AS_OF …extra`. */
export const check = (file: string, out: string, extra: readonly string[] = [], options: CliOptions = {}) =>
  runCli(['check', file, '--out', out, '--as-of', AS_OF, ...extra], options);

/**
 * `pipeline <file> --out <out> --as-of AS_OF …extra` (the embedded emulator unless --endpoint), run
 * beside its report folder so its state folder (the member history) is the test's own.
 */
export const pipeline = (
  file: string,
  out: string,
  extra: readonly string[] = [],
  options: CliOptions = {},
) => runCli(['pipeline', file, '--out', out, '--as-of', AS_OF, ...extra], { cwd: dirname(out), ...options });

/** One line for assertion messages: how the child ended and what it said. */
export const describeRun = (result: CliResult): string =>
  `exit ${result.code} signal ${result.signal}${result.timedOut ? ' (timed out, killed)' : ''}; ` +
  `stderr: ${result.stderr.trim().slice(0, 400)}; stdout: ${result.stdout.trim().slice(0, 400)}`;

// ---------------------------------------------------------------------------------------------------
// Reading a report folder

export interface Summary {
  status: 'complete' | 'rejected' | 'incomplete';
  error?: { code: string; message: string };
  source: { name: string; bytes: number; sha256: string; encoding?: string };
  counts: {
    lines: number;
    checked: number;
    rejected: number;
    flaggedLines: number;
    findings: { error: number; warning: number; info: number };
    [key: string]: unknown;
  };
  [key: string]: unknown;
}

export type CsvRow = Record<string, string>;

export interface Report {
  readonly summaryText: string;
  readonly summary: Summary;
  readonly findingsText: string;
  readonly findings: CsvRow[];
  readonly rejected: CsvRow[];
  readonly html: string;
}

export const parseCsv = (text: string): CsvRow[] =>
  parse(text, { columns: true, bom: true, skip_empty_lines: true, relax_column_count: false }) as CsvRow[];

export async function readReport(out: string): Promise<Report> {
  const read = (name: string) => readFile(join(out, name), 'utf8');
  const [summaryText, findingsText, rejectedText, html] = await Promise.all([
    read('summary.json'),
    read('findings.csv'),
    read('rejected.csv'),
    read('report.html'),
  ]);
  return {
    summaryText,
    summary: JSON.parse(summaryText) as Summary,
    findingsText,
    findings: parseCsv(findingsText),
    rejected: parseCsv(rejectedText),
    html,
  };
}

/** The summary only (for rejected batches, where the other files may be empty). */
export async function readSummary(out: string): Promise<Summary> {
  return JSON.parse(await readFile(join(out, 'summary.json'), 'utf8')) as Summary;
}

/** The accounting every report must satisfy, from the files alone. */
export function accountingProblems(report: Report): string[] {
  const problems: string[] = [];
  const { counts } = report.summary;
  if (counts.lines !== counts.checked + counts.rejected)
    problems.push(`lines ${counts.lines} != checked ${counts.checked} + rejected ${counts.rejected}`);
  if (report.rejected.length !== counts.rejected)
    problems.push(`rejected.csv has ${report.rejected.length} rows, counts.rejected ${counts.rejected}`);
  const findingLines = new Set(report.findings.map((finding) => Number(finding.line)));
  if (findingLines.size !== counts.flaggedLines)
    problems.push(`${findingLines.size} distinct finding lines, counts.flaggedLines ${counts.flaggedLines}`);
  const total = counts.findings.error + counts.findings.warning + counts.findings.info;
  if (report.findings.length !== total)
    problems.push(`findings.csv has ${report.findings.length} rows, counts.findings total ${total}`);
  const rejectedLines = new Set<number>();
  for (const rejected of report.rejected) {
    const first = Number(rejected.line);
    const last = Number(rejected.end_line);
    if (!(first <= last)) problems.push(`rejected line ${rejected.line} ends at ${rejected.end_line}`);
    for (let line = first; line <= last; line += 1) rejectedLines.add(line);
  }
  const both = [...findingLines].filter((line) => rejectedLines.has(line));
  if (both.length > 0) problems.push(`lines both checked and rejected: ${both.slice(0, 10).join(' ')}`);
  return problems;
}

/** Modes (permission bits) of a report folder and its files. */
export async function modesOf(out: string): Promise<Record<string, string>> {
  const modes: Record<string, string> = { '.': ((await stat(out)).mode & 0o777).toString(8) };
  for (const name of await readdir(out))
    modes[name] = ((await stat(join(out, name))).mode & 0o777).toString(8);
  return modes;
}

/** Every occurrence of the planted marker in `text`, with a little context, for messages. */
export function plantedIn(text: string, marker: string): string[] {
  const hits: string[] = [];
  let from = 0;
  for (;;) {
    const at = text.indexOf(marker, from);
    if (at < 0) return hits;
    hits.push(text.slice(Math.max(0, at - 40), at + 40));
    from = at + marker.length;
  }
}

export const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/** Waits until `probe` returns true (polling), or `ms` passes; returns whether it did. */
export async function waitFor(probe: () => Promise<boolean> | boolean, ms: number): Promise<boolean> {
  const until = Date.now() + ms;
  while (Date.now() < until) {
    if (await probe()) return true;
    await sleep(20);
  }
  return false;
}
