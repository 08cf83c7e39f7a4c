/**
 * Byte-range splitting on the embedded emulator: an upload over SPLIT_RANGE_BYTES is split by
 * several split invocations, one range each, and the report is the one `check` writes of the file.
 */
import { describe, expect, it } from 'vitest';
import type { Summary } from '../../../functions/core/report/summary.js';
import type { LocalPipeline } from '../../../functions/local/runner.js';
import { MIN_SPLIT_RANGE_BYTES } from '../../../functions/pipeline/topology.js';
import { decodeRangeResult } from '../../../functions/pipeline/work-files.js';
import { AS_OF, expectSameAsCheck, syntheticBatch } from '../helpers.js';
import { pipelineStarter } from './pipelines.js';

const RANGE = MIN_SPLIT_RANGE_BYTES;
const start = pipelineStarter({ chunkLines: 500, splitRangeBytes: RANGE, concurrency: { split: 3 } });

async function process(pipeline: LocalPipeline, key: string, body: Uint8Array) {
  const upload = await pipeline.uploadBatch(key, body, { asOf: AS_OF });
  await pipeline.announce(upload);
  await pipeline.drain({ until: () => pipeline.noticeFor(upload) !== undefined, timeoutMs: 120_000 });
  const notice = pipeline.noticeFor(upload)!;
  const files = await pipeline.readReport(notice.batchId);
  const summary = JSON.parse(files['summary.json']) as Summary;
  const workKeys = await pipeline.listKeys(pipeline.resources.buckets.work, `work/${notice.batchId}/`);
  return { files, summary, workKeys, batchId: notice.batchId };
}

/**
 * The synthetic batch with what framing must get right across ranges: records the framer rejects
 * (a stray quote), quoted payers that span lines, blank lines and CRLF line ends.
 */
function hostileLines(records: number): string[] {
  const lines = syntheticBatch(records).trimEnd().split('\n');
  for (let at = 40; at < lines.length; at += 311) lines[at] = `CLMX${at},1,"stray quote,M1`;
  for (let at = 97; at < lines.length; at += 457)
    lines[at] = lines[at]!.replace(/,[^,]*$/, ',"Acme\nHealth"');
  for (let at = 150; at < lines.length; at += 523) lines[at] = `${lines[at]}\n`;
  for (let at = 200; at < lines.length; at += 101) lines[at] = `${lines[at]}\r`;
  return lines;
}

const chunkKeys = (keys: readonly string[]) => ({
  ranged: keys.filter((key) => /\/chunks\/r\d+-\d+$/.test(key)).length,
  whole: keys.filter((key) => /\/chunks\/\d+$/.test(key)).length,
});

describe('byte-range splitting', () => {
  it('splits a large upload by ranges at once and reports it exactly as check does', async () => {
    const pipeline = await start();
    const body = Buffer.from(`${hostileLines(9000).join('\n')}\n`);
    const { files, summary, workKeys } = await process(pipeline, 'incoming/large.csv', body);
    const ranges = workKeys.filter((key) => key.includes('/split/ranges/')).length;
    expect(ranges).toBe(Math.ceil(body.length / RANGE));
    expect(ranges).toBeGreaterThan(10);
    expect(chunkKeys(workKeys).whole).toBe(0);
    expect(chunkKeys(workKeys).ranged).toBeGreaterThan(ranges);
    expect(summary).toMatchObject({ status: 'complete', source: { bytes: body.length } });
    expect(summary.counts.rejected).toBeGreaterThan(20);
    await expectSameAsCheck(files, body, summary);
    // The event, each range, and the hash: one split invocation each.
    expect(pipeline.stats().split.messages).toBe(ranges + 2);
  });

  it('reads the upload whole when a quoted record runs across a cut, and reports the same', async () => {
    const pipeline = await start();
    const lines = hostileLines(3000);
    // Lines up to just short of the first cut, then a payer whose quoted line end lies past it.
    let bytes = 0;
    let at = 0;
    while (bytes + Buffer.byteLength(lines[at]!) + 1 < RANGE - 40)
      bytes += Buffer.byteLength(lines[at++]!) + 1;
    const record = lines[at]!.replace(/,[^,]*$/, `,"Acme${'x'.repeat(RANGE - bytes)}\nHealth"`);
    lines[at] = record;
    const body = Buffer.from(`${lines.join('\n')}\n`);
    expect(body.indexOf('\n', RANGE - 1)).toBe(bytes + record.indexOf('\n'));

    const { files, summary, workKeys } = await process(pipeline, 'incoming/straddle.csv', body);
    const first = await pipeline.readObject(
      pipeline.resources.buckets.work,
      workKeys.find((key) => key.endsWith('/split/ranges/000000.json'))!,
    );
    expect(decodeRangeResult(first!, 'range 0').endsAtRecord).toBe(false);
    expect(chunkKeys(workKeys).whole).toBeGreaterThan(0);
    expect(summary).toMatchObject({ status: 'complete', source: { bytes: body.length } });
    await expectSameAsCheck(files, body, summary);
  });

  it('reads a large UTF-16 or gzip upload whole, as before', async () => {
    const pipeline = await start();
    const text = hostileLines(2000).join('\r\n');
    const utf16 = Buffer.concat([Buffer.from([0xff, 0xfe]), Buffer.from(text, 'utf16le')]);
    const wide = await process(pipeline, 'incoming/wide.csv', utf16);
    expect(wide.workKeys.some((key) => key.includes('/split/'))).toBe(false);
    expect(wide.summary).toMatchObject({ status: 'complete', source: { encoding: 'utf-16le' } });
    await expectSameAsCheck(wide.files, utf16, wide.summary);
  });

  it('leaves an upload no bigger than one range to one split', async () => {
    const pipeline = await start();
    const body = Buffer.from(syntheticBatch(400));
    expect(body.length).toBeLessThanOrEqual(RANGE);
    const { summary, workKeys } = await process(pipeline, 'incoming/small.csv', body);
    expect(workKeys.some((key) => key.includes('/split/'))).toBe(false);
    expect(summary.status).not.toBe('rejected');
  });
});
