/**
 * Report folders hold claim data: they are private (folder 0700, files 0600, whatever the umask), and
 * they appear whole — written beside their final place and renamed in — so a run that fails or is
 * killed never leaves a new findings.csv beside an old summary.json.
 */
import { existsSync } from 'node:fs';
import { readdir, readFile, stat } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { describe, expect, it } from 'vitest';
import {
  AS_OF,
  check,
  csv,
  describeRun,
  modesOf,
  pipeline,
  readReport,
  row,
  type Scratch,
  scratch,
  sha256,
  sleep,
  startCli,
  writeRows,
} from './support.js';

/** The five files of formats.md. */
const FILES = ['findings.csv', 'findings.xlsx', 'rejected.csv', 'report.html', 'summary.json'];
const PRIVATE = {
  '.': '700',
  'findings.csv': '600',
  'findings.xlsx': '600',
  'rejected.csv': '600',
  'report.html': '600',
  'summary.json': '600',
};

/** What must agree inside one report folder, without the generation time. */
async function snapshot(
  out: string,
): Promise<{ sha: string; summary: unknown; findings: string; rejected: string }> {
  const summary = JSON.parse(await readFile(join(out, 'summary.json'), 'utf8')) as Record<string, unknown> & {
    source: { sha256: string };
  };
  const { generatedAt: _generatedAt, ...rest } = summary;
  return {
    sha: summary.source.sha256,
    summary: rest,
    findings: await readFile(join(out, 'findings.csv'), 'utf8'),
    rejected: await readFile(join(out, 'rejected.csv'), 'utf8'),
  };
}

async function bigFlaggedBatch(space: Scratch, lines: number): Promise<string> {
  const file = join(space.root, 'in', `flagged-${lines}.csv`);
  await writeRows(file, lines, (index) => row(index, { modifiers: '50', prior_auth: '' }));
  return file;
}

describe('hostile: report folders', () => {
  it('check writes a private report folder (0700, files 0600) even under umask 000', async () => {
    const space = await scratch('modes');
    const file = await space.file('modes.csv', csv([row(1), row(2, { modifiers: '50' })]));
    const out = space.out('modes');
    const result = await check(file, out, [], { tmp: space.tmp, umask: '000' });
    expect(result.code, describeRun(result)).toBe(0);
    expect(await modesOf(out)).toEqual(PRIVATE);
  });

  it('a rejected batch’s report folder is private too', async () => {
    const space = await scratch('modes-rejected');
    const file = await space.file('bad.csv', 'claim_id;line_no\nC1;1\n');
    const out = space.out('bad');
    const result = await check(file, out, [], { tmp: space.tmp, umask: '022' });
    expect(result.code, describeRun(result)).toBe(2);
    expect(await modesOf(out)).toEqual(PRIVATE);
  });

  it('the pipeline’s downloaded report folder is private too', async () => {
    const space = await scratch('modes-pipeline');
    const file = await space.file('modes.csv', csv([row(1), row(2, { modifiers: '50' })]));
    const out = space.out('modes');
    const result = await pipeline(file, out, [], { tmp: space.tmp, umask: '000' });
    expect(result.code, describeRun(result)).toBe(0);
    expect(await modesOf(out)).toEqual(PRIVATE);
  });

  it('a rerun into an existing report folder replaces it whole and leaves nothing beside it', async () => {
    const space = await scratch('rerun');
    const first = await space.file('first.csv', csv([row(1)]));
    const second = await space.file(
      'second.csv',
      csv([row(1, { modifiers: '50' }), row(2, { modifiers: '50' })]),
    );
    const out = space.out('report');
    expect((await check(first, out, [], { tmp: space.tmp })).code).toBe(0);
    const result = await check(second, out, [], { tmp: space.tmp });
    expect(result.code, describeRun(result)).toBe(0);
    const report = await readReport(out);
    expect(report.summary.source.sha256).toBe(sha256(await readFile(second)));
    expect(report.findings.filter((finding) => finding.rule_id === 'BILATERAL_MODIFIER')).toHaveLength(2);
    expect((await readdir(out)).sort()).toEqual(FILES);
    expect(await readdir(dirname(out)), 'no temporary or old folder left beside the report').toEqual([
      'report',
    ]);
  });

  it('a rerun that is rejected leaves a whole rejected report, not the old findings beside a new summary', async () => {
    const space = await scratch('rerun-rejected');
    const good = await space.file('good.csv', csv([row(1, { modifiers: '50' })]));
    const bad = await space.file('bad.csv', 'claim_id,line_no\nC1,1\n');
    const out = space.out('report');
    expect((await check(good, out, [], { tmp: space.tmp })).code).toBe(0);
    const result = await check(bad, out, [], { tmp: space.tmp });
    expect(result.code, describeRun(result)).toBe(2);
    const report = await readReport(out);
    expect(report.summary.status).toBe('rejected');
    expect(report.summary.source.sha256).toBe(sha256(await readFile(bad)));
    expect(report.findings).toEqual([]);
    expect(await readdir(dirname(out))).toEqual(['report']);
  });

  it('a rerun that cannot start (no such batch file) leaves the old report untouched', async () => {
    const space = await scratch('rerun-missing');
    const good = await space.file('good.csv', csv([row(1, { modifiers: '50' })]));
    const out = space.out('report');
    expect((await check(good, out, [], { tmp: space.tmp })).code).toBe(0);
    const before = await snapshot(out);
    const result = await check(join(space.root, 'in', 'missing.csv'), out, [], { tmp: space.tmp });
    expect(result.code, describeRun(result)).toBe(2);
    expect(await snapshot(out)).toEqual(before);
  });

  it('a rerun killed (SIGKILL) at any moment leaves the old report or the new one, each whole (never a mix)', async () => {
    const space = await scratch('rerun-killed');
    const small = await space.file('small.csv', csv([row(1), row(2, { modifiers: '50' })]));
    const big = await bigFlaggedBatch(space, 40_000);
    // The new report, made once in full elsewhere, to compare against (and to time the run).
    const started = Date.now();
    const reference = await check(big, space.out('reference'), [], { tmp: space.tmp, timeoutMs: 55_000 });
    const fullMs = Date.now() - started;
    expect(reference.code, describeRun(reference)).toBe(0);
    const newReport = await snapshot(space.out('reference'));
    const seen: string[] = [];
    for (const fraction of [0.5, 0.9, 0.97]) {
      const out = space.out(`report-${fraction}`);
      expect((await check(small, out, [], { tmp: space.tmp })).code).toBe(0);
      const oldReport = await snapshot(out);
      const running = startCli(['check', big, '--out', out, '--as-of', AS_OF], {
        tmp: space.tmp,
        timeoutMs: 55_000,
      });
      await Promise.race([sleep(fraction * fullMs), running.done]);
      running.child.kill('SIGKILL');
      await running.done;
      if (!existsSync(out)) {
        // Killed between moving the old folder aside and renaming the new one in: no report, but no mix.
        seen.push(`${fraction}: none`);
        continue;
      }
      expect(existsSync(join(out, 'summary.json')), `summary.json present after a kill at ${fraction}`).toBe(
        true,
      );
      const after = await snapshot(out);
      if (after.sha === oldReport.sha) {
        expect(after, `kill at ${fraction}: the old report, whole`).toEqual(oldReport);
        seen.push(`${fraction}: old`);
      } else {
        expect(after, `kill at ${fraction}: the new report, whole`).toEqual(newReport);
        seen.push(`${fraction}: new`);
      }
      expect((await readdir(out)).sort()).toEqual(FILES);
    }
    console.log(`full run ${fullMs} ms; after SIGKILL: ${seen.join(', ')}`);
  }, 120_000);

  it('a rerun killed (SIGKILL) the moment the report folder starts to change leaves a whole report', async () => {
    const space = await scratch('rerun-killed-on-change');
    const small = await space.file('small.csv', csv([row(1), row(2, { modifiers: '50' })]));
    const big = await bigFlaggedBatch(space, 40_000);
    const reference = space.out('reference');
    expect((await check(big, reference, [], { tmp: space.tmp, timeoutMs: 55_000 })).code).toBe(0);
    const newReport = await snapshot(reference);
    const out = space.out('report');
    expect((await check(small, out, [], { tmp: space.tmp })).code).toBe(0);
    const oldReport = await snapshot(out);
    const fingerprint = async (): Promise<string> => {
      try {
        const parts = [String((await stat(out)).ino)];
        for (const name of (await readdir(out)).sort()) {
          const info = await stat(join(out, name));
          parts.push(`${name}:${info.ino}:${info.size}:${info.mtimeMs}`);
        }
        return parts.join('|');
      } catch {
        return 'gone';
      }
    };
    const before = await fingerprint();
    const running = startCli(['check', big, '--out', out, '--as-of', AS_OF], {
      tmp: space.tmp,
      timeoutMs: 55_000,
    });
    let finished = false;
    void running.done.then(() => {
      finished = true;
    });
    while (!finished && (await fingerprint()) === before) await sleep(1);
    running.child.kill('SIGKILL');
    await running.done;
    if (existsSync(out)) {
      const after = await snapshot(out);
      expect(after, 'the old report or the new one, whole').toEqual(
        after.sha === oldReport.sha ? oldReport : newReport,
      );
      expect((await readdir(out)).sort()).toEqual(FILES);
    }
  }, 90_000);

  it('whenever the report folder is visible during a run, it is complete', async () => {
    const space = await scratch('watch');
    const big = await bigFlaggedBatch(space, 60_000);
    const out = space.out('watched');
    const running = startCli(['check', big, '--out', out, '--as-of', AS_OF], {
      tmp: space.tmp,
      timeoutMs: 55_000,
    });
    let finished = false;
    void running.done.then(() => {
      finished = true;
    });
    const partial: string[][] = [];
    const siblings = new Set<string>();
    while (!finished) {
      for (const name of await readdir(dirname(out))) if (name !== 'watched') siblings.add(name);
      if (existsSync(out)) {
        const names = (await readdir(out).catch(() => [] as string[])).sort();
        if (names.join() !== FILES.join()) partial.push(names);
        if (!existsSync(join(out, 'summary.json')) && names.length > 0) partial.push(names);
      }
      await sleep(5);
    }
    const result = await running.done;
    expect(result.code, describeRun(result)).toBe(0);
    expect(partial, 'the report folder was seen incomplete').toEqual([]);
    expect(await readdir(dirname(out))).toEqual(['watched']);
    console.log(`names seen beside the report folder during the run: ${[...siblings].join(', ') || 'none'}`);
  }, 60_000);
});
