/**
 * `scrub62323 reports` against moto_server, real wire calls: two uploads of one file name run through
 * the pipeline (`pipeline --endpoint`: a complete batch, then a rejected one), a report folder put by
 * hand (incomplete, with bytes that are no UTF-8), an upload still waiting, and a CloudFormation stack
 * whose outputs name the buckets. Skipped where moto_server is not installed.
 */
import { lstat, mkdir, mkdtemp, readdir, readFile, rm, stat, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { CloudFormationClient, CreateStackCommand } from '@aws-sdk/client-cloudformation';
import { DeleteObjectCommand, GetObjectCommand, PutObjectCommand, S3Client } from '@aws-sdk/client-s3';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { REPORTS_HELP, runReportsCommand } from '../../functions/cli/commands/reports.js';
import { main } from '../../functions/cli/main.js';
import { REPORT_FILES } from '../../functions/core/report/files.js';
import { type PipelineRun, runPipeline } from '../../functions/local/run.js';
import { AS_OF, SAMPLE } from '../pipeline/helpers.js';
import { capture } from '../support/io.js';
import { hasMoto, motoForTests } from '../support/moto.js';

const moto = motoForTests();

/** The local runner's bucket names (what the command uses without --stack), spelled out. */
const REPORTS = 'scrub62323-reports';
const INTAKE = 'scrub62323-intake';
const FILES: readonly string[] = [...REPORT_FILES];

/** A report folder put by hand: an older batch whose chunk 3 was never checked. */
const INCOMPLETE_ID = '2026-11-20-older-batch-00000000aa';
const INCOMPLETE_SUMMARY = {
  batchId: INCOMPLETE_ID,
  ruleSet: 'cpt62323-v2',
  rulePacks: [{ name: 'cpt62323-v2', version: '2', sha256: 'ab', lines: 10 }],
  asOf: '2026-11-19',
  status: 'incomplete',
  missing: ['chunk 3'],
  source: { name: 'older-batch.csv', bytes: 100, sha256: 'cd', encoding: 'utf-8' },
  counts: {
    lines: 1500,
    checked: 1000,
    rejected: 0,
    claims: 700,
    members: 600,
    indexLines: 900,
    flaggedLines: 12,
    claimsWithErrors: 7,
    cleanClaimRate: 0.99,
    findings: { error: 9, warning: 4, info: 0 },
  },
  byRule: {},
  dollarsAtRisk: 1234.5,
  unknownColumns: [],
  history: { ignoredRows: 0 },
  generatedAt: '2026-11-20T06:00:00.000Z',
};
const INCOMPLETE_FILES: Record<string, Uint8Array> = {
  'findings.csv': Buffer.from([0x6c, 0x69, 0x6e, 0x65, 0x0a, 0xff, 0xfe, 0x00, 0xc3, 0x28, 0x0a]),
  'findings.xlsx': Buffer.from([0x50, 0x4b, 0x03, 0x04, 0x14, 0x00, 0xff, 0x00]),
  'rejected.csv': Buffer.from('line,end_line,reason,raw\n'),
  'report.html': Buffer.from('<!doctype html><title>older</title>\n'),
  'summary.json': Buffer.from(`${JSON.stringify(INCOMPLETE_SUMMARY, null, 2)}\n`),
};

let folder: string;
let s3: S3Client;
let complete: PipelineRun;
let rejected: PipelineRun;
const today = new Date().toISOString().slice(0, 10);

async function reports(args: string[], deps: Parameters<typeof runReportsCommand>[2] = {}) {
  const io = capture();
  const code = await runReportsCommand([...args, '--endpoint', moto.endpoint], io, { cwd: folder, ...deps });
  return { code, stdout: io.out(), stderr: io.err() };
}

async function objectBytes(bucket: string, key: string): Promise<Buffer> {
  const output = await s3.send(new GetObjectCommand({ Bucket: bucket, Key: key }));
  return Buffer.from(await output.Body!.transformToByteArray());
}

const put = (bucket: string, key: string, body: Uint8Array | string) =>
  s3.send(new PutObjectCommand({ Bucket: bucket, Key: key, Body: body }));

/** A table's rows as cells (split on the two-space column gaps). */
const rowsOf = (table: string): string[][] =>
  table
    .trimEnd()
    .split('\n')
    .map((line) => line.split(/ {2,}/).map((cell) => cell.trim()));

const money = (value: number) =>
  `$${value.toLocaleString('en-US', { minimumFractionDigits: 2, maximumFractionDigits: 2 })}`;
const count = (value: number) => value.toLocaleString('en-US');

beforeAll(async () => {
  folder = await mkdtemp(join(tmpdir(), 'scrub62323-reports-cli-'));
  if (!hasMoto) return;
  s3 = new S3Client({
    endpoint: moto.endpoint,
    region: 'us-east-1',
    forcePathStyle: true,
    credentials: { accessKeyId: 'local', secretAccessKey: 'local' },
  });
  const run = (file: string) =>
    runPipeline({ file, asOf: AS_OF, endpoint: moto.endpoint, logLevel: 'SILENT', timeoutMs: 60_000 });
  // Two uploads of one name: two versions of incoming/nightly-batch.csv, two batches.
  const first = join(folder, 'first');
  const second = join(folder, 'second');
  await mkdir(first);
  await mkdir(second);
  await writeFile(join(first, 'nightly-batch.csv'), await readFile(SAMPLE));
  await writeFile(join(second, 'nightly-batch.csv'), 'this is no claim batch\n');
  complete = await run(join(first, 'nightly-batch.csv'));
  rejected = await run(join(second, 'nightly-batch.csv'));
  for (const [name, body] of Object.entries(INCOMPLETE_FILES))
    await put(REPORTS, `reports/${INCOMPLETE_ID}/${name}`, body);
  // Uploaded, not yet run: a batch file, a file split answers with a rejected report, and a folder marker
  // split ignores.
  await put(INTAKE, 'incoming/late.csv', 'member_id\n');
  await put(INTAKE, 'incoming/notes.txt', 'not a batch');
  await put(INTAKE, 'incoming/commercial/', '');
}, 180_000);

afterAll(async () => {
  s3?.destroy();
  await rm(folder, { recursive: true, force: true });
});

describe('scrub62323 reports (no AWS needed)', () => {
  it('prints its help for reports --help and for each action, and is a command of the line', async () => {
    for (const args of [['--help'], ['list', '--help'], ['url', '-h']]) {
      const io = capture();
      expect(await runReportsCommand(args, io)).toBe(0);
      expect(io.out()).toBe(REPORTS_HELP);
    }
    const io = capture();
    expect(await main(['reports', '--help'], io)).toBe(0);
    expect(io.out()).toBe(REPORTS_HELP);
    expect(await main(['--help'], io)).toBe(0);
    expect(io.out()).toContain('scrub62323 reports list|status');
  });

  it.each([
    [['list'], 'give --stack Scrub62323-<stage> (a deployed stage) or --endpoint URL'],
    [['fetch', '--endpoint', 'http://127.0.0.1:1'], 'reports needs one of list, status, get, url, open'],
    [['get', '--endpoint', 'http://127.0.0.1:1'], 'reports get needs one batch id'],
    [['get', '../etc', '--endpoint', 'http://127.0.0.1:1'], '"../etc" is not a batch id'],
    [['list', 'x', '--endpoint', 'http://127.0.0.1:1'], 'reports list takes no batch id'],
    [
      ['list', '--since', '2026-02-30', '--endpoint', 'http://127.0.0.1:1'],
      '--since "2026-02-30" is not a real date',
    ],
    [
      ['list', '--status', 'waiting', '--endpoint', 'http://127.0.0.1:1'],
      '--status takes one of complete, rejected, incomplete',
    ],
    [['list', '--to', 'x', '--endpoint', 'http://127.0.0.1:1'], '--to is for reports get and reports open'],
    [
      ['get', INCOMPLETE_ID, '--json', '--endpoint', 'http://127.0.0.1:1'],
      '--json is for reports list and reports status',
    ],
    [
      ['url', INCOMPLETE_ID, '--expires', '8d', '--endpoint', 'http://127.0.0.1:1'],
      '--expires 8d is longer than a presigned S3 link can last (at most 7d)',
    ],
    [['url', INCOMPLETE_ID, '--expires', '169h', '--endpoint', 'http://127.0.0.1:1'], 'at most 7d'],
    [
      ['url', INCOMPLETE_ID, '--expires', 'soon', '--endpoint', 'http://127.0.0.1:1'],
      '--expires takes a duration such as 30m, 12h or 7d',
    ],
    [['list', '--endpoint', 'localhost:4566'], '--endpoint "localhost:4566" is not an http(s) URL'],
    [['list', '--stack', 'Scrub62323 prod'], '--stack "Scrub62323 prod" is not a CloudFormation stack name'],
    [['list', '--stack', 'S', '--region', 'nowhere'], '--region "nowhere" is not an AWS region name'],
    [['list', '--bogus'], "Unknown option '--bogus'"],
  ])('refuses %j with exit code 2 and one sentence', async (args, message) => {
    const io = capture();
    expect(await runReportsCommand(args, io, { cwd: folder })).toBe(2);
    expect(io.err()).toContain(message);
    expect(io.err().trim().split('\n')).toHaveLength(1);
    expect(io.out()).toBe('');
  });
});

describe.skipIf(!hasMoto)('scrub62323 reports on moto_server', () => {
  it('ran the fixtures as meant: one complete and one rejected batch of the same file name', () => {
    expect(complete.summary.status).toBe('complete');
    expect(rejected.summary.status).toBe('rejected');
    expect(complete.upload.key).toBe(rejected.upload.key);
    expect(complete.batchId).not.toBe(rejected.batchId);
  });

  it('lists every report as an aligned table, oldest first', async () => {
    const { code, stdout, stderr } = await reports(['list']);
    expect(code).toBe(0);
    const rows = rowsOf(stdout);
    expect(rows[0]).toEqual(['BATCH', 'STATUS', 'AS OF', 'LINES', 'ERRORS', 'DOLLARS AT RISK']);
    const expectedRow = (run: PipelineRun) => [
      run.batchId,
      run.summary.status,
      run.summary.asOf,
      count(run.summary.counts.lines),
      count(run.summary.counts.findings.error),
      money(run.summary.dollarsAtRisk),
    ];
    expect(rows.slice(1)).toEqual([
      [INCOMPLETE_ID, 'incomplete', '2026-11-19', '1,500', '9', '$1,234.50'],
      ...[complete, rejected].map(expectedRow).sort((a, b) => (a[0]! < b[0]! ? -1 : 1)),
    ]);
    // Columns line up: every row's status starts where the header's does.
    const lines = stdout.trimEnd().split('\n');
    const at = lines[0]!.indexOf('STATUS');
    for (const line of lines.slice(1)) expect(line.slice(at)).toMatch(/^(complete|rejected|incomplete) /);
    expect(stderr).toBe(`scrub62323: 3 report(s) in the reports bucket ${REPORTS} at ${moto.endpoint}\n`);
  });

  it('lists as JSON, and filters by --status and --since', async () => {
    const json = await reports(['list', '--json']);
    expect(json.code).toBe(0);
    const listed = JSON.parse(json.stdout) as { batchId: string; status: string; lines: number }[];
    expect(listed.map((row) => row.batchId).sort()).toEqual(
      [INCOMPLETE_ID, complete.batchId, rejected.batchId].sort(),
    );
    expect(listed.find((row) => row.batchId === complete.batchId)).toEqual(
      expect.objectContaining({
        status: 'complete',
        asOf: AS_OF,
        lines: complete.summary.counts.lines,
        errors: complete.summary.counts.findings.error,
        dollarsAtRisk: complete.summary.dollarsAtRisk,
      }),
    );
    expect(json.stderr).toBe('');

    const onlyRejected = JSON.parse((await reports(['list', '--json', '--status', 'rejected'])).stdout);
    expect(onlyRejected.map((row: { batchId: string }) => row.batchId)).toEqual([rejected.batchId]);
    const sinceToday = JSON.parse((await reports(['list', '--json', '--since', today])).stdout);
    expect(sinceToday.map((row: { batchId: string }) => row.batchId).sort()).toEqual(
      [complete.batchId, rejected.batchId].sort(),
    );
    const sinceOlder = JSON.parse((await reports(['list', '--json', '--since', '2026-11-20'])).stdout);
    expect(sinceOlder).toHaveLength(3);
    const incomplete = await reports(['list', '--status', 'incomplete']);
    expect(
      rowsOf(incomplete.stdout)
        .slice(1)
        .map((row) => row[0]),
    ).toEqual([INCOMPLETE_ID]);
  });

  it('lists a folder whose summary names another batch under its folder, the id get takes', async () => {
    const copied = '2026-11-20-copied-batch-00000000bb';
    await put(REPORTS, `reports/${copied}/summary.json`, INCOMPLETE_FILES['summary.json']!);
    try {
      const { code, stdout, stderr } = await reports(['list', '--json']);
      expect(code).toBe(0);
      const ids = (JSON.parse(stdout) as { batchId: string }[]).map((row) => row.batchId);
      expect(ids).toContain(copied);
      expect(stderr).toContain(`the summary.json of ${copied} names another batch (${INCOMPLETE_ID})`);
    } finally {
      await s3.send(new DeleteObjectCommand({ Bucket: REPORTS, Key: `reports/${copied}/summary.json` }));
    }
  });

  it('shows billing each upload (every version) with the batch split gave it, or waiting', async () => {
    const { code, stdout } = await reports(['status', '--json']);
    expect(code).toBe(0);
    const rows = JSON.parse(stdout) as { key: string; batchId: string; status: string; uploadedAt: string }[];
    expect(rows.map((row) => [row.key, row.batchId, row.status])).toEqual([
      ['incoming/nightly-batch.csv', complete.batchId, 'complete'],
      ['incoming/nightly-batch.csv', rejected.batchId, 'rejected'],
      ['incoming/late.csv', expect.stringMatching(new RegExp(`^${today}-late-[0-9a-f]{10}$`)), 'waiting'],
      [
        'incoming/notes.txt',
        expect.stringMatching(new RegExp(`^${today}-notes\\.txt-[0-9a-f]{10}$`)),
        'waiting',
      ],
    ]);

    const table = await reports(['status']);
    const cells = rowsOf(table.stdout);
    expect(cells[0]).toEqual([
      'UPLOADED (UTC)',
      'FILE',
      'BATCH',
      'STATUS',
      'AS OF',
      'LINES',
      'ERRORS',
      'DOLLARS AT RISK',
    ]);
    expect(cells[1]!.slice(1)).toEqual([
      'nightly-batch.csv',
      complete.batchId,
      'complete',
      AS_OF,
      count(complete.summary.counts.lines),
      count(complete.summary.counts.findings.error),
      money(complete.summary.dollarsAtRisk),
    ]);
    expect(cells[3]!.slice(1)).toEqual(['late.csv', rows[2]!.batchId, 'waiting', '-', '-', '-', '-']);
    expect(table.stderr).toBe(`scrub62323: 4 upload(s) in ${INTAKE}\n`);

    const waiting = JSON.parse((await reports(['status', '--json', '--status', 'waiting'])).stdout);
    expect(waiting.map((row: { key: string }) => row.key)).toEqual([
      'incoming/late.csv',
      'incoming/notes.txt',
    ]);
    const tomorrow = new Date(Date.now() + 86_400_000).toISOString().slice(0, 10);
    expect(JSON.parse((await reports(['status', '--json', '--since', tomorrow])).stdout)).toEqual([]);
  });

  it('gets a report folder byte for byte, private, and prints it', async () => {
    const to = join(folder, 'get');
    const { code, stdout, stderr } = await reports(['get', INCOMPLETE_ID, '--to', to]);
    expect(code).toBe(0);
    const target = join(to, INCOMPLETE_ID);
    expect(stdout).toBe(`${target}\n`);
    expect(stderr).toContain(`report of batch ${INCOMPLETE_ID} (incomplete, as of 2026-11-19)`);
    expect((await readdir(target)).sort()).toEqual(FILES);
    expect((await stat(target)).mode & 0o777).toBe(0o700);
    for (const name of FILES) {
      expect(await readFile(join(target, name)), name).toEqual(Buffer.from(INCOMPLETE_FILES[name]!));
      expect((await stat(join(target, name))).mode & 0o777, name).toBe(0o600);
    }
  });

  it('gets into ./reports by default; another batch beside it leaves the first untouched', async () => {
    const first = await reports(['get', complete.batchId]);
    expect(first.code).toBe(0);
    const firstFolder = join(folder, 'reports', complete.batchId);
    expect(first.stdout).toBe(`${firstFolder}\n`);
    for (const name of FILES)
      expect(await readFile(join(firstFolder, name)), name).toEqual(
        await objectBytes(REPORTS, `reports/${complete.batchId}/${name}`),
      );
    const before = await Promise.all(FILES.map((name) => lstat(join(firstFolder, name))));
    const second = await reports(['get', rejected.batchId]);
    expect(second.code).toBe(0);
    const after = await Promise.all(FILES.map((name) => lstat(join(firstFolder, name))));
    expect(after.map((info) => [info.ino, info.mtimeMs])).toEqual(
      before.map((info) => [info.ino, info.mtimeMs]),
    );
    expect((await readdir(join(folder, 'reports'))).sort()).toEqual(
      [complete.batchId, rejected.batchId].sort(),
    );
  });

  it('replaces a batch fetched again whole, with nothing left beside it', async () => {
    const to = join(folder, 'again');
    expect((await reports(['get', INCOMPLETE_ID, '--to', to])).code).toBe(0);
    const key = `reports/${INCOMPLETE_ID}/report.html`;
    await put(REPORTS, key, '<!doctype html><title>rewritten</title>\n');
    try {
      expect((await reports(['get', INCOMPLETE_ID, '--to', to])).code).toBe(0);
      const target = join(to, INCOMPLETE_ID);
      expect(await readFile(join(target, 'report.html'), 'utf8')).toBe(
        '<!doctype html><title>rewritten</title>\n',
      );
      expect((await readdir(target)).sort()).toEqual(FILES);
      expect(await readdir(to)).toEqual([INCOMPLETE_ID]);
    } finally {
      await put(REPORTS, key, INCOMPLETE_FILES['report.html']!);
    }
  });

  it('says so in one line for a batch with no report (exit 2), and writes nothing', async () => {
    const missing = `${today}-nightly-batch-0000000000`;
    for (const action of ['get', 'url', 'open']) {
      const to = action === 'url' ? [] : ['--to', join(folder, 'none')];
      const { code, stdout, stderr } = await reports([action, missing, ...to]);
      expect(code).toBe(2);
      expect(stdout).toBe('');
      expect(stderr).toBe(
        `scrub62323: there is no report of batch ${missing} in the reports bucket ${REPORTS} at ${moto.endpoint}\n`,
      );
    }
    await expect(stat(join(folder, 'none'))).rejects.toThrow();
  });

  it('gives presigned links that fetch each file byte for byte', async () => {
    const { code, stdout, stderr } = await reports(['url', INCOMPLETE_ID, '--expires', '2h']);
    expect(code).toBe(0);
    const lines = stdout.trimEnd().split('\n');
    expect(lines.map((line) => line.split(/ +/)[0])).toEqual(FILES);
    for (const line of lines) {
      const [name, url] = line.split(/ +/) as [string, string];
      expect(url).toContain('X-Amz-Expires=7200');
      const response = await fetch(url);
      expect(response.status, name).toBe(200);
      expect(Buffer.from(await response.arrayBuffer()), name).toEqual(Buffer.from(INCOMPLETE_FILES[name]!));
    }
    expect(stderr).toMatch(/^scrub62323: links to batch \S+ work until \S+Z \(2h\)\n$/);
  });

  it('warns when temporary credentials end before the links would', async () => {
    const saved = { ...process.env };
    try {
      process.env.AWS_ACCESS_KEY_ID = 'ASIATEMPORARY';
      process.env.AWS_SECRET_ACCESS_KEY = 'secret';
      process.env.AWS_SESSION_TOKEN = 'token';
      const ends = new Date(Date.now() + 3_600_000);
      process.env.AWS_CREDENTIAL_EXPIRATION = ends.toISOString();
      const long = await reports(['url', INCOMPLETE_ID, '--expires', '1d']);
      expect(long.code).toBe(0);
      expect(long.stderr).toContain(
        `scrub62323: warning: your AWS credentials are temporary and expire at ${ends.toISOString()}: the links stop working then`,
      );
      const short = await reports(['url', INCOMPLETE_ID, '--expires', '30m']);
      expect(short.stderr).not.toContain('warning');
      delete process.env.AWS_CREDENTIAL_EXPIRATION;
      const unknown = await reports(['url', INCOMPLETE_ID]);
      expect(unknown.stderr).toContain('warning: your AWS credentials are temporary (a session token)');
    } finally {
      for (const name of Object.keys(process.env)) if (!(name in saved)) delete process.env[name];
      Object.assign(process.env, saved);
    }
  });

  it('opens report.html after downloading it, or prints its path when no browser opens', async () => {
    const opened: string[] = [];
    const to = join(folder, 'open');
    const ok = await reports(['open', complete.batchId, '--to', to], {
      openFile: async (path) => {
        opened.push(path);
        return true;
      },
    });
    const page = join(to, complete.batchId, 'report.html');
    expect(ok.code).toBe(0);
    expect(opened).toEqual([page]);
    expect(await readFile(page)).toEqual(
      await objectBytes(REPORTS, `reports/${complete.batchId}/report.html`),
    );
    const failed = await reports(['open', complete.batchId, '--to', to], { openFile: async () => false });
    expect(failed.code).toBe(0);
    expect(failed.stdout).toBe(`${page}\n`);
    expect(failed.stderr).toContain('no browser could be opened; open the report yourself');
  });

  describe('--stack', () => {
    const stageTemplate = (outputs: Record<string, string>) =>
      JSON.stringify({
        Resources: { Handle: { Type: 'AWS::CloudFormation::WaitConditionHandle' } },
        Outputs: Object.fromEntries(Object.entries(outputs).map(([key, value]) => [key, { Value: value }])),
      });

    beforeAll(async () => {
      if (!hasMoto) return;
      const cloudformation = new CloudFormationClient({
        endpoint: moto.endpoint,
        region: 'us-east-1',
        credentials: { accessKeyId: 'local', secretAccessKey: 'local' },
      });
      await cloudformation.send(
        new CreateStackCommand({
          StackName: 'Scrub62323-test',
          TemplateBody: stageTemplate({ ReportsBucketName: REPORTS, IntakeBucketName: INTAKE }),
        }),
      );
      await cloudformation.send(
        new CreateStackCommand({ StackName: 'Other-stack', TemplateBody: stageTemplate({ Something: 'x' }) }),
      );
      cloudformation.destroy();
    });

    it('finds the buckets among the stack outputs (DescribeStacks)', async () => {
      const viaStack = await reports(['list', '--json', '--stack', 'Scrub62323-test']);
      expect(viaStack.code).toBe(0);
      expect(viaStack.stdout).toBe((await reports(['list', '--json'])).stdout);
      const status = await reports(['status', '--json', '--stack', 'Scrub62323-test']);
      // The sample uploaded twice, late.csv and notes.txt (a rejected batch of its own).
      expect(JSON.parse(status.stdout)).toHaveLength(4);
      const got = await reports([
        'get',
        INCOMPLETE_ID,
        '--stack',
        'Scrub62323-test',
        '--to',
        join(folder, 'stack'),
      ]);
      expect(got.code).toBe(0);
    });

    it('says so in one line for a stack that does not exist, or is no stage stack', async () => {
      const none = await reports(['list', '--stack', 'Scrub62323-nowhere']);
      expect(none.code).toBe(2);
      expect(none.stderr).toBe(
        'scrub62323: there is no stack Scrub62323-nowhere (check --stack, --region and --profile)\n',
      );
      const other = await reports(['list', '--stack', 'Other-stack']);
      expect(other.code).toBe(2);
      expect(other.stderr).toBe(
        'scrub62323: the stack Other-stack is not a scrub62323 stage stack (Scrub62323-<stage>): its outputs lack ReportsBucketName\n',
      );
    });
  });
});
