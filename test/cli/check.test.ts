import { spawn } from 'node:child_process';
import { createHash } from 'node:crypto';
import { createReadStream, existsSync, writeFileSync } from 'node:fs';
import { mkdir, mkdtemp, readdir, readFile, stat, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { gzipSync } from 'node:zlib';
import { beforeAll, describe, expect, it } from 'vitest';
import {
  batchNameOf,
  type CheckDeps,
  runCheckCommand,
  spillPartitionsFor,
} from '../../functions/cli/commands/check.js';
import type { CommandIo } from '../../functions/cli/io.js';
import { main } from '../../functions/cli/main.js';
import { REPORT_FILES, TEXT_REPORT_FILES } from '../../functions/core/report/files.js';
import { scrubBatch } from '../../functions/core/scrub.js';

const WORKER_URL = pathToFileURL(join(process.cwd(), 'dist/worker.js'));
const HEADER =
  'claim_id,line_no,member_id,date_of_service,procedure_code,modifiers,dx_1,units,place_of_service,rendering_npi,charge,prior_auth';
const FIXED_NOW = () => new Date('2026-11-28T03:00:00Z');

function capture(): CommandIo & { out: string[]; err: string[] } {
  const out: string[] = [];
  const err: string[] = [];
  return { out, err, stdout: (text) => out.push(text), stderr: (text) => err.push(text) };
}

let dir: string;
beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'scrub62323-cli-'));
});

async function batchFile(name: string, rows: string[]): Promise<string> {
  const file = join(dir, name);
  await writeFile(file, `${HEADER}\n${rows.join('\n')}\n`);
  return file;
}

const CLEAN = 'C1,1,M1,2026-03-02,62323,,M54.16,1,11,1234567893,1250.00,PA1';
const WARNING_ONLY = 'C2,1,M2,2026-03-02,62323,,M54.16,1,11,1234567893,1250.00,';
const ERROR_LINE = 'C3,1,M3,2026-03-02,62323,50,M54.16,1,11,1234567893,1250.00,PA3';

describe('scrub62323 check', () => {
  it('writes the four report files and prints a summary', async () => {
    const file = await batchFile('nightly batch.csv', [CLEAN, ERROR_LINE]);
    const io = capture();
    const out = join(dir, 'out1');
    const code = await runCheckCommand([file, '--out', out, '--as-of', '2026-11-28'], io, {
      workerUrl: WORKER_URL,
      now: FIXED_NOW,
    });
    expect(code).toBe(0);
    const summary = JSON.parse(await readFile(join(out, 'summary.json'), 'utf8'));
    expect(summary).toMatchObject({ batchId: 'nightly_batch', status: 'complete', asOf: '2026-11-28' });
    expect(summary.counts).toMatchObject({ lines: 2, checked: 2, rejected: 0, flaggedLines: 1 });
    expect(await readFile(join(out, 'findings.csv'), 'utf8')).toContain('BILATERAL_MODIFIER');
    expect(await readFile(join(out, 'rejected.csv'), 'utf8')).toBe('line,end_line,reason,raw\n');
    expect(await readFile(join(out, 'report.html'), 'utf8')).toContain('<!doctype html>');
    expect(io.out.join('')).toMatch(/Lines 2: 2 checked, 0 rejected/);
  });

  it('exits 1 with --fail-on at or above the level found, 0 below it', async () => {
    const warnings = await batchFile('warnings.csv', [CLEAN, WARNING_ONLY]);
    const errors = await batchFile('errors.csv', [ERROR_LINE]);
    const run = (file: string, level: string) =>
      runCheckCommand(
        [file, '--out', join(dir, `o-${level}`), '--as-of', '2026-11-28', '--fail-on', level],
        capture(),
        {
          workerUrl: WORKER_URL,
        },
      );
    expect(await run(warnings, 'error')).toBe(0);
    expect(await run(warnings, 'warning')).toBe(1);
    expect(await run(errors, 'error')).toBe(1);
  });

  it('exits 2 with a one-line reason for a rejected batch', async () => {
    const file = join(dir, 'semicolons.csv');
    await writeFile(file, 'claim_id;line_no;member_id\nC1;1;M1\n');
    const io = capture();
    expect(await main(['check', file, '--out', join(dir, 'o-rej'), '--as-of', '2026-11-28'], io)).toBe(2);
    expect(io.out.join('')).toMatch(/REJECTED: The file is not comma-separated/);
    const summary = JSON.parse(await readFile(join(dir, 'o-rej', 'summary.json'), 'utf8'));
    expect(summary.status).toBe('rejected');
    expect(summary.error.code).toBe('NOT_COMMA_SEPARATED');
  });

  it.each([
    [['check'], /exactly one batch file/],
    [['check', 'missing.csv'], /cannot read missing.csv/],
    [['check', 'x.csv', '--as-of', '2026-02-30'], /not a real date/],
    [['check', 'x.csv', '--fail-on', 'info'], /--fail-on takes error or warning/],
    [['check', 'x.csv', '--bogus'], /Unknown option/],
    [['frobnicate'], /unknown command/],
  ])('rejects bad arguments %j with exit 2 and one sentence', async (args, message) => {
    const io = capture();
    expect(await main(args, io)).toBe(2);
    const text = io.err.join('');
    expect(text).toMatch(message);
    expect(text.trim().split('\n')).toHaveLength(1);
    expect(text).not.toMatch(/\bat .*\.(ts|js):\d+/);
  });

  it('explains a report folder it cannot write, and a history file it cannot read, in one sentence', async () => {
    const file = await batchFile('plain.csv', [CLEAN]);
    const blocker = join(dir, 'blocker.txt');
    await writeFile(blocker, 'x');
    const io = capture();
    expect(await main(['check', file, '--out', blocker, '--as-of', '2026-11-28'], io)).toBe(2);
    expect(io.err.join('')).toMatch(
      /^scrub62323: cannot write the report folder .* \(a file is in the way\)\n$/,
    );
    const missing = capture();
    expect(await main(['check', file, '--history', join(dir, 'nope.csv')], missing)).toBe(2);
    expect(missing.err.join('')).toMatch(
      /^scrub62323: cannot use --history .*nope\.csv: no such file or folder\n$/,
    );
  });

  it('reads the rows of a history file past a stray quote, and counts the bad ones in summary.json', async () => {
    const file = await batchFile('stray-history.csv', [CLEAN]);
    const history = join(dir, 'stray-history-prior.csv');
    await writeFile(
      history,
      [
        'member_id,date_of_service,procedure_code',
        'MZ,2026-01-10,"62323',
        'M1,2025-06-02,62323',
        'M1,2025-08-04,62323',
        ',2025-09-01,62323',
        'M1,2025-10-06,62323',
        'M1,2026-01-05,62323',
        '',
      ].join('\n'),
    );
    const io = capture();
    const out = join(dir, 'out-stray-history');
    const code = await runCheckCommand(
      [file, '--out', out, '--as-of', '2026-11-28', '--history', history],
      io,
      { workerUrl: WORKER_URL, now: FIXED_NOW },
    );
    expect(code).toBe(0);
    const summary = JSON.parse(await readFile(join(out, 'summary.json'), 'utf8'));
    expect(summary.history).toEqual({ ignoredRows: 2 });
    expect(await readFile(join(out, 'report.html'), 'utf8')).toContain(
      '2 rows of the member history could not be read and did not count towards the history rules.',
    );
    expect(summary.byRule.FREQUENCY_EXCEEDED).toMatchObject({ findings: 1 });
    expect(io.err.join('')).toMatch(/history: 2 row\(s\) ignored/);
    expect(io.err.join('')).not.toMatch(/MZ|M1/);
  });

  it('says history.ignoredRows is 0 without a history file', async () => {
    const file = await batchFile('no-history.csv', [CLEAN]);
    const out = join(dir, 'out-no-history');
    expect(
      await runCheckCommand([file, '--out', out, '--as-of', '2026-11-28'], capture(), {
        workerUrl: WORKER_URL,
        now: FIXED_NOW,
      }),
    ).toBe(0);
    expect(JSON.parse(await readFile(join(out, 'summary.json'), 'utf8')).history).toEqual({ ignoredRows: 0 });
  });

  it('starts a history file with --record when it is missing or empty, and the next night reads it', async () => {
    for (const start of ['missing', 'empty'] as const) {
      const history = join(dir, `new-history-${start}.csv`);
      if (start === 'empty') await writeFile(history, '');
      const io = capture();
      const monday = await batchFile(`monday-${start}.csv`, [CLEAN]);
      const args = ['--as-of', '2026-11-28', '--history', history, '--record'];
      expect(
        await runCheckCommand([monday, '--out', join(dir, `out-monday-${start}`), ...args], io, {
          workerUrl: WORKER_URL,
          now: FIXED_NOW,
        }),
      ).toBe(0);
      expect(io.err.join('')).toMatch(/has no sessions yet/);
      expect(io.err.join('')).toMatch(/history: 1 session\(s\) recorded in/);
      expect((await readFile(history, 'utf8')).split('\n')[0]).toBe(
        'member_id,date_of_service,procedure_code,provider_npi,claim_id,line_no,claim_frequency,batch_id,line',
      );
      // Tuesday bills the same session again on another claim: the history Monday started knows it.
      const tuesday = await batchFile(`tuesday-${start}.csv`, [CLEAN.replace('C1,1,', 'C9,1,')]);
      const out = join(dir, `out-tuesday-${start}`);
      expect(
        await runCheckCommand([tuesday, '--out', out, ...args], capture(), {
          workerUrl: WORKER_URL,
          now: FIXED_NOW,
        }),
      ).toBe(0);
      const summary = JSON.parse(await readFile(join(out, 'summary.json'), 'utf8'));
      expect(summary.byRule.PRIOR_BATCH_DUPLICATE).toMatchObject({ findings: 1 });
    }
  });

  it('keeps a history across nights of the same file name: each night is a batch of its own', async () => {
    const history = join(dir, 'nightly-history.csv');
    const nights = ['2026-01-05', '2026-03-05', '2026-05-05', '2026-07-05', '2026-10-01'];
    let last: Record<string, unknown> = {};
    for (const night of nights) {
      const folder = join(dir, `night-${night}`);
      await mkdir(folder, { recursive: true });
      const file = join(folder, 'nightly.csv');
      await writeFile(
        file,
        `${HEADER}\n${CLEAN.replace('C1,1,M1,2026-03-02,', `C${night},1,M1,${night},`)}\n`,
      );
      const io = capture();
      const args = ['--as-of', '2026-11-28', '--history', history, '--record'];
      const out = join(folder, 'report');
      expect(
        await runCheckCommand([file, '--out', out, ...args], io, { workerUrl: WORKER_URL, now: FIXED_NOW }),
      ).toBe(0);
      expect(io.err.join('')).toMatch(/history: 1 session\(s\) recorded/);
      last = JSON.parse(await readFile(join(out, 'summary.json'), 'utf8'));
      // The same file checked again is the same batch: it neither counts itself nor is recorded twice.
      const again = capture();
      expect(
        await runCheckCommand([file, '--out', out, ...args], again, {
          workerUrl: WORKER_URL,
          now: FIXED_NOW,
        }),
      ).toBe(0);
      expect(again.err.join('')).toMatch(/history: 0 session\(s\) recorded/);
      expect(JSON.parse(await readFile(join(out, 'summary.json'), 'utf8')).byRule).toEqual(
        (last as { byRule: unknown }).byRule,
      );
    }
    // Five sessions in 365 days: the fifth night is flagged.
    expect((last as { byRule: Record<string, unknown> }).byRule.FREQUENCY_EXCEEDED).toMatchObject({
      findings: 1,
    });
    expect((await stat(history)).mode & 0o777).toBe(0o600);
  });

  it('refuses the batch file itself as its history', async () => {
    const file = await batchFile('self-history.csv', [CLEAN]);
    const before = await readFile(file, 'utf8');
    const io = capture();
    expect(await main(['check', file, '--history', file, '--record'], io)).toBe(2);
    expect(io.err.join('')).toMatch(/is the batch file itself/);
    expect(await readFile(file, 'utf8')).toBe(before);
  });

  it('checks a batch whose file name is as long as a file name may be', async () => {
    const file = await batchFile(`${'n'.repeat(251)}.csv`, [CLEAN]);
    const io = capture();
    const previous = process.cwd();
    process.chdir(dir);
    try {
      expect(
        await runCheckCommand([file, '--as-of', '2026-11-28'], io, { workerUrl: WORKER_URL, now: FIXED_NOW }),
      ).toBe(0);
    } finally {
      process.chdir(previous);
    }
    const [folder] = (await readdir(join(dir, 'reports'))).filter((name) => name.startsWith('nnn'));
    expect(folder).toMatch(/^n{89}-[0-9a-f]{10}$/);
    const summary = JSON.parse(await readFile(join(dir, 'reports', folder!, 'summary.json'), 'utf8'));
    expect(summary.source.name).toBe(`${'n'.repeat(251)}.csv`);
  });

  it('refuses an option of one value given twice, in every command (the last would win without a word)', async () => {
    for (const args of [
      ['check', 'x.csv', '--rules-default', 'a', '--rules-default', 'b'],
      ['check', 'x.csv', '--out', 'a', '--out=b'],
      ['pipeline', 'x.csv', '--as-of', '2026-11-28', '--as-of', '2026-11-29'],
      ['history', 'export', '--out', 'a', '--out', 'b'],
      ['rules', '--as-of', '2026-11-28', '--as-of', '2026-11-29'],
      ['reports', 'list', '--status', 'complete', '--status', 'rejected'],
    ]) {
      const io = capture();
      expect(await main(args, io), args.join(' ')).toBe(2);
      expect(io.err.join(''), args.join(' ')).toMatch(
        /^scrub62323: --[a-z-]+ is given twice; give it once\n$/,
      );
    }
  });

  it('prints help even when another argument is wrong', async () => {
    const io = capture();
    expect(await main(['check', 'x.csv', '--bogus', '--help'], io)).toBe(0);
    expect(io.out.join('')).toMatch(/Usage: scrub62323 check/);
  });

  it('prints help for the command and the program', async () => {
    const io = capture();
    expect(await main(['check', '--help'], io)).toBe(0);
    expect(io.out.join('')).toMatch(/--fail-on/);
    const top = capture();
    expect(await main(['--help'], top)).toBe(0);
    expect(top.out.join('')).toMatch(/scrub62323 check/);
  });

  it('gives the same report on worker threads as in this thread', async () => {
    const rows: string[] = [];
    for (let index = 0; index < 3000; index += 1) {
      const member = `M${index % 700}`;
      const day = String(1 + (index % 27)).padStart(2, '0');
      const code = ['62323', '77003', '99213', 'J3301', '64483'][index % 5];
      rows.push(
        `C${Math.floor(index / 3)},${(index % 3) + 1},${member},2026-0${1 + (index % 9)}-${day},${code},,M54.16,1,11,1234567893,100.00,`,
      );
    }
    const file = await batchFile('many.csv', rows);
    const read = async (workers: string) => {
      const out = join(dir, `w${workers}`);
      await runCheckCommand([file, '--out', out, '--as-of', '2026-11-28', '--workers', workers], capture(), {
        workerUrl: WORKER_URL,
        now: FIXED_NOW,
      });
      return Promise.all(
        ['findings.csv', 'summary.json', 'rejected.csv'].map((name) => readFile(join(out, name), 'utf8')),
      );
    };
    const inThread = await read('0');
    expect(await read('2')).toEqual(inThread);
    expect(inThread[0]!.split('\n').length).toBeGreaterThan(100);
  });

  it('fails with one sentence, not a hang, when a worker thread dies', async () => {
    const rows = Array.from(
      { length: 50 },
      (_, index) => `C${index},1,M${index},2026-03-02,99213,,M54.16,1,11,1234567893,100.00,`,
    );
    const file = await batchFile('dies.csv', rows);
    const dying = join(dir, 'dying-worker.mjs');
    await writeFile(dying, 'process.exit(3);\n');
    const io = capture();
    await expect(
      runCheckCommand([file, '--out', join(dir, 'o-dies'), '--as-of', '2026-11-28', '--workers', '1'], io, {
        workerUrl: pathToFileURL(dying),
      }),
    ).rejects.toThrow(/worker thread stopped unexpectedly/);
  });

  it('spills a big batch’s merge to a private temporary folder, removes it, and reports as the merge in memory does', async () => {
    // Over 4 MB, so `check` spills; repeats of (claim, line_no) land far apart, and members recur.
    const rows: string[] = [];
    for (let index = 0; index < 60_000; index += 1) {
      const code = ['62323', '77003', '99213', 'J3301', '64483', '62323'][index % 6];
      const claim = `C${index % 29_000}`;
      rows.push(
        `${claim},${(index % 2) + 1},MEMBER-${Math.floor(index / 6) % 4001},2026-0${1 + (Math.floor(index / 6) % 9)}-${String(1 + (Math.floor(index / 6) % 27)).padStart(2, '0')},${code},,M54.16,1,11,1234567893,100.00,PA${index}`,
      );
    }
    const file = await batchFile('big.csv', rows);
    expect((await stat(file)).size).toBeGreaterThan(4 * 1024 * 1024);
    const tempFolder = await mkdtemp(join(dir, 'spill-'));
    const read = async (workers: string) => {
      const out = join(dir, `big-w${workers}`);
      const code = await runCheckCommand(
        [file, '--out', out, '--as-of', '2026-11-28', '--workers', workers],
        capture(),
        { workerUrl: WORKER_URL, now: FIXED_NOW, tempFolder },
      );
      expect(code).toBe(0);
      expect(await readdir(tempFolder), 'spill folder removed').toEqual([]);
      // findings.xlsx renders the same rows as findings.csv; reading tens of thousands of rows back
      // three times is left to the smaller identity tests.
      return Promise.all(TEXT_REPORT_FILES.map((name) => readFile(join(out, name), 'utf8')));
    };
    const inMemory = await scrubBatch(
      createReadStream(file),
      { batchId: 'big', sourceName: 'big.csv', asOf: '2026-11-28', now: FIXED_NOW },
      {},
    );
    const expected = TEXT_REPORT_FILES.map((name) => inMemory.files[name]);
    // Two workers cut partials themselves (on two cores); one leaves the cutting to the main thread.
    expect(await read('2')).toEqual(expected);
    expect(await read('1')).toEqual(expected);
    expect(expected[0]).toMatch(/DUPLICATE_LINE/);
    expect(expected[0]).toMatch(/IMAGING_BUNDLED/);
    // Each run also writes a findings.xlsx of tens of thousands of rows.
  }, 120_000);

  it('removes its spill folder when stopped with Ctrl-C, and stops as the signal says', async () => {
    const file = await batchFile(
      'interrupted.csv',
      Array.from({ length: 80_000 }, (_, index) => CLEAN.replace('C1,', `C${index},`)),
    );
    const tempFolder = await mkdtemp(join(dir, 'interrupt-'));
    const child = spawn(process.execPath, ['bin/scrub62323.js', 'check', file, '--out', join(dir, 'o-int')], {
      env: { ...process.env, TMPDIR: tempFolder },
      stdio: 'ignore',
    });
    const exited = new Promise<NodeJS.Signals | null>((resolve) =>
      child.on('exit', (_, signal) => resolve(signal)),
    );
    while ((await readdir(tempFolder)).length === 0) await new Promise((resolve) => setTimeout(resolve, 10));
    child.kill('SIGINT');
    expect(await exited).toBe('SIGINT');
    expect(await readdir(tempFolder)).toEqual([]);
  });

  it('says in one sentence how to fix a temporary folder it cannot use', async () => {
    const file = await batchFile(
      'big-no-temp.csv',
      Array.from({ length: 70_000 }, () => CLEAN),
    );
    const notAFolder = join(dir, 'not-a-folder');
    await writeFile(notAFolder, '');
    await expect(
      runCheckCommand([file, '--out', join(dir, 'o-no-temp'), '--workers', '0'], capture(), {
        workerUrl: WORKER_URL,
        tempFolder: notAFolder,
      }),
    ).rejects.toThrow(
      /^cannot use the temporary folder .*not-a-folder \(a file is in the way\); set TMPDIR to a writable folder with room$/,
    );
  });

  it('keeps a batch of up to 160 MB in one partition, and cuts a bigger one into partitions of about 32 MB, gzipped batches counted unpacked', () => {
    expect(spillPartitionsFor(5 * 1024 * 1024, false)).toBe(1);
    expect(spillPartitionsFor(136 * 1024 * 1024, false)).toBe(1);
    expect(spillPartitionsFor(160 * 1024 * 1024, false)).toBe(1);
    expect(spillPartitionsFor(160 * 1024 * 1024 + 1, false)).toBe(6);
    expect(spillPartitionsFor(256 * 1024 * 1024, false)).toBe(8);
    expect(spillPartitionsFor(136 * 1024 * 1024, true)).toBe(26);
    expect(spillPartitionsFor(1e13, false)).toBe(256);
  });

  it('names the batch after the file', () => {
    expect(batchNameOf('/x/nightly.csv.gz')).toBe('nightly');
    expect(batchNameOf('../../etc/pass wd.csv')).toBe('pass_wd');
    expect(batchNameOf('...csv')).toBe('batch');
    // A name too long for a report folder's temporary sibling keeps its start and a hash of the whole.
    const long = (end: string) => batchNameOf(`/x/${'n'.repeat(300)}${end}.csv`);
    expect(long('a')).toMatch(/^n{89}-[0-9a-f]{10}$/);
    expect(long('a')).not.toBe(long('b'));
  });

  describe('removes its spill folder on every error path', () => {
    /** Over 4 MB, so `check` spills. */
    const bigRows = () =>
      Array.from({ length: 70_000 }, (_, index) => CLEAN.replace('C1,1,M1,', `C${index},1,M${index},`));
    const spillRun = async (
      name: string,
      args: string[],
      deps: Partial<CheckDeps> = {},
      io: CommandIo = capture(),
    ) => {
      const tempFolder = await mkdtemp(join(dir, `spill-${name}-`));
      const outcome = await runCheckCommand([...args, '--as-of', '2026-11-28'], io, {
        workerUrl: WORKER_URL,
        tempFolder,
        ...deps,
      }).then(
        (code) => ({ code, error: undefined }),
        (error: Error) => ({ code: undefined, error }),
      );
      return { ...outcome, left: await readdir(tempFolder) };
    };

    it('a gzip cut short: a rejected report, exit 2', async () => {
      const whole = gzipSync(`${HEADER}\n${bigRows().join('\n')}\n`, { level: 0 });
      expect(whole.length).toBeGreaterThan(4 * 1024 * 1024);
      const file = join(dir, 'cut.csv.gz');
      await writeFile(file, whole.subarray(0, Math.floor(whole.length * 0.8)));
      const out = join(dir, 'o-cut');
      const run = await spillRun('cut', [file, '--out', out, '--workers', '1']);
      expect(run).toMatchObject({ code: 2, left: [] });
      expect(JSON.parse(await readFile(join(out, 'summary.json'), 'utf8')).status).toBe('rejected');
    });

    it('a chunk the checker fails on', async () => {
      const file = await batchFile('big-failing.csv', bigRows());
      const failing = join(dir, 'failing-worker.mjs');
      await writeFile(
        failing,
        "import { parentPort } from 'node:worker_threads';\nparentPort.on('message', (job) => parentPort.postMessage({ id: job.id, error: 'cannot check' }));\n",
      );
      const run = await spillRun('failing', [file, '--out', join(dir, 'o-failing'), '--workers', '1'], {
        workerUrl: pathToFileURL(failing),
      });
      expect(run.error?.message).toBe('cannot check');
      expect(run.left).toEqual([]);
    });

    it('a worker thread that dies', async () => {
      const file = await batchFile('big-dies.csv', bigRows());
      const dying = join(dir, 'dying-big-worker.mjs');
      await writeFile(dying, 'process.exit(3);\n');
      const run = await spillRun('dies', [file, '--out', join(dir, 'o-big-dies'), '--workers', '2'], {
        workerUrl: pathToFileURL(dying),
      });
      expect(run.error?.message).toMatch(/worker thread stopped unexpectedly/);
      expect(run.left).toEqual([]);
    });

    it('a report folder that cannot be written once the batch is checked', async () => {
      const file = await batchFile('big-blocked.csv', bigRows());
      const out = join(dir, 'o-blocked-late');
      const io = capture();
      // The first progress line comes once the run is under way: past the early check of --out.
      const interactive: CommandIo = {
        ...io,
        interactive: true,
        stderr: (text) => {
          if (!existsSync(out)) writeFileSync(out, 'in the way');
          io.stderr(text);
        },
      };
      const run = await spillRun('blocked', [file, '--out', out, '--workers', '0'], {}, interactive);
      expect(run.error?.message).toMatch(
        /^cannot write the report folder .*o-blocked-late \(a file is in the way\)$/,
      );
      expect(run.left).toEqual([]);
      expect(await readdir(dir)).not.toContainEqual(expect.stringMatching(/^\.o-blocked-late\./));
    });

    it('a report folder blocked from the start: refused before the batch is read', async () => {
      const file = await batchFile('big-blocked-early.csv', bigRows());
      const out = join(dir, 'o-blocked-early');
      await writeFile(out, 'in the way');
      const io = capture();
      const interactive: CommandIo = { ...io, interactive: true };
      const run = await spillRun('blocked-early', [file, '--out', out], {}, interactive);
      expect(run.error?.message).toMatch(/\(a file is in the way\)$/);
      expect(io.err, 'no progress: nothing was read').toEqual([]);
      expect(run.left).toEqual([]);
    });
  });
});

describe('scrub62323 check: which files are batches (the same names the pipeline takes)', () => {
  const run = async (name: string, body: Uint8Array | string) => {
    const file = join(dir, name);
    await writeFile(file, body);
    const io = capture();
    const out = join(dir, `names-${name}`);
    const code = await runCheckCommand([file, '--out', out, '--as-of', '2026-11-28'], io, {
      workerUrl: WORKER_URL,
      now: FIXED_NOW,
    });
    return { code, io, summary: JSON.parse(await readFile(join(out, 'summary.json'), 'utf8')), out };
  };
  const batch = `${HEADER}\n${CLEAN}\n`;

  it.each([
    ['NIGHTLY.CSV', batch, 'NIGHTLY'],
    ['x.CSV.GZ', gzipSync(batch), 'x'],
    ['Mixed.Csv.gz', gzipSync(batch), 'Mixed'],
  ])('checks %s: the name is matched in any letter case', async (name, body, batchId) => {
    const { code, summary } = await run(name, body);
    expect(code).toBe(0);
    expect(summary).toMatchObject({ batchId, status: 'complete', counts: { lines: 1, checked: 1 } });
  });

  it.each([
    ['notes.txt', batch],
    ['batch.csv.zip', 'PK\u0003\u0004'],
    ['batch.tsv', batch],
  ])(
    'refuses %s with a rejected report (UNSUPPORTED_FILE) and exit 2, its bytes only hashed',
    async (name, body) => {
      const { code, io, summary, out } = await run(name, body);
      expect(code).toBe(2);
      expect(io.out.join('')).toMatch(/REJECTED: The file is not a \.csv or \.csv\.gz file/);
      const bytes = Buffer.from(body);
      expect(summary).toMatchObject({
        status: 'rejected',
        error: { code: 'UNSUPPORTED_FILE' },
        source: { name, bytes: bytes.length, sha256: createHash('sha256').update(bytes).digest('hex') },
        counts: { lines: 0, checked: 0 },
      });
      expect((await readdir(out)).sort()).toEqual([...REPORT_FILES].sort());
    },
  );

  it('refuses an empty file (0 bytes) the same way', async () => {
    const { code, summary } = await run('empty.csv', '');
    expect(code).toBe(2);
    expect(summary).toMatchObject({
      status: 'rejected',
      error: { code: 'UNSUPPORTED_FILE', message: 'The file is empty (0 bytes); upload the batch again.' },
      source: { name: 'empty.csv', bytes: 0 },
    });
  });
});

describe('scrub62323 check: BATCH_TOO_LARGE limits', () => {
  const summaryOf = async (out: string) => JSON.parse(await readFile(join(out, 'summary.json'), 'utf8'));

  it('takes MAX_RECORDS from the environment, and --max-records over it', async () => {
    const file = await batchFile('limits.csv', [CLEAN, WARNING_ONLY, ERROR_LINE]);
    const deps = { workerUrl: WORKER_URL, now: FIXED_NOW, env: { MAX_RECORDS: '2' } };
    const limited = join(dir, 'limit-env');
    expect(await runCheckCommand([file, '--out', limited, '--as-of', '2026-11-28'], capture(), deps)).toBe(2);
    expect((await summaryOf(limited)).error.code).toBe('BATCH_TOO_LARGE');
    const raised = join(dir, 'limit-flag');
    const args = [file, '--out', raised, '--as-of', '2026-11-28', '--max-records', '3'];
    expect(await runCheckCommand(args, capture(), deps)).toBe(0);
    expect((await summaryOf(raised)).status).toBe('complete');
  });

  it('refuses a limit that is not a number of at least 1, naming the flag or the variable', async () => {
    const file = await batchFile('limits-bad.csv', [CLEAN]);
    const deps = { workerUrl: WORKER_URL, now: FIXED_NOW, env: { MAX_GZIP_RATIO: 'lots' } };
    await expect(runCheckCommand([file, '--max-records', '0'], capture(), deps)).rejects.toThrow(
      '--max-records must be a whole number of at least 1 (got "0")',
    );
    await expect(runCheckCommand([file], capture(), deps)).rejects.toThrow(
      'MAX_GZIP_RATIO must be a number of at least 1 (got "lots")',
    );
  });
});
