/**
 * `scrub62323 pipeline` remembers: two runs in one working directory, as two `npm start`s would be,
 * share the history in its .scrub62323/; --fresh-history forgets it.
 */
import { mkdtemp, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runPipelineCommand } from '../../../functions/cli/commands/pipeline.js';
import { holdStateFolder, STATE_FOLDER } from '../../../functions/local/state-folder.js';
import {
  FREQUENT_MEMBER,
  findingRows,
  flaggedBy,
  HISTORY_AS_OF,
  nightlyBatch,
  resentBatch,
} from '../../support/history-batches.js';
import { NPI_A } from '../../support/npi.js';

let folder: string;
let first: string;
let resent: string;
beforeAll(async () => {
  folder = await mkdtemp(join(tmpdir(), 'scrub62323-pipeline-history-'));
  first = join(folder, 'nightly-1.csv');
  resent = join(folder, 'nightly-2.csv');
  await writeFile(first, nightlyBatch(0));
  await writeFile(resent, resentBatch());
});
afterAll(async () => {
  await rm(folder, { recursive: true, force: true });
});

async function pipeline(args: string[], cwd: string) {
  const stdout: string[] = [];
  const stderr: string[] = [];
  const code = await runPipelineCommand(
    [...args, '--as-of', HISTORY_AS_OF],
    { stdout: (text) => void stdout.push(text), stderr: (text) => void stderr.push(text) },
    { cwd },
  );
  return { code, stdout: stdout.join(''), stderr: stderr.join('') };
}

/** The findings.csv of the one report a run wrote under <cwd>/reports/. */
async function findingsOf(cwd: string, batchName: string): Promise<string> {
  const [report] = (await readdir(join(cwd, 'reports'))).filter((name) => name.includes(batchName));
  return readFile(join(cwd, 'reports', report!, 'findings.csv'), 'utf8');
}

describe('scrub62323 pipeline with the state folder', () => {
  it('a second run reports a line the first run billed, and --fresh-history forgets it', {
    timeout: 60_000,
  }, async () => {
    const cwd = await mkdtemp(join(folder, 'cwd-'));
    const one = await pipeline([first], cwd);
    expect(one.code).toBe(0);
    expect(await readdir(cwd)).toEqual(expect.arrayContaining([STATE_FOLDER, 'reports']));

    const two = await pipeline([resent], cwd);
    expect(two.code).toBe(0);
    const findings = await findingsOf(cwd, 'nightly-2');
    expect(flaggedBy(findings, 'PRIOR_BATCH_DUPLICATE')).toEqual([2]);
    const [duplicate] = findingRows(findings).filter((row) => row.ruleId === 'PRIOR_BATCH_DUPLICATE');
    expect(duplicate!.message).toMatch(
      /^batch \d{4}-\d{2}-\d{2}-nightly-1-[0-9a-f]{10} already billed 62323 for this member, date and provider on claim CLM-F00$/,
    );

    const forgotten = await pipeline([resent, '--fresh-history', '--out', join(cwd, 'fresh')], cwd);
    expect(forgotten.code).toBe(0);
    expect(
      flaggedBy(await readFile(join(cwd, 'fresh', 'findings.csv'), 'utf8'), 'PRIOR_BATCH_DUPLICATE'),
    ).toEqual([]);
  });

  it('imports --history into the state folder, so the next run needs it no more', {
    timeout: 60_000,
  }, async () => {
    const cwd = await mkdtemp(join(folder, 'cwd-'));
    const prior = join(folder, 'prior.csv');
    await writeFile(
      prior,
      'member_id,date_of_service,procedure_code,provider_npi,claim_id,batch_id,line\n' +
        `${FREQUENT_MEMBER},2026-01-12,62323,${NPI_A},CLM-PM,pm-2026,7\n`,
    );
    const duplicates = async (out: string) =>
      flaggedBy(await readFile(join(cwd, out, 'findings.csv'), 'utf8'), 'PRIOR_BATCH_DUPLICATE');
    expect((await pipeline([resent, '--history', prior, '--out', join(cwd, 'a')], cwd)).code).toBe(0);
    expect(await duplicates('a')).toEqual([2]);
    expect((await pipeline([resent, '--out', join(cwd, 'b')], cwd)).code).toBe(0);
    expect(await duplicates('b')).toEqual([2]);
    expect((await pipeline([resent, '--fresh-history', '--out', join(cwd, 'c')], cwd)).code).toBe(0);
    expect(await duplicates('c')).toEqual([]);
  });

  it('refuses a --history file that is no history before anything starts (exit 2)', async () => {
    const cwd = await mkdtemp(join(folder, 'cwd-'));
    const notHistory = join(folder, 'members.csv');
    await writeFile(notHistory, 'claim_id,member_id\nC1,MBR-SECRET-1\n');
    const { code, stderr } = await pipeline([first, '--history', notHistory], cwd);
    expect(code).toBe(2);
    expect(stderr).toBe(
      `scrub62323: cannot use --history ${notHistory}: the history file needs columns member_id, date_of_service and procedure_code\n`,
    );
    expect(await readdir(cwd)).toEqual([]);
  });

  it('says in one sentence that another run holds the state folder (exit 1)', async () => {
    const cwd = await mkdtemp(join(folder, 'cwd-'));
    const held = await holdStateFolder(join(cwd, STATE_FOLDER));
    try {
      const { code, stderr } = await pipeline([first], cwd);
      expect(code).toBe(1);
      expect(stderr).toBe(
        `scrub62323: the history in ${join(cwd, STATE_FOLDER)} is in use by another scrub62323 run (process ${process.pid}); run again when it has finished\n`,
      );
    } finally {
      await held.release();
    }
  });

  it('says what --fresh-history does in its help', async () => {
    const { code, stdout } = await pipeline(['--help'], folder);
    expect(code).toBe(0);
    expect(stdout).toContain('--fresh-history');
    expect(stdout).toContain('./.scrub62323/');
  });
});
