import { mkdtemp, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runPipelineCommand } from '../../../functions/cli/commands/pipeline.js';
import { AS_OF, SAMPLE, SAMPLE_HISTORY } from '../helpers.js';

let folder: string;
beforeAll(async () => {
  folder = await mkdtemp(join(tmpdir(), 'scrub62323-pipeline-cli-'));
});
afterAll(async () => {
  await rm(folder, { recursive: true, force: true });
});

async function run(args: string[]) {
  let stdout = '';
  let stderr = '';
  const code = await runPipelineCommand(
    args,
    {
      stdout: (text) => {
        stdout += text;
      },
      stderr: (text) => {
        stderr += text;
      },
    },
    { cwd: folder }, // its own state folder (the member history), not the repository's
  );
  return { code, stdout, stderr };
}

describe('scrub62323 pipeline', () => {
  it('prints its help', async () => {
    const { code, stdout } = await run(['--help']);
    expect(code).toBe(0);
    expect(stdout).toContain('Usage: scrub62323 pipeline <batch.csv>');
  });

  it.each([
    [[], 'pipeline needs exactly one batch file'],
    [['no-such.csv'], 'cannot read no-such.csv: no such file'],
    [[SAMPLE, '--as-of', '2026-13-01'], '--as-of "2026-13-01" is not a real date in YYYY-MM-DD'],
    [[SAMPLE, '--endpoint', 'localhost:4566'], '--endpoint "localhost:4566" is not an http(s) URL'],
    [[SAMPLE, '--chunk-lines', '0'], '--chunk-lines takes a whole number'],
    [[SAMPLE, '--bogus'], "Unknown option '--bogus'"],
  ])('refuses %j with exit code 2 and one sentence', async (args, message) => {
    const { code, stderr } = await run(args);
    expect(code).toBe(2);
    expect(stderr).toContain(message);
    expect(stderr.trim().split('\n')).toHaveLength(1);
  });

  it('runs the sample through the pipeline and downloads the report', async () => {
    const out = join(folder, 'sample');
    const { code, stdout, stderr } = await run([
      SAMPLE,
      '--as-of',
      AS_OF,
      '--history',
      SAMPLE_HISTORY,
      '--out',
      out,
    ]);
    expect(code).toBe(0);
    // The notice, as email subscribers get it, on stderr beside the summary.
    expect(stderr).toContain('--- the "report ready" notice, as email subscribers get it ---\n');
    expect(stderr).toContain('From: scrub62323 report ready <no-reply@sns.amazonaws.com>\n');
    expect(stderr).toMatch(
      /\nSubject: scrub62323: complete — nightly-batch — [\d,]+ errors?, \$[\d,]+\.\d\d at risk\n\n/,
    );
    expect(stderr).toMatch(
      /\nscrub62323 has written the report of batch \d{4}-\d{2}-\d{2}-nightly-batch-[0-9a-f]{10} \(file nightly-batch\.csv\)\.\n/,
    );
    expect(stderr).toContain('Lines:              724 (722 checked, 2 rejected)');
    expect(stdout).toMatch(
      /^scrub62323 62323\/v2 — batch \d{4}-\d{2}-\d{2}-nightly-batch-[0-9a-f]{10} \(as of 2026-11-28\)/,
    );
    expect(stdout).toContain('Lines 724: 722 checked, 2 rejected');
    expect(stdout).toContain(`Report: ${out}`);
    expect((await readdir(out)).sort()).toEqual([
      'findings.csv',
      'findings.xlsx',
      'rejected.csv',
      'report.html',
      'summary.json',
    ]);
    expect(JSON.parse(await readFile(join(out, 'summary.json'), 'utf8'))).toMatchObject({
      status: 'complete',
      ruleSet: '62323/v2',
      asOf: AS_OF,
    });
  });

  it('gives a file of another name a rejected report (UNSUPPORTED_FILE) and its notice, exit 2, as check does', async () => {
    const notes = join(folder, 'notes.txt');
    await writeFile(notes, 'not a batch\n');
    const { code, stdout, stderr } = await run([notes, '--out', join(folder, 'notes')]);
    expect(code).toBe(2);
    expect(stdout).toContain('REJECTED: The file is not a .csv or .csv.gz file');
    expect(stderr).toContain('\nSubject: scrub62323: rejected — notes.txt — unsupported file\n');
    const summary = JSON.parse(await readFile(join(folder, 'notes', 'summary.json'), 'utf8'));
    expect(summary).toMatchObject({ status: 'rejected', error: { code: 'UNSUPPORTED_FILE' } });
  });

  it('exits 2 for a rejected batch', async () => {
    const bad = join(folder, 'bad.csv');
    await writeFile(bad, 'claim_id,line_no\nC1,1\n');
    const { code, stdout } = await run([bad, '--out', join(folder, 'bad')]);
    expect(code).toBe(2);
    expect(stdout).toContain('REJECTED: ');
  });

  it('exits 1 with a clear sentence when the endpoint cannot be reached', async () => {
    const { code, stderr } = await run([
      SAMPLE,
      '--endpoint',
      'http://127.0.0.1:9',
      '--out',
      join(folder, 'none'),
    ]);
    expect(code).toBe(1);
    expect(stderr).toMatch(/^scrub62323: cannot set up the buckets and queues at http:\/\/127\.0\.0\.1:9 \(/);
  });
});
