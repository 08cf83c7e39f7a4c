import { describe, expect, it } from 'vitest';
import { benchPipeline, costBreakdown, costPerMillionLines, PRICES } from '../../../bench/pipeline-bench.js';
import { AS_OF, SAMPLE } from '../helpers.js';

describe('benchPipeline', () => {
  it('measures a batch on the emulator: CPU, throughput and requests by kind', async () => {
    const figures = await benchPipeline(SAMPLE, {
      asOf: AS_OF,
      chunkLines: 100,
      mergeShardLines: 300,
      functionThreads: new URL('../../../dist/function-thread.js', import.meta.url),
    });
    // Three shards (the last renders the first line range), then the other two ranges (the last assembles).
    expect(figures).toMatchObject({ lines: 724, chunks: 8, shards: 3, invocations: { split: 1, merge: 5 } });
    expect(figures.mergePeakHeapBytes).toHaveLength(5);
    expect(figures.mergeCpuMs).toHaveLength(5);
    expect(figures.lambdaCpuMs.merge).toBeGreaterThan(0);
    expect(figures.wallMs).toBeGreaterThan(0);
    expect(figures.splitMBps).toBeGreaterThan(0);
    expect(figures.lambdaCpuMs.split).toBeGreaterThan(0);
    expect(figures.lambdaCpuMs.validate).toBeGreaterThan(0);
    // Split: GET the upload, PUT 6 chunks + manifest + rejected records + dispatched marker, one batch send.
    // Validate: one batch send of the three shards; the last shard: one of the other two line ranges.
    expect(figures.requests).toMatchObject({ sqsSend: 3, sns: 1 });
    expect(figures.requests.s3Put).toBeGreaterThanOrEqual(6 + 3 + 6 + 4); // chunks, split markers, parts, report files
    expect(figures.requests.s3List).toBeGreaterThanOrEqual(2);
    expect(figures.requests.sqsReceive).toBeGreaterThanOrEqual(2);
    expect(figures.requests.sqsDelete).toBe(figures.requests.sqsReceive);
  });
});

describe('costPerMillionLines', () => {
  const requests = {
    s3Put: 1000,
    s3Get: 1000,
    s3List: 0,
    sqsSend: 10,
    sqsReceive: 10,
    sqsDelete: 10,
    sns: 2,
  };

  it('prices Lambda GB-seconds and requests, SQS, S3 and SNS requests per million lines', () => {
    const figures = {
      lambdaCpuMs: { split: 0, validate: 0, merge: 0 },
      invocations: { split: 1, validate: 1, merge: 1 },
      requests,
    };
    const options = {
      billedMs: { split: 1000, validate: 2000, merge: 3000 },
      memoryMb: { split: 1024, validate: 2048, merge: 1024 },
    };
    const cost = costBreakdown(figures, 500_000, options);
    expect(cost.lambdaCompute).toBeCloseTo((1 * 1 + 2 * 2 + 3 * 1) * PRICES.lambdaArmPerGbSecond * 2, 12);
    expect(cost.lambdaRequests).toBeCloseTo(3 * PRICES.lambdaPerRequest * 2, 12);
    expect(cost.sqs).toBeCloseTo(30 * PRICES.sqsPerRequest * 2, 12);
    expect(cost.s3).toBeCloseTo((1000 * PRICES.s3PerPutOrList + 1000 * PRICES.s3PerGet) * 2, 12);
    expect(cost.sns).toBeCloseTo(2 * PRICES.snsPerPublish * 2, 12);
    expect(cost.total).toBeCloseTo(
      cost.lambdaCompute + cost.lambdaRequests + cost.sqs + cost.s3 + cost.sns,
      12,
    );
    expect(cost.pricesAsOf).toBe(PRICES.date);
    expect(costPerMillionLines(figures, 500_000, options)).toBe(cost.total);
    expect(costPerMillionLines({ ...figures, lines: 500_000 }, undefined, options)).toBe(cost.total);
  });

  it('stretches CPU time below one full vCPU when no billed duration is given', () => {
    const figures = {
      lambdaCpuMs: { split: 1000, validate: 0, merge: 0 },
      invocations: { split: 0, validate: 0, merge: 0 },
      requests: { s3Put: 0, s3Get: 0, s3List: 0, sqsSend: 0, sqsReceive: 0, sqsDelete: 0, sns: 0 },
    };
    const at = (mb: number) =>
      costPerMillionLines(figures, 1_000_000, { memoryMb: { split: mb, validate: mb, merge: mb } });
    expect(at(3538)).toBeCloseTo(at(1769) * 2, 12); // same CPU seconds, twice the memory
    expect(at(884.5)).toBeCloseTo(at(1769), 12); // half a vCPU: twice the time at half the memory
  });

  it('refuses to price an empty batch', () => {
    expect(() =>
      costPerMillionLines(
        {
          lambdaCpuMs: { split: 1, validate: 1, merge: 1 },
          invocations: { split: 1, validate: 1, merge: 1 },
          requests,
        },
        0,
      ),
    ).toThrow();
  });
});
