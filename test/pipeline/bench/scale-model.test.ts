/** The bench's scale model: its request formulas and wall times, on made-up rates (oracles by hand). */
import { describe, expect, it } from 'vitest';
import { type MeasuredRates, modelAtScale, overLimits, requestsAt } from '../../../bench/scale-model.js';

const rates: MeasuredRates = {
  splitMsPerLine: 0.002,
  validateMsPerLine: 0.01,
  shardMsPerLine: 0.004,
  renderMsPerLine: 0.001,
  assemblyMsPerLine: 0.005,
  uploadBytesPerLine: 100,
  partBytesPerLine: 60,
  reportBytesPerLine: 5,
  assemblyMsPerFinding: 0.15,
};

describe('the scale model', () => {
  it('counts the requests of a 1M-line batch step by step', () => {
    // 50 chunks of 20,000 lines (parts of 1.2 MB: two GETs each), one shard, one line range (rendered
    // by the shard's invocation: no message), 5 MB of report.
    expect(requestsAt(1_000_000, rates)).toEqual({
      s3Put: 50 + 3 + 50 + 3 + 1 + 2 + 1 + 2 + 5 + 1,
      s3Get: 3 + 100 + 10 + 1 + 1 * (3 + 100) + 1 + 1 * (3 + 2) - 2 + 100 + (100 + 2 + 2 + 2),
      s3List: 100 + 2 + 1 + 1,
      sqsSend: 5 + 1,
      sqsReceive: 1 + 10 + 1,
      sqsDelete: 1 + 10 + 1,
      sns: 1,
    });
  });

  it('grows chunks with a huge upload, so the shards read few parts', () => {
    // 100M lines of 100 bytes: 10 GB, so chunks of 156,250 lines (640 of them) and 50 shards.
    const model = modelAtScale(100_000_000, rates);
    expect(model).toMatchObject({ chunks: 640, shards: 50 });
    // 10 GB is split in 38 ranges of 256 MiB: the plan, 39 workers (38 ranges, the hash), the join.
    expect(model.ranges).toBe(38);
    expect(model.requests.s3Get).toBe(
      3 +
        1280 +
        128 +
        1 +
        50 * (3 + 1280) +
        1 +
        50 * (3 + 2 * 50) -
        2 +
        1280 +
        (1280 + 2 * 50 * 50 + 2 + 100) +
        (2 + 5 * 39 + 2 + 38 + 1),
    );
    // Validate: 640 chunks, 20 at a time, each 156,250 lines at 0.01 ms, stretched 1769/1024.
    expect(model.seconds.validate).toBeCloseTo((32 * 156_250 * 0.01 * (1769 / 1024)) / 1000, 6);
    // Merge has a full vCPU: 50 shards of 2M lines, 10 at a time; the assembly runs alone.
    expect(model.seconds.shards).toBeCloseTo((5 * 2_000_000 * 0.004) / 1000, 6);
    // Then 50 line ranges of 2M lines, 10 at a time.
    expect(model.seconds.renders).toBeCloseTo((5 * 2_000_000 * 0.001) / 1000, 6);
    expect(model.longestInvocationSeconds.render).toBeCloseTo((2_000_000 * 0.001) / 1000, 6);
    // The last shard renders the first range too; the last render assembles.
    expect(model.longestInvocationSeconds.shard).toBeCloseTo((2_000_000 * 0.005) / 1000, 6);
    expect(model.longestInvocationSeconds.assembly).toBeCloseTo(
      (100_000_000 * 0.005 + 2_000_000 * 0.001) / 1000,
      6,
    );
    expect(model.seconds.assembly).toBeCloseTo((100_000_000 * 0.005) / 1000, 6);
    // 200 s of split CPU at 1024 MB is 346 s: 9 s a range, 8 waves of 5; the hash reads 10 GB at 90 MB/s.
    expect(model.longestInvocationSeconds.split).toBeCloseTo(1e10 / 90e6, 6);
    expect(model.seconds.split).toBeCloseTo(
      Math.max((8 * 200_000 * (1769 / 1024)) / 38 / 1000, 1e10 / 90e6),
      6,
    );
    expect(overLimits(model)).toEqual([]);
    // Read whole by one split (ranges of a terabyte), the same upload is over split's timeout.
    expect(overLimits(modelAtScale(100_000_000, rates, { splitRangeBytes: 1e12 }))).toEqual([
      'split (346 s > its 300 s timeout)',
    ]);
    expect(model.dollars).toBeCloseTo(model.dollarsPerMillionLines * 100, 9);
  });

  it('names the stage that would not fit one invocation', () => {
    const slow = {
      ...rates,
      assemblyMsPerLine: 0.05,
      splitMsPerLine: 0.01,
      shardMsPerLine: 0.5,
      renderMsPerLine: 0.5,
    };
    expect(overLimits(modelAtScale(100_000_000, slow, { splitRangeBytes: 1e12 }))).toEqual([
      'split (1728 s > its 300 s timeout)',
      'the last shard with the first line range (2000 s)',
      "a line range's render (1000 s > 900 s)",
      'the assembly with its line range (6000 s > 900 s)',
    ]);
  });
});
