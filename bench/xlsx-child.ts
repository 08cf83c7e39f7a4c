/**
 * Run by xlsx-bench.ts in a child process of its own (dist/xlsx-child.js <batch.csv> <as-of> <out>):
 * scrubs the batch in memory, then writes its findings.xlsx to `out`, timing the write and sampling
 * the process's RSS while it runs. Prints one JSON line.
 */
import { createReadStream, createWriteStream, statSync } from 'node:fs';
import { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { fileBytes } from '../functions/core/report/files.js';
import { scrubBatch } from '../functions/core/scrub.js';

const [file, asOf, out] = process.argv.slice(2) as [string, string, string];
const result = await scrubBatch(createReadStream(file, { highWaterMark: 1 << 20 }), {
  batchId: 'bench',
  sourceName: 'bench.csv',
  asOf,
});
(globalThis as { gc?: () => void }).gc?.();
const rssBefore = process.memoryUsage().rss;
let rssPeak = rssBefore;
const sampler = setInterval(() => {
  rssPeak = Math.max(rssPeak, process.memoryUsage().rss);
}, 20);
const xlsx = result.report.find((report) => report.name === 'findings.xlsx')!;
const started = performance.now();
await pipeline(Readable.from(fileBytes(xlsx)), createWriteStream(out));
const ms = performance.now() - started;
clearInterval(sampler);
console.log(
  JSON.stringify({
    ms,
    bytes: statSync(out).size,
    findings: result.summary.counts.findings,
    rssBeforeBytes: rssBefore,
    rssPeakBytes: rssPeak,
  }),
);
