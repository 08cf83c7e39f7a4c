/**
 * `scrub62323 history import|export`: a CSV into the history store and back — the embedded store of
 * a working directory's .scrub62323/, an endpoint's table, and a "deployed" table reached through the
 * standard credential chain (here dynalite, named by AWS_ENDPOINT_URL_DYNAMODB).
 */

import { mkdtemp, readdir, readFile, rm, stat, writeFile } from 'node:fs/promises';
import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { CreateTableCommand, DynamoDBClient } from '@aws-sdk/client-dynamodb';
import dynalite from 'dynalite';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createHistoryTableInput } from '../../functions/adapters/dynamo-history.js';
import { runCheckCommand } from '../../functions/cli/commands/check.js';
import { HISTORY_HELP, runHistoryCommand } from '../../functions/cli/commands/history.js';
import { main } from '../../functions/cli/main.js';
import { historyHeader } from '../../functions/core/history-csv.js';
import { historyRecordsOf } from '../../functions/core/history-import.js';
import { parseSessionRecords } from '../../functions/core/history-port.js';
import { runPipeline } from '../../functions/local/run.js';
import { STATE_FOLDER } from '../../functions/local/state-folder.js';
import {
  FREQUENT_MEMBER,
  flaggedBy,
  HISTORY_AS_OF,
  nightlyBatch,
  writeNightlyBatches,
} from '../support/history-batches.js';
import { capture } from '../support/io.js';
import { hasMoto, motoForTests } from '../support/moto.js';

const NOW = () => new Date(`${HISTORY_AS_OF}T12:00:00Z`);

let folder: string;
beforeAll(async () => {
  folder = await mkdtemp(join(tmpdir(), 'scrub62323-history-cli-'));
});
afterAll(async () => {
  await rm(folder, { recursive: true, force: true });
});

const newCwd = () => mkdtemp(join(folder, 'cwd-'));

async function history(args: string[], cwd: string) {
  const io = capture();
  const code = await runHistoryCommand(args, io, { cwd, now: NOW });
  return { code, stdout: io.out(), stderr: io.err() };
}

/** The data rows of a history CSV, sorted: the export keeps the table's own order. */
const rowsOf = (csv: string): string[] => csv.trim().split('\n').slice(1).sort();

/** A practice-management export: header aliases, US dates, lower case, no batch or line, a bad row. */
const PRACTICE_EXPORT = [
  'Patient ID,DOS,CPT,NPI,Claim Number',
  'mbr-pm-01,01/12/2026,62323,1234567893,PM-1',
  'MBR-PM-01, 2026-03-09 ,64483,1234567893,PM-2',
  'MBR-PM-02,20260511,62323,,',
  'MBR-PM-02,2026-05-11,99213,1234567893,PM-3',
  'MBR-PM-03,not a date,62323,1234567893,PM-4',
].join('\n');

describe('scrub62323 history', () => {
  it('prints its help for history --help and for each action', async () => {
    for (const args of [['--help'], ['import', '--help'], ['export', '-h']]) {
      const { code, stdout } = await history(args, folder);
      expect(code).toBe(0);
      expect(stdout).toBe(HISTORY_HELP);
    }
    expect(HISTORY_HELP).toContain('Usage: scrub62323 history import <file.csv> [options]');
  });

  it.each([
    [[], 'history needs import or export (see scrub62323 history --help)'],
    [['forget'], 'history needs import or export'],
    [['import'], 'history import needs exactly one CSV file'],
    [['import', 'a.csv', 'b.csv'], 'history import needs exactly one CSV file'],
    [['import', 'no-such.csv'], 'no-such.csv: no such file'],
    [['export', 'out.csv'], 'history export takes no file name; write to one with --out FILE'],
    [['export', '--fresh-history'], '--fresh-history is for history import'],
    [['import', 'x.csv', '--out', 'y.csv'], '--out is for history export'],
    [['export', '--endpoint', 'localhost:4566'], '--endpoint "localhost:4566" is not an http(s) URL'],
    [['export', '--table', 'ab'], '--table takes a DynamoDB table name'],
    [['export', '--region', 'us-east-1'], '--region goes with --table or --endpoint'],
    [['export', '--table', 'history', '--region', 'nowhere'], '--region "nowhere" is not an AWS region name'],
    [['export', '--profile', 'billing'], '--profile goes with --table (a deployed table)'],
    [
      ['import', 'x.csv', '--table', 'history', '--fresh-history'],
      '--fresh-history does not erase a deployed table',
    ],
    [['export', '--bogus'], "Unknown option '--bogus'"],
  ])('refuses %j with exit code 2 and one sentence', async (args, message) => {
    const cwd = await newCwd();
    const { code, stderr } = await history(args, cwd);
    expect(code).toBe(2);
    expect(stderr).toContain(message);
    expect(stderr.trim().split('\n')).toHaveLength(1);
    expect(await readdir(cwd)).toEqual([]); // nothing was opened
  });

  it('is a command of the scrub62323 line', async () => {
    const io = capture();
    expect(await main(['history', '--help'], io)).toBe(0);
    expect(io.out()).toBe(HISTORY_HELP);
    expect(await main(['--help'], io)).toBe(0);
    expect(io.out()).toContain('scrub62323 history import <file.csv>');
  });

  it('round trip: CSV → embedded store → CSV gives the same records, and again the same CSV', async () => {
    const input = join(folder, 'practice.csv');
    await writeFile(input, PRACTICE_EXPORT);
    const cwd = await newCwd();
    const imported = await history(['import', input], cwd);
    expect(imported.code).toBe(0);
    expect(imported.stderr).toBe(
      `history: 3 session(s) imported into the history in ${join(cwd, STATE_FOLDER)} (1 row(s) ignored: missing or invalid values, or no CSV; 1 row(s) of other procedure codes left out)\n`,
    );
    const exported = await history(['export'], cwd);
    expect(exported.code).toBe(0);
    expect(exported.stdout.split('\n')[0]).toBe(historyHeader());
    expect(rowsOf(exported.stdout)).toEqual(
      [
        // Rows without batch_id are filed under the file's name, with a line from their content.
        expect.stringMatching(/^MBR-PM-01,2026-01-12,62323,1234567893,PM-1,,,import-practice,\d+$/),
        expect.stringMatching(/^MBR-PM-01,2026-03-09,64483,1234567893,PM-2,,,import-practice,\d+$/),
        expect.stringMatching(/^MBR-PM-02,2026-05-11,62323,,,,,import-practice,\d+$/),
      ].sort(),
    );
    // The same records the file holds.
    const records = (csv: string) =>
      parseSessionRecords(historyRecordsOf(csv, 'practice.csv').records).sort((a, b) => a.line - b.line);
    expect(records(exported.stdout)).toEqual(records(PRACTICE_EXPORT));

    // The export imported elsewhere exports the same again, to a private file.
    const copy = join(folder, 'copy.csv');
    await writeFile(copy, exported.stdout);
    const elsewhere = await newCwd();
    expect((await history(['import', copy], elsewhere)).code).toBe(0);
    const out = join(elsewhere, 'again.csv');
    const again = await history(['export', '--out', out], elsewhere);
    expect(again.stderr).toBe(
      `history: 3 session(s) exported from the history in ${join(elsewhere, STATE_FOLDER)} to ${out}\n`,
    );
    expect(rowsOf(await readFile(out, 'utf8'))).toEqual(rowsOf(exported.stdout));
    expect((await stat(out)).mode & 0o777).toBe(0o600);
    expect((await readdir(elsewhere)).sort()).toEqual([STATE_FOLDER, 'again.csv']);
  });

  it('importing the same sessions again, from a re-exported file with rows moved, adds nothing', async () => {
    const cwd = await newCwd();
    const input = join(folder, 'practice-1.csv');
    await writeFile(input, PRACTICE_EXPORT);
    await history(['import', input], cwd);
    const [header, ...rows] = PRACTICE_EXPORT.split('\n');
    await writeFile(
      input,
      [header, ...rows.reverse(), 'MBR-PM-04,2026-06-01,62323,1234567893,PM-5'].join('\n'),
    );
    await history(['import', input], cwd);
    expect(rowsOf((await history(['export'], cwd)).stdout)).toHaveLength(4);
  });

  it('imports what check --history FILE --record writes, record for record', async () => {
    const cwd = await newCwd();
    const batchFile = join(folder, 'nightly-1.csv');
    await writeFile(batchFile, nightlyBatch(0));
    const recorded = join(folder, 'recorded.csv');
    await writeFile(recorded, `${historyHeader()}\n`);
    const checked = await runCheckCommand(
      [
        batchFile,
        '--as-of',
        HISTORY_AS_OF,
        '--history',
        recorded,
        '--record',
        '--workers',
        '0',
        '--out',
        join(cwd, 'report'),
      ],
      capture(),
      { workerUrl: new URL('file:///unused'), now: NOW },
    );
    expect(checked).toBe(0);
    const written = await readFile(recorded, 'utf8');
    expect(rowsOf(written)).toHaveLength(3);
    expect((await history(['import', recorded], cwd)).stderr).toMatch(/^history: 3 session\(s\) imported/);
    // batch_id and line come through as --record wrote them.
    expect(rowsOf((await history(['export'], cwd)).stdout)).toEqual(rowsOf(written));
  });

  it('starts the store over with --fresh-history', async () => {
    const cwd = await newCwd();
    const first = join(folder, 'first.csv');
    const second = join(folder, 'second.csv');
    await writeFile(first, 'member_id,date_of_service,procedure_code\nMBR-A,2026-01-02,62323\n');
    await writeFile(second, 'member_id,date_of_service,procedure_code\nMBR-B,2026-02-03,62323\n');
    await history(['import', first], cwd);
    await history(['import', second, '--fresh-history'], cwd);
    expect(rowsOf((await history(['export'], cwd)).stdout)).toEqual([
      expect.stringMatching(/^MBR-B,2026-02-03,62323,/),
    ]);
  });

  it('says so, in one sentence naming no member, when a file is no history or there is none to export', async () => {
    const cwd = await newCwd();
    const notHistory = join(folder, 'claims.csv');
    await writeFile(notHistory, 'claim_id,member_id\nC1,MBR-SECRET-1\n');
    const refused = await history(['import', notHistory], cwd);
    expect(refused.code).toBe(2);
    expect(refused.stderr).toBe(
      `scrub62323: cannot import ${notHistory}: the history file needs columns member_id, date_of_service and procedure_code\n`,
    );
    expect(await readdir(cwd)).toEqual([]); // the file is read before the store is opened

    const none = await history(['export'], cwd);
    expect(none.code).toBe(1);
    expect(none.stderr).toBe(
      `scrub62323: there is no saved history in ${join(cwd, STATE_FOLDER)} (scrub62323 pipeline and history import keep it there)\n`,
    );

    const long = join(folder, 'long.csv');
    await writeFile(long, `member_id,date_of_service,procedure_code\n${'M'.repeat(600)},2026-01-02,62323\n`);
    const skipped = await history(['import', long], cwd);
    expect(skipped.code).toBe(0);
    expect(skipped.stderr).toContain('0 session(s) imported');
    expect(skipped.stderr).not.toContain('MMMM');
  });

  it('feeds the pipeline: a year imported first makes the first nightly run flag the fifth session', async () => {
    const cwd = await newCwd();
    const year = join(folder, 'year.csv');
    await writeFile(
      year,
      [
        'member_id,date_of_service,procedure_code',
        ...['2026-01-12', '2026-03-09', '2026-05-11', '2026-07-13'].map(
          (date) => `${FREQUENT_MEMBER},${date},62323`,
        ),
      ].join('\n'),
    );
    await history(['import', year], cwd);
    const [, , third] = await writeNightlyBatches(await newCwd());
    const run = await runPipeline({
      file: third!,
      asOf: HISTORY_AS_OF,
      logLevel: 'SILENT',
      now: NOW,
      timeoutMs: 60_000,
      historyStore: { stateDir: join(cwd, STATE_FOLDER) },
    });
    expect(flaggedBy(run.files['findings.csv'], 'FREQUENCY_EXCEEDED')).toEqual([2]);
    expect(run.files['findings.csv']).toContain('(batch import-year)');
  });
});

describe('scrub62323 history --table (a deployed table, through the standard credential chain)', () => {
  let server: Server;
  const saved: Record<string, string | undefined> = {};
  const env = {
    AWS_ENDPOINT_URL_DYNAMODB: '',
    AWS_ACCESS_KEY_ID: 'test',
    AWS_SECRET_ACCESS_KEY: 'test',
  };

  beforeAll(async () => {
    server = dynalite({ createTableMs: 0 });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', () => resolve()));
    env.AWS_ENDPOINT_URL_DYNAMODB = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
    for (const [name, value] of Object.entries(env)) {
      saved[name] = process.env[name];
      process.env[name] = value;
    }
  });
  afterAll(async () => {
    for (const [name, value] of Object.entries(saved)) {
      if (value === undefined) delete process.env[name];
      else process.env[name] = value;
    }
    await new Promise<void>((resolve) => server.close(() => resolve()));
  });

  it('never creates a deployed table: a missing one is one sentence, exit 1', async () => {
    const input = join(folder, 'practice.csv');
    await writeFile(input, PRACTICE_EXPORT);
    const missing = await history(
      ['import', input, '--table', 'scrub62323-prod-history', '--region', 'us-east-1'],
      folder,
    );
    expect(missing.code).toBe(1);
    expect(missing.stderr).toBe(
      'scrub62323: the history table scrub62323-prod-history (us-east-1) does not exist\n',
    );
  });

  it('imports into and exports from the table the stack made', async () => {
    const client = new DynamoDBClient({ region: 'us-east-1' });
    await client.send(new CreateTableCommand(createHistoryTableInput('scrub62323-prod-history')));
    client.destroy();
    const input = join(folder, 'practice.csv');
    await writeFile(input, PRACTICE_EXPORT);
    const table = ['--table', 'scrub62323-prod-history', '--region', 'us-east-1'];
    const imported = await history(['import', input, ...table], folder);
    expect(imported.stderr).toMatch(
      /^history: 3 session\(s\) imported into the history table scrub62323-prod-history \(us-east-1\)/,
    );
    const exported = await history(['export', ...table], folder);
    expect(exported.code).toBe(0);
    expect(rowsOf(exported.stdout)).toHaveLength(3);
    expect(await readdir(folder)).not.toContain(STATE_FOLDER);
  });
});

const moto = motoForTests();

describe.skipIf(!hasMoto)('scrub62323 history --endpoint (moto_server)', () => {
  it('round trip through the endpoint table the pipeline uses there', { timeout: 60_000 }, async () => {
    const input = join(folder, 'practice.csv');
    await writeFile(input, PRACTICE_EXPORT);
    const at = ['--endpoint', moto.endpoint];
    const imported = await history(['import', input, ...at, '--fresh-history'], folder);
    expect(imported.stderr).toBe(
      `history: 3 session(s) imported into the history table scrub62323-history at ${moto.endpoint} (1 row(s) ignored: missing or invalid values, or no CSV; 1 row(s) of other procedure codes left out)\n`,
    );
    const exported = await history(['export', ...at], folder);
    expect(rowsOf(exported.stdout)).toHaveLength(3);

    // The pipeline on that endpoint reads what was imported.
    const year = join(folder, 'moto-year.csv');
    await writeFile(
      year,
      [
        'member_id,date_of_service,procedure_code',
        ...['2026-01-12', '2026-03-09', '2026-05-11', '2026-07-13'].map(
          (date) => `${FREQUENT_MEMBER},${date},62323`,
        ),
      ].join('\n'),
    );
    await history(['import', year, ...at], folder);
    const [, , third] = await writeNightlyBatches(await newCwd());
    const run = await runPipeline({
      file: third!,
      asOf: HISTORY_AS_OF,
      endpoint: moto.endpoint,
      logLevel: 'SILENT',
      now: NOW,
      timeoutMs: 60_000,
    });
    expect(flaggedBy(run.files['findings.csv'], 'FREQUENCY_EXCEEDED')).toEqual([2]);
  });
});
