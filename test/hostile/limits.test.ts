/**
 * Limits, so that no upload exhausts a machine (BATCH_TOO_LARGE for too many records or a gzip that
 * unpacks too far), and the spill folder ($TMPDIR/scrub62323-*) never outlives a run: not on a
 * limit, not on an error, not on SIGINT/SIGTERM at any moment of the run.
 */
import { existsSync } from 'node:fs';
import { readdir, readFile, stat } from 'node:fs/promises';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';
import { describe, expect, it } from 'vitest';
import { seeded } from '../support/random.js';
import {
  AS_OF,
  type CliResult,
  check,
  csv,
  describeRun,
  pipeline,
  readSummary,
  row,
  type Scratch,
  scratch,
  sleep,
  spillLeftovers,
  startCli,
  waitFor,
  writeRows,
} from './support.js';

const records = (count: number) => Array.from({ length: count }, (_, index) => row(index));

/** One non-62323 row over and over: packs far beyond 50:1 and stays cheap if it is (wrongly) checked. */
function bomb(rowsCount: number): { packed: Buffer; ratio: number } {
  const text = csv(Array.from({ length: rowsCount }, () => row(1, { procedure_code: '99213' })));
  const packed = gzipSync(text, { level: 9 });
  return { packed, ratio: Buffer.byteLength(text) / packed.length };
}

/** Varied rows: a gzip that packs like real claim CSV (well under 50:1). */
function ordinaryGzip(rowsCount: number, seed: number): { packed: Buffer; ratio: number } {
  const random = seeded(seed);
  const text = csv(
    Array.from({ length: rowsCount }, (_, index) =>
      row(index, {
        member_id: `M${random.int(1e9)}`,
        charge: `${100 + random.int(9000)}.${String(random.int(100)).padStart(2, '0')}`,
        prior_auth: `PA${random.int(1e9).toString(36)}`,
        rendering_npi: random.pick(['1234567893', '1245319599', '1679576722']),
      }),
    ),
  );
  const packed = gzipSync(text);
  return { packed, ratio: Buffer.byteLength(text) / packed.length };
}

async function expectTooLarge(result: CliResult, out: string, limit: RegExp, space: Scratch): Promise<void> {
  expect(result.code, describeRun(result)).toBe(2);
  const summary = await readSummary(out);
  expect(summary.status).toBe('rejected');
  expect(summary.error?.code).toBe('BATCH_TOO_LARGE');
  expect(summary.error?.message, 'says which limit').toMatch(limit);
  expect(await spillLeftovers(space.tmp), 'no spill folder left').toEqual([]);
}

const RECORDS_LIMIT = /record/i;
const GZIP_LIMIT = /gzip|ratio|unpack|compress/i;

/** One 2,000,000-line batch (about 140 MB), written once for the signal tests that need it. */
let twoMillion: Promise<string> | undefined;
function twoMillionLines(): Promise<string> {
  twoMillion ??= scratch('two-million').then(async (space) => {
    const file = join(space.root, 'in', 'two-million.csv');
    await writeRows(file, 2_000_000, (index) => row(index));
    return file;
  });
  return twoMillion;
}

describe('hostile: limits', () => {
  it('--max-records 10 rejects a 20-record batch as BATCH_TOO_LARGE', async () => {
    const space = await scratch('max-records');
    const file = await space.file('twenty.csv', csv(records(20)));
    const out = space.out('twenty');
    await expectTooLarge(
      await check(file, out, ['--max-records', '10'], { tmp: space.tmp }),
      out,
      RECORDS_LIMIT,
      space,
    );
  });

  it('MAX_RECORDS=10 in the environment does the same', async () => {
    const space = await scratch('max-records-env');
    const file = await space.file('twenty.csv', csv(records(20)));
    const out = space.out('twenty');
    const result = await check(file, out, [], { tmp: space.tmp, env: { MAX_RECORDS: '10' } });
    await expectTooLarge(result, out, RECORDS_LIMIT, space);
  });

  it('a batch of exactly --max-records records is within the limit', async () => {
    const space = await scratch('max-records-edge');
    const file = await space.file('twenty.csv', csv(records(20)));
    const out = space.out('twenty');
    const result = await check(file, out, ['--max-records', '20'], { tmp: space.tmp });
    expect(result.code, describeRun(result)).toBe(0);
    expect((await readSummary(out)).status).toBe('complete');
  });

  it('a gzip bomb (one row repeated, far beyond 50:1) is rejected as BATCH_TOO_LARGE, leaving no spill folder', async () => {
    const { packed, ratio } = bomb(400_000);
    expect(ratio).toBeGreaterThan(50);
    const space = await scratch('bomb');
    const file = await space.file('bomb.csv.gz', packed);
    const out = space.out('bomb');
    await expectTooLarge(await check(file, out, [], { tmp: space.tmp }), out, GZIP_LIMIT, space);
  });

  it('--max-gzip-ratio raises the gzip limit: the same kind of file is then checked', async () => {
    const { packed, ratio } = bomb(5_000);
    expect(ratio).toBeGreaterThan(50);
    expect(ratio).toBeLessThan(5_000);
    const space = await scratch('bomb-allowed');
    const file = await space.file('allowed.csv.gz', packed);
    const out = space.out('allowed');
    const result = await check(file, out, ['--max-gzip-ratio', '5000'], { tmp: space.tmp });
    expect(result.code, describeRun(result)).toBe(0);
    expect((await readSummary(out)).counts.lines).toBe(5_000);
  });

  it('an ordinary gzip is checked by default, and MAX_GZIP_RATIO below its ratio rejects it', async () => {
    const { packed, ratio } = ordinaryGzip(3_000, 7);
    expect(ratio).toBeGreaterThan(2);
    expect(ratio).toBeLessThan(50);
    const space = await scratch('gzip-ratio-env');
    const file = await space.file('ordinary.csv.gz', packed);
    const accepted = await check(file, space.out('accepted'), [], { tmp: space.tmp });
    expect(accepted.code, describeRun(accepted)).toBe(0);
    const limit = String(Math.max(1, Math.floor(ratio / 2)));
    const out = space.out('limited');
    const result = await check(file, out, [], { tmp: space.tmp, env: { MAX_GZIP_RATIO: limit } });
    await expectTooLarge(result, out, GZIP_LIMIT, space);
  });

  describe('in the pipeline (the split function)', () => {
    it('rejects a gzip bomb as BATCH_TOO_LARGE with exit 2', async () => {
      const { packed } = bomb(400_000);
      const space = await scratch('pipe-bomb');
      const file = await space.file('bomb.csv.gz', packed);
      const out = space.out('bomb');
      const result = await pipeline(file, out, [], { tmp: space.tmp, timeoutMs: 90_000 });
      await expectTooLarge(result, out, GZIP_LIMIT, space);
    }, 120_000);

    it('rejects a batch over MAX_RECORDS as BATCH_TOO_LARGE with exit 2', async () => {
      const space = await scratch('pipe-max-records');
      const file = await space.file('twenty.csv', csv(records(20)));
      const out = space.out('twenty');
      const result = await pipeline(file, out, [], { tmp: space.tmp, env: { MAX_RECORDS: '10' } });
      await expectTooLarge(result, out, RECORDS_LIMIT, space);
    });
  });

  describe('error paths remove the spill folder', () => {
    it('a big gzip cut short: rejected with exit 2, no crash, no spill folder', async () => {
      const { packed } = ordinaryGzip(120_000, 11);
      const space = await scratch('cut-gzip');
      const file = await space.file('cut.csv.gz', packed.subarray(0, Math.floor(packed.length * 0.6)));
      const out = space.out('cut');
      const result = await check(file, out, [], { tmp: space.tmp });
      expect(result.signal, describeRun(result)).toBeNull();
      expect(result.code, describeRun(result)).toBe(2);
      expect((await readSummary(out)).status).toBe('rejected');
      expect(await spillLeftovers(space.tmp)).toEqual([]);
    });

    it('a big batch whose report folder cannot be written: exit 2, one sentence, no spill folder', async () => {
      const space = await scratch('blocked-out');
      const file = join(space.root, 'in', 'big.csv');
      await writeRows(file, 80_000, (index) => row(index));
      const blocker = await space.file('blocker', 'a file where the report folder should go');
      const result = await check(file, blocker, [], { tmp: space.tmp });
      expect(result.code, describeRun(result)).toBe(2);
      expect(result.stderr.trim().split('\n')).toHaveLength(1);
      expect(await spillLeftovers(space.tmp)).toEqual([]);
    });
  });

  describe('signals', () => {
    /** Sends `signal` to a running check; returns how it ended and how long it took to stop. */
    async function interrupt(
      space: Scratch,
      file: string,
      out: string,
      signal: NodeJS.Signals,
      when: () => Promise<unknown>,
    ): Promise<{ result: CliResult; latencyMs: number; finishedFirst: boolean }> {
      const running = startCli(['check', file, '--out', out, '--as-of', AS_OF], {
        tmp: space.tmp,
        timeoutMs: 120_000,
      });
      let finished = false;
      void running.done.then(() => {
        finished = true;
      });
      await Promise.race([when(), running.done]);
      const finishedFirst = finished;
      const sentAt = Date.now();
      if (!finishedFirst) running.child.kill(signal);
      const result = await running.done;
      // A clean exit 0 means it finished before the signal landed (its exit not yet seen here): a
      // signal during the run ends it by the signal, and one after the guard is gone, by default.
      const exitedFirst = result.code === 0 && result.signal === null;
      return { result, latencyMs: Date.now() - sentAt, finishedFirst: finishedFirst || exitedFirst };
    }

    async function expectStoppedClean(
      space: Scratch,
      out: string,
      signal: NodeJS.Signals,
      outcome: { result: CliResult; latencyMs: number; finishedFirst: boolean },
    ): Promise<void> {
      const { result, latencyMs, finishedFirst } = outcome;
      if (finishedFirst) {
        expect(result.code, describeRun(result)).toBe(0);
      } else {
        expect(result.timedOut, describeRun(result)).toBe(false);
        // Stopped by the signal, or by a non-zero exit code of its own choosing.
        expect(
          result.signal === signal || (result.code !== null && result.code !== 0),
          describeRun(result),
        ).toBe(true);
        expect(latencyMs, `stopped ${latencyMs} ms after ${signal}`).toBeLessThan(3_000);
      }
      expect(await spillLeftovers(space.tmp), `spill folder left after ${signal}`).toEqual([]);
      // The report folder is complete or absent: never a half-written one.
      if (existsSync(out)) {
        expect((await readdir(out)).sort()).toEqual(
          expect.arrayContaining(['findings.csv', 'rejected.csv', 'report.html', 'summary.json']),
        );
        expect(JSON.parse(await readFile(join(out, 'summary.json'), 'utf8')).status).toBeTypeOf('string');
      }
    }

    it.each(['SIGTERM', 'SIGINT'] as const)(
      '%s one second into a 2,000,000-line check stops it promptly and removes the spill folder',
      async (signal) => {
        const space = await scratch(`signal-big-${signal}`);
        const file = await twoMillionLines();
        const out = space.out('big');
        const outcome = await interrupt(space, file, out, signal, async () => {
          await waitFor(async () => (await spillLeftovers(space.tmp)).length > 0, 5_000);
          await sleep(1_000);
        });
        expect(outcome.finishedFirst, 'the check was still running when signalled').toBe(false);
        await expectStoppedClean(space, out, signal, outcome);
      },
      90_000,
    );

    it('SIGTERM and SIGINT at any phase (reading, checking, merging, writing) stop it and leave no spill folder', async () => {
      const space = await scratch('signal-phases');
      const file = join(space.root, 'in', 'phases.csv');
      await writeRows(file, 200_000, (index) =>
        row(index, {
          member_id: `M${index % 5000}`,
          procedure_code: ['62323', '77003', '99213'][index % 3]!,
          date_of_service: `2026-0${1 + (index % 9)}-${String(1 + (index % 27)).padStart(2, '0')}`,
        }),
      );
      expect((await stat(file)).size).toBeGreaterThan(8 * 1024 * 1024);
      // A full run first, to spread the signals over the run's own length (measured, not asserted).
      const started = Date.now();
      const full = await check(file, space.out('full'), [], { tmp: space.tmp, timeoutMs: 120_000 });
      const fullMs = Date.now() - started;
      expect(full.code, describeRun(full)).toBe(0);
      expect(await spillLeftovers(space.tmp)).toEqual([]);
      const plan: [number, NodeJS.Signals][] = [
        [0.1, 'SIGTERM'],
        [0.35, 'SIGINT'],
        [0.6, 'SIGTERM'],
        [0.85, 'SIGINT'],
        [0.97, 'SIGTERM'],
      ];
      const latencies: string[] = [];
      for (const [fraction, signal] of plan) {
        const out = space.out(`at-${fraction}`);
        const outcome = await interrupt(space, file, out, signal, () => sleep(fraction * fullMs));
        latencies.push(
          `${signal}@${fraction}: ${outcome.finishedFirst ? 'finished first' : `${outcome.latencyMs} ms`}`,
        );
        await expectStoppedClean(space, out, signal, outcome);
      }
      console.log(`full run ${fullMs} ms; ${latencies.join(', ')}`);
    }, 120_000);
  });
});
